# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure directory logic: escaping, DN handling, attribute diffs, snapshots. No server involved."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import uuid

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import directory_backup as backup
from ansible_collections.pchat.cutover.plugins.module_utils.attribute_diff import (
    MODIFY_DELETE, MODIFY_REPLACE, ldap_text, normalize_wanted, plan_changes,
)
from ansible_collections.pchat.cutover.plugins.module_utils.directory import Directory
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import (
    dn_equal, escape_dn_value, escape_filter_value, owner_kind, parent_dn, validate_dn,
)
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.user_backend import validate_sam
from ansible_collections.pchat.cutover.plugins.modules.sip_address_info import malformed_addresses


def test_filter_values_are_escaped():
    assert escape_filter_value('*)(objectClass=*') == '\\2a\\29\\28objectClass=\\2a'
    assert escape_filter_value('a\\b') == 'a\\5cb'


@pytest.mark.parametrize('value, escaped', [
    ('Doe, Jane', 'Doe\\, Jane'),
    ('a+b=c', 'a\\+b\\=c'),
    ('#lead', '\\#lead'),
    (' lead and trail ', '\\ lead and trail\\ '),
    ('<x>;"q"\\', '\\<x\\>\\;\\"q\\"\\\\'),
    ('plain', 'plain'),
])
def test_dn_values_are_escaped(value, escaped):
    assert escape_dn_value(value) == escaped


def test_parent_dn_respects_escaped_commas():
    assert parent_dn('CN=Doe\\, Jane,OU=Staff,DC=contoso,DC=com') == 'OU=Staff,DC=contoso,DC=com'
    assert parent_dn('DC=com') == ''


def test_dn_comparison_is_case_and_space_insensitive():
    assert dn_equal('CN=OCSChat,CN=Users,DC=contoso,DC=com', 'cn=ocschat, cn=users, dc=CONTOSO, dc=com')
    assert not dn_equal('CN=OCSChat,CN=Users,DC=contoso,DC=com', 'CN=OCSChat2,CN=Users,DC=contoso,DC=com')


@pytest.mark.parametrize('bad', ['CN=a,,DC=x', 'not a dn', '=value,DC=x'])
def test_invalid_dns_are_rejected(bad):
    with pytest.raises(PchatError, match='not a valid distinguished name'):
        validate_dn(bad)


@pytest.mark.parametrize('bad', ['', 'a' * 21, '*)(objectClass=*', 'a/b', 'x[1]', '...', 'tab\there'])
def test_invalid_sam_account_names(bad):
    with pytest.raises(PchatError, match='not a valid sAMAccountName'):
        validate_sam(bad)


def test_owner_kinds():
    assert owner_kind(['top', 'person', 'organizationalPerson', 'user']) == 'user'
    assert owner_kind(['top', 'person', 'organizationalPerson', 'contact']) == 'contact'
    assert owner_kind(['top', 'person', 'organizationalPerson', 'user', 'computer']) == 'contact'


def test_wanted_values_are_ldap_text():
    assert normalize_wanted({'a': True, 'b': 5, 'c': ['x', 2], 'd': None, 'e': []}) == {
        'a': ['TRUE'], 'b': ['5'], 'c': ['x', '2'], 'd': [], 'e': []}
    assert ldap_text(False) == 'FALSE'


@pytest.mark.parametrize('attributes, words', [
    ({'objectClass': 'user'}, 'cannot be set'),
    ({'msRTCSIP-PrimaryUserAddress': 'sip:a@b.c'}, 'cannot be set'),
    ({'bad name': 'x'}, 'not a valid LDAP attribute name'),
    ({'x)(y': 'x'}, 'not a valid LDAP attribute name'),
])
def test_wanted_attribute_names_are_checked(attributes, words):
    with pytest.raises(PchatError, match=words):
        normalize_wanted(attributes)


def test_plan_changes_replace_delete_and_noop():
    current = {'description': ['old'], 'mail': ['a@contoso.com'], 'otherTelephone': ['2', '1'],
               'msRTCSIP-UserEnabled': ['TRUE'], 'msRTCSIP-PrimaryUserAddress': ['sip:OCSChat@contoso.com']}
    wanted = {'description': ['new'], 'mail': [], 'otherTelephone': ['1', '2'], 'msRTCSIP-UserEnabled': ['true'],
              'msRTCSIP-PrimaryUserAddress': ['SIP:ocschat@CONTOSO.com'], 'info': []}
    changes, before, after = plan_changes(current, wanted)
    assert changes == {'description': (MODIFY_REPLACE, ['new']), 'mail': (MODIFY_DELETE, [])}
    assert before['description'] == 'old' and after['description'] == 'new'
    assert before['mail'] == 'a@contoso.com' and after['mail'] is None
    assert after['otherTelephone'] == ['1', '2']


def test_plan_changes_is_case_sensitive_for_ordinary_strings():
    changes, _before, _after = plan_changes({'displayName': ['jane doe']}, {'displayName': ['Jane Doe']})
    assert changes == {'displayName': (MODIFY_REPLACE, ['Jane Doe'])}


SID = b'\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00\xa2\xf6da=9A#G\x05\xd4\x94N\x04\x00\x00'
GUID = uuid.UUID('c11b14e9-65db-4fc1-8566-80dd08d0604e')


def entry():
    return {'dn': 'CN=OCSChat,CN=Users,DC=contoso,DC=com', 'raw_attributes': {
        'objectGUID': [GUID.bytes_le], 'objectSid': [SID], 'sAMAccountName': [b'OCSChat'],
        'msRTCSIP-PrimaryUserAddress': [b'sip:OCSChat@contoso.com'], 'objectClass': [b'top', b'user'],
        'unicodePwd': [b'"secret"'], 'supplementalCredentials': [b'\x00\x01'], 'thumbnailPhoto': [b'\xff\xd8\xff'],
        'whenCreated': [b'20261124000000.0Z'], 'memberOf': [b'CN=Group Chat Admins,CN=Users,DC=contoso,DC=com'],
    }}


def test_sid_and_guid_formats():
    assert backup.format_sid(SID) == 'S-1-5-21-1634006690-591477053-2496922951-1102'
    assert backup.format_guid(GUID.bytes_le) == str(GUID)
    assert backup.guid_bytes(str(GUID)) == GUID.bytes_le


def test_snapshot_keeps_everything_but_secrets(tmp_path):
    snap = backup.snapshot(entry(), 'ldaps://dc01')
    assert snap['object_guid'] == str(GUID)
    assert snap['object_sid'].startswith('S-1-5-21-')
    assert 'unicodePwd' not in snap['attributes'] and 'supplementalCredentials' not in snap['attributes']
    assert snap['attributes']['thumbnailPhoto'] == [{'base64': '/9j/'}]
    path = backup.write_backup(str(tmp_path / 'b'), snap)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.path.basename(path).startswith('OCSChat-')
    loaded = backup.load_backup(path)
    assert loaded == json.loads(json.dumps(snap))
    restorable = backup.restorable_attributes(loaded)
    assert restorable['thumbnailPhoto'] == [b'\xff\xd8\xff']
    assert 'whenCreated' not in restorable and 'memberOf' not in restorable and 'objectClass' not in restorable
    assert backup.member_of(loaded) == ['CN=Group Chat Admins,CN=Users,DC=contoso,DC=com']


def test_plan_restore_only_lists_differences():
    snap = backup.snapshot(entry(), 'ldaps://dc01')
    current = {'sAMAccountName': [b'OCSChat'], 'thumbnailPhoto': [b'\xff\xd8\xff']}
    assert backup.plan_restore(current, snap) == {'msRTCSIP-PrimaryUserAddress': ['sip:OCSChat@contoso.com']}


def test_load_backup_rejects_other_files(tmp_path):
    other = tmp_path / 'other.json'
    other.write_text('{"dn": "x"}')
    with pytest.raises(PchatError, match='is not a directory_user backup'):
        backup.load_backup(str(other))
    with pytest.raises(PchatError, match='cannot read the backup'):
        backup.load_backup(str(tmp_path / 'missing.json'))


def test_plain_bind_is_refused_before_any_connection():
    params = {'ldap_url': 'ldap://192.0.2.1', 'ldap_bind_dn': 'CN=a,DC=b', 'ldap_bind_password': 'x', 'ldap_timeout': 1}
    with pytest.raises(PchatError, match='refusing a simple bind'):
        Directory(params)


def test_missing_url_and_password_are_explained():
    with pytest.raises(PchatError, match='no LDAP server given'):
        Directory({'ldap_url': None})
    with pytest.raises(PchatError, match='ldap_bind_password is not'):
        Directory({'ldap_url': 'ldaps://192.0.2.1', 'ldap_bind_dn': 'CN=a,DC=b', 'ldap_bind_password': None})


def test_malformed_addresses_are_listed_with_their_index():
    bad = malformed_addresses(['sip:a@contoso.com', 'b@contoso.com', 'sip:*@x'])
    assert [index for index, _value, _reason in bad] == [1, 2]
