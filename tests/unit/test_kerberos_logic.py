# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kerberos decisions that need no KDC: MIT krb5's messages (as python-gssapi and pyspnego word them, copied from
real failures against the lab) mapped to their fix, and the settings refused before any connection is made. The
real failures themselves are in tests/integration/test_kerberos.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import kerberos
from ansible_collections.pchat.cutover.plugins.module_utils.directory import Directory
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_session import LyncSession

MAJOR_NO_CREDENTIALS = ('Major (458752): No credentials were supplied, or the credentials were unavailable or '
                        'inaccessible, ')
MAJOR_UNSPECIFIED = 'Major (851968): Unspecified GSS failure.  Minor code may provide more information, '


@pytest.mark.parametrize('text, kind', [
    (MAJOR_NO_CREDENTIALS + 'Minor (2529639053): No Kerberos credentials available (default cache: FILE:/tmp/x)',
     'no_ticket'),
    ('SpnegoError (7): ' + MAJOR_NO_CREDENTIALS + "Minor (2529639068): Cannot contact any KDC for realm "
     "'CONTOSO.COM', Context: Processing security token", 'kdc_unreachable'),
    (MAJOR_NO_CREDENTIALS + 'Minor (2529639066): Cannot find KDC for realm "CONTOSO.COM"', 'kdc_unreachable'),
    (MAJOR_UNSPECIFIED + 'Minor (2529638919): Server not found in Kerberos database', 'service_unknown'),
    ('SpnegoError (4294967295): ' + MAJOR_UNSPECIFIED + 'Minor (2529638949): Clock skew too great, Context: '
     'Processing security token', 'clock_skew'),
    (MAJOR_NO_CREDENTIALS + 'Minor (2529639093): Keytab FILE:/etc/krb5.keytab is nonexistent or empty',
     'no_keytab_entry'),
    (MAJOR_NO_CREDENTIALS + "Minor (2529638918): Client 'CONTOSO\\lyncadmin@CONTOSO.COM' not found in Kerberos "
     'database', 'client_unknown'),
    (MAJOR_UNSPECIFIED + 'Minor (2529638944): Ticket expired', 'expired'),
    (MAJOR_NO_CREDENTIALS + 'Minor (2529638936): Preauthentication failed', 'bad_key'),
    ('Configuration file does not specify default realm', 'no_realm'),
    ('something nobody has seen', 'other'),
])
def test_mit_messages_are_classified(text, kind):
    assert kerberos.classify(text) == kind


def test_each_kind_names_its_fix():
    service, who = 'host/lyncfe01.contoso.com', 'lyncadmin@CONTOSO.COM'
    fixes = {
        'no_ticket': ['kinit -k -t', 'KRB5_CLIENT_KTNAME'],
        'service_unknown': ['setspn -S host/lyncfe01.contoso.com', 'FQDN'],
        'clock_skew': ['NTP'],
        'kdc_unreachable': ['krb5.conf', '_kerberos._tcp', 'port 88'],
        'client_unknown': ['user@REALM', who],
        'expired': ['kinit', 'KRB5_CLIENT_KTNAME'],
        'bad_key': ['keytab is out of date'],
    }
    texts = {'no_ticket': 'No Kerberos credentials available', 'service_unknown': 'Server not found in Kerberos '
             'database', 'clock_skew': 'Clock skew too great', 'kdc_unreachable': 'Cannot contact any KDC',
             'client_unknown': 'Client not found in Kerberos database', 'expired': 'Ticket expired',
             'bad_key': 'Preauthentication failed'}
    for kind, words in fixes.items():
        got, hint = kerberos.describe(texts[kind], service, who)
        assert got == kind
        for word in words:
            assert word in hint, (kind, hint)


def test_the_settings_in_use_are_named_and_only_paths(monkeypatch):
    for name in kerberos.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    assert 'system defaults' in kerberos.settings_in_use()
    monkeypatch.setenv('KRB5CCNAME', 'FILE:/tmp/cc')
    monkeypatch.setenv('KRB5_CONFIG', '/lab/krb5.conf')
    assert kerberos.settings_in_use() == 'KRB5_CONFIG=/lab/krb5.conf, KRB5CCNAME=FILE:/tmp/cc'


KERBEROS = {'ldap_url': 'ldaps://192.0.2.1', 'ldap_bind_method': 'kerberos', 'ldap_timeout': 1}


@pytest.mark.parametrize('params, words', [
    (dict(KERBEROS, ldap_bind_password='Pa55-word'), ['never uses a password', 'PCHAT_LDAP_BIND_PASSWORD']),
    (dict(KERBEROS, ldap_bind_dn='CN=a,DC=b'), ['user@REALM', "not 'CN=a,DC=b'"]),
    (dict(KERBEROS, ldap_bind_dn='lyncadmin'), ['user@REALM']),
    (dict(KERBEROS, ldap_url='ldap://192.0.2.1'), ['refusing a Kerberos bind over plain ldap://192.0.2.1']),
    (dict(KERBEROS, ldap_bind_method='digest'), ["ldap_bind_method 'digest' is not one of simple, kerberos"]),
])
def test_kerberos_binds_that_cannot_be_right_are_refused_before_connecting(params, words):
    with pytest.raises(PchatError) as raised:
        Directory(params)
    for word in words:
        assert word in raised.value.msg
    assert 'Pa55-word' not in raised.value.msg


def test_emptied_password_variables_are_not_passwords():
    """connection-kerberos.env empties PCHAT_LDAP_BIND_PASSWORD: '' is no password (the refusal is for real ones)."""
    with pytest.raises(PchatError) as raised:
        Directory(dict(KERBEROS, ldap_bind_password='', ldap_bind_dn='', ldap_url='ldap://192.0.2.1'))
    assert 'refusing a Kerberos bind over plain' in raised.value.msg


def test_psrp_kerberos_wants_a_principal_not_a_netbios_name():
    with pytest.raises(PchatError) as raised:
        LyncSession({'psrp_host': 'lyncfe01.contoso.com', 'psrp_auth': 'kerberos', 'psrp_username': 'CONTOSO\\lync'})
    assert 'user@REALM' in raised.value.msg and 'CONTOSO\\lync' in raised.value.msg
    session = LyncSession({'psrp_host': 'lyncfe01.contoso.com', 'psrp_auth': 'kerberos', 'psrp_username': '',
                           'psrp_password': ''})
    assert session.username is None and session.password is None
    assert session.service_principal == 'host/lyncfe01.contoso.com'
