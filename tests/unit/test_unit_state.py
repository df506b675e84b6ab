# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A unit's state on the controller: the newest backup of the user that carried the SIP URI, found by content; the
same state on another controller from the job artifacts it was handed out in."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import directory_backup, migration_record
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import SIP_ATTRIBUTE
from ansible_collections.pchat.cutover.plugins.plugin_utils import unit_state
from ansible_collections.pchat.cutover.plugins.plugin_utils.cutover_report import unit_artifact

SIP = 'sip:OCSChat@contoso.com'


def _backup(folder, name, sip, taken_at, fmt=directory_backup.FORMAT):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({
        'format': fmt, 'taken_at': taken_at, 'dn': 'CN=%s,CN=Users,DC=contoso,DC=com' % name,
        'object_guid': 'guid-' + name, 'object_sid': 'S-1-5-21-1', 'attributes': {SIP_ATTRIBUTE: [sip]}}))


def test_an_empty_state_folder_is_an_empty_state(tmp_path):
    state = unit_state.read(str(tmp_path), 'GC.contoso.com', SIP)
    assert state == {'dir': str(tmp_path / 'gc.contoso.com'), 'backup_file': None, 'backup': None, 'migration': None}


def test_the_newest_backup_carrying_the_sip_uri_wins(tmp_path):
    backups = tmp_path / 'gc.contoso.com' / 'backups'
    _backup(backups, 'old.json', 'sip:ocschat@CONTOSO.com', '2026-11-20T01:00:00Z')
    _backup(backups, 'new.json', SIP, '2026-11-21T01:00:00Z')
    _backup(backups, 'other.json', 'sip:someone@contoso.com', '2026-11-22T01:00:00Z')
    _backup(backups, 'foreign.json', SIP, '2026-11-23T01:00:00Z', fmt='something else')
    (backups / 'torn.json').write_text('{"format": ')  # a half-written file is ignored
    state = unit_state.read(str(tmp_path), 'gc.contoso.com', SIP)
    assert state['backup_file'] == str(backups / 'new.json')
    assert state['backup']['object_guid'] == 'guid-new.json' and state['backup']['taken_at'] == '2026-11-21T01:00:00Z'


def test_the_migration_record_is_read_back(tmp_path):
    folder = tmp_path / 'gc.contoso.com'
    folder.mkdir()
    (folder / 'migration.json').write_text(json.dumps({'steps': {'import': {'done': True}}}))
    assert unit_state.read(str(tmp_path), 'gc.contoso.com', SIP)['migration'] == {'steps': {'import': {'done': True}}}


def _write(files):
    for item in files:
        os.makedirs(os.path.dirname(item['path']), exist_ok=True)
        with open(item['path'], 'w') as handle:
            handle.write(item['content'])


def test_the_state_handed_out_as_artifacts_is_the_same_state_on_another_controller(tmp_path):
    first, second = tmp_path / 'first', tmp_path / 'second'
    _backup(first / 'gc.contoso.com' / 'backups', 'OCSChat-1.json', SIP, '2026-11-21T01:00:00Z')
    record = {'format': migration_record.FORMAT, 'source_pool': 'gc.contoso.com',
              'target_pool': 'pcpool.contoso.com', 'steps': {'import': {'done': True}}}
    (first / 'gc.contoso.com' / 'migration.json').write_text(json.dumps(record))
    report = {'legacy_pool': 'GC.contoso.com', 'sip_address': SIP, 'unit_state': unit_state.read(str(first), 'gc.contoso.com', SIP)}
    artifact = unit_artifact(report, str(first / 'gc.contoso.com'), {})
    units = json.loads(json.dumps({'gc.contoso.com': artifact}))  # as a job's artifacts travel: JSON

    files = unit_state.handed_over(units, str(second), 'GC.Contoso.com')
    assert sorted(f['path'] for f in files) == [str(second / 'gc.contoso.com' / 'backups' / 'OCSChat-1.json'),
                                                str(second / 'gc.contoso.com' / 'migration.json')]
    _write(files)
    there, here = unit_state.read(str(first), 'gc.contoso.com', SIP), unit_state.read(str(second), 'gc.contoso.com', SIP)
    assert here['backup'] == there['backup'] and here['backup']['object_guid'] == 'guid-OCSChat-1.json'
    assert here['migration'] == there['migration'] == record


def test_nothing_is_handed_over_for_another_unit_or_a_preview(tmp_path):
    assert unit_state.handed_over(None, str(tmp_path), 'gc.contoso.com') == []
    assert unit_state.handed_over({'gc2.contoso.com': {'backup': None}}, str(tmp_path), 'gc.contoso.com') == []
    preview = {'gc.contoso.com': {'backup_file': None, 'backup': None, 'migration': None, 'mode': 'check'}}
    assert unit_state.handed_over(preview, str(tmp_path), 'gc.contoso.com') == []


def test_what_is_not_a_cutover_artifact_is_refused(tmp_path):
    for units, message in ((['gc.contoso.com'], 'must be a dict of units'),
                           ({'gc.contoso.com': 'text'}, 'must be a dict'),
                           ({'gc.contoso.com': {'backup': {'dn': 'x'}}}, 'is not a backup of pchat.cutover'),
                           ({'gc.contoso.com': {'migration': {'steps': {}}}}, 'is not a migration record')):
        with pytest.raises(ValueError, match=message):
            unit_state.handed_over(units, str(tmp_path), 'gc.contoso.com')


def test_a_backup_file_name_cannot_leave_the_unit_folder(tmp_path):
    snapshot = {'format': directory_backup.FORMAT, 'attributes': {SIP_ATTRIBUTE: [SIP]}}
    files = unit_state.handed_over({'gc.contoso.com': {'backup': snapshot, 'backup_file': '/x/../../etc/evil'}},
                                   str(tmp_path), 'gc.contoso.com')
    assert files[0]['path'] == str(tmp_path / 'gc.contoso.com' / 'backups' / 'evil.json')


def test_the_unit_paths_are_the_ones_the_state_is_read_from(tmp_path):
    paths = unit_state.paths('GC.Contoso.com', str(tmp_path))
    unit = tmp_path / 'gc.contoso.com'
    assert paths == {'key': 'gc.contoso.com', 'dir': str(unit), 'backup_dir': str(unit / 'backups'),
                     'record_file': str(unit / 'migration.json')}
    os.makedirs(paths['dir'])
    with open(paths['record_file'], 'w') as handle:
        json.dump({'steps': {}}, handle)
    assert unit_state.read(str(tmp_path), 'gc.contoso.com', SIP)['migration'] == {'steps': {}}
