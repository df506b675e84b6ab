# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A unit's state on the controller: the newest backup of the user that carried the SIP URI, found by content."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.pchat.cutover.plugins.module_utils import unit_state

SIP = 'sip:OCSChat@contoso.com'


def _backup(folder, name, sip, taken_at, fmt=unit_state.BACKUP_FORMAT):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({
        'format': fmt, 'taken_at': taken_at, 'dn': 'CN=%s,CN=Users,DC=contoso,DC=com' % name,
        'object_guid': 'guid-' + name, 'object_sid': 'S-1-5-21-1', 'attributes': {unit_state.SIP_ATTRIBUTE: [sip]}}))


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
