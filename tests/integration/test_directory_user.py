# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""directory_user against the lab's Samba AD; every effect is checked with an independent LDAP read."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import uuid
from urllib.parse import urlsplit

import pytest


def make_user(run, test_ou, token, check_mode=False, diff=False, env=None, **extra):
    args = dict(sam_account_name='u' + token, name='User ' + token, path=test_ou,
                sip_address='sip:u%s@contoso.com' % token, sip_enabled=True,
                attributes={'displayName': 'User ' + token, 'description': 'first'})
    args.update(extra)
    return run('directory_user', args, check_mode=check_mode, diff=diff, env=env)


def test_create_then_idempotent(run, test_ou, directory, unique):
    first = make_user(run, test_ou, unique, diff=True)
    assert not first.failed, first
    assert first.changed
    dn = 'CN=User %s,%s' % (unique, test_ou)
    assert first['dn'] == dn
    assert directory.attribute(dn, 'msRTCSIP-PrimaryUserAddress') == 'sip:u%s@contoso.com' % unique
    assert directory.attribute(dn, 'msRTCSIP-UserEnabled') in (True, 'TRUE')
    assert directory.attribute(dn, 'description') == 'first'
    assert first['diff']['before'] == {}
    assert first['diff']['after']['msRTCSIP-PrimaryUserAddress'] == 'sip:u%s@contoso.com' % unique
    assert first['object_sid'].startswith('S-1-5-21-')

    second = make_user(run, test_ou, unique)
    assert not second.failed, second
    assert not second.changed
    assert second['object_guid'] == first['object_guid']

    # Found by its SIP address in another case: still the same user, still no change.
    third = run('directory_user', {'sip_address': 'SIP:U%s@Contoso.com' % unique.upper()})
    assert third['dn'] == dn and not third.changed


def test_check_mode_create_writes_nothing(run, test_ou, directory, unique):
    result = make_user(run, test_ou, unique, check_mode=True, diff=True)
    assert not result.failed, result
    assert result.changed
    assert result['diff']['after']['sAMAccountName'] == 'u' + unique
    assert directory.children(test_ou) == []


def test_modify_check_mode_then_real(run, test_ou, directory, unique):
    created = make_user(run, test_ou, unique)
    dn = created['dn']
    usn_before = directory.attribute(dn, 'uSNChanged')

    preview = make_user(run, test_ou, unique, check_mode=True, diff=True,
                        attributes={'displayName': 'User ' + unique, 'description': 'second'}, sip_enabled=False)
    assert preview.changed
    assert preview['diff']['before']['description'] == 'first'
    assert preview['diff']['after']['description'] == 'second'
    assert sorted(preview['changed_attributes']) == ['description', 'msRTCSIP-UserEnabled']
    assert directory.attribute(dn, 'description') == 'first'
    assert directory.attribute(dn, 'uSNChanged') == usn_before

    real = make_user(run, test_ou, unique, attributes={'displayName': 'User ' + unique, 'description': 'second'},
                     sip_enabled=False)
    assert real.changed
    assert directory.attribute(dn, 'description') == 'second'
    assert directory.attribute(dn, 'msRTCSIP-UserEnabled') in (False, 'FALSE')

    removed = make_user(run, test_ou, unique, attributes={'description': None}, sip_enabled=False)
    assert removed.changed and removed['changed_attributes'] == ['description']
    assert directory.attribute(dn, 'description') is None
    again = make_user(run, test_ou, unique, attributes={'description': None}, sip_enabled=False)
    assert not again.changed


def test_delete_with_backup_then_restore_reanimates(run, test_ou, directory, unique, tmp_path, ldap_admin):
    created = make_user(run, test_ou, unique)
    dn = created['dn']
    group = 'CN=g%s,%s' % (unique, test_ou)
    assert ldap_admin.add(group, ['top', 'group'], {'sAMAccountName': 'g' + unique, 'member': [dn]})
    guid, sid = directory.raw(dn, 'objectGUID'), directory.raw(dn, 'objectSid')
    backups = str(tmp_path / 'backups')

    preview = run('directory_user', {'sip_address': 'sip:u%s@contoso.com' % unique, 'state': 'absent',
                                     'backup_dir': backups}, check_mode=True, diff=True)
    assert preview.changed and preview['backup_file'] is None
    assert preview['diff']['after'] == {} and preview['diff']['before']['dn'] == dn
    assert directory.exists(dn) and not os.path.exists(backups)

    deleted = run('directory_user', {'sip_address': 'sip:u%s@contoso.com' % unique, 'state': 'absent',
                                     'backup_dir': backups})
    assert deleted.changed, deleted
    assert not directory.exists(dn)
    backup_file = deleted['backup_file']
    assert stat.S_IMODE(os.stat(backup_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(backups).st_mode) == 0o700
    with open(backup_file) as handle:
        snap = json.load(handle)
    assert snap['dn'] == dn
    assert snap['attributes']['msRTCSIP-PrimaryUserAddress'] == ['sip:u%s@contoso.com' % unique]
    assert snap['attributes']['memberOf'] == [group]
    lowered = [name.lower() for name in snap['attributes']]
    assert 'unicodepwd' not in lowered and 'supplementalcredentials' not in lowered

    gone = run('directory_user', {'sip_address': 'sip:u%s@contoso.com' % unique, 'state': 'absent',
                                  'backup_dir': backups})
    assert not gone.changed and gone['backup_file'] is None

    check = run('directory_user', {'restore_from': backup_file}, check_mode=True)
    assert check.changed and check['restored'] == 'reanimated'
    assert not directory.exists(dn)

    restored = run('directory_user', {'restore_from': backup_file})
    assert restored.changed, restored
    assert restored['restored'] == 'reanimated'
    assert directory.raw(dn, 'objectGUID') == guid
    assert directory.raw(dn, 'objectSid') == sid
    assert directory.attribute(dn, 'msRTCSIP-PrimaryUserAddress') == 'sip:u%s@contoso.com' % unique
    assert directory.attribute(dn, 'description') == 'first'
    assert directory.attribute(dn, 'displayName') == 'User ' + unique
    assert dn in directory.entry(group, ('member',))['attributes']['member']

    again = run('directory_user', {'restore_from': backup_file})
    assert not again.changed and again['restored'] == 'present'


def test_restore_without_tombstone_recreates(run, test_ou, directory, unique, tmp_path):
    created = make_user(run, test_ou, unique)
    dn = created['dn']
    deleted = run('directory_user', {'dn': dn, 'state': 'absent', 'backup_dir': str(tmp_path)})
    assert deleted.changed
    # A snapshot whose objectGUID has no tombstone, as after the tombstone lifetime has passed.
    with open(deleted['backup_file']) as handle:
        snap = json.load(handle)
    snap['object_guid'] = str(uuid.uuid4())
    forged = tmp_path / 'expired.json'
    forged.write_text(json.dumps(snap))
    restored = run('directory_user', {'restore_from': str(forged)})
    assert restored.changed, restored
    assert restored['restored'] == 'recreated'
    assert restored['object_guid'] != created['object_guid']
    assert any('new objectSid' in w for w in restored['warnings_detail'])
    assert directory.attribute(dn, 'msRTCSIP-PrimaryUserAddress') == 'sip:u%s@contoso.com' % unique
    assert directory.attribute(dn, 'sAMAccountName') == 'u' + unique


def test_restore_refused_while_sip_uri_is_owned(run, test_ou, directory, unique, tmp_path, ldap_admin):
    created = make_user(run, test_ou, unique)
    deleted = run('directory_user', {'dn': created['dn'], 'state': 'absent', 'backup_dir': str(tmp_path)})
    contact = 'CN=endpoint-%s,%s' % (unique, test_ou)
    assert ldap_admin.add(contact, ['top', 'person', 'organizationalPerson', 'contact'],
                          {'msRTCSIP-PrimaryUserAddress': 'sip:u%s@contoso.com' % unique})
    refused = run('directory_user', {'restore_from': deleted['backup_file']})
    assert refused.failed
    assert contact in refused['msg'] and 'already owned' in refused['msg']
    assert not directory.exists(created['dn'])


def test_sip_address_owned_by_another_object_is_refused(run, test_ou, directory, unique):
    first = make_user(run, test_ou, unique)
    other = unique[::-1]
    result = make_user(run, test_ou, other, sip_address='sip:u%s@contoso.com' % unique)
    assert result.failed
    assert first['dn'] in result['msg']
    assert directory.children(test_ou) == [first['dn']]


def test_dn_metacharacters_in_name_are_escaped(run, test_ou, directory, unique):
    name = 'Doe, Jane+%s <ops>;' % unique
    result = make_user(run, test_ou, unique, name=name)
    assert not result.failed, result
    assert directory.attribute(result['dn'], 'cn') == name  # one RDN holding the whole name, not a split DN
    assert directory.children(test_ou) == [result['dn']]
    assert not make_user(run, test_ou, unique, name=name).changed


@pytest.mark.parametrize('args, words', [
    ({'sip_address': 'OCSChat@contoso.com'}, ["lacks the 'sip:' prefix"]),
    ({'sip_address': 'sip:*)(objectClass=*)@contoso.com'}, ['malformed']),
    ({'sam_account_name': '*)(objectClass=*'}, ['not a valid sAMAccountName']),
    ({'dn': 'CN=a,,DC=contoso'}, ['not a valid distinguished name']),
    ({'sam_account_name': 'nobody1', 'path': 'OU=Does Not Exist,DC=contoso,DC=com'}, ['does not exist']),
    ({'sam_account_name': 'nobody2', 'attributes': {'objectClass': 'computer'}}, ['cannot be set']),
    ({'sam_account_name': 'nobody3', 'attributes': {'bad name!': 'x'}}, ['not a valid LDAP attribute name']),
    ({'sip_address': 'sip:nobody@contoso.com', 'state': 'absent', 'restore_from': '/nonexistent.json'},
     ['needs state: present']),
])
def test_bad_input_is_a_clear_error_and_changes_nothing(run, test_ou, directory, args, words):
    args = dict(args)
    if 'dn' not in args:
        args.setdefault('path', test_ou)
    result = run('directory_user', args)
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert directory.children(test_ou) == []


@pytest.mark.parametrize('override, words', [
    ({'PCHAT_LDAP_BIND_PASSWORD': 'wrong-password'}, ['rejected the credentials', 'invalid credentials']),
    ({'PCHAT_LDAP_URL': 'ldaps://{host}:1'}, ['cannot reach the directory']),
    ({'PCHAT_LDAP_URL': 'ldap://{host}:389'}, ['refusing a simple bind', 'in clear text']),
    ({'PCHAT_LDAP_CA_FILE': '/etc/ssl/certs/ca-certificates.crt'}, ['certificate did not validate']),
    ({'PCHAT_LDAP_CA_FILE': '/nonexistent/ca.pem'}, ['ldap_ca_file', 'does not exist']),
    ({'PCHAT_LDAP_URL': 'https://{host}'}, ['is not an LDAP URL']),
])
def test_connection_problems_are_clear_errors(run, lab, test_ou, directory, unique, override, words):
    host = urlsplit(lab['PCHAT_LDAP_URL']).hostname
    result = make_user(run, test_ou, unique, env=dict((k, v.format(host=host)) for k, v in override.items()))
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert directory.children(test_ou) == []


def test_start_tls_on_plain_port_works(run, lab, test_ou, directory, unique):
    env = {'PCHAT_LDAP_URL': 'ldap://%s:389' % urlsplit(lab['PCHAT_LDAP_URL']).hostname}
    result = make_user(run, test_ou, unique, ldap_start_tls=True, env=env)
    assert not result.failed, result
    assert directory.exists(result['dn'])


def test_no_secret_in_the_output(run, lab_secrets, test_ou, unique):
    """The runner checks every run; here the bind password is a module argument, not the environment."""
    result = make_user(run, test_ou, unique, diff=True, ldap_bind_password=lab_secrets[0], env={'PCHAT_LDAP_BIND_PASSWORD': ''})
    assert not result.failed, result
    assert lab_secrets[0] not in result.stdout + result.stderr
    assert result['invocation']['module_args']['ldap_bind_password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_the_well_known_user_deleted_after_a_backup_check_mode_first(run, clean_lab, directory, tmp_path):
    """The cutover's delete phase on the lab's well-known user: check mode changes nothing in the lab, then the real
    delete (after its backup), then no change; the automatic endpoints are untouched."""
    args = {'sip_address': 'sip:OCSChat@contoso.com', 'state': 'absent', 'backup_dir': str(tmp_path)}
    before = clean_lab.fingerprint()
    preview = run('directory_user', args, check_mode=True, diff=True)
    assert preview.changed and preview['dn'] == 'CN=OCSChat,CN=Users,DC=contoso,DC=com'
    assert clean_lab.fingerprint() == before and os.listdir(str(tmp_path)) == []
    deleted = run('directory_user', args)
    assert deleted.changed and not directory.exists(deleted['dn'])
    with open(deleted['backup_file']) as handle:
        assert json.load(handle)['attributes']['sAMAccountName'] == ['OCSChat']
    assert not run('directory_user', args).changed
    assert [e['sip_address'] for e in clean_lab.endpoints()] == [e['sip_address'] for e in before['lab']['endpoints']]
