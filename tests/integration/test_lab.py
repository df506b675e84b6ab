# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab itself: what `make lab` promises (see docs/lab.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os
import stat
import subprocess
import sys

import ldap3
from cryptography import x509

from conftest import REPO_ROOT


def lab_command(command, lab_dir, **env):
    run_env = dict(os.environ, LAB_DIR=lab_dir, **env)
    return subprocess.run([sys.executable, '-m', 'lab', command], cwd=REPO_ROOT, env=run_env,
                          capture_output=True, text=True, check=False)


def test_connection_env_is_private_and_complete(lab):
    path = os.path.join(lab['LAB_DIR'], 'connection.env')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for key in ('PCHAT_LDAP_URL', 'PCHAT_LDAP_BIND_DN', 'PCHAT_LDAP_BIND_PASSWORD', 'PCHAT_LDAP_CA_FILE', 'PCHAT_PSRP_HOST',
                'PCHAT_PSRP_PORT', 'PCHAT_PSRP_USERNAME', 'PCHAT_PSRP_PASSWORD', 'PCHAT_PSRP_CA_FILE'):
        assert lab[key], key
    assert lab['PCHAT_LDAP_URL'].startswith('ldaps://')


def test_server_certificate_names_loopback(lab):
    with open(os.path.join(lab['LAB_DIR'], 'tls', 'server.pem'), 'rb') as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address(lab['PCHAT_PSRP_HOST']) in san.get_values_for_type(x509.IPAddress)
    assert 'localhost' in san.get_values_for_type(x509.DNSName)
    assert stat.S_IMODE(os.stat(os.path.join(lab['LAB_DIR'], 'tls', 'server.key')).st_mode) == 0o600


def test_schema_and_seed(ldap_admin, directory):
    for name in ('msRTCSIP-PrimaryUserAddress', 'msRTCSIP-UserEnabled', 'msRTCSIP-PrimaryHomeServer',
                 'msRTCSIP-OwnerUrn', 'msRTCSIP-ApplicationDestination', 'msRTCSIP-OptionFlags'):
        assert directory.exists('CN=%s,CN=Schema,CN=Configuration,DC=contoso,DC=com' % name), name
    assert directory.attribute('CN=OCSChat,CN=Users,DC=contoso,DC=com',
                               'msRTCSIP-PrimaryUserAddress') == 'sip:OCSChat@contoso.com'
    assert directory.exists('CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com')
    ldap_admin.search('OU=Lab Users,DC=contoso,DC=com', '(msRTCSIP-PrimaryUserAddress=sip:labuser*)',
                      search_scope=ldap3.LEVEL, attributes=['1.1'], paged_size=1000)
    # the first page (up to 1000) is enough to see that LAB_USERS users were seeded
    assert len(ldap_admin.response) >= min(1000, int(os.environ.get('LAB_USERS') or 200))


def test_up_again_reuses_the_healthy_lab(lab):
    before = open(os.path.join(lab['LAB_DIR'], 'samba', 'run', 'samba.pid')).read()
    proc = lab_command('up', lab['LAB_DIR'])
    assert proc.returncode == 0, proc.stderr
    assert 'reusing the running lab domain controller' in proc.stdout
    assert '0 SIP users added' in proc.stdout
    assert open(os.path.join(lab['LAB_DIR'], 'samba', 'run', 'samba.pid')).read() == before
    assert lab_command('status', lab['LAB_DIR']).returncode == 0


def test_second_lab_on_taken_port_fails_clearly_and_leaves_the_first_alone(lab, tmp_path):
    other = str(tmp_path / 'other-lab')
    proc = lab_command('up', other, LAB_USERS='1')
    assert proc.returncode == 2
    assert 'port 389 on %s is already in use' % lab['PCHAT_PSRP_HOST'] in proc.stderr
    down = lab_command('down', other)
    assert down.returncode == 0 and 'no lab samba running' in down.stdout
    assert not os.path.exists(other)
    assert lab_command('status', lab['LAB_DIR']).returncode == 0
