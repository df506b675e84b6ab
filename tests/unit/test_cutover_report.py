# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's figures and sentences, computed once in Python (the templates only lay them out), checked on the view
and on the rendered Markdown and HTML (which must say the same); its file names, and the job artifact."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import html
import json
import os
import re
import sys

import pytest

from ansible_collections.pchat.cutover.plugins.plugin_utils import cutover_report
from ansible_collections.pchat.cutover.plugins.plugin_utils import report_writer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import report_fixtures  # noqa: E402 pylint: disable=wrong-import-position

# What the lab's directory answered to a wrong bind password (the lease task's error, as the run reported it)
BAD_BIND = ("unit gc.contoso.com: the lease could not be acquired because the directory is not available, so this run "
            "must not go on: the directory at ldaps://127.0.0.6:636 rejected the credentials of "
            "'CN=Administrator,CN=Users,DC=contoso,DC=com' (invalid credentials); check ldap_bind_dn and ldap_bind_password.")
UNREACHABLE = ("unit gc.contoso.com: the lease could not be acquired because the directory is not available, so this "
               "run must not go on: cannot reach the directory at ldaps://dc01.contoso.com within 10 s (timed out); "
               "check ldap_url, that the server is up and that the port is open from this host.")
LOCKED = ("unit gc.contoso.com is locked: another cutover or rollback of it is running (its ansible-playbook is pid 42 "
          "on ctl1 since 2026-11-26T10:00:00Z; lease CN=gc.contoso.com,...). Wait for that run to finish, then run "
          "again.")


def rendered(report):
    """(Markdown, HTML as text) of ``report``: what both report files say."""
    texts = report_writer.render(report)
    return texts['markdown'], html.unescape(texts['html'])


def in_both(report, *phrases):
    markdown, page = rendered(report)
    for phrase in phrases:
        assert phrase in markdown, (phrase, markdown)
        assert phrase in page, (phrase, page)
    return markdown, page


def phase_row(view, name):
    return [row for row in view['phases'] if row['name'] == name][0]


# -- a run, figures ------------------------------------------------------------------------------------------------
def test_a_passed_run_reads_in_hours_minutes_and_thousands():
    view = cutover_report.report_view(report_fixtures.report())
    assert view['outcome'] == 'PASSED' and view['failure'] is None and not view['preview']
    migrate = phase_row(view, 'migrate')
    assert migrate['duration'] == '2 h 05 min' and migrate['outcome'] == 'changed'
    assert len(migrate['bar']) == 40  # the slowest phase fills the bar (40 characters)
    assert dict(view['pools'])['After'][1][6] == '1,234,567'  # the target's members
    assert view['migration']['counts']['rows'] == [['rooms', '1,800', '0', '0']]  # no messages row: said once below
    assert view['backups'] == ['/state/gc.contoso.com/backups/OCSChat-1.json']
    assert view['unverified'] and all(row[1] == 'ok' for row in view['checks'])


# -- 1. the outage window --------------------------------------------------------------------------------------------
def test_a_run_measures_the_outage_from_the_disables_start_to_the_starts_end():
    view = cutover_report.report_view(report_fixtures.report())
    # disable began at START + 3.5 s; start ended 4 + 7500 + 1.2 + 2 + 3 s later
    assert view['outage']['figure'] == '2 h 05 min'  # 7510.2 s
    assert view['outage']['kind'] == 'measured'
    assert '2026-11-26T10:46:43Z' in view['outage']['text'] and '2026-11-26T12:51:53Z' in view['outage']['text']
    markdown, page = in_both(report_fixtures.report(), 'Outage window of contoso_group_chat: 2 h 05 min')
    assert markdown.splitlines()[2].startswith('> **Outage window of contoso_group_chat: 2 h 05 min**')  # under the title
    assert page.index('Outage window') < page.index('<table>')


def test_an_outage_the_run_cannot_measure_says_why_instead_of_a_figure():
    failed = cutover_report.report_view(report_fixtures.report(failed_phase='delete'))['outage']
    assert failed['figure'] == 'not ended' and 'has not started yet (the run stopped in delete)' in failed['text']
    assert '2026-11-26T10:46:43Z' in failed['text']  # when the legacy pool stopped

    resumed = report_fixtures.report()
    resumed['before']['pools'][0]['state'] = 'disabled'  # an earlier run disabled it
    resumed['phases'] = [p for p in resumed['phases'] if p['name'] != 'disable']
    outage = cutover_report.report_view(resumed)['outage']
    assert outage['figure'] == 'not measured' and outage['kind'] == 'began earlier'
    assert 'began before this run' in outage['text'] and 'at 2026-11-26T12:51:53Z' in outage['text']

    rerun = report_fixtures.report()
    rerun['before']['pools'] = rerun['after']['pools']  # disabled and started already: nothing left to do
    rerun['plan'] = dict(rerun['plan'], phases=dict.fromkeys(rerun['plan']['phases'], False))
    rerun['phases'] = [p for p in rerun['phases'] if p['name'] in ('preflight', 'verify')]
    assert cutover_report.report_view(rerun)['outage']['figure'] == 'none'

    lease = dict(report_fixtures.report(failed_phase='preflight'), plan=None, before=None,
                 failure={'phase': 'lease', 'task': 'Take the unit\'s lease', 'error': BAD_BIND})
    outage = cutover_report.report_view(lease)['outage']
    assert outage['figure'] == 'none' and 'stopped nothing' in outage['text']


def test_a_preview_estimates_the_outage_from_the_rehearsal_and_says_what_it_includes():
    outage = cutover_report.report_view(report_fixtures.report(mode='check'))['outage']
    assert outage['kind'] == 'estimated' and outage['figure'] == 'at least 3 min 00 s'  # 120 + 30 + import >= 30
    assert 'the import itself, which is not rehearsed and takes at least as long as the -WhatIf' in outage['text']
    assert 'Not included: the disable' in outage['text']
    in_both(report_fixtures.report(mode='check'), 'Outage window of contoso_group_chat: at least 3 min 00 s')

    skipped = report_fixtures.report(mode='check', rehearsed=report_fixtures.rehearsal(
        skipped='the legacy pool gc.contoso.com is already stopped'))
    skipped['before']['pools'][0]['state'] = 'started'
    outage = cutover_report.report_view(skipped)['outage']
    assert outage['figure'] == 'not estimated' and 'skipped: the legacy pool' in outage['text']
    failed = cutover_report.report_view(report_fixtures.report(
        mode='check', rehearsed=report_fixtures.rehearsal(failed=True)))['outage']
    assert failed['figure'] == 'not estimated' and 'the rehearsal failed' in failed['text']
    off = cutover_report.report_view(report_fixtures.report(mode='check', rehearsed=False))['outage']
    assert off['figure'] == 'not estimated' and 'not rehearsed' in off['text']


# -- 2. rooms ------------------------------------------------------------------------------------------------------
def test_the_rooms_on_the_persistent_chat_pool_are_listed_not_not_read():
    view = cutover_report.report_view(report_fixtures.report())
    assert [row[0] for row in view['rooms']['rows']] == sorted(r['name'] for r in report_fixtures.ROOMS)
    assert dict((row[0], row[1:]) for row in view['rooms']['rows'])['Engineering_Backend_Release room 0001'] == [
        'Engineering_Backend', 'no', '8', '1']
    assert 'as verify read them after the run' in view['rooms']['note']
    markdown, _page = in_both(report_fixtures.report(), 'Engineering_Backend_Release room 0001', '2 room(s) on')
    assert 'Not read (verify reads them after a change)' not in markdown
    preview = cutover_report.report_view(report_fixtures.report(mode='check'))['rooms']
    assert preview['rows'] == [] and 'a run would import 18 rooms (predicted)' in preview['note']
    unread = report_fixtures.report()
    for facts in (unread['before'], unread['after']):
        del facts['pools'][1]['rooms']
    assert cutover_report.report_view(unread)['rooms']['note'] == 'Not read.'


def test_above_the_cap_the_rooms_say_how_many_more():
    many = report_fixtures.report()
    many['after']['pools'][1]['rooms'] = [dict(report_fixtures.ROOMS[0], name='Room %04d' % n) for n in range(205)]
    view = cutover_report.report_view(many)
    assert len(view['rooms']['rows']) == 200 and view['rooms']['omitted'] == 5  # the cap: 200 rooms
    in_both(many, '... and 5 more rooms, not listed.')


# -- 3. a preview's tense, no "after" ---------------------------------------------------------------------------------
def test_a_preview_says_what_a_run_would_do_and_shows_no_after_it_never_read():
    report = report_fixtures.report(mode='check')
    view = cutover_report.report_view(report)
    assert view['preview'] and view['outcome'].startswith('PREVIEW') and view['checks'] == []
    assert phase_row(view, 'disable')['outcome'] == 'would change'
    assert [label for label, _rows in view['pools']] == ['Now (read by preflight)']
    assert [row[0] for row in view['owners']] == ['Now (read by preflight)']
    markdown, page = in_both(report, 'What a run would change (the plan)', 'What the run would do',
                             'A preview reads nothing after')
    for text in (markdown, page):
        for past in ('What happened', 'Status after', '### After', '>After<', '| After |', 'Migrated'):
            assert past not in text, past
    run = rendered(report_fixtures.report())[0]
    assert '### After' in run and '| After |' in run and 'What happened' in run  # a run does show them


# -- 4. no Python repr -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('report', [report_fixtures.report(), report_fixtures.report(mode='check'),
                                    report_fixtures.report(failed_phase='migrate'), report_fixtures.rollback(),
                                    report_fixtures.rollback(failed_at='legacy_pool')])
def test_no_python_dict_or_list_is_printed(report):
    report = json.loads(json.dumps(report))
    if report.get('failure'):
        report['failure']['error'] = {'federated_user': 3, 'room_renamed': ['a', 'b']}  # whatever a task returned
    report.setdefault('plan', None)
    if report.get('plan'):
        report['plan']['notes'] = [['a', 'nested', 'list'], {'kind': 'x'}]
    for text in rendered(report):
        assert "{'" not in text and "['" not in text and "u'" not in text


def test_lists_and_dicts_read_as_text():
    report = report_fixtures.report(failed_phase='migrate')
    report['failure']['error'] = {'federated_user': 3, 'room_renamed': 13}
    report['plan']['notes'] = [['a', ['b', 'c']], None, True]
    view = cutover_report.report_view(report)
    assert view['failure']['error'] == 'federated_user: 3; room_renamed: 13'
    assert view['plan']['notes'] == ['a, b, c', '', 'yes']


@pytest.mark.parametrize('seconds, figure', [
    (3.44, '3.4 s'), (0, '0.0 s'), (None, '0.0 s'), (252, '4 min 12 s'), (7500, '2 h 05 min'), (36000, '10 h 00 min')])
def test_durations_read_in_hours_and_minutes(seconds, figure):
    report = report_fixtures.report()
    report['migration']['steps'] = [{'step': 'import', 'summary': 'imported', 'seconds': seconds}]
    steps = cutover_report.report_view(report)['migration']['steps']
    assert steps[-1] == ['import', 'imported', figure]


def test_counts_have_thousands_separators_and_an_unknown_count_says_so():
    report = report_fixtures.report()
    report['after']['pools'][1]['counts'] = {'categories': 1000000, 'rooms': None}
    row = dict(cutover_report.report_view(report)['pools'])['After'][1]
    assert row[4:] == ['1,000,000', 'unknown', 'unknown']


# -- 5. predicted counts, messages said once ----------------------------------------------------------------------
def test_predicted_counts_are_shown_as_predicted_and_the_message_count_is_explained_once():
    preview = report_fixtures.report(mode='check')
    counts = cutover_report.report_view(preview)['migration']['counts']
    assert counts['header'][1].startswith('A run would migrate (predicted')
    assert counts['rows'][:3] == [['categories', '4'], ['rooms', '18'], ['member entries', '141']]
    for report in (preview, report_fixtures.report()):
        for text in rendered(report):
            assert 'not countable' not in text
            assert text.count('counts or reads a room\'s messages') == 1, text
            assert 'Messages are not counted: no Lync cmdlet counts or reads a room\'s messages' in text


# -- 6. the failed phase's row ---------------------------------------------------------------------------------------
def test_the_failed_phase_has_its_row_with_its_error():
    view = cutover_report.report_view(report_fixtures.report(failed_phase='delete'))
    assert view['outcome'] == 'FAILED in phase delete'
    assert view['failure']['changed_before'] == 'disable, migrate'
    row = view['phases'][-1]
    assert (row['name'], row['outcome'], row['duration']) == ('delete', 'FAILED', '1 min 01 s')
    assert row['summary'] == 'the front end dropped the connection'
    markdown, _page = in_both(report_fixtures.report(failed_phase='delete'), 'FAILED in phase delete')
    assert '| 4 | delete | 1 min 01 s | FAILED | the front end dropped the connection |' in markdown

    interrupted = report_fixtures.report(failed_phase='migrate')
    interrupted['failure'].update(interrupted='SIGINT', error='the run was interrupted (SIGINT): run again')
    view = cutover_report.report_view(interrupted)
    assert view['phases'][-1]['outcome'] == 'INTERRUPTED by SIGINT' and view['failure']['interrupted'] == 'SIGINT'
    in_both(interrupted, 'INTERRUPTED by SIGINT', '(interrupted by SIGINT; task: Import)')

    recorded = report_fixtures.report()  # a failure after the phase's own record: no second row
    recorded['failure'] = {'phase': 'verify', 'task': 't', 'error': 'e', 'started': recorded['phases'][-1]['start']}
    assert [row['name'] for row in cutover_report.report_view(recorded)['phases']].count('verify') == 1


def test_a_lease_failure_gets_a_row_without_inventing_its_duration():
    report = dict(report_fixtures.report(failed_phase='preflight'), plan=None, before=None,
                  failure={'phase': 'lease', 'task': 'Take the unit\'s lease', 'error': BAD_BIND, 'started': 'None'})
    row = cutover_report.report_view(report)['phases'][-1]
    assert (row['name'], row['outcome'], row['duration']) == ('lease', 'FAILED', 'unknown')


# -- 7. the next step follows the error ------------------------------------------------------------------------------
def test_the_next_step_follows_what_the_error_says():
    def next_of(error, mode='run', **failure):
        report = dict(report_fixtures.report(failed_phase='preflight'), mode=mode,
                      failure=dict({'phase': 'lease', 'task': 't', 'error': error}, **failure))
        return cutover_report.report_view(report)['failure']['next']
    bind = next_of(BAD_BIND)
    assert 'refused this run\'s bind' in bind and 'pchat_ldap_bind_password' in bind and 'another' not in bind.lower()
    reach = next_of(UNREACHABLE)
    assert 'could not reach the directory' in reach and 'pchat_ldap_url' in reach and 'another' not in reach.lower()
    assert 'holds its lease' in next_of(LOCKED)
    held = next_of('x', holder={'pid': 42, 'host': 'ctl1', 'started': 's', 'expires': 'e'})
    assert 'holds its lease (held by pid 42 on ctl1' in held
    assert 'lost the unit\'s lease' in next_of('the lease ... is no longer this run\'s (held by x)', phase='migrate')
    assert 'stopped the run (SIGTERM) in migrate' in next_of('interrupted', phase='migrate', interrupted='SIGTERM')
    assert 'Fix what the blockers name' in next_of('blocked', phase='preflight')
    assert 'run the preview again' in next_of('x', mode='check', phase='preflight')
    for text in rendered(dict(report_fixtures.report(failed_phase='preflight'), plan=None, before=None,
                              failure={'phase': 'lease', 'task': 'Take the unit\'s lease', 'error': BAD_BIND})):
        assert 'another run' not in text.lower() and 'could not be released' not in text
        assert 'This run took no lease and changed nothing' in text


# -- 9. Markdown shows paths as they are -----------------------------------------------------------------------------
def test_markdown_escapes_only_what_commonmark_would_read_as_markup():
    cell = cutover_report.markdown_cell
    assert cell('C:\\PchatMigration\\gc.contoso.com-export.zip') == 'C:\\PchatMigration\\gc.contoso.com-export.zip'
    assert cell('pcsql.contoso.com\\pchat') == 'pcsql.contoso.com\\pchat'
    assert cell('a|b') == 'a\\|b' and cell('<b>') == '\\<b\\>' and cell('*x*') == '\\*x\\*'
    assert cell('C:\\_x') == 'C:\\\\\\_x'  # a backslash before punctuation is doubled, the underscore escaped
    assert cell('Engineering_Support_Meeting room') == 'Engineering_Support_Meeting room'  # intraword: left alone
    assert cell('_secret_') == '\\_secret\\_' and cell('') == '—' and cell('a\nb') == 'a b'
    markdown, page = rendered(report_fixtures.report())
    assert 'C:\\PchatMigration\\b.zip' in markdown and 'C:\\\\PchatMigration' not in markdown
    assert 'C:\\PchatMigration\\b.zip' in page


# -- 10. the rehearsal, blockers, a superseded migration ---------------------------------------------------------------
def test_the_rehearsal_lists_every_warning_with_its_room_errors_blockers_and_times():
    report = report_fixtures.report(mode='check')
    rehearsal = cutover_report.report_view(report)['migration']['rehearsal']
    assert rehearsal['ran'] and rehearsal['warnings'][0] == ['room_renamed', 'Meeting room 0003',
                                                             report_fixtures.RENAMED]
    assert rehearsal['warnings'][1][:2] == ['federated_user', 'sip:partner030@fabrikam.com']
    assert dict((row[0], row[1]) for row in rehearsal['fields'])['Export'] == '2 min 00 s'
    assert ['room_renamed', '1', 'accepted'] in rehearsal['kinds']
    in_both(report, 'Chat room "Meeting room 0003" becomes "Engineering_Support_Meeting room 0003"', '2 min 00 s',
            '30.0 s')

    many = report_fixtures.report(mode='check', warnings=130)
    view = cutover_report.report_view(many)['migration']['rehearsal']
    assert len(view['warnings']) == 100 and view['warnings_more'] == 30  # the cap: 100 warnings
    in_both(many, '... and 30 more.', 'Sales_Room 0097')

    failed = report_fixtures.report(mode='check', rehearsed=report_fixtures.rehearsal(failed=True))
    failed['before']['migration']['blockers'] = failed['before']['migration']['rehearsal']['blockers']
    failed['plan'] = report_fixtures.cutover_logic.plan(failed['before'])
    markdown, _page = in_both(failed, 'Cannot open database "pchat" requested by the login.',
                              'migration: the rehearsal\'s -WhatIf import into pcpool.contoso.com failed')
    assert '- **Error:** Cannot open database' in markdown and '| -WhatIf import | did not finish |' in markdown
    assert '- **The import would refuse:** the rehearsal\'s -WhatIf import into pcpool.contoso.com failed' in markdown


def test_the_preview_lists_every_blocker_of_the_plan():
    report = report_fixtures.report(mode='check')
    report['plan']['blockers'] = ['first blocker', 'second blocker', 'third blocker']
    markdown, _page = in_both(report, 'Blockers (3; the preview fails on them)', 'first blocker', 'second blocker',
                              'third blocker')
    assert markdown.count('**Blocker:**') == 3


def test_a_superseded_migration_is_migrated_again_and_the_report_says_so():
    run = cutover_report.report_view(report_fixtures.report(superseded=True))['migration']['superseded']
    assert ('this run migrates again; the import overwrites what the first one wrote on pcpool.contoso.com, by name'
            in run)
    in_both(report_fixtures.report(mode='check', superseded=True), 'a run would migrate again; the import would '
                                                                   'overwrite what the first one wrote')
    assert cutover_report.report_view(report_fixtures.report())['migration']['superseded'] == ''


# -- 11. the rollback report ------------------------------------------------------------------------------------------
def test_the_rollback_report_says_what_it_changed_and_what_stays():
    report = report_fixtures.rollback()
    view = cutover_report.report_view(report)
    assert view['title'] == 'Rollback report: contoso_group_chat (run)' and view['outcome'] == 'ROLLED BACK'
    steps = dict((row[0], row[1:]) for row in view['steps'])
    assert steps['Remove the legacy endpoint'][0] == 'changed'
    user = steps['Restore the well-known user from its backup'][1]
    assert user.startswith('reanimated %s from its tombstone' % report_fixtures.USER_DN)
    assert report_fixtures.SID in user and 'the same as in the backup taken before the cutover' in user
    assert steps['Start the legacy Group Chat pool'][0] == 'changed'
    assert steps['Mark the recorded migration superseded'][0] == 'changed'
    assert steps['Stop the Persistent Chat pool (pchat_rollback_stop_target)'][0] == 'left started'
    assert [row[0] for row in view['rooms']['rows']] == sorted(r['name'] for r in report_fixtures.ROOMS)
    assert 'stay on pcpool.contoso.com (started)' in view['rooms']['note']
    in_both(report, 'Rollback report: contoso_group_chat (run)', 'What the rollback changed', 'left started',
            'What stays on the Persistent Chat pool', 'Engineering_Backend_Release room 0001',
            'This rollback left the Persistent Chat pool started (pchat_rollback_stop_target: false).',
            '"Coexistence considerations"', 'describes no rollback', 'pchat_rollback_stop_target: true stops')


def test_a_recreated_user_a_stopped_target_a_preview_and_a_failure_read_as_they_are():
    recreated = cutover_report.report_view(report_fixtures.rollback(restored='recreated', stop_target=True))
    steps = dict((row[0], row[1:]) for row in recreated['steps'])
    assert 'recreated %s from the backup as a new object' % report_fixtures.USER_DN in \
        steps['Restore the well-known user from its backup'][1]
    assert 'rights granted to the old SID do not apply' in steps['Restore the well-known user from its backup'][1]
    assert steps['Stop the Persistent Chat pool (pchat_rollback_stop_target)'][0] == 'changed'
    assert recreated['details'] and 'Chat Owners' in recreated['details'][0]
    assert recreated['choice'].startswith('This rollback stopped the Persistent Chat pool')

    preview = report_fixtures.rollback(mode='check')
    view = cutover_report.report_view(preview)
    assert view['steps_title'] == 'What the rollback would change' and view['outcome'].startswith('PREVIEW')
    assert all(row[1] in ('would change', 'left started') for row in view['steps'])
    assert 'would reanimate' in view['steps'][1][2]
    in_both(preview, 'PREVIEW: nothing was changed', 'A run would leave the Persistent Chat pool started')

    failed = report_fixtures.rollback(failed_at='legacy_pool', read_target=False)
    view = cutover_report.report_view(failed)
    assert view['outcome'] == 'FAILED at "Start the legacy Group Chat pool again"'
    steps = dict((row[0], row[1:]) for row in view['steps'])
    assert steps['Start the legacy Group Chat pool'][0] == 'FAILED'
    assert steps['Mark the recorded migration superseded'] == ['not run', 'not reached: the rollback stopped at '
                                                               '"Start the legacy Group Chat pool again"']
    assert view['failure']['changed_before'].startswith('remove the legacy endpoint, restore the well-known user')
    assert 'as the migration record lists them; the pool was not read' in view['rooms']['note']
    in_both(failed, 'FAILED at step "Start the legacy Group Chat pool again"', 'run the rollback again')


# -- files and artifacts -----------------------------------------------------------------------------------------------
def test_report_files_and_the_job_artifact(tmp_path):
    report = report_fixtures.report()
    files = cutover_report.report_files(report, str(tmp_path))
    assert files['markdown'] == str(tmp_path / 'contoso_group_chat-20261126T100000Z-run.md')
    assert files['html_latest'] == str(tmp_path / 'contoso_group_chat-latest.html')
    rollback = cutover_report.report_files(report_fixtures.rollback(), str(tmp_path))
    assert rollback['markdown'] == str(tmp_path / 'contoso_group_chat-20261127T080000Z-rollback.md')
    assert cutover_report.report_files(report_fixtures.rollback(mode='check'), str(tmp_path))['html'].endswith(
        '-rollback-check.html')
    backup = tmp_path / 'OCSChat.json'
    backup.write_text(json.dumps({'format': 'x', 'dn': report_fixtures.USER_DN}))
    report['unit_state']['backup_file'] = str(backup)
    artifact = cutover_report.unit_artifact(report, '/state/gc.contoso.com', files)
    assert artifact['backup']['dn'] == report_fixtures.USER_DN and artifact['outcome'] == 'PASSED'
    assert artifact['migration'] == report['unit_state']['migration']
    assert cutover_report.unit_artifact(report_fixtures.rollback(), '/s', {})['outcome'] == 'ROLLED BACK'


def test_both_formats_show_the_same_sections_in_the_same_order():
    for report in (report_fixtures.report(), report_fixtures.report(mode='check'), report_fixtures.rollback()):
        markdown, page = rendered(report)
        md_sections = re.findall(r'^#{1,3} (.+)$', markdown, re.M)
        html_sections = re.findall(r'<h[123]>(.+?)</h[123]>', page)
        assert [s.replace('\\', '') for s in md_sections] == html_sections


def test_a_run_without_the_test_message_reads_not_verified():
    report = report_fixtures.report('run')
    report['verdict'] = dict(report['verdict'], passed=False, status='not_verified')
    assert cutover_report.report_view(report)['outcome'] == 'NOT VERIFIED'
