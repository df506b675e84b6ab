# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kerberos end to end against the lab: Samba's real KDC, MIT krb5 with python-gssapi, pyspnego, ldap3 and pypsrp,
the emulator over HTTPS. No password anywhere: tickets come from the lab's client keytab, through ``kinit -k -t`` or
through KRB5_CLIENT_KTNAME, and every command this file runs is recorded and checked for the lab's passwords.

Tests that need the emulator in its default mode (Negotiate: Kerberos or NTLM) come first; the rest run with the lab's
emulator restarted with LAB_PSRP_AUTH=kerberos (NTLM refused), and the lab is put back in its default mode afterwards.
Every wait is bounded. Numbers are printed (pytest -s) and summed up in docs/lab.md.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

import ldap3
import pytest
import requests
import spnego
from pypsrp.exceptions import AuthenticationError
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from ansible_collections.pchat.cutover.plugins.module_utils.directory import Directory
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from lab.emulator import auth as emulator_auth
from lease_support import LabDirectory, new_container
from module_runner import run_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRINCIPAL = 'lyncadmin@CONTOSO.COM'
LYNC_ADMIN_DN = 'CN=Lync Administrator,CN=Users,DC=contoso,DC=com'
DC_DN = 'CN=DC01,OU=Domain Controllers,DC=contoso,DC=com'
FRONT_END_DN = 'CN=LYNCFE01,CN=Computers,DC=contoso,DC=com'
KRB5_VARIABLES = ('KRB5_CONFIG', 'KRB5CCNAME', 'KRB5_CLIENT_KTNAME', 'KRB5_KTNAME', 'KRB5_TRACE')
COMMANDS = []  # every command line this file runs, checked for secrets at the end


# -- helpers ---------------------------------------------------------------------------------------------------
def run(argv, env=None, timeout=120, check=True):
    """Run a command, recording its argument vector (the lab's passwords must never be in one)."""
    COMMANDS.append(list(argv))
    proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if check:
        assert proc.returncode == 0, '%s failed (%d):\n%s%s' % (argv, proc.returncode, proc.stdout, proc.stderr)
    return proc


def secrets_of(lab_dir):
    with open(os.path.join(lab_dir, 'lab-state.json')) as handle:
        state = json.load(handle)
    return [state['admin_password'], state['psrp_password']]


def assert_no_secret(secrets, *texts):
    for text in texts:
        for secret in secrets:
            assert secret not in (text if isinstance(text, str) else json.dumps(text)), 'a password leaked'


def lab_up(lab_dir, auth):
    started = time.monotonic()
    run([sys.executable, '-m', 'lab', 'up'], env=dict(os.environ, LAB_DIR=lab_dir, LAB_PSRP_AUTH=auth), timeout=300)
    return time.monotonic() - started


def kinit(krb, ccache):
    """A ticket for the Lync administrator from the lab's keytab: ``kinit -k -t`` (no password involved)."""
    env = dict(os.environ, KRB5_CONFIG=krb['KRB5_CONFIG'], KRB5CCNAME='FILE:' + ccache)
    run(['kinit', '-k', '-t', krb['keytab'], PRINCIPAL], env=env, timeout=30)
    listed = run(['klist'], env=env, timeout=30).stdout
    assert 'Default principal: %s' % PRINCIPAL in listed and 'krbtgt/CONTOSO.COM@CONTOSO.COM' in listed
    return 'FILE:' + ccache


def median_ms(samples):
    return 1000.0 * statistics.median(samples)


def kerberos_params(krb, **overrides):
    params = {'ldap_url': krb['PCHAT_LDAP_URL'], 'ldap_ca_file': krb['PCHAT_LDAP_CA_FILE'], 'ldap_bind_method': 'kerberos',
              'ldap_validate_certs': True, 'ldap_timeout': 10, 'ldap_start_tls': False, 'ldap_allow_plain_bind': False}
    params.update(overrides)
    return params


def wsman(krb, **options):
    settings = dict(port=int(krb['PCHAT_PSRP_PORT']), path='wsman', ssl=True, auth='kerberos',
                    cert_validation=krb['PCHAT_PSRP_CA_FILE'], no_proxy=True, connection_timeout=10,
                    read_timeout=20, operation_timeout=10)
    settings.update(options)
    return WSMan(krb['PCHAT_PSRP_HOST'], **settings)


def get_cs_pool(pool):
    """``Import-Module Lync`` on /wsman, then ``Get-CsPool``: the pools' identities."""
    ps = PowerShell(pool)
    ps.add_cmdlet('Import-Module').add_parameter('Name', 'Lync')
    ps.invoke()
    assert not ps.had_errors and not ps.streams.error
    ps = PowerShell(pool)
    ps.add_cmdlet('Get-CsPool')
    output = ps.invoke()
    assert not ps.had_errors and not ps.streams.error
    return [str(item) for item in output]


def request_log_users(lab_dir, since):
    users = []
    with open(os.path.join(lab_dir, 'psrp-requests.jsonl')) as handle:
        for line in handle:
            entry = json.loads(line)
            if entry.get('ts', 0) >= since and entry.get('cmdlets'):
                users.append(entry['user'])
    return users


def emulator_log(lab_dir):
    with open(os.path.join(lab_dir, 'emulator', 'emulator.log'), errors='replace') as handle:
        return handle.read()


def module_environment(krb, ccache=None, keytab=False, **extra):
    """PCHAT_* of connection-kerberos.json without the emptied user/password variables, and KRB5_*: the ticket
    cache ``ccache`` and/or the client keytab. No password in it."""
    env = dict((k, v) for k, v in krb['env'].items() if k.startswith('PCHAT_') and v)
    env['KRB5_CONFIG'] = krb['KRB5_CONFIG']
    env['KRB5CCNAME'] = ccache or 'MEMORY:pchat-test'
    if keytab:
        env['KRB5_CLIENT_KTNAME'] = 'FILE:' + krb['keytab']
    env.update(extra)
    return env


def check_module_run(krb, result, args, env):
    """A module run with Kerberos: nothing failed, no password in its arguments, its environment or its output."""
    assert not result.failed, result
    full_env = dict(os.environ, **env)
    for key, value in full_env.items():
        assert not (key.startswith('PCHAT_') and 'PASSWORD' in key and value), '%s is set for a Kerberos run' % key
    assert not any('password' in key for key in args)
    assert_no_secret(krb['secrets'], json.dumps(args), json.dumps(full_env), result.stdout, result.stderr)


def remove_spns(admin, dn, spns):
    """Take SPNs off an account for a while (a context manager's worth: callers put them back in finally)."""
    assert admin.modify(dn, {'servicePrincipalName': [(ldap3.MODIFY_DELETE, spns)]}), admin.result


def restore_spns(admin, dn, spns):
    assert admin.modify(dn, {'servicePrincipalName': [(ldap3.MODIFY_ADD, spns)]}), admin.result


# -- fixtures --------------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def krb(lab):
    """The lab's Kerberos client side: connection-kerberos.json, its keytab, its passwords (to look for)."""
    lab_dir = lab['LAB_DIR']
    with open(os.path.join(lab_dir, 'connection-kerberos.json')) as handle:
        env = json.load(handle)
    values = dict(env)
    values.update(env=env, lab_dir=lab_dir, secrets=secrets_of(lab_dir),
                  keytab=env['KRB5_CLIENT_KTNAME'].split(':', 1)[1], lab=lab)
    yield values
    for argv in COMMANDS:
        assert_no_secret(values['secrets'], ' '.join(argv))


@pytest.fixture(autouse=True)
def clean_kerberos_environment(monkeypatch):
    """Neither the test process nor the modules it starts see a password or another Kerberos set-up."""
    for name in list(os.environ):
        if name.startswith('PCHAT_') or name in KRB5_VARIABLES:
            monkeypatch.delenv(name)


@pytest.fixture(scope='module')
def ticket_cache(krb, tmp_path_factory):
    """A ticket cache filled by ``kinit -k -t`` from the lab's keytab."""
    return kinit(krb, str(tmp_path_factory.mktemp('krb') / 'krb5cc'))


@pytest.fixture
def use_cache(monkeypatch, krb, ticket_cache):
    """This process's Kerberos client: the lab's krb5.conf and the kinit'ed cache (no keytab)."""
    monkeypatch.setenv('KRB5_CONFIG', krb['KRB5_CONFIG'])
    monkeypatch.setenv('KRB5CCNAME', ticket_cache)
    return ticket_cache


@pytest.fixture(scope='module')
def admin(krb):
    """The lab's directory through a simple bind as Administrator (the tests' independent view)."""
    view = LabDirectory(krb['lab'])
    yield view.conn
    view.conn.unbind()


@pytest.fixture(scope='module')
def default_mode(krb):
    """The emulator in its default mode (Negotiate: Kerberos or NTLM)."""
    lab_up(krb['lab_dir'], 'negotiate')


@pytest.fixture(scope='module')
def kerberos_only(krb):
    """The lab's emulator restarted with LAB_PSRP_AUTH=kerberos for the tests below; back to its default after."""
    took = lab_up(krb['lab_dir'], 'kerberos')
    print('\nlab up with LAB_PSRP_AUTH=kerberos: %.1f s' % took)
    yield
    lab_up(krb['lab_dir'], 'negotiate')


# -- the lab's realm -------------------------------------------------------------------------------------------
def listeners(port):
    """Local addresses listening on TCP ``port`` (from /proc/net/tcp)."""
    found = []
    with open('/proc/net/tcp') as handle:
        for line in handle.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(':')
            if state == '0A' and int(hex_port, 16) == port:
                found.append('.'.join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_the_lab_writes_a_kerberos_client_set_up_without_any_password(krb):
    lab_ip = urlsplit(krb['PCHAT_LDAP_URL']).hostname
    with open(krb['KRB5_CONFIG']) as handle:
        conf = handle.read()
    for line in ('default_realm = CONTOSO.COM', 'kdc = %s' % lab_ip, 'rdns = false',
                 'dns_canonicalize_hostname = false', '%s = CONTOSO.COM' % lab_ip):
        assert line in conf
    for path in (krb['keytab'], os.path.join(krb['lab_dir'], 'emulator', 'lyncfe01.keytab'),
                 os.path.join(krb['lab_dir'], 'connection-kerberos.env'),
                 os.path.join(krb['lab_dir'], 'connection-kerberos.json')):
        assert os.stat(path).st_mode & 0o777 == 0o600, path
    keytab = run(['klist', '-k', krb['keytab']], timeout=30).stdout
    assert PRINCIPAL in keytab and '@' in keytab
    env = krb['env']
    assert env['PCHAT_LDAP_BIND_METHOD'] == 'kerberos' and env['PCHAT_PSRP_AUTH'] == 'kerberos'
    assert env['PCHAT_LDAP_BIND_PASSWORD'] == env['PCHAT_PSRP_PASSWORD'] == env['PCHAT_LDAP_BIND_DN'] == ''
    with open(os.path.join(krb['lab_dir'], 'connection-kerberos.env')) as handle:
        assert_no_secret(krb['secrets'], handle.read(), json.dumps(env))
    # the KDC listens on this lab's address only (bind interfaces only), so other labs' KDCs can coexist
    kdcs = listeners(88)
    assert lab_ip in kdcs and '0.0.0.0' not in kdcs


def test_the_service_principals_the_clients_ask_for_are_registered(krb, admin):
    lab_ip = urlsplit(krb['PCHAT_LDAP_URL']).hostname
    admin.search(DC_DN, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['servicePrincipalName'])
    dc = set(s.lower() for s in admin.response[0]['attributes']['servicePrincipalName'])
    admin.search(FRONT_END_DN, '(objectClass=*)', search_scope=ldap3.BASE,
                 attributes=['servicePrincipalName', 'dNSHostName'])
    front_end = admin.response[0]['attributes']
    spns = set(s.lower() for s in front_end['servicePrincipalName'])
    assert {'ldap/dc01.contoso.com', 'ldap/%s' % lab_ip} <= dc
    assert {'host/lyncfe01.contoso.com', 'host/%s' % lab_ip, 'wsman/lyncfe01.contoso.com', 'http/%s' % lab_ip} <= spns
    assert front_end['dNSHostName'] in ('lyncfe01.contoso.com', ['lyncfe01.contoso.com'])


def test_kinit_from_the_keytab_needs_no_password(krb, ticket_cache):
    kinits = [argv for argv in COMMANDS if argv[0] == 'kinit']
    assert kinits and all(argv[:3] == ['kinit', '-k', '-t'] for argv in kinits)
    listed = run(['klist'], env=dict(os.environ, KRB5_CONFIG=krb['KRB5_CONFIG'], KRB5CCNAME=ticket_cache)).stdout
    assert PRINCIPAL in listed


# -- the emulator in its default mode: Negotiate takes Kerberos as well as NTLM ---------------------------------
def test_default_negotiate_accepts_kerberos_and_ntlm(krb, default_mode, use_cache):
    since = time.time()
    with RunspacePool(wsman(krb, auth='negotiate')) as pool:  # no user, no password: the ticket
        assert 'pcpool.contoso.com' in get_cs_pool(pool)
    lab = krb['lab']
    with RunspacePool(wsman(krb, auth='ntlm', username=lab['PCHAT_PSRP_USERNAME'],
                            password=lab['PCHAT_PSRP_PASSWORD'])) as pool:
        assert 'pcpool.contoso.com' in get_cs_pool(pool)
    assert request_log_users(krb['lab_dir'], since) == ['CONTOSO\\lyncadmin'] * 4


def test_a_kerberos_token_bound_to_another_tls_channel_is_refused(krb, default_mode, use_cache):
    """Channel binding as for NTLM: MIT krb5 refuses an authenticator bound to another channel (a relay); one with
    no binding at all passes (MIT's rule)."""
    url = 'https://%s:%s/wsman' % (krb['PCHAT_PSRP_HOST'], krb['PCHAT_PSRP_PORT'])
    ours = emulator_auth.certificate_binding(os.path.join(krb['lab_dir'], 'tls', 'emulator.pem'))
    statuses = {}
    for name, application_data in (('ours', ours), ('another', b'tls-server-end-point:' + b'\x00' * 32),
                                   ('none', None)):
        bindings = None if application_data is None else spnego.channel_bindings.GssChannelBindings(
            application_data=application_data)
        client = spnego.client(hostname=krb['PCHAT_PSRP_HOST'], service='host', protocol='kerberos',
                               channel_bindings=bindings)
        statuses[name] = requests.post(url, data=b'<not-soap/>', verify=krb['PCHAT_PSRP_CA_FILE'], timeout=10, headers={
            'Authorization': 'Negotiate ' + base64.b64encode(client.step()).decode(),
            'Content-Type': 'application/soap+xml;charset=UTF-8'}).status_code
    assert statuses == {'ours': 400, 'another': 401, 'none': 400}  # 400: authenticated, the body is no request


def test_pool_open_times_kerberos_and_ntlm(krb, default_mode, use_cache):
    lab = krb['lab']
    times = {}
    ntlm = dict(auth='ntlm', username=lab['PCHAT_PSRP_USERNAME'], password=lab['PCHAT_PSRP_PASSWORD'])
    for name, options in (('kerberos', {}), ('ntlm', ntlm)):
        samples = []
        for _round in range(10):
            started = time.monotonic()
            pool = RunspacePool(wsman(krb, **options))
            pool.open()
            samples.append(time.monotonic() - started)
            pool.close()
        times[name] = median_ms(samples)
    print('\nrunspace pool open (new connection, authentication included), median of 10: kerberos %.0f ms, '
          'ntlm %.0f ms' % (times['kerberos'], times['ntlm']))
    assert times['kerberos'] < 2000 and times['ntlm'] < 2000


# -- the directory over SASL/GSSAPI ----------------------------------------------------------------------------
def test_directory_binds_with_gssapi_and_searches(krb, admin, use_cache):
    lab_ip = urlsplit(krb['PCHAT_LDAP_URL']).hostname
    admin.search(LYNC_ADMIN_DN, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['objectSid'])
    lync_admin_sid = admin.response[0]['raw_attributes']['objectSid'][0]
    for params in (kerberos_params(krb),
                   kerberos_params(krb, ldap_bind_dn=PRINCIPAL),
                   kerberos_params(krb, ldap_url='ldap://%s' % lab_ip, ldap_start_tls=True)):
        with Directory(params) as directory:
            users = list(directory.search(directory.search_base, '(sAMAccountName=OCSChat)', ['sAMAccountName']))
            assert [u['dn'] for u in users] == ['CN=OCSChat,CN=Users,DC=contoso,DC=com']
            # who the directory thinks we are: the rootDSE's tokenGroups starts with the bound user's SID
            root = list(directory.search('', '(objectClass=*)', ['tokenGroups'], scope='base'))
            assert lync_admin_sid in root[0]['raw_attributes']['tokenGroups']


def test_directory_bind_time_gssapi_and_simple(krb, use_cache):
    lab = krb['lab']
    simple = {'ldap_url': lab['PCHAT_LDAP_URL'], 'ldap_ca_file': lab['PCHAT_LDAP_CA_FILE'], 'ldap_bind_dn': lab['PCHAT_LDAP_BIND_DN'],
              'ldap_bind_password': lab['PCHAT_LDAP_BIND_PASSWORD'], 'ldap_validate_certs': True, 'ldap_timeout': 10}
    times = {}
    for name, params in (('gssapi', kerberos_params(krb)), ('simple', simple)):
        samples = []
        for _round in range(20):
            started = time.monotonic()
            Directory(params).close()
            samples.append(time.monotonic() - started)
        times[name] = median_ms(samples)
    print('\nLDAPS connect + bind, median of 20: gssapi %.1f ms (service ticket cached), simple %.1f ms'
          % (times['gssapi'], times['simple']))
    assert times['gssapi'] < 1000


def test_a_kerberos_bind_takes_its_ticket_from_the_client_keytab_alone(krb, monkeypatch):
    monkeypatch.setenv('KRB5_CONFIG', krb['KRB5_CONFIG'])
    monkeypatch.setenv('KRB5CCNAME', 'MEMORY:keytab-only')
    monkeypatch.setenv('KRB5_CLIENT_KTNAME', 'FILE:' + krb['keytab'])
    started = time.monotonic()
    with Directory(kerberos_params(krb)) as directory:
        assert directory.exists('CN=OCSChat,CN=Users,DC=contoso,DC=com')
    print('\nGSSAPI bind with a ticket from the client keytab (AS + TGS + bind): %.0f ms'
          % (1000 * (time.monotonic() - started)))


@pytest.mark.parametrize('overrides, words', [
    ({'ldap_bind_password': 'Not-used-1'}, ['never uses a password', 'PCHAT_LDAP_BIND_PASSWORD']),
    ({'ldap_bind_dn': 'CN=Administrator,CN=Users,DC=contoso,DC=com'}, ['user@REALM', 'not']),
    ({'ldap_url': 'ldap://192.0.2.1'}, ['refusing a Kerberos bind over plain', 'ldap_start_tls']),
])
def test_kerberos_bind_settings_that_cannot_be_right_are_refused_before_connecting(krb, overrides, words):
    with pytest.raises(PchatError) as raised:
        Directory(kerberos_params(krb, **overrides))
    for word in words:
        assert word in raised.value.msg


# -- the emulator with NTLM switched off ------------------------------------------------------------------------
def test_kerberos_only_emulator_runs_get_cspool_with_a_ticket(krb, kerberos_only, use_cache):
    since = time.time()
    with RunspacePool(wsman(krb)) as pool:
        assert 'pcpool.contoso.com' in get_cs_pool(pool)
    with RunspacePool(wsman(krb, path='OcsPowershell')) as pool:  # Lync's own endpoint: the cmdlets at once
        ps = PowerShell(pool)
        ps.add_cmdlet('Get-CsPool')
        assert 'pcpool.contoso.com' in [str(item) for item in ps.invoke()]
    assert request_log_users(krb['lab_dir'], since) == ['CONTOSO\\lyncadmin'] * 3


def test_lab_status_probes_a_kerberos_only_emulator_with_a_ticket(krb, kerberos_only):
    """`lab status` run without LAB_PSRP_AUTH still logs on the way the running emulator wants (emulator.json)."""
    env = dict(os.environ, LAB_DIR=krb['lab_dir'])
    env.pop('LAB_PSRP_AUTH', None)
    status = run([sys.executable, '-m', 'lab', 'status'], env=env, timeout=60)
    assert 'answering' in status.stdout and 'NOT answering' not in status.stdout


def test_kerberos_only_emulator_refuses_ntlm(krb, kerberos_only, monkeypatch):
    lab = krb['lab']
    credentials = dict(username=lab['PCHAT_PSRP_USERNAME'], password=lab['PCHAT_PSRP_PASSWORD'])
    refusal = 'NTLM refused: this listener accepts Kerberos only'
    refused_before = emulator_log(krb['lab_dir']).count(refusal)
    # no ticket and no realm: negotiate can only fall back to NTLM
    monkeypatch.setenv('KRB5CCNAME', 'MEMORY:no-ticket')
    for auth in ('ntlm', 'negotiate'):
        with pytest.raises(AuthenticationError):
            RunspacePool(wsman(krb, auth=auth, **credentials)).open()
    # on the wire: an NTLM token (bare, then inside SPNEGO) gets a 401 with no challenge, offering Kerberos
    url = 'https://%s:%s/wsman' % (krb['PCHAT_PSRP_HOST'], krb['PCHAT_PSRP_PORT'])
    for protocol in ('ntlm', 'negotiate'):
        token = spnego.client(credentials['username'], credentials['password'], protocol=protocol).step()
        reply = requests.post(url, data=b'<x/>', verify=krb['PCHAT_PSRP_CA_FILE'], timeout=10, headers={
            'Authorization': 'Negotiate ' + base64.b64encode(token).decode(),
            'Content-Type': 'application/soap+xml;charset=UTF-8'})
        assert reply.status_code == 401
        assert reply.headers['WWW-Authenticate'] == 'Negotiate, Kerberos'  # no NTLM challenge in it
    assert emulator_log(krb['lab_dir']).count(refusal) - refused_before == 4


def test_kerberos_only_emulator_takes_a_bare_kerberos_token_under_either_scheme(krb, kerberos_only, use_cache):
    url = 'https://%s:%s/wsman' % (krb['PCHAT_PSRP_HOST'], krb['PCHAT_PSRP_PORT'])
    bindings = spnego.channel_bindings.GssChannelBindings(application_data=emulator_auth.certificate_binding(
        os.path.join(krb['lab_dir'], 'tls', 'emulator.pem')))
    for scheme in ('Kerberos', 'Negotiate'):
        client = spnego.client(hostname=krb['PCHAT_PSRP_HOST'], service='host', protocol='kerberos',
                               channel_bindings=bindings)
        reply = requests.post(url, data=b'<not-soap/>', verify=krb['PCHAT_PSRP_CA_FILE'], timeout=10, headers={
            'Authorization': '%s %s' % (scheme, base64.b64encode(client.step()).decode()),
            'Content-Type': 'application/soap+xml;charset=UTF-8'})
        assert reply.status_code == 400  # authenticated; the body is no WS-Management request
        answer_scheme, _sep, token = reply.headers['WWW-Authenticate'].partition(' ')
        assert answer_scheme == scheme  # mutual authentication: the AP-REP under the client's scheme
        client.step(base64.b64decode(token))
        assert client.complete


def test_kerberos_only_emulator_lets_in_the_lab_administrator_only(krb, kerberos_only, tmp_path, monkeypatch):
    """Administrator has a valid ticket too, but is not an account of the emulator's user file."""
    keytab = str(tmp_path / 'administrator.keytab')
    smb_conf = os.path.join(krb['lab_dir'], 'samba', 'etc', 'smb.conf')
    run(['samba-tool', 'domain', 'exportkeytab', keytab, '--principal=Administrator@CONTOSO.COM', '-s', smb_conf])
    os.chmod(keytab, 0o600)
    monkeypatch.setenv('KRB5_CONFIG', krb['KRB5_CONFIG'])
    monkeypatch.setenv('KRB5CCNAME', 'MEMORY:administrator')
    monkeypatch.setenv('KRB5_CLIENT_KTNAME', 'FILE:' + keytab)
    with pytest.raises(AuthenticationError):
        RunspacePool(wsman(krb)).open()
    assert 'kerberos authenticated Administrator@CONTOSO.COM, which is not an account' in emulator_log(krb['lab_dir'])


# -- the collection's modules with Kerberos for both LDAP and PSRP, no password anywhere -------------------------
@pytest.mark.parametrize('source', ['kinit', 'keytab'])
def test_modules_run_with_kerberos_for_ldap_and_psrp_and_no_password(krb, kerberos_only, ticket_cache, source):
    env = module_environment(krb, ticket_cache) if source == 'kinit' else module_environment(krb, keytab=True)
    since = time.time()
    args = {'fqdns': ['pcpool.contoso.com', 'gc.contoso.com']}
    started = time.monotonic()
    pools = run_module('chat_pool_info', args, env=env)
    pools_took = time.monotonic() - started
    check_module_run(krb, pools, args, env)
    assert [p['fqdn'] for p in pools['pools']] == args['fqdns']
    assert pools['pools'][0]['kind'] == 'persistent_chat_2013' and pools['pools'][1]['kind'] == 'group_chat_2010'
    assert set(request_log_users(krb['lab_dir'], since)) == {'CONTOSO\\lyncadmin'}

    args = {'sip_addresses': ['sip:OCSChat@contoso.com', 'sip:nobody-%d@contoso.com' % os.getpid()]}
    started = time.monotonic()
    owners = run_module('sip_address_info', args, env=env)
    owners_took = time.monotonic() - started
    check_module_run(krb, owners, args, env)
    assert owners['owners']['sip:OCSChat@contoso.com']['dns'] == ['CN=OCSChat,CN=Users,DC=contoso,DC=com']
    assert owners['owners'][args['sip_addresses'][1]]['kind'] == 'none'
    print('\nmodules with Kerberos (%s): chat_pool_info %.2f s, sip_address_info %.2f s (process start included)'
          % (source, pools_took, owners_took))


def test_unit_lock_and_a_module_holding_the_lease_work_with_kerberos(krb, ticket_cache):
    """The lease taken, held by a module of the run (its lease keeper binds with GSSAPI from the same cache: it
    renews the lease, naming itself) and released."""
    env = module_environment(krb, ticket_cache)
    container = new_container()
    view = LabDirectory(krb['lab'])
    try:
        args = {'name': 'gc.contoso.com', 'container': container, 'lease_seconds': 30}
        taken = run_module('unit_lock', args, env=env)
        check_module_run(krb, taken, args, env)
        lease_dn = 'CN=gc.contoso.com,%s' % container
        assert view.lease(lease_dn) == taken['holder']
        time.sleep(1.1)
        read = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'lease': taken['lease']},
                          env=env)
        assert not read.failed, read
        held = view.lease(lease_dn)
        assert held['run'] == taken['holder']['run'] and held['expires'] > taken['holder']['expires'] and held['worker']
        released = run_module('unit_lock', dict(args, state='released', lease=taken['lease']), env=env)
        check_module_run(krb, released, args, env)
        assert released['released'] is True and view.value(lease_dn) is None
    finally:
        view.delete_tree(container)
        view.conn.unbind()


# -- Kerberos failures name their fix ---------------------------------------------------------------------------
def failure_messages(krb, env):
    """The directory's and PowerShell remoting's failure with ``env``: two module results."""
    ldap = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com']}, env=env)
    psrp = run_module('chat_pool_info', {'fqdns': ['pcpool.contoso.com']}, env=env)
    for result in (ldap, psrp):
        assert result.failed, result
        assert_no_secret(krb['secrets'], result.stdout, result.stderr)
    return ldap['msg'], psrp['msg']


def test_no_ticket_says_how_to_get_one(krb, kerberos_only):
    for message in failure_messages(krb, module_environment(krb, 'MEMORY:empty')):
        assert 'there is no Kerberos ticket' in message and 'kinit -k -t' in message
        assert 'KRB5_CLIENT_KTNAME' in message and 'KRB5CCNAME=MEMORY:empty' in message


def test_an_unreachable_kdc_is_named(krb, kerberos_only, tmp_path):
    lab_ip = urlsplit(krb['PCHAT_LDAP_URL']).hostname
    with open(krb['KRB5_CONFIG']) as handle:
        conf = handle.read().replace('kdc = %s\n' % lab_ip, 'kdc = %s:1\n' % lab_ip)  # nothing listens there
    bad = tmp_path / 'krb5.conf'
    bad.write_text(conf)
    env = module_environment(krb, keytab=True, KRB5_CONFIG=str(bad))
    for message in failure_messages(krb, env):
        assert 'no KDC of the realm answered' in message and 'port 88' in message and str(bad) in message


def test_a_missing_service_principal_is_named_with_setspn(krb, kerberos_only, admin):
    lab_ip = urlsplit(krb['PCHAT_LDAP_URL']).hostname
    taken = [(DC_DN, ['ldap/%s' % lab_ip]), (FRONT_END_DN, ['HOST/%s' % lab_ip])]
    for dn, spns in taken:
        remove_spns(admin, dn, spns)
    try:
        ldap, psrp = failure_messages(krb, module_environment(krb, keytab=True))  # a fresh cache: TGS needed
    finally:
        for dn, spns in taken:
            restore_spns(admin, dn, spns)
    assert 'knows no service principal ldap/%s' % lab_ip in ldap and 'setspn -S ldap/%s' % lab_ip in ldap
    assert 'knows no service principal host/%s' % lab_ip in psrp and 'setspn -S host/%s' % lab_ip in psrp


def test_clock_skew_is_named(krb, kerberos_only, tmp_path):
    """A ticket cache filled at the right time, then a controller whose clock jumped an hour (libfaketime)."""
    libraries = glob.glob('/usr/lib/*/faketime/libfaketime.so.1')
    assert libraries and shutil.which('faketime'), 'libfaketime is missing: make setup installs it (faketime)'
    ccache = kinit(krb, str(tmp_path / 'krb5cc'))
    env = module_environment(krb, ccache, LD_PRELOAD=libraries[0], FAKETIME='+1h', FAKETIME_DONT_FAKE_MONOTONIC='1')
    for message in failure_messages(krb, env):
        assert 'clocks of this controller and the domain differ' in message and 'NTP' in message
