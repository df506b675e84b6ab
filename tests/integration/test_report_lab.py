# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reports as an admin gets them, on the lab (psrp driver -> the Lync emulator over HTTPS/NTLM, ldap3 -> Samba):
`make demo`'s own script (preview, cutover and no-op re-run of both units), then a rollback of the first unit, a
preview after it, and a preview with a wrong bind password; each report read back as the run wrote it, in Markdown and
HTML. About 2 to 3 minutes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import html
import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from running_lab import RunningLab  # noqa: E402 pylint: disable=wrong-import-position

UNIT, SIP = 'contoso_group_chat', 'sip:OCSChat@contoso.com'
# What a module summary says when it has done something: a preview's phases must say none of it
PAST = re.compile(r'\b(made|deleted|created|exported|imported|removed|started|stopped) ')


def _env(lab_dir):
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        address = re.sub(r'^ldaps?://([^:/]+).*$', r'\1', json.load(handle)['PCHAT_LDAP_URL'])
    return dict(os.environ, LAB_DIR=lab_dir, LAB_IP=address, PCHAT_LAB_HOME=lab_dir, ANSIBLE_NOCOLOR='1',
                ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'))


def _playbook(env, name, *args):
    return subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), name, '--limit', UNIT] + list(args),
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


def _new_report(lab_dir, seen, pattern):
    """The one report file matching ``pattern`` that is not in ``seen`` (the run just written), read."""
    found = sorted(set(glob.glob(os.path.join(lab_dir, 'reports', pattern))) - seen)
    assert len(found) == 1, found
    seen.add(found[0])
    with open(found[0]) as handle:
        markdown = handle.read()
    with open(found[0][:-3] + '.html') as handle:
        page = html.unescape(handle.read())
    return {'path': found[0], 'md': markdown, 'html': page}


@pytest.fixture(scope='module')
def runs(lab):  # pylint: disable=redefined-outer-name
    lab_dir = lab['LAB_DIR']
    env = _env(lab_dir)
    demo = subprocess.run([os.path.join(ROOT, 'scripts', 'demo.sh')], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    seen = set()
    found = {'demo': demo.stdout}
    found['preview'] = _new_report(lab_dir, seen, UNIT + '-*-check.md')
    runs_md = sorted(glob.glob(os.path.join(lab_dir, 'reports', UNIT + '-*-run.md')))
    assert len(runs_md) == 2, runs_md  # the cutover, then the no-op re-run (a second later at least)
    found['run'] = _new_report(lab_dir, seen, os.path.basename(runs_md[0]))
    found['again'] = _new_report(lab_dir, seen, os.path.basename(runs_md[1]))
    rollback = _playbook(env, 'playbooks/rollback.yml')
    assert rollback.returncode == 0, rollback.stdout[-3000:]
    found['rollback'] = _new_report(lab_dir, seen, UNIT + '-*-rollback.md')
    conn = RunningLab(lab_dir).ldap()
    found['user'] = RunningLab.user_identity(RunningLab(lab_dir), conn, SIP)
    conn.unbind()
    again = _playbook(env, 'playbooks/cutover.yml', '--check')
    assert again.returncode == 0, again.stdout[-3000:]
    found['after_rollback'] = _new_report(lab_dir, seen, UNIT + '-*-check.md')
    bad = _playbook(env, 'playbooks/cutover.yml', '--check', '-e', 'pchat_ldap_bind_password=not-the-password')
    assert bad.returncode != 0
    found['bad_bind'] = _new_report(lab_dir, seen, UNIT + '-*-check.md')
    found['bad_bind_output'] = bad.stdout
    yield found
    RunningLab(lab_dir).reset()


def both(report, *phrases):
    for phrase in phrases:
        assert phrase in report['md'], (phrase, report['md'][:4000])
        assert phrase in report['html'], (phrase, report['html'][:4000])


def test_make_demo_prints_the_cutovers_report_not_the_re_runs(runs):
    printed = re.search(r'^== The (?:cutover\'s )?report \((\S+); ', runs['demo'], re.M)
    assert printed and printed.group(1).endswith(os.path.basename(runs['run']['path'])), runs['demo'][-3000:]
    shown = runs['demo'][printed.end():]
    assert '# Cutover report: contoso_group_chat (run)' in shown
    assert re.search(r'\| 2 \| disable \| [0-9.]+ s \| changed \|', shown), shown[:3000]
    assert 'Outage window of contoso_group_chat: ' in shown and 'measured by this run' in shown


def test_the_preview_estimates_the_outage_and_speaks_of_what_a_run_would_do(runs):
    preview = runs['preview']
    assert re.match(r'# Cutover report: contoso_group_chat \(PREVIEW, check mode\)\n\n> \*\*Outage window of '
                    r'contoso_group_chat: at least [0-9.]+ s\*\*: estimated from the rehearsal', preview['md'])
    both(preview, 'the import itself, which is not rehearsed', 'What a run would change (the plan)',
         'a run would import 18 rooms (predicted)', 'A preview reads nothing after')
    phases = preview['md'].split('## Phases', 1)[1].split('## Data migration', 1)[0]
    assert not PAST.search(phases), phases
    for said in ('### After', '| After |', 'What happened', 'Status after', 'not countable'):
        assert said not in preview['md']
    # the rehearsal: each warning with its room and conversion, the times; predicted counts as predicted
    assert ('| room_renamed | Meeting room 0003 | Chat room "Meeting room 0003" becomes "Engineering_Support_Meeting '
            'room 0003"') in preview['md']
    both(preview, 'Every warning, with its room', 'Scratch export on the front end')
    assert '| rooms | 18 |' in preview['md'] and 'A run would migrate (predicted' in preview['md']
    assert re.search(r'\| -WhatIf import \| [0-9.]+ s \|', preview['md'])


def test_the_run_measures_the_outage_and_lists_the_rooms(runs):
    run = runs['run']
    assert re.search(r'> \*\*Outage window of contoso_group_chat: [0-9.]+ s\*\*: measured by this run, from the legacy '
                     r'pool\'s stop \(the disable of gc.contoso.com began at 20[0-9-]+T[0-9:]+Z\)', run['md'])
    both(run, '18 room(s) on pcpool.contoso.com, as verify read them after the run.',
         'Engineering_Support_Meeting room 0003', 'C:\\PchatMigration\\gc.contoso.com-export-')
    assert 'Not read (verify' not in run['md'] and 'C:\\\\PchatMigration' not in run['md']
    assert '| rooms | 18 | 0 | 0 |' in run['md'] and '| room_renamed | 13 | accepted |' in run['md']
    assert run['md'].count("counts or reads a room's messages") == 1
    again = runs['again']
    both(again, 'Outage window of contoso_group_chat: none', 'as preflight read them (no phase of this run changed')


def test_no_report_prints_a_python_dict_or_list(runs):
    for name in ('preview', 'run', 'again', 'rollback', 'after_rollback', 'bad_bind'):
        for text in (runs[name]['md'], runs[name]['html']):
            assert "{'" not in text and "['" not in text, name


def test_the_rollback_report_says_what_it_changed_and_what_stays(runs):
    rollback = runs['rollback']
    [(dn, sid, guid)] = runs['user']  # the restored user, read with plain LDAP
    assert rollback['md'].startswith('# Rollback report: contoso_group_chat (run)')
    both(rollback, 'removed the endpoint sip:OCSChat@contoso.com',
         'reanimated %s from its tombstone: objectSid %s and objectGUID %s, the same as in the backup' % (dn, sid, guid),
         'Start the legacy Group Chat pool', 'the recorded migration (backup, check, export, import) is superseded',
         '18 room(s) stay on pcpool.contoso.com (started)', 'Engineering_Support_Meeting room 0003',
         'This rollback left the Persistent Chat pool started (pchat_rollback_stop_target: false).',
         'describes no rollback', '"Coexistence considerations"')
    assert '| Stop the Persistent Chat pool (pchat_rollback_stop_target) | left started |' in rollback['md']


def test_the_preview_after_a_rollback_says_it_migrates_again(runs):
    after = runs['after_rollback']
    both(after, 'superseded the earlier migration', 'a run would migrate again; the import would overwrite what the '
                'first one wrote on pcpool.contoso.com, by name', '18 room(s) on pcpool.contoso.com, as preflight read')


def test_a_refused_bind_says_so_and_not_that_another_run_holds_the_lease(runs):
    bad = runs['bad_bind']
    both(bad, 'FAILED in phase lease', 'rejected the credentials', "The directory refused this run's bind",
         'This run took no lease and changed nothing')
    assert '| 1 | lease | unknown | FAILED |' in bad['md']
    for text in (bad['md'], bad['html'], runs['bad_bind_output']):
        assert 'another' not in text.lower() and 'could not be released' not in text
