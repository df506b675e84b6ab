# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report role on the controller alone (no lab): a small playbook in tmp_path runs pchat.cutover.report on
localhost through ansible-playbook, and the Markdown and HTML it writes are checked."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT_ROOM = '<script>alert(1)</script> & co'

PLAYBOOK = """---
- name: Write a cutover report
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Write the report
      ansible.builtin.include_role:
        name: pchat.cutover.report
      vars: %(role_vars)s

    - name: Show the files written
      ansible.builtin.debug:
        msg: "PCHAT_REPORT_FILES={{ pchat_report_files | to_json }}"
"""


def full_report(mode='run'):
    """A realistic report: two phases, three rooms (one mismatch, one named like an XSS attempt)."""
    report = {
        'unit': 'contoso_group_chat',
        'mode': mode,
        'started': '2026-11-24T03:00:00Z',
        'finished': '2026-11-24T03:14:41Z',
        'legacy_pool': 'gc.contoso.com',
        'target_pool': 'pcpool.contoso.com',
        'sip_address': 'sip:OCSChat@contoso.com',
        'plan': {'disable': True, 'migrate': True, 'delete': True, 'recreate': True, 'start': True,
                 'notes': ['1 room is disabled on the legacy pool and is migrated disabled']},
        'phases': [
            {'name': 'preflight', 'duration': 0.8, 'changed': False,
             'summary': '3 rooms, 5 unresolved members, owner is a user'},
            {'name': 'migrate', 'duration': 12.4, 'changed': True,
             'summary': '3 rooms migrated, 1 with a different checksum'},
        ],
        'counts': {
            'categories': {'migrated': 2, 'already_present': 0, 'skipped': 0},
            'rooms': {'migrated': 3, 'already_present': 0, 'skipped': 0},
            'members': {'migrated': 14, 'already_present': 0, 'skipped': 5},
            'messages': {'migrated': 350, 'already_present': 0, 'skipped': 0},
        },
        'rooms': [
            {'name': 'Release room 0001', 'source_messages': 120, 'source_checksum': '123',
             'target_messages': 120, 'target_checksum': '123', 'disabled': False},
            {'name': 'Release room 0002', 'source_messages': 200, 'source_checksum': '456',
             'target_messages': 199, 'target_checksum': '455', 'disabled': False},
            {'name': SCRIPT_ROOM, 'source_messages': 30, 'source_checksum': '789',
             'target_messages': 30, 'target_checksum': '789', 'disabled': True},
        ],
        'unresolved_members': [
            {'principal': 'sip:former.employee0001@contoso.com', 'kind': 'none', 'rooms': 2},
            {'principal': 'sip:former.employee0002@contoso.com', 'kind': 'contact', 'rooms': 1},
        ],
        'unresolved_total': 5,
        'owner_before': {'kind': 'user', 'dns': ['CN=OCSChat,CN=Users,DC=contoso,DC=com']},
        'owner_after': {'kind': 'contact',
                        'dns': ['CN={C0FFEE00-0000-0000-0000-000000000001},CN=Application Contacts,'
                                'CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com']},
        'backups': ['/var/backups/pchat/OCSChat-20261124T031500Z-c11b14e9.json'],
        'pools_before': [
            {'fqdn': 'gc.contoso.com', 'kind': 'legacy', 'state': 'running',
             'counts': {'categories': 2, 'rooms': 3, 'members': 19, 'messages': 350}},
            {'fqdn': 'pcpool.contoso.com', 'kind': 'target', 'state': 'stopped',
             'counts': {'categories': 0, 'rooms': 0, 'members': 0, 'messages': 0}},
        ],
        'pools_after': [
            {'fqdn': 'gc.contoso.com', 'kind': 'legacy', 'state': 'disabled',
             'counts': {'categories': 2, 'rooms': 3, 'members': 19, 'messages': 350}},
            {'fqdn': 'pcpool.contoso.com', 'kind': 'target', 'state': 'running',
             'counts': {'categories': 2, 'rooms': 3, 'members': 14, 'messages': 349}},
        ],
        'verification': {'passed': False, 'checks': [
            {'name': 'SIP URI owned by the endpoint only', 'ok': True, 'detail': '1 contact'},
            {'name': 'Message checksums match', 'ok': False, 'detail': 'Release room 0002 differs'},
        ]},
    }
    if mode == 'check':
        report['phases'] = [dict(phase, summary='would ' + phase['summary']) for phase in report['phases']]
        report['verification'] = {'passed': None, 'checks': []}
        report['backups'] = []
    return report


def ansible_playbook():
    candidate = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    return candidate if os.path.exists(candidate) else shutil.which('ansible-playbook')


def run_report(tmp_path, report, *extra_args, **role_vars):
    """Write the playbook and vars file into tmp_path, run them from the repo root; return (proc, report dir).

    Without pchat_report_dir the role's default applies: `reports` next to the playbook, tmp_path/reports."""
    report_dir = role_vars.get('pchat_report_dir') or str(tmp_path / 'reports')
    playbook = tmp_path / 'report.yml'
    playbook.write_text(PLAYBOOK % {'role_vars': json.dumps(role_vars)})
    vars_file = tmp_path / 'vars.json'
    vars_file.write_text(json.dumps({'pchat_report': report}))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    env.pop('ANSIBLE_FORCE_COLOR', None)
    proc = subprocess.run([ansible_playbook(), '-i', 'localhost,', str(playbook), '-e', '@' + str(vars_file)]
                          + list(extra_args), cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          check=False)
    return proc, report_dir


def recap(stdout):
    match = re.search(r'^localhost\s*:\s*(.*)$', stdout.split('PLAY RECAP', 1)[-1], re.MULTILINE)
    assert match, stdout
    return dict((key, int(value)) for key, value in re.findall(r'(\w+)=(\d+)', match.group(1)))


def files_fact(stdout):
    match = re.search(r'PCHAT_REPORT_FILES=(\{.*?\})"', stdout)
    assert match, stdout
    return json.loads(match.group(1).replace('\\"', '"'))


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def test_run_writes_markdown_and_html(tmp_path):
    proc, report_dir = run_report(tmp_path, full_report())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert recap(proc.stdout)['changed'] == 0

    stamped_md = glob.glob(os.path.join(report_dir, 'contoso_group_chat-*-run.md'))
    stamped_html = glob.glob(os.path.join(report_dir, 'contoso_group_chat-*-run.html'))
    assert len(stamped_md) == 1 and len(stamped_html) == 1, os.listdir(report_dir)
    assert re.search(r'contoso_group_chat-\d{8}T\d{6}Z-run\.md$', stamped_md[0])
    assert stamped_html[0] == stamped_md[0][:-3] + '.html'
    latest_md = os.path.join(report_dir, 'contoso_group_chat-latest.md')
    latest_html = os.path.join(report_dir, 'contoso_group_chat-latest.html')
    assert read(latest_md) == read(stamped_md[0])
    assert read(latest_html) == read(stamped_html[0])
    assert oct(os.stat(report_dir).st_mode & 0o777) == '0o750'
    assert oct(os.stat(stamped_md[0]).st_mode & 0o777) == '0o640'
    assert files_fact(proc.stdout) == {'markdown': stamped_md[0], 'html': stamped_html[0],
                                       'markdown_latest': latest_md, 'html_latest': latest_html}

    markdown = read(stamped_md[0])
    assert markdown.startswith('# Cutover report: contoso_group_chat (run)\n')
    assert 'PREVIEW' not in markdown
    assert '| 1 | preflight | 0.8 s |' in markdown
    assert '| 2 | migrate | 12.4 s | changed |' in markdown
    assert 'preflight' in markdown.split('```text', 1)[1] and 'migrate' in markdown.split('```text', 1)[1]
    mismatch_rows = [line for line in markdown.splitlines() if 'MISMATCH**' in line and line.startswith('|')]
    assert len(mismatch_rows) == 1 and 'Release room 0002' in mismatch_rows[0]
    assert '3 rooms, 1 with a **MISMATCH**' in markdown
    assert '<script>' not in markdown
    assert '5 members did not resolve to a user; 2 are listed.' in markdown
    assert 'sip:former.employee0001@contoso.com' in markdown
    assert 'CN=OCSChat,CN=Users,DC=contoso,DC=com' in markdown
    assert '/var/backups/pchat/OCSChat-20261124T031500Z-c11b14e9.json' in markdown
    assert '## Verification: FAILED' in markdown
    assert '| Message checksums match | **✗ FAILED** | Release room 0002 differs |' in markdown

    html = read(stamped_html[0])
    assert html.lstrip().startswith('<!DOCTYPE html>')
    svg = re.findall(r'<svg\b.*?</svg>', html, re.DOTALL)
    assert len(svg) == 1
    assert len(re.findall(r'<rect class="bar[ "]', svg[0])) == 2
    assert '>preflight</text>' in svg[0] and '>migrate</text>' in svg[0]
    assert '<script' not in html.lower()
    assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co' in html
    assert html.count('class="mismatch"') == 1
    assert 'http://' not in html.replace('http://www.w3.org/2000/svg', '')
    assert '<link' not in html and 'src=' not in html
    assert 'FAILED' in html


def test_check_mode_writes_a_preview(tmp_path):
    proc, report_dir = run_report(tmp_path, full_report('check'), '--check')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert recap(proc.stdout)['changed'] == 0
    stamped = sorted(glob.glob(os.path.join(report_dir, 'contoso_group_chat-*-check.*')))
    assert [os.path.splitext(path)[1] for path in stamped] == ['.html', '.md']
    markdown = read(os.path.join(report_dir, 'contoso_group_chat-latest.md'))
    html = read(os.path.join(report_dir, 'contoso_group_chat-latest.html'))
    head = markdown.split('## Plan', 1)[0]
    assert 'PREVIEW' in head and 'nothing was changed' in head
    assert '## Verification: NOT RUN' in markdown
    assert 'would change' in markdown
    assert 'PREVIEW' in html.split('<h2>', 1)[0]
    assert '<script' not in html.lower()


def test_second_run_changes_nothing(tmp_path):
    first, report_dir = run_report(tmp_path, full_report())
    assert first.returncode == 0, first.stdout + first.stderr
    second, _report_dir = run_report(tmp_path, full_report())
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout)['changed'] == 0
    assert recap(second.stdout)['failed'] == 0
    assert os.path.exists(os.path.join(report_dir, 'contoso_group_chat-latest.md'))


def test_minimal_report_renders(tmp_path):
    proc, report_dir = run_report(tmp_path, {'unit': 'contoso_group_chat', 'mode': 'run'})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    markdown = read(os.path.join(report_dir, 'contoso_group_chat-latest.md'))
    html = read(os.path.join(report_dir, 'contoso_group_chat-latest.html'))
    assert 'No phases recorded.' in markdown and 'No rooms recorded.' in markdown
    assert '## Verification: NOT RUN' in markdown
    assert '<svg' not in html and 'No phases recorded.' in html
    assert html.rstrip().endswith('</html>')


def test_many_rooms_show_the_first_200_and_every_mismatch(tmp_path):
    rooms = [{'name': 'Room %04d' % index, 'source_messages': 10, 'source_checksum': 'abc',
              'target_messages': 10, 'target_checksum': 'abc'} for index in range(1, 251)]
    rooms[229]['target_checksum'] = 'abd'
    proc, report_dir = run_report(tmp_path, {'unit': 'big_unit', 'mode': 'run', 'rooms': rooms},
                                  pchat_report_dir=str(tmp_path / 'elsewhere' / 'reports'))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    markdown = read(os.path.join(report_dir, 'big_unit-latest.md'))
    assert '250 rooms, 1 with a **MISMATCH**' in markdown
    assert '49 rooms omitted' in markdown
    assert '| 200 | Room 0200 |' in markdown
    assert '| 201 | Room 0201 |' not in markdown
    assert '| 230 | Room 0230 |' in markdown
    html = read(os.path.join(report_dir, 'big_unit-latest.html'))
    assert html.count('class="mismatch"') == 1 and '49 rooms omitted' in html


def test_keep_latest_false_writes_only_the_timestamped_files(tmp_path):
    proc, report_dir = run_report(tmp_path, {'unit': 'unit with/odd:name', 'mode': 'check'}, '--check',
                                  pchat_report_keep_latest=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = sorted(os.listdir(report_dir))
    assert len(names) == 2 and not [name for name in names if 'latest' in name], names
    assert re.match(r'^unit_with_odd_name-\d{8}T\d{6}Z-check\.html$', names[0]), names
    fact = files_fact(proc.stdout)
    assert fact['markdown_latest'] is None and fact['html_latest'] is None
    assert 'PREVIEW' in read(fact['markdown'])


@pytest.mark.parametrize('report', [{'unit': 'contoso_group_chat'},
                                    {'unit': 'contoso_group_chat', 'mode': 'preview'},
                                    {'unit': 'contoso_group_chat', 'mode': 'run', 'phase': []}],
                         ids=['no-mode', 'bad-mode', 'misspelt-key'])
def test_argument_spec_rejects_a_bad_report(tmp_path, report):
    proc, report_dir = run_report(tmp_path, report)
    assert proc.returncode != 0
    assert 'pchat_report' in proc.stdout + proc.stderr
    assert not glob.glob(os.path.join(report_dir, '*'))
