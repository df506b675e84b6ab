# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_migration's pure parts and its psrp sequence (export, import -WhatIf gate, import, count comparison)
on a recording stand-in for the psrp driver (the driver's own invocations are tested in test_platform_psrp.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.migration_lab import message_checksum
from ansible_collections.pchat.cutover.plugins.modules.chat_migration import parse_since, psrp_migration


@pytest.mark.parametrize('value, expected', [
    ('2026-01-31', '2026-01-31T00:00:00Z'),
    ('2026-01-31T08:30:00Z', '2026-01-31T08:30:00Z'),
    ('2026-01-31 08:30', '2026-01-31T08:30:00Z'),
    (None, None),
])
def test_parse_since(value, expected):
    assert parse_since(value) == expected


@pytest.mark.parametrize('value', ['yesterday', '31/01/2026', '2026-13-01'])
def test_parse_since_rejects(value):
    with pytest.raises(PchatError, match='is not a date or time'):
        parse_since(value)


def test_message_checksum_depends_on_every_field():
    base = message_checksum('sip:a@contoso.com', '2026-01-01T00:00:00Z', 'hello')
    assert base == message_checksum('sip:a@contoso.com', '2026-01-01T00:00:00Z', 'hello')
    assert base != message_checksum('sip:b@contoso.com', '2026-01-01T00:00:00Z', 'hello')
    assert base != message_checksum('sip:a@contoso.com', '2026-01-01T00:00:01Z', 'hello')
    assert base != message_checksum('sip:a@contoso.com', '2026-01-01T00:00:00Z', 'hello!')


class FakeModule(object):
    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = dict(rooms=None, include_disabled_rooms=True, unresolved_members='migrate', since=None,
                           source_db_instance='gcsql.contoso.com\\gc', source_db_name=None,
                           target_db_instance='pcsql.contoso.com\\pc', export_file='D:\\pchat\\gc.zip')
        self.params.update(params)


class RecordingPsrp(object):
    name = 'psrp'

    def __init__(self, gate_error=None, rooms_after=25):
        self.calls = []
        self.gate_error = gate_error
        self.rooms_after = rooms_after
        self.imported = False

    def room_counts(self, fqdn):
        self.calls.append(('room_counts', fqdn))
        rooms = self.rooms_after if self.imported else 5
        return {'categories': 2 if not self.imported else 6, 'rooms': rooms, 'disabled_rooms': 0, 'members': 10}

    def export_chat_data(self, db_instance, file_name, since=None, db_name=None):
        self.calls.append(('export', db_instance, file_name, since, db_name))
        return {'warnings': ['exported']}

    def import_chat_data(self, db_instance, file_name, what_if=False):
        self.calls.append(('import', db_instance, file_name, what_if))
        if what_if and self.gate_error:
            raise PchatError(self.gate_error)
        if not what_if:
            self.imported = True
        return {'warnings': ['category flattened'] if what_if else [], 'what_if': what_if}


SOURCE = {'fqdn': 'gc.contoso.com', 'kind': 'group_chat_2010'}
TARGET = {'fqdn': 'pcpool.contoso.com', 'kind': 'persistent_chat_2013'}


def test_psrp_sequence_and_counts():
    platform = RecordingPsrp()
    result = psrp_migration(FakeModule(since='2026-01-01'), platform, SOURCE, TARGET)
    assert [c[0] for c in platform.calls] == ['room_counts', 'export', 'import', 'import', 'room_counts']
    assert platform.calls[1] == ('export', 'gcsql.contoso.com\\gc', 'D:\\pchat\\gc.zip', '2026-01-01T00:00:00Z', None)
    assert platform.calls[2][3] is True and platform.calls[3][3] is False  # the -WhatIf gate runs first
    assert platform.calls[2][1] == 'pcsql.contoso.com\\pc'
    assert result['changed']
    assert result['counts']['rooms']['migrated'] == 20 and result['counts']['categories']['migrated'] == 4
    assert result['counts']['messages']['migrated'] is None  # no cmdlet counts messages
    assert result['conversion_warnings'] == ['exported', 'category flattened']


def test_psrp_gate_failure_stops_before_the_real_import():
    platform = RecordingPsrp(gate_error='Import-CsPersistentChatData -WhatIf reported errors; the real import was not run')
    with pytest.raises(PchatError, match='real import was not run'):
        psrp_migration(FakeModule(), platform, SOURCE, TARGET)
    assert ('import', 'pcsql.contoso.com\\pc', 'D:\\pchat\\gc.zip', False) not in platform.calls


def test_psrp_fewer_rooms_after_import_fails():
    with pytest.raises(PchatError, match='fewer than the 5 before'):
        psrp_migration(FakeModule(), RecordingPsrp(rooms_after=3), SOURCE, TARGET)


def test_psrp_check_mode_runs_nothing_but_the_count():
    platform = RecordingPsrp()
    result = psrp_migration(FakeModule(check_mode=True), platform, SOURCE, TARGET)
    assert [c[0] for c in platform.calls] == ['room_counts']
    assert result['changed']


@pytest.mark.parametrize('params, words', [
    ({'source_db_instance': None}, 'source_db_instance is required with driver psrp'),
    ({'export_file': None}, 'export_file is required'),
    ({'rooms': ['a']}, 'lab-driver options'),
    ({'unresolved_members': 'skip'}, 'lab-driver options'),
])
def test_psrp_option_errors_before_any_call(params, words):
    platform = RecordingPsrp()
    with pytest.raises(PchatError, match=words):
        psrp_migration(FakeModule(**params), platform, SOURCE, TARGET)
    assert platform.calls == []
