# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report role on the controller alone (no lab): a playbook runs pchat.cutover.report on localhost with what the
cutover role gathers (tests/report_fixtures.py), and the Markdown and HTML it writes are read back."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))
import report_fixtures  # noqa: E402 pylint: disable=wrong-import-position

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
"""


def write(tmp_path, report, *args, keep_latest=True):
    (tmp_path / 'report.yml').write_text(PLAYBOOK)
    (tmp_path / 'vars.json').write_text(json.dumps({'pchat_report': report, 'pchat_report_keep_latest': keep_latest,
                                                    'pchat_report_dir': str(tmp_path / 'reports')}))
    proc = subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', 'localhost,',
                           str(tmp_path / 'report.yml'), '-e', '@' + str(tmp_path / 'vars.json')] + list(args),
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return proc, sorted(os.listdir(tmp_path / 'reports'))


def read(tmp_path, name):
    return (tmp_path / 'reports' / name).read_text()


def test_a_run_writes_markdown_and_html_with_the_figures(tmp_path):
    proc, files = write(tmp_path, report_fixtures.report())
    assert files == ['contoso_group_chat-20261126T100000Z-run.html', 'contoso_group_chat-20261126T100000Z-run.md',
                     'contoso_group_chat-latest.html', 'contoso_group_chat-latest.md']
    markdown = read(tmp_path, files[1])
    assert '| Outcome | PASSED |' in markdown and '2 h 05 min' in markdown and '1,234,567' in markdown
    assert 'changed=0' in proc.stdout  # a report is not a change
    # the message history is not countable: said once, not again under Verification
    assert markdown.count('Messages are not counted: no Lync cmdlet counts') == 1
    assert 'Not verified: message history' not in markdown
    html = read(tmp_path, files[0])
    assert '<h2>Verification: PASSED</h2>' in html and '2 h 05 min' in html


def test_values_are_escaped_in_both_formats(tmp_path):
    _proc, files = write(tmp_path, report_fixtures.report())
    html = read(tmp_path, files[0])
    assert report_fixtures.SCRIPT_ROOM not in html and '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co' in html
    markdown = read(tmp_path, files[1])
    assert '\\<script\\>' in markdown  # a Markdown renderer does not read it as HTML


def test_a_failed_run_names_the_phase_gives_it_a_row_and_the_next_step(tmp_path):
    _proc, files = write(tmp_path, report_fixtures.report(failed_phase='delete'), keep_latest=False)
    assert files == ['contoso_group_chat-20261126T100000Z-run.html', 'contoso_group_chat-20261126T100000Z-run.md']
    markdown = read(tmp_path, files[1])
    assert '**FAILED in phase delete** (task: Import): the front end dropped the connection' in markdown
    assert 'Changed before the failure: disable, migrate.' in markdown and 'run the cutover again' in markdown
    assert '| 4 | delete | 1 min 01 s | FAILED | the front end dropped the connection |' in markdown
    assert '<td>delete</td><td>1 min 01 s</td>\n<td>FAILED</td>' in read(tmp_path, files[0])
    assert 'Outage window of contoso_group_chat: not ended' in markdown  # the legacy pool stopped, no start yet


def test_a_preview_is_written_in_check_mode_and_says_so(tmp_path):
    _proc, files = write(tmp_path, report_fixtures.report(mode='check'), '--check')
    markdown = read(tmp_path, [f for f in files if f.endswith('-check.md')][0])
    assert 'PREVIEW: nothing was changed' in markdown and 'Not run (a preview does not verify).' in markdown
    assert markdown.splitlines()[2].startswith('> **Outage window of contoso_group_chat: at least 3 min 00 s**')
    assert '| room_renamed | Meeting room 0003 |' in markdown and '### After' not in markdown
    assert '| rooms | 18 |' in markdown and 'not countable' not in markdown


def test_a_rollback_report_is_written_as_its_own_kind(tmp_path):
    _proc, files = write(tmp_path, report_fixtures.rollback(), keep_latest=False)
    assert files == ['contoso_group_chat-20261127T080000Z-rollback.html',
                     'contoso_group_chat-20261127T080000Z-rollback.md']
    markdown = read(tmp_path, files[1])
    assert markdown.startswith('# Rollback report: contoso_group_chat (run)')
    assert '| Stop the Persistent Chat pool (pchat\\_rollback\\_stop\\_target) | left started |' not in markdown
    assert '| Stop the Persistent Chat pool (pchat_rollback_stop_target) | left started |' in markdown
    assert '<h1>Rollback report: contoso_group_chat (run)</h1>' in read(tmp_path, files[0])


@pytest.mark.parametrize('missing', ['plan', 'before', 'after', 'phases', 'migration', 'verdict', 'unit_state'])
def test_a_report_with_parts_missing_still_renders(tmp_path, missing):
    report = report_fixtures.report(failed_phase='preflight')
    report[missing] = None
    _proc, files = write(tmp_path, report, keep_latest=False)
    assert 'FAILED in phase preflight' in read(tmp_path, files[1])
