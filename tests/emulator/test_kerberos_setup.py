# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Kerberos set-up without a running lab: the smb.conf rewrite (idempotent, so an older lab gets its KDC),
the krb5.conf and SPNs it writes, and the emulator's acceptor refusing to start in Kerberos mode without its keys.
Kerberos against the running lab is tests/integration/test_kerberos.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from lab import certs, kerberos, samba  # noqa: E402
from lab.config import LabConfig  # noqa: E402
from lab.emulator import auth  # noqa: E402
from lab.emulator.settings import EmulatorSettings  # noqa: E402

PROVISIONED = """# Global parameters
[global]
\tnetbios name = DC01
\trealm = CONTOSO.COM
\tserver role = active directory domain controller
\tworkgroup = CONTOSO

[sysvol]
\tpath = /var/lib/samba/sysvol
"""
OLDER_LAB = PROVISIONED.split('\n[sysvol]', maxsplit=1)[0] + """
\tserver services = ldap
\tdsdb:schema update allowed = yes
\tldap server require strong auth = yes
"""


def _config(tmp_path, text):
    config = LabConfig({'LAB_DIR': str(tmp_path)})
    os.makedirs(os.path.dirname(config.smb_conf))
    with open(config.smb_conf, 'w') as handle:
        handle.write(text)
    return config


def _read(config):
    with open(config.smb_conf) as handle:
        return handle.read()


@pytest.mark.parametrize('text', [PROVISIONED, OLDER_LAB], ids=['provisioned', 'older lab'])
def test_smb_conf_gets_the_kdc_once(tmp_path, text):
    config = _config(tmp_path, text)
    assert samba.write_smb_conf(config, certs.tls_paths(config.tls_dir)) is True
    written = _read(config)
    assert written.count('server services') == 1 and '\tserver services = ldap, kdc\n' in written
    assert written.count('ldap server require strong auth') == 1
    assert 'ldap server require strong auth = allow_sasl_over_tls' in written
    assert '[sysvol]' not in written and 'realm = CONTOSO.COM' in written
    assert samba.write_smb_conf(config, certs.tls_paths(config.tls_dir)) is False  # nothing to do again
    assert _read(config) == written


def test_krb5_conf_asks_for_the_names_the_clients_use():
    text = kerberos.krb5_conf_text('127.0.0.9')
    for line in ('default_realm = CONTOSO.COM', 'kdc = 127.0.0.9', 'rdns = false', 'dns_canonicalize_hostname = false',
                 'dns_lookup_kdc = false', '127.0.0.9 = CONTOSO.COM', '.contoso.com = CONTOSO.COM'):
        assert line in text


def test_service_principals_cover_the_names_clients_ask_for():
    assert set(kerberos.dc_spns('127.0.0.9')) >= {'ldap/dc01.contoso.com', 'ldap/127.0.0.9'}
    front_end = set(kerberos.front_end_spns('127.0.0.9'))
    # pypsrp asks for host/<psrp_host>; Windows clients WSMAN/ or HTTP/
    for service in ('HOST', 'WSMAN', 'HTTP'):
        assert {'%s/lyncfe01.contoso.com' % service, '%s/LYNCFE01' % service, '%s/127.0.0.9' % service} <= front_end


def test_client_environment_points_at_the_lab_only(tmp_path):
    env = kerberos.client_environment(str(tmp_path))
    assert env == {'KRB5_CONFIG': str(tmp_path / 'krb5.conf'),
                   'KRB5CCNAME': 'FILE:%s' % (tmp_path / 'kerberos' / 'krb5cc'),
                   'KRB5_CLIENT_KTNAME': 'FILE:%s' % (tmp_path / 'kerberos' / 'lyncadmin.keytab')}


def test_the_emulator_carries_its_keytab_to_its_process(tmp_path):
    settings = EmulatorSettings(str(tmp_path), environ={'LAB_PSRP_AUTH': 'kerberos'})
    env = settings.environment()
    assert env['LAB_PSRP_AUTH'] == 'kerberos'
    assert env['KRB5_KTNAME'] == 'FILE:%s' % (tmp_path / 'emulator' / 'lyncfe01.keytab')
    assert env['KRB5_CONFIG'] == str(tmp_path / 'krb5.conf')


def test_kerberos_mode_refuses_to_start_without_the_keytab(tmp_path):
    paths = certs.make_tls(str(tmp_path / 'tls'))
    user_file = str(tmp_path / 'ntlm-users')
    auth.write_user_file(user_file, 'lyncadmin', 'Not-a-real-password-1')
    with pytest.raises(ValueError) as raised:
        auth.Authenticator('kerberos', user_file, paths['emulator_cert'], keytab=str(tmp_path / 'missing.keytab'))
    assert 'missing.keytab' in str(raised.value) and 'python -m lab up' in str(raised.value)
    keytab = tmp_path / 'lyncfe01.keytab'
    keytab.write_bytes(b'\x05\x02')  # present (its keys are MIT krb5's to read at the first client)
    kerberos_only = auth.Authenticator('kerberos', user_file, paths['emulator_cert'], keytab=str(keytab))
    assert kerberos_only.offered() == ['Negotiate', 'Kerberos']
    assert kerberos_only.schemes() == ('negotiate', 'kerberos')
    default = auth.Authenticator('negotiate', user_file, paths['emulator_cert'], allow_basic=True)
    assert default.offered() == ['Negotiate', 'Basic realm="WSMAN"'] and default.schemes() == ('negotiate',)
    state = {}
    assert default.step(state, 'Kerberos abc').status == 'refused'  # a scheme the default mode does not offer
