# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""directory_user_info against the lab's Samba AD: found by SIP address, logon name or DN, what it returns compared
with our own LDAP read, nothing found is no error, an ambiguous SIP address lists every user."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

WELL_KNOWN_DN = 'CN=OCSChat,CN=Users,DC=contoso,DC=com'


@pytest.mark.parametrize('args', [
    {'sip_address': 'sip:OCSChat@contoso.com'},
    {'sip_address': 'SIP:ocschat@CONTOSO.COM'},
    {'sam_account_name': 'OCSChat'},
    {'dn': WELL_KNOWN_DN},
])
def test_the_well_known_user_is_found_every_way(run, clean_lab, directory, args):
    before = clean_lab.fingerprint()
    result = run('directory_user_info', args, check_mode=True)  # read-only modules answer in check mode too
    assert not result.failed and not result.changed, result
    assert result['exists'] and len(result['users']) == 1
    user = result['user']
    assert user['dn'] == WELL_KNOWN_DN and user['sam_account_name'] == 'OCSChat'
    assert user['sip_address'] == directory.attribute(WELL_KNOWN_DN, 'msRTCSIP-PrimaryUserAddress')
    assert user['sip_enabled'] is True and user['account_enabled'] is False  # seeded disabled, no password
    assert user['object_guid'] == str(directory.attribute(WELL_KNOWN_DN, 'objectGUID')).strip('{}')
    assert user['object_sid'] == str(directory.attribute(WELL_KNOWN_DN, 'objectSid'))
    assert result.requests.lines == []  # the directory only: no PowerShell remoting
    assert clean_lab.fingerprint() == before


def test_nothing_found_is_not_an_error(run):
    result = run('directory_user_info', {'sip_address': 'sip:nobody-here@contoso.com'})
    assert not result.failed and result['exists'] is False and result['user'] is None and result['users'] == []


def test_an_ambiguous_sip_address_lists_every_user(run, ldap_admin, test_ou, unique):
    sip = 'sip:twice%s@contoso.com' % unique
    for index in (1, 2):
        assert ldap_admin.add('CN=twice%d,%s' % (index, test_ou), ['top', 'person', 'organizationalPerson', 'user'],
                              {'sAMAccountName': 't%d%s' % (index, unique), 'userAccountControl': 546,
                               'msRTCSIP-PrimaryUserAddress': sip})
    result = run('directory_user_info', {'sip_address': sip})
    assert not result.failed and result['exists'] is False and result['user'] is None
    assert sorted(u['dn'] for u in result['users']) == ['CN=twice1,%s' % test_ou, 'CN=twice2,%s' % test_ou]


@pytest.mark.parametrize('args, words', [
    ({'sip_address': 'OCSChat@contoso.com'}, ["lacks the 'sip:' prefix"]),
    ({'sam_account_name': '*)(objectClass=*'}, ['not a valid sAMAccountName']),
    ({'dn': 'CN=a,,DC=contoso'}, ['not a valid distinguished name']),
    ({}, ['one of the following is required']),
])
def test_bad_input_is_a_clear_error(run, args, words):
    result = run('directory_user_info', args)
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
