# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_migration and chat_migration_info: gc.contoso.com (Lync 2010 Group Chat) to pcpool.contoso.com through
Export-/Import-CsPersistentChatData on the emulator. What was migrated is checked in `lab inspect`: every migrated
room's message count and checksum (over sender, time and text) equal its source room's; what was sent is checked
in the emulator's request log."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil

import pytest

SOURCE, TARGET = 'gc.contoso.com', 'pcpool.contoso.com'
SOURCE_2, TARGET_2 = 'gc2.contoso.com', 'pcpool2.contoso.com'
EXPORT_DIR = 'C:\\Windows\\Temp'
ALL_WARNINGS = ['category_flattened', 'federated_user', 'invitations_off', 'room_renamed', 'root_managers']
STEPS = ['backup', 'export', 'check', 'import']


class Migration(object):
    """One unit's chat_migration / chat_migration_info runs, with its own record file."""

    def __init__(self, run, record_file):
        self.run = run
        self.record_file = record_file

    def args(self, **overrides):
        args = dict(source_pool=SOURCE, target_pool=TARGET, source_db_instance='gcsql.contoso.com\\groupchat',
                    source_db_name='GroupChat', record_file=self.record_file, accept_warnings=ALL_WARNINGS)
        args.update(overrides)
        return args

    def migrate(self, steps=None, check_mode=False, **overrides):
        args = dict(export_dir=EXPORT_DIR, steps=steps or STEPS)
        args.update(overrides)
        return self.run('chat_migration', self.args(**args), check_mode=check_mode)

    def info(self, **overrides):
        return self.run('chat_migration_info', self.args(**overrides))

    def record(self):
        if not os.path.exists(self.record_file):
            return None
        with open(self.record_file) as handle:
            return json.load(handle)


def outcomes(result):
    """{step: changed} of a chat_migration result."""
    return dict((step['step'], step['changed']) for step in result['steps'])


def expected_rooms(source_pool):
    """What the import must make of the source pool's enabled rooms, worked out from `lab inspect` alone: name
    (a room of a sub-category prefixed with its parents' names, joined by '_', the root left out) -> (category,
    messages, checksum)."""
    parents = dict((c['name'], c['parent']) for c in source_pool['categories'])

    def path(category):
        names = []
        while category is not None and parents.get(category) is not None:  # the root has no parent
            names.insert(0, category)
            category = parents[category]
        return names

    found = {}
    for room in source_pool['rooms']:
        if room['disabled']:
            continue
        names = path(room['category'])
        name = room['name'] if len(names) == 1 else '_'.join(names + [room['name']])
        found[name] = ('_'.join(names), room['messages'], room['checksum'])
    return found


def target_rooms(observer, fqdn=TARGET):
    return dict((r['name'], (r['category'], r['messages'], r['checksum'])) for r in observer.pool(fqdn)['rooms'])


@pytest.fixture
def migration(run, clean_lab, tmp_path):
    """A unit ready to migrate: the lab as `lab up` left it, the legacy pool disabled (the cutover's first phase,
    tested in test_chat_pool.py; set in the store here)."""
    assert clean_lab.set_chat_services(SOURCE, 'Stopped', 'Disabled') == 7
    assert clean_lab.pool(SOURCE)['state'] == 'disabled'
    return Migration(run, str(tmp_path / 'state' / SOURCE / 'migration.json'))


def test_whole_migration_check_mode_real_run_and_rerun(migration, observer):
    source = observer.pool(SOURCE)
    expected = expected_rooms(source)
    disabled = [r['name'] for r in source['rooms'] if r['disabled']]
    assert len(expected) == 18 and len(disabled) == 2  # the lab's default data set

    info = migration.info()
    assert not info.failed and info['status'] == 'not_started' and info['blockers'] == [], info
    assert info['preview']['counts']['rooms'] == len(expected)
    assert info['preview']['counts']['disabled_rooms_left_out'] == len(disabled)
    assert not info.requests.changing() and info.requests.count('Export-CsPersistentChatData', with_='FileName') == 0

    before = observer.fingerprint()
    preview = migration.migrate(check_mode=True)
    assert not preview.failed and outcomes(preview) == dict.fromkeys(STEPS, True), preview
    assert observer.fingerprint() == before and migration.record() is None
    assert preview.requests.count('Import-CsPersistentChatData') == 0
    assert preview.requests.count('Export-CsPersistentChatData', with_='FileName') == 0

    real = migration.migrate()
    assert not real.failed and outcomes(real) == dict.fromkeys(STEPS, True), real
    assert target_rooms(observer) == expected  # names, categories, message counts and checksums
    assert sorted(c['name'] for c in observer.pool(TARGET)['categories']) == sorted(
        set(category for category, _m, _c in expected.values()))
    assert not set(disabled) & set(name.rsplit('_', 1)[-1] for name in target_rooms(observer))
    assert real['counts']['rooms'] == {'migrated': len(expected), 'already_present': 0, 'skipped': 0}
    assert real['counts']['messages'] == {'migrated': None, 'already_present': None, 'skipped': None}
    # the prediction is what the import did: rooms, counts and the -WhatIf import's warnings by kind
    record = migration.record()
    assert sorted(r['name'] for r in record['expected']['rooms'].values()) == sorted(expected)
    assert info['preview']['counts'] == record['counts']
    check = [step for step in real['steps'] if step['step'] == 'check'][0]
    assert info['preview']['warning_kinds'] == check['warning_kinds']
    for step in ('backup', 'export'):
        assert os.path.isfile(observer.front_end_file(record['steps'][step]['file'])), step
    assert real.requests.count('Import-CsPersistentChatData', without='WhatIf') == 1
    # the target's own data exported as its backup before anything was imported into it
    assert record['steps']['backup']['database'] == 'pcsql.contoso.com\\pchat'
    sent = [(p['cmdlets'][0], p['parameters'][0]) for p in real.requests.pipelines]
    assert sent.index(('Export-CsPersistentChatData', ['DBInstance', 'FileName'])) < sent.index(
        ('Import-CsPersistentChatData', ['DBInstance', 'FileName', 'Report', 'Confirm']))
    assert real.requests.repeated_reads({'Get-WmiObject': 2, 'Get-CsWindowsService': 3}) == []

    after = observer.fingerprint()
    again = migration.migrate()
    assert not again.failed and not again.changed and outcomes(again) == dict.fromkeys(STEPS, False), again
    assert again.requests.count('Export-CsPersistentChatData') == 0
    assert again.requests.count('Import-CsPersistentChatData') == 0
    previewed_again = migration.migrate(check_mode=True)
    assert not previewed_again.changed and outcomes(previewed_again) == dict.fromkeys(STEPS, False)
    assert observer.fingerprint() == after

    done = migration.info()
    assert done['status'] == 'done' and done['comparison']['matches'] and done['preview'] is None
    assert done['blockers'] == [] and done['import_warnings'] == []
    assert any(line.startswith('message history') for line in done['unverifiable'])
    assert done.requests.count('Export-CsPersistentChatData') == 0


def test_each_step_is_recorded_so_a_killed_run_resumes(migration, observer):
    backup = migration.migrate(['backup'])
    assert outcomes(backup) == {'backup': True}
    assert sorted(migration.record()['steps']) == ['backup']
    # a run killed after the backup: the next run exports, but does not back up again
    export = migration.migrate(['backup', 'export'])
    assert outcomes(export) == {'backup': False, 'export': True}
    assert export.requests.count('Export-CsPersistentChatData', with_='FileName') == 1
    assert sorted(migration.record()['steps']) == ['backup', 'export']
    assert target_rooms(observer) == {}
    # killed after the export: the rest of the run checks and imports, without exporting again
    rest = migration.migrate()
    assert outcomes(rest) == {'backup': False, 'export': False, 'check': True, 'import': True}
    assert rest.requests.count('Export-CsPersistentChatData', with_='FileName') == 0
    assert target_rooms(observer) == expected_rooms(observer.pool(SOURCE))


def test_warnings_not_accepted_stop_the_whatif_gate_before_anything_is_written(migration, observer):
    accepted = [kind for kind in ALL_WARNINGS if kind != 'root_managers']
    stopped = migration.migrate(accept_warnings=accepted)
    assert stopped.failed
    assert 'stops the migration (nothing was written)' in stopped['msg']
    assert 'root_managers' in stopped['msg'] and 'room_renamed' not in stopped['msg']
    assert stopped.requests.count('Import-CsPersistentChatData', without='WhatIf') == 0
    assert stopped.requests.count('Import-CsPersistentChatData', with_='WhatIf') == 1
    assert target_rooms(observer) == {}
    assert sorted(migration.record()['steps']) == ['backup', 'export']

    refused = migration.migrate(['import'])
    assert refused.failed and 'needs the -WhatIf check to pass first' in refused['msg']
    assert refused.requests.count('Import-CsPersistentChatData') == 0

    accepted_now = migration.migrate()
    assert outcomes(accepted_now) == {'backup': False, 'export': False, 'check': True, 'import': True}


def test_the_import_is_refused_while_the_target_pool_runs(migration, observer):
    observer.set_chat_services(TARGET, 'Running')
    gate = migration.migrate(['backup', 'export', 'check'])
    assert gate.failed and 'target_running' in gate['msg']  # a warning no one can accept
    observer.set_chat_services(TARGET, 'Stopped')
    assert not migration.migrate(['check']).failed

    observer.set_chat_services(TARGET, 'Running')
    refused = migration.migrate(['import'])
    assert refused.failed
    assert 'still run' in refused['msg'] and 'RTCPCHAT' in refused['msg'] and 'state=stopped' in refused['msg']
    assert refused.requests.count('Import-CsPersistentChatData') == 0
    assert target_rooms(observer) == {}
    observer.set_chat_services(TARGET, 'Stopped')
    assert outcomes(migration.migrate(['import'])) == {'import': True}


def test_a_record_file_of_another_unit_is_refused(migration, tmp_path):
    assert not migration.migrate(['backup']).failed
    recorded = migration.record()
    other = dict(source_pool=SOURCE_2, target_pool=TARGET_2)
    for refused in (migration.migrate(**other), migration.info(**other)):
        assert refused.failed, refused
        assert 'is of gc.contoso.com -> pcpool.contoso.com, not of this unit (gc2.contoso.com -> ' \
               'pcpool2.contoso.com)' in refused['msg']
        assert refused.requests.lines == []
    assert migration.record() == recorded


def test_an_import_that_fails_is_not_recorded_and_the_next_run_completes_it(migration, observer):
    assert not migration.migrate(['backup', 'export', 'check']).failed
    observer.knobs(faults=[{'cmdlet': 'Import-CsPersistentChatData', 'kind': 'terminating', 'times': 1,
                            'message': 'Injected: the SQL Server went away.'}])
    failed = migration.migrate()
    assert failed.failed
    assert 'Import-CsPersistentChatData' in failed['msg'] and 'the SQL Server went away' in failed['msg']
    assert target_rooms(observer) == {}
    assert not migration.record()['steps']['import']['done']
    assert migration.info()['status'] == 'in_progress'
    resumed = migration.migrate()
    assert outcomes(resumed) == {'backup': False, 'export': False, 'check': False, 'import': True}
    assert target_rooms(observer) == expected_rooms(observer.pool(SOURCE))


def test_an_import_that_leaves_nothing_fails(migration, observer):
    """Import-CsPersistentChatData reports no error but writes nothing (here: the export file on the front end was
    replaced by an export of an empty pool after the -WhatIf check): the comparison fails the task."""
    assert not migration.migrate(['backup', 'export', 'check']).failed
    empty = EXPORT_DIR + '\\empty-pool.zip'
    _output, errors = observer.lync('Export-CsPersistentChatData', DBInstance='pcsql2.contoso.com\\pchat',
                                    FileName=empty)
    assert not errors
    exported = migration.record()['steps']['export']['file']
    shutil.copyfile(observer.front_end_file(empty), observer.front_end_file(exported))
    failed = migration.migrate(['import'])
    assert failed.failed
    assert 'does not hold what the export predicts' in failed['msg'] and '0 of 18 rooms present' in failed['msg']
    assert failed.requests.count('Import-CsPersistentChatData', without='WhatIf') == 1
    assert not migration.record()['steps']['import']['done']
    assert migration.info()['status'] != 'done'


def test_rooms_removed_after_the_import_read_as_incomplete_and_a_rerun_repairs(migration, observer):
    assert not migration.migrate().failed
    expected = expected_rooms(observer.pool(SOURCE))
    _output, errors = observer.lync('Remove-CsPersistentChatRoom', Identity='%s\\Audit room 0001' % TARGET,
                                    Confirm=False)
    assert not errors and 'Audit room 0001' not in target_rooms(observer)
    info = migration.info()
    assert info['status'] == 'incomplete' and info['comparison']['missing_rooms'] == ['Audit room 0001']
    repaired = migration.migrate()
    assert outcomes(repaired)['import'] is True
    assert target_rooms(observer) == expected
    assert migration.info()['status'] == 'done'


def test_export_refused_while_the_legacy_pool_runs(run, clean_lab, tmp_path):
    migration = Migration(run, str(tmp_path / 'migration.json'))
    before = clean_lab.fingerprint()
    refused = migration.migrate(['export'])
    assert refused.failed
    assert 'gc.contoso.com is started' in refused['msg'] and 'Run the disable phase first' in refused['msg']
    assert refused.requests.count('Export-CsPersistentChatData') == 0
    assert clean_lab.fingerprint() == before and migration.record() is None


@pytest.mark.parametrize('steps, overrides, words', [
    (['export'], {'source_pool': TARGET_2}, ['source_pool pcpool2.contoso.com is a Lync Server 2013 Persistent Chat']),
    (['backup'], {'target_pool': SOURCE_2, 'legacy_pools': [{'fqdn': SOURCE_2, 'servers': ['gc2-01.contoso.com']}]},
     ['target_pool gc2.contoso.com is a Office Communications Server 2007 R2']),
    (['export'], {'source_db_instance': 'nosql.contoso.com\\gc'}, ['Export-CsPersistentChatData', 'nosql.contoso.com']),
    (['backup'], {'export_dir': 'C:\\NoSuchFolder'}, ['Could not find a part of the path']),
    (['backup'], {'source_pool': 'gc.contoso.com;x'}, ['source_pool']),
])
def test_bad_input_fails_clearly_and_changes_nothing(migration, observer, steps, overrides, words):
    before = observer.fingerprint()
    result = migration.migrate(steps, **overrides)
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert not result.requests.changing()
    assert observer.fingerprint() == before
    assert not (migration.record() or {}).get('steps')


def test_a_member_missing_from_ad_is_a_predicted_blocker_and_stops_the_gate(migration, directory, observer):
    """A room member deleted from AD ("principal not provisioned", an import error): chat_migration_info names it
    before the weekend, and the -WhatIf gate stops on the same error before anything is written."""
    directory.delete('CN=Lab User 00001,OU=Lab Users,DC=contoso,DC=com')
    info = migration.info()
    assert not info.failed, info
    assert [b for b in info['blockers'] if 'principal not provisioned: sip:labuser00001@contoso.com' in b]
    stopped = migration.migrate()
    assert stopped.failed and 'labuser00001' in stopped['msg'] and 'error:' in stopped['msg']
    assert stopped.requests.count('Import-CsPersistentChatData', without='WhatIf') == 0
    assert target_rooms(observer) == {}
