# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_migration's step gating (MigrationBackend.run): a recorded step is not done again, a new export sends the
later steps back, the -WhatIf gate stops on what was not accepted and then nothing is imported, force, a superseded
record, and every record write fenced by the run's lease. Against fakes.py's platform and keeper; the record is a
real file in tmp_path. The wire is in tests/integration/test_chat_migration.py and tests/reliability."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import LeaseLost
from ansible_collections.pchat.cutover.plugins.module_utils.migration_backend import STEPS, MigrationBackend
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_session import Stopped
from ansible_collections.pchat.cutover.tests.unit.fakes import (
    RUNSPACE, FakeKeeper, FakeLyncPlatform, error, legacy_pool, listed_room, persistent_chat_pool, result,
    room_directory_zip,
)

SOURCE, TARGET = 'gc.contoso.com', 'pcpool.contoso.com'
SOURCE_DB, TARGET_DB = 'gcsql.contoso.com\\groupchat', 'pcsql.contoso.com\\mgc'
RENAMED = ('Chat room "Builds" becomes "Eng_Builds": rooms of a sub-category are prefixed with their parent '
           'categories\' names.')  # the emulator's texts (lab/emulator/cmdlets/chatdata.py)
FLATTENED = ('Category "Backend" becomes "Eng_Backend": Persistent Chat Server has one level of categories, so '
             'sub-categories are prefixed with their parent categories\' names.')
RUNNING = ('Cannot import into pool pcpool.contoso.com while its Persistent Chat services are running (RTCPCHAT on '
           'pc01.contoso.com): stop the Persistent Chat services on every computer of the pool first.')


@pytest.fixture
def platform():
    """After the disable phase and the stop of the target pool: what the migrate phase meets."""
    found = FakeLyncPlatform([legacy_pool(SOURCE, status='stopped', start_mode='disabled'),
                              persistent_chat_pool(TARGET, status='stopped')])
    found.databases[TARGET] = TARGET_DB
    found.room_directory = (room_directory_zip(), [])
    found.imported = {TARGET: ([listed_room('Builds')], [{'name': 'Eng', 'invitations': True}])}
    return found


@pytest.fixture
def record_file(tmp_path):
    return str(tmp_path / 'state' / 'gc.contoso.com.migration.json')


def backend(platform, record_file, check_mode=False, keeper=None, **params):
    given = dict(source_pool=SOURCE, target_pool=TARGET, source_db_instance=SOURCE_DB, source_db_name='GroupChat',
                 categories=[], record_file=record_file, accept_warnings=[], target_db_instance=None,
                 export_dir='C:\\PchatMigration', force=False)
    given.update(params)
    return MigrationBackend(platform, given, check_mode, keeper=keeper)


def on_disk(record_file):
    with open(record_file) as handle:
        return json.load(handle)


def by_step(outcomes):
    return dict((o['step'], o) for o in outcomes)


def real_imports(platform):
    return [call for call in platform.called('import_file') if call[2] is False]


def test_the_four_steps_in_order_each_recorded_behind_the_fence(platform, record_file):
    keeper = FakeKeeper()
    seen = []
    real_import = platform.import_file

    def import_file(db_instance, file_name, what_if, report=None, watch=None):
        if not what_if:  # what the record says while the import works
            seen.append(on_disk(record_file)['steps']['import'])
        return real_import(db_instance, file_name, what_if, report=report, watch=watch)
    platform.import_file = import_file
    done = by_step(backend(platform, record_file, keeper=keeper).run(list(STEPS)))
    assert [done[name]['changed'] for name in STEPS] == [True] * 4
    changed = [(c[0], c[1]) + ((c[3],) if c[0] == 'import_file' else ()) for c in platform.calls
               if c[0] in ('export_to_file', 'import_file')]
    assert changed == [('export_to_file', TARGET_DB), ('export_to_file', SOURCE_DB),
                       ('import_file', TARGET_DB, True), ('import_file', TARGET_DB, False)]
    export = done['export']['file']
    assert export.startswith('C:\\PchatMigration\\gc.contoso.com-export-') and export.endswith('.zip')
    assert platform.called('import_file')[1][1] == export  # the file the export wrote is the one imported
    record = on_disk(record_file)
    assert sorted(record['steps']) == sorted(STEPS) and all(record['steps'][s]['done'] for s in STEPS)
    assert seen[0]['done'] is False and seen[0]['shell'] == RUNSPACE  # named before the import was sent
    assert seen[0]['report'] == record['steps']['import']['report'] and 'shell' not in record['steps']['import']
    assert sorted(record['expected']['rooms']) == ['builds'] and record['counts']['rooms'] == 1
    # backup, export, check, import started, import done: five writes, each behind the fence
    assert keeper.fences == 5
    assert keeper.reports == ['backup', 'export', 'import']  # the long steps' progress, as the run's work
    assert done['import']['summary'].endswith('1 of 1 categories and 1 of 1 rooms present')


def test_a_rerun_does_no_recorded_step_again(platform, record_file):
    backend(platform, record_file).run(list(STEPS))
    sent = len(platform.changes)
    again = by_step(backend(platform, record_file).run(list(STEPS)))
    assert [again[name]['changed'] for name in STEPS] == [False] * 4
    assert len(platform.changes) == sent and len(platform.called('import_file')) == 2  # not even a -WhatIf
    assert again['backup']['summary'].startswith('backed up before, to C:\\PchatMigration\\pcpool.contoso.com-backup-')
    assert again['check']['summary'] == 'the -WhatIf import passed before'
    assert again['import']['summary'] == 'imported before; 1 of 1 categories and 1 of 1 rooms present'


def test_an_import_whose_rooms_are_gone_is_done_again(platform, record_file):
    backend(platform, record_file).run(list(STEPS))
    platform.room_lists[TARGET] = []  # someone removed the migrated rooms since
    status, compared = backend(platform, record_file).status()
    assert status == 'incomplete' and compared['missing_rooms'] == ['Builds']
    again = by_step(backend(platform, record_file).run(list(STEPS)))
    assert again['import']['changed'] is True and len(real_imports(platform)) == 2
    assert backend(platform, record_file).status()[0] == 'done'


def test_a_new_export_sends_the_check_and_the_import_back(platform, record_file):
    backend(platform, record_file).run(list(STEPS))
    first_fingerprint = on_disk(record_file)['steps']['export']['fingerprint']
    platform.room_directory = (room_directory_zip(rooms=(('Builds', 'Eng'), ('Ops', 'Eng'))), [])
    # other settings (a scope of categories): the export is not the recorded one
    exported = by_step(backend(platform, record_file, categories=['Eng']).run(['export']))
    assert exported['export']['changed'] is True
    record = on_disk(record_file)
    assert sorted(record['steps']) == ['backup', 'export'] and len(platform.called('export_to_file')) == 3
    assert record['steps']['export']['settings']['categories'] == ['Eng']
    assert record['steps']['export']['fingerprint'] != first_fingerprint  # the new prediction's
    assert sorted(record['expected']['rooms']) == ['builds', 'ops']
    assert platform.called('export_to_file')[-1][3] == ['Eng']  # the scope sent
    with pytest.raises(PchatError, match='the import needs the -WhatIf check to pass first'):
        backend(platform, record_file, categories=['Eng']).run(['import'])
    assert len(real_imports(platform)) == 1


def test_the_whatif_gate_stops_on_a_warning_not_accepted_and_nothing_is_imported(platform, record_file):
    platform.whatif = result(warnings=[RENAMED, RENAMED.replace('Builds', 'Ops'), FLATTENED])
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file, accept_warnings=['category_flattened']).run(list(STEPS))
    message = caught.value.msg
    assert 'stops the migration (nothing was written)' in message
    assert '2 warning(s) of kind room_renamed not accepted' in message and 'category_flattened' not in message
    assert 'pchat_migration_accept_warnings: [room_renamed]' in message
    assert caught.value.details['warning_kinds'] == {'room_renamed': 2, 'category_flattened': 1}
    assert real_imports(platform) == [] and 'check' not in on_disk(record_file)['steps']
    accepted = ['category_flattened', 'room_renamed']
    passed = by_step(backend(platform, record_file, accept_warnings=accepted).run(list(STEPS)))
    assert passed['check']['summary'] == ('the -WhatIf import passed: no errors; warnings accepted: 2 room_renamed, '
                                          '1 category_flattened')
    assert on_disk(record_file)['steps']['check']['needs'] == accepted and len(real_imports(platform)) == 1


def test_a_passed_gate_is_asked_again_when_an_acceptance_it_needed_is_withdrawn(platform, record_file):
    platform.whatif = result(warnings=[RENAMED])
    backend(platform, record_file, accept_warnings=['room_renamed']).run(['backup', 'export', 'check'])
    assert not by_step(backend(platform, record_file, accept_warnings=['room_renamed', 'root_managers'])
                       .run(['check']))['check']['changed']
    with pytest.raises(PchatError, match='room_renamed not accepted'):
        backend(platform, record_file).run(['check', 'import'])
    assert len(platform.called('import_file')) == 2 and real_imports(platform) == []


def test_errors_of_the_whatif_import_stop_it_even_with_every_kind_accepted(platform, record_file):
    platform.whatif = result(errors=[error('Principal not provisioned: "sip:gone@contoso.com" is not available in '
                                           'Active Directory.', 'PrincipalNotProvisioned')], warnings=[RUNNING])
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file, accept_warnings=['room_renamed', 'unrecognised']).run(list(STEPS))
    assert 'error: Principal not provisioned' in caught.value.msg
    assert 'warning(s) of kind target_running not accepted' in caught.value.msg  # never acceptable
    assert 'Fix what each error names' in caught.value.msg and real_imports(platform) == []


def test_no_import_into_a_pool_whose_services_run(platform, record_file):
    backend(platform, record_file).run(['backup', 'export', 'check'])
    platform.pools[TARGET] = persistent_chat_pool(TARGET, status={'pc02': 'running', 'pc01': 'stopped',
                                                                  'pc03': 'stopped'})
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file).run(['import'])
    assert 'RTCPCHAT on pc02.contoso.com' in caught.value.msg and 'chat_pool state=stopped' in caught.value.msg
    assert real_imports(platform) == [] and 'import' not in on_disk(record_file)['steps']


def test_force_exports_from_a_running_pool_and_imports_a_done_import_again(platform, record_file):
    platform.pools[SOURCE] = legacy_pool(SOURCE)
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file).run(['export'])
    assert 'Group Chat pool gc.contoso.com is started' in caught.value.msg and 'Run the disable phase first' in \
        caught.value.msg
    assert platform.called('export_to_file') == []
    forced = by_step(backend(platform, record_file, force=True).run(list(STEPS)))
    assert forced['export']['changed'] is True and len(real_imports(platform)) == 1
    assert not by_step(backend(platform, record_file).run(['import']))['import']['changed']
    again = by_step(backend(platform, record_file, force=True).run(['import']))
    assert again['import']['changed'] is True and len(real_imports(platform)) == 2


def test_a_preview_sends_no_change_and_writes_no_record(platform, record_file):
    keeper = FakeKeeper()
    preview = by_step(backend(platform, record_file, check_mode=True, keeper=keeper).run(list(STEPS)))
    assert [preview[name]['changed'] for name in STEPS] == [True] * 4
    assert preview['backup']['summary'].startswith('would export pcpool.contoso.com (%s) to ' % TARGET_DB)
    assert preview['export']['summary'].endswith(': 1 categories, 1 rooms, 1 member entries')
    assert preview['check']['summary'] == 'would run the -WhatIf import; predicted: 0 errors, warnings of kinds none'
    assert preview['import']['summary'] == 'would import the export into pcpool.contoso.com'
    assert platform.changes == [] and platform.called('import_file') == []
    assert keeper.fences == 0
    with pytest.raises(IOError):
        on_disk(record_file)


def test_a_preview_before_the_disable_predicts_instead_of_refusing(platform, record_file):
    platform.pools[SOURCE] = legacy_pool(SOURCE)  # the disable phase has not run yet in a preview
    preview = by_step(backend(platform, record_file, check_mode=True).run(['export']))
    assert preview['export']['changed'] is True and preview['export']['counts']['rooms'] == 1
    assert platform.changes == []


def test_a_superseded_migration_is_kept_aside_and_the_next_one_starts_anew(platform, record_file):
    backend(platform, record_file).run(list(STEPS))
    preview = backend(None, record_file, check_mode=True).supersede()
    assert preview['changed'] is True and sorted(on_disk(record_file)['steps']) == sorted(STEPS)
    keeper = FakeKeeper()
    done = backend(None, record_file, keeper=keeper).supersede()
    assert done['summary'] == ('the recorded migration (backup, check, export, import) is superseded: the next '
                               'cutover exports and imports anew')
    record = on_disk(record_file)
    assert record['steps'] == {} and 'expected' not in record and keeper.fences == 1
    assert sorted(record['superseded'][0]['steps']) == sorted(STEPS)
    assert record['superseded'][0]['expected']['rooms']['builds']['name'] == 'Builds'
    nothing = backend(None, record_file).supersede()
    assert nothing == {'changed': False, 'summary': 'no migration is recorded: nothing to supersede'}
    again = by_step(backend(platform, record_file).run(list(STEPS)))
    assert [again[name]['changed'] for name in STEPS] == [True] * 4 and len(real_imports(platform)) == 2


def test_a_run_that_lost_the_lease_writes_no_record(platform, record_file):
    backend(platform, record_file).run(['backup'])
    before = on_disk(record_file)
    with pytest.raises(LeaseLost) as caught:
        backend(platform, record_file, keeper=FakeKeeper(lose_at=1)).run(['export', 'check', 'import'])
    assert 'ctl-b' in caught.value.msg
    assert on_disk(record_file) == before  # the export ran, its record was not written
    assert platform.called('import_file') == []  # and nothing after it ran


def test_an_import_stopped_after_the_lease_was_lost_leaves_the_record_as_it_was(platform, record_file):
    backend(platform, record_file, accept_warnings=[]).run(['backup', 'export', 'check'])
    platform.raises['import_file'] = Stopped('the unit\'s lease was lost: the import was stopped.', 'lease lost', True,
                                             3.0)
    keeper = FakeKeeper(lose_at=2)  # the import's start is recorded, then the lease is lost while it works
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file, keeper=keeper).run(['import'])
    assert 'the import was stopped' in caught.value.msg and 'run the cutover again' in caught.value.msg
    started = on_disk(record_file)['steps']['import']
    assert started['done'] is False and started['shell'] == RUNSPACE and 'stopped' not in started
    assert keeper.fences == 2


def test_an_import_stopped_while_the_lease_holds_records_that_it_stopped(platform, record_file):
    backend(platform, record_file).run(['backup', 'export', 'check'])
    platform.raises['import_file'] = Stopped('interrupted: the import was stopped.', 'interrupted', False, 3.0)
    with pytest.raises(PchatError):
        backend(platform, record_file, keeper=FakeKeeper()).run(['import'])
    stopped = on_disk(record_file)['steps']['import']
    assert (stopped['done'], stopped['stopped'], stopped['ended']) == (False, 'interrupted', False)


def test_an_import_left_running_by_a_dead_process_is_closed_before_the_next(platform, record_file):
    backend(platform, record_file).run(['backup', 'export', 'check'])
    record = on_disk(record_file)
    dead_shell = 'DEAD0000-0000-4000-8000-000000000000'
    record['steps']['import'] = {'done': False, 'started': '2026-11-28T02:20:00Z', 'file': 'x', 'shell': dead_shell}
    with open(record_file, 'w') as handle:
        json.dump(record, handle)
    platform.session.open_shells.add(dead_shell)
    done = by_step(backend(platform, record_file).run(['import']))
    assert platform.session.ended == [dead_shell] and platform.session.open_shells == set()
    assert 'its runspace pool was closed on the front end first' in done['import']['summary']
    assert on_disk(record_file)['steps']['import']['repeated'] is True


def test_an_export_gone_from_the_front_end_sends_the_record_back_before_the_export(platform, record_file):
    backend(platform, record_file).run(['backup', 'export', 'check'])
    export = on_disk(record_file)['steps']['export']['file']
    platform.files.discard(export)  # the folder was cleaned since
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file).run(['import'])
    assert 'is no longer on lyncfe01.contoso.com' in caught.value.msg and export in caught.value.msg
    assert sorted(on_disk(record_file)['steps']) == ['backup'] and platform.called('file_exists') == [(export,)]
    assert len(real_imports(platform)) == 1 and TARGET not in platform.room_lists  # it found no file: wrote nothing
    assert by_step(backend(platform, record_file).run(['export']))['export']['changed'] is True


def test_a_record_of_another_unit_is_refused(platform, record_file):
    backend(platform, record_file).run(['backup'])
    with pytest.raises(PchatError) as caught:
        backend(platform, record_file, source_pool='gc2.contoso.com')
    assert 'is of gc.contoso.com -> pcpool.contoso.com, not of this unit (gc2.contoso.com' in caught.value.msg
