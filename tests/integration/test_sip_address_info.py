# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_address_info against the lab's Samba AD: kinds, case-insensitivity, batching and bad input."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
from urllib.parse import urlsplit

CONTACTS = 'CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'


def test_kinds_none_user_contact_conflict(run, clean_lab, test_ou, ldap_admin, directory, unique):
    contact_uri = 'sip:endpoint%s@contoso.com' % unique
    contact = 'CN=pytest-%s,%s' % (unique, CONTACTS)
    assert ldap_admin.add(contact, ['top', 'person', 'organizationalPerson', 'contact'],
                          {'msRTCSIP-PrimaryUserAddress': contact_uri})
    try:
        clash = 'sip:clash%s@contoso.com' % unique
        for index in (1, 2):
            assert ldap_admin.add('CN=clash%d,%s' % (index, test_ou), ['top', 'person', 'organizationalPerson', 'user'],
                                  {'sAMAccountName': 'c%d%s' % (index, unique), 'userAccountControl': 546,
                                   'msRTCSIP-PrimaryUserAddress': clash})
        asked = ['sip:OCSChat@contoso.com', 'SIP:LABUSER00007@CONTOSO.COM', 'sip:nobody%s@contoso.com' % unique,
                 contact_uri, clash]
        result = run('sip_address_info', {'sip_addresses': asked})
        assert not result.failed, result
        assert not result.changed
        owners = result['owners']
        assert owners['sip:OCSChat@contoso.com']['kind'] == 'user'
        assert owners['sip:OCSChat@contoso.com']['dns'] == ['CN=OCSChat,CN=Users,DC=contoso,DC=com']
        assert owners['SIP:LABUSER00007@CONTOSO.COM']['kind'] == 'user'
        assert owners['sip:nobody%s@contoso.com' % unique] == {'kind': 'none', 'dns': [], 'owners': []}
        assert owners[contact_uri]['kind'] == 'contact' and owners[contact_uri]['dns'] == [contact]
        assert owners[clash]['kind'] == 'conflict'
        assert sorted(owners[clash]['dns']) == ['CN=clash1,%s' % test_ou, 'CN=clash2,%s' % test_ou]
        assert result['summary'] == {'none': 1, 'user': 2, 'contact': 1, 'conflict': 1}
    finally:
        ldap_admin.delete(contact)


def test_batches_bound_the_number_of_searches(run, clean_lab):
    users = 120  # the lab always has at least this many (LAB_USERS default 200)
    asked = ['sip:labuser%05d@contoso.com' % i for i in range(1, users + 1)] + ['sip:absent%d@contoso.com' % i
                                                                                for i in range(30)]
    batch = 40
    result = run('sip_address_info', {'sip_addresses': asked, 'batch_size': batch})
    assert not result.failed, result
    assert result['summary'] == {'none': 30, 'user': users, 'contact': 0, 'conflict': 0}
    # one rootDSE read, then per batch one search in the domain and one in the configuration partition
    assert result['searches'] == 1 + 2 * math.ceil(len(asked) / batch)


def test_malformed_and_metacharacter_uris_fail_before_searching(run):
    result = run('sip_address_info', {'sip_addresses': ['sip:ok@contoso.com', 'sip:*)(objectClass=*',
                                                        'no-prefix@contoso.com']})
    assert result.failed
    assert '2 of the 3 sip_addresses are malformed' in result['msg']
    assert [m['index'] for m in result['details']['malformed']] == [1, 2]


def test_unreachable_directory(run, lab):
    env = {'PCHAT_LDAP_URL': 'ldaps://%s:2' % urlsplit(lab['PCHAT_LDAP_URL']).hostname}
    result = run('sip_address_info', {'sip_addresses': ['sip:ok@contoso.com']}, env=env)
    assert result.failed and 'cannot reach the directory' in result['msg']


def kinds_and_dns(answers):
    return dict((uri, (answer['kind'], sorted(answer['dns']))) for uri, answer in answers.items())


def test_scan_and_batches_give_the_same_answers(lab, clean_lab, test_ou, ldap_admin, unique):
    from ansible_collections.pchat.cutover.plugins.module_utils.directory import Directory
    contact = 'CN=pytest-%s,%s' % (unique, CONTACTS)
    clash = 'sip:clash%s@contoso.com' % unique
    assert ldap_admin.add(contact, ['top', 'person', 'organizationalPerson', 'contact'],
                          {'msRTCSIP-PrimaryUserAddress': 'sip:endpoint%s@contoso.com' % unique})
    assert ldap_admin.add('CN=dup,%s' % test_ou, ['top', 'person', 'organizationalPerson', 'user'],
                          {'sAMAccountName': 'd' + unique, 'userAccountControl': 546,
                           'msRTCSIP-PrimaryUserAddress': clash})
    assert ldap_admin.add('CN=dup-contact,%s' % test_ou, ['top', 'person', 'organizationalPerson', 'contact'],
                          {'msRTCSIP-PrimaryUserAddress': clash.upper().replace('SIP:', 'sip:')})
    try:
        client = Directory({'ldap_url': lab['PCHAT_LDAP_URL'], 'ldap_bind_dn': lab['PCHAT_LDAP_BIND_DN'],
                            'ldap_bind_password': lab['PCHAT_LDAP_BIND_PASSWORD'], 'ldap_ca_file': lab['PCHAT_LDAP_CA_FILE'],
                            'ldap_validate_certs': True, 'ldap_timeout': 30})
        asked = ['sip:labuser%05d@contoso.com' % i for i in range(1, 51)] + [
            'sip:OCSChat@contoso.com', 'sip:endpoint%s@contoso.com' % unique, clash, 'sip:none%s@contoso.com' % unique]
        scanned = client.find_sip_owners(asked, strategy='scan')
        assert client.last_strategy == 'scan'
        batched = client.find_sip_owners(asked, batch_size=7, strategy='batched')
        assert client.last_strategy == 'batched'
        assert kinds_and_dns(scanned) == kinds_and_dns(batched)
        assert scanned[clash]['kind'] == 'conflict'
        assert sorted(o['kind'] for o in scanned[clash]['owners']) == ['contact', 'user']
        assert scanned['sip:endpoint%s@contoso.com' % unique]['kind'] == 'contact'
        assert scanned['sip:none%s@contoso.com' % unique]['kind'] == 'none'
        client.close()
    finally:
        ldap_admin.delete(contact)
