# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What operators actually do (issue 17), on the real path: Ctrl-C or SIGTERM inside the import and an immediate
re-run; a mistyped SIP URI; warnings nobody accepted yet; a front end that cannot reach SQL (the second hop); a
cutover again after a rollback; and what the operator sees while the import works.

Each interruption is triggered by the run reaching the named point (the emulator's hold line of the import after
its third room), and the signal goes to ansible-playbook's process only, as `kill -INT <pid>` or a terminal's
Ctrl-C (which reaches ansible-playbook; it forwards it to its workers) sends it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import signal
import time

from support import HOLD, UNIT, Run

IMPORT = 'Import-CsPersistentChatData'
ACCEPTED = ['category_flattened', 'room_renamed', 'root_managers', 'invitations_off', 'federated_user']


def reports(lab, mode='run'):
    return sorted(glob.glob(os.path.join(lab.report_dir, '%s-*-%s.md' % (UNIT.host, mode))))


def interrupt_inside_the_import(lab, signum):
    """Start a cutover, send ``signum`` to ansible-playbook while the emulator holds the import after its 3rd room;
    the run ends non-zero. Returns (run, hold line)."""
    lab.arm_hold(IMPORT, 'rooms:3', HOLD)
    run = Run(lab).start()
    hold = run.wait_hold(IMPORT, 'rooms:3')
    sent = time.time()
    os.kill(run.pid, signum)
    returncode = run.finish()
    assert returncode != 0, run.tail()
    assert hold['ts'] <= sent < hold['ts'] + HOLD  # the signal landed inside the import, while it was held
    lab.figure('%s: ansible-playbook ended after' % signal.Signals(signum).name, time.time() - sent)
    return run, hold


def assert_nothing_written_after(lab, until, seconds):
    """No write to the lab from ``until`` on, for ``seconds``: every earlier writer (an import that outlived its
    client) is gone."""
    while time.time() < until:
        time.sleep(0.2)
    before = lab.snapshot()
    time.sleep(seconds)
    assert lab.snapshot() == before, 'the lab changed after every run had ended and every hold was over'


def failure_report(lab, signames):
    """The interrupted run's failure report (the oldest run report of the test): it names the phase, the signal, and
    that the import's outcome is unknown."""
    deadline = time.time() + HOLD + 30  # SIGTERM: ansible-playbook is gone at once, its worker still cleans up
    while time.time() < deadline and not reports(lab):
        time.sleep(0.2)
    text = open(reports(lab)[0]).read()
    assert '**FAILED in phase migrate**' in text, text[:2000]
    assert any(name in text for name in signames) and 'outcome on the front end is unknown' in text, text[:3000]
    return text


def assert_interrupted_cleanly(lab, signames):
    """What an interrupted import leaves: the record says it was stopped and that it ended on the front end (the
    emulator confirms a stop at the next room), no lease held, and a failure report naming the phase. Ansible sends
    its worker SIGTERM right after it passed on SIGINT, so a Ctrl-C may be recorded as either."""
    failure_report(lab, signames)
    assert lab.lease(UNIT) is None, lab.lease(UNIT)
    step = lab.record(UNIT)['steps']['import']
    assert step['done'] is False and step['stopped'] in ['the run was interrupted (%s)' % s for s in signames], step
    assert step['ended'] is True and step['shell'], step


def test_ctrl_c_inside_the_import_stops_it_and_an_immediate_rerun_finishes_with_nothing_lost(fresh_lab):
    lab = fresh_lab
    run, hold = interrupt_inside_the_import(lab, signal.SIGINT)
    assert run.proc.returncode == 99  # ansible-playbook's "User interrupted execution", after its worker cleaned up
    assert_interrupted_cleanly(lab, ('SIGINT', 'SIGTERM'))
    assert not run.leftovers(), 'processes of the interrupted run still live'
    again = Run(lab).succeed()  # at once
    assert again.takeover_warning() == ''  # the interrupted run released its lease itself
    assert lab.record(UNIT)['steps']['import']['repeated'] is True  # said in the report: it overwrote, by name
    lab.assert_cut_over(UNIT)
    posted = [lab.post(UNIT.target, room, 'posted after the cutover %d' % index)
              for index, room in enumerate(lab.rooms(UNIT.target)[:3])]
    assert_nothing_written_after(lab, hold['ts'] + HOLD + 2, HOLD)
    for sender, text in posted:
        room = [r for r in lab.rooms(UNIT.target) if any(m['body'] == text for m in lab.messages(UNIT.target, r))]
        assert len(room) == 1, (text, room)


def test_sigterm_inside_the_import_then_an_immediate_rerun_waits_for_the_stop_and_finishes(fresh_lab):
    lab = fresh_lab
    run, hold = interrupt_inside_the_import(lab, signal.SIGTERM)
    again = Run(lab).start()  # at once: ansible-playbook is gone, its worker is still stopping the import
    assert again.finish() == 0, again.tail(6000)
    failure_report(lab, ('SIGTERM',))
    assert lab.record(UNIT)['steps']['import']['repeated'] is True
    lab.figure('SIGTERM: the re-run waited for the stopping import', float('waiting for the earlier run' in again.output))
    lab.assert_cut_over(UNIT)
    posted = lab.post(UNIT.target, lab.rooms(UNIT.target)[0], 'posted after the cutover')
    assert_nothing_written_after(lab, hold['ts'] + HOLD + 2, HOLD)
    assert any(m['body'] == posted[1] for m in lab.messages(UNIT.target, lab.rooms(UNIT.target)[0]))


def test_a_killed_import_is_closed_on_the_front_end_before_the_rerun_imports_again(fresh_lab):
    """SIGKILL (a crash) leaves the import working on the front end: the re-run closes the runspace pool the record
    names before it imports again, so no leftover writes after it."""
    lab = fresh_lab
    lab.arm_hold(IMPORT, 'rooms:3', HOLD)
    run = Run(lab).start()
    hold = run.wait_hold(IMPORT, 'rooms:3')
    run.kill()
    shell = lab.record(UNIT)['steps']['import']['shell']
    again = Run(lab).succeed()
    assert lab.record(UNIT)['steps']['import']['done'] is True
    closed = [line for line in lab.requests() if line.get('event') == 'close' and line['runspace'].upper() == shell]
    assert closed, 'the runspace pool %s of the killed import was not closed' % shell
    lab.assert_cut_over(UNIT)
    assert_nothing_written_after(lab, hold['ts'] + HOLD + 2, HOLD)
    assert again.takeover_warning()


def test_a_mistyped_sip_uri_stops_the_preview_and_the_run_before_anything_changes(fresh_lab):
    lab = fresh_lab
    typo = {'pchat_sip_address': 'sip:OCSChatt@contoso.com'}
    before = lab.snapshot()
    for args in (('--check', '--diff'), ()):
        run = Run(lab, extra_vars=typo, args=args).start()
        assert run.finish() != 0
        text = ' '.join(run.output.split())
        assert 'nothing in Active Directory carries sip:OCSChatt@contoso.com' in text, run.tail()
        assert 'similar SIP URI: sip:OCSChat@contoso.com' in text and 'probably mistyped' in text
    assert lab.snapshot() == before
    assert lab.changing_cmdlets() == []
    assert not lab.owners('sip:OCSChatt@contoso.com')


def test_a_user_in_the_chat_rooms_is_not_taken_for_the_lookup_account(fresh_lab):
    lab = fresh_lab
    room = lab.rooms(UNIT.legacy)[0]
    member = lab.members(UNIT.legacy, room)[0]
    before = lab.snapshot()
    run = Run(lab, extra_vars={'pchat_sip_address': member}).start()
    assert run.finish() != 0
    text = ' '.join(run.output.split())
    assert "not the legacy Group Chat's Lookup service account" in text and 'chat room(s)' in text, run.tail()
    assert lab.snapshot() == before and lab.changing_cmdlets() == []


def test_unaccepted_warnings_fail_the_preview_and_stop_the_run_before_the_disable(fresh_lab):
    lab = fresh_lab
    before = lab.snapshot()
    preview = Run(lab, extra_vars={'pchat_migration_accept_warnings': []}, args=('--check', '--diff')).start()
    assert preview.finish() != 0
    text = open(reports(lab, 'check')[-1]).read()
    for kind in ACCEPTED:
        assert kind in text, kind
    assert 'becomes "' in text  # each warning with its room and the conversion
    run = Run(lab, extra_vars={'pchat_migration_accept_warnings': []}).start()
    assert run.finish() != 0
    assert "the rehearsal's -WhatIf import" in ' '.join(run.output.split())
    assert lab.snapshot() == before, 'the run changed the lab although preflight found blockers'
    assert lab.changing_cmdlets() == []
    assert lab.pool(UNIT.legacy)['state'] == 'started'


def test_a_front_end_that_cannot_reach_sql_is_found_before_the_disable(fresh_lab):
    lab = fresh_lab
    lab.knobs.update(sql_delegation=False)
    before = lab.snapshot()
    run = Run(lab).start()
    assert run.finish() != 0
    text = ' '.join(run.output.split())
    assert 'second hop' in text and 'Enable-WSManCredSSP -Role Server' in text and 'msDS-AllowedToDelegateTo' in text
    assert lab.snapshot() == before and lab.changing_cmdlets() == []


def test_a_cutover_again_after_a_rollback_migrates_what_users_posted_meanwhile(fresh_lab):
    lab = fresh_lab
    Run(lab).succeed()
    Run(lab, 'rollback').succeed()
    assert lab.record(UNIT)['superseded'] and not lab.record(UNIT)['steps']
    room = lab.rooms(UNIT.legacy)[0]
    sender, text = lab.post(UNIT.legacy, room, 'posted on Group Chat between the rollback and the second cutover')
    again = Run(lab).succeed()
    assert 'exports and imports anew' in ' '.join(again.output.split())
    lab.assert_cut_over(UNIT)  # every legacy room and message, the one posted meanwhile too, exactly once
    found = [(r, m) for r in lab.rooms(UNIT.target) for m in lab.messages(UNIT.target, r) if m['body'] == text]
    assert [m['sender'].lower() for _r, m in found] == [sender.lower()], (room, sender, found)
    rollback_reports = glob.glob(os.path.join(lab.report_dir, '%s-*-rollback.md' % UNIT.host))
    assert any('Rollback' in open(path).read() for path in rollback_reports)


def test_progress_lines_come_early_while_the_import_works(fresh_lab):
    lab = fresh_lab
    lab.arm_hold(IMPORT, 'rooms:2', 6)
    run = Run(lab, extra_vars={'pchat_migration_poll_seconds': 2}).succeed()
    lines = [line for line in run.lines if '| migrate: import' in line]
    assert lines and any('Importing chat rooms' in line and 'of 18 chat rooms' in line for line in lines), run.tail()
    assert 'ASYNC POLL' not in run.output
    started = run.seen('TASK [pchat.cutover.migrate : Import')
    first = run.seen('| migrate: import')
    assert first - started < 4, 'the first progress line came %.1f s after the import began' % (first - started)


def test_without_progress_records_the_progress_line_still_shows_the_time(fresh_lab):
    lab = fresh_lab
    lab.knobs.update(progress_records=False)
    lab.arm_hold(IMPORT, 'rooms:2', 4)
    run = Run(lab).succeed()
    lines = [line for line in run.lines if '| migrate: import (' in line]
    assert lines and not any('Importing' in line for line in run.lines), run.tail()


def test_two_inventory_hosts_naming_one_pool_are_refused(fresh_lab, tmp_path):
    """One run, two inventory hosts with the same legacy pool: the second one's lease is held by the same run."""
    lab = fresh_lab
    inventory = tmp_path / 'hosts.yml'
    inventory.write_text(json.dumps({'all': {'children': {'pchat_cutover_units': {'hosts': {
        'first': {'pchat_legacy_pool': UNIT.legacy, 'pchat_target_pool': UNIT.target, 'pchat_sip_address': UNIT.sip,
                  'pchat_migration_source_db_instance': 'gcsql.contoso.com\\groupchat'},
        'second': {'pchat_legacy_pool': UNIT.legacy.upper(), 'pchat_target_pool': UNIT.target,
                   'pchat_sip_address': UNIT.sip,
                   'pchat_migration_source_db_instance': 'gcsql.contoso.com\\groupchat'}},
        'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}',
                 'pchat_migration_accept_warnings': ACCEPTED}}}}}))
    group_vars = tmp_path / 'group_vars'
    group_vars.mkdir()
    (group_vars / 'all.yml').write_text(open(os.path.join(os.path.dirname(__file__), '..', '..', 'inventories', 'lab',
                                                          'group_vars', 'all.yml')).read())
    run = Run(lab, args=('--check', '-i', str(inventory)))
    run.command = [c for c in run.command if c not in ('--limit', UNIT.host)]
    run.start()
    assert run.finish() != 0
    assert 'named by two inventory hosts of this same ansible-playbook run' in ' '.join(run.output.split())
