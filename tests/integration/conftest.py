# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration fixtures: the lab (real Samba AD and the Lync emulator, brought up once per session, `LAB_DIR` and
`LAB_IP` from the environment), module runs as Ansible makes them with the lab's connection.json as their
environment (so pypsrp reaches the emulator over HTTPS/NTLM and ldap3 reaches Samba over LDAPS), the lab reset
between tests that change it, and independent observers (plain ldap3, ``lab inspect``, the request log)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import ssl
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import ldap3
import pytest

from lab_observer import LabObserver, RequestLog
from lab_reset import LabReset
from module_runner import run_module

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET_KEYS = ('PCHAT_LDAP_BIND_PASSWORD', 'PCHAT_PSRP_PASSWORD')
CHANGING_CMDLETS_CONFIRM_EXEMPT = ('set-service',)  # Windows PowerShell's Set-Service prompts only on -Confirm
# How often one read may be sent between two changes of a module run: once, or once per object of its kind in the
# lab (the log has parameter names, not values): 4 Persistent Chat computers, 5 Group Chat computers (3 Group Chat
# servers, 2 compliance servers), 2 pools of each kind; 2 folders listed (a Group Chat file repository, a file
# store). Get-CsAdUser is a poll (the wait for AD replication).
READ_BOUNDS = {'Get-CsWindowsService': 4, 'Get-WmiObject': 5, 'Get-CsTrustedApplicationPool': 2,
               'Get-CsTrustedApplicationComputer': 2, 'Get-CsPersistentChatState': 2, 'Get-CsPersistentChatRoom': 2,
               'Get-CsPersistentChatCategory': 2, 'Get-CsPersistentChatEndpoint': 2, 'Test-CsPersistentChatMessage': 2,
               'Get-ChildItem': 2, 'Get-CsAdUser': 10 ** 6}


@pytest.fixture(scope='session')
def lab():
    """Bring the lab up (reuses a healthy one) and return its PCHAT_* connection variables (and LAB_DIR)."""
    lab_dir = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(REPO_ROOT, '.lab'))
    env = dict(os.environ, LAB_DIR=lab_dir)
    proc = subprocess.run([sys.executable, '-m', 'lab', 'up'], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, 'lab up failed:\n%s%s' % (proc.stdout, proc.stderr)
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        values = json.load(handle)
    values['LAB_DIR'] = lab_dir
    return values


@pytest.fixture(scope='session')
def lab_env(lab):
    """Environment for module runs: the connection comes from the PCHAT_* fallbacks, as in a playbook."""
    return dict((k, v) for k, v in lab.items() if k.startswith('PCHAT_'))


@pytest.fixture(scope='session')
def lab_secrets(lab):
    with open(os.path.join(lab['LAB_DIR'], 'lab-state.json')) as handle:
        test_user_password = json.load(handle)['test_user_password']
    return [lab[key] for key in SECRET_KEYS] + [test_user_password]


class ModuleRunner(object):
    """``run(name, args, check_mode=False, diff=False, env=None)``: a module run (tests/module_runner.py) with the
    lab's environment; the result carries ``.requests``, the emulator's request log lines of that run. Every run
    is checked for what must hold for any run: no secret of the lab in its output, at most one runspace pool
    (opened and closed), no read repeated between two changes beyond READ_BOUNDS, and ``-Confirm:$false`` on every
    changing Lync cmdlet."""

    def __init__(self, env, log, secrets):
        self.env = env
        self.log = log
        self.secrets = secrets

    def __call__(self, name, args, check_mode=False, diff=False, env=None, timeout=120):
        offset = self.log.offset()
        result = run_module(name, args, check_mode=check_mode, diff=diff, env=dict(self.env, **(env or {})),
                            timeout=timeout)
        result.requests = self.log.since(offset)
        self.check(name, result)
        return result

    def check(self, name, result):
        output = result.stdout + result.stderr
        for secret in self.secrets:
            assert secret not in output, '%s printed a secret of the lab' % name
        requests = result.requests
        assert len(requests.runspaces) <= 1, '%s opened %d runspace pools' % (name, len(requests.runspaces))
        if requests.runspaces:
            assert (requests.opened(), requests.closed()) == (1, 1), requests.events
        assert requests.repeated_reads(READ_BOUNDS) == [], '%s read a listing twice' % name
        for pipeline in requests.changing():
            for cmdlet, names in zip(pipeline['cmdlets'], pipeline['parameters']):
                if cmdlet.lower() not in CHANGING_CMDLETS_CONFIRM_EXEMPT:
                    assert 'Confirm' in names, '%s sent %s without -Confirm:$false' % (name, cmdlet)


@pytest.fixture(scope='session')
def request_log(lab):
    return RequestLog(os.path.join(lab['LAB_DIR'], 'psrp-requests.jsonl'))


@pytest.fixture(scope='session')
def run(lab_env, request_log, lab_secrets):
    return ModuleRunner(lab_env, request_log, lab_secrets)


@pytest.fixture(scope='session')
def observer(lab):
    return LabObserver(lab)


@pytest.fixture(scope='session')
def lab_reset(lab):
    """The lab reset as seeded (lab/reset.py); put back so at the end of the session too."""
    reset = LabReset(lab['LAB_DIR'])
    reset.restore()
    yield reset
    reset.restore()
    reset.close()


@pytest.fixture
def clean_lab(lab_reset, observer):
    """For tests that change the lab: it starts as `lab up` left it (knobs at their defaults)."""
    lab_reset.restore()
    return observer


@pytest.fixture(scope='session')
def ldap_admin(lab):
    """An LDAP connection of our own (plain ldap3, not the collection's client) for independent checks."""
    url = urlsplit(lab['PCHAT_LDAP_URL'])
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab['PCHAT_LDAP_CA_FILE'])
    server = ldap3.Server(url.hostname, port=url.port or 636, use_ssl=True, tls=tls)
    conn = ldap3.Connection(server, lab['PCHAT_LDAP_BIND_DN'], lab['PCHAT_LDAP_BIND_PASSWORD'], auto_bind=True,
                            raise_exceptions=False)
    yield conn
    conn.unbind()


class Directory(object):
    """Small independent read helpers over ldap_admin."""

    def __init__(self, conn):
        self.conn = conn

    def entry(self, dn, attributes=('*',)):
        if not self.conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=list(attributes)):
            return None
        return self.conn.response[0]

    def exists(self, dn):
        return self.entry(dn, ('1.1',)) is not None

    def attribute(self, dn, name):
        entry = self.entry(dn, (name,))
        if entry is None:
            return None
        values = entry['attributes'].get(name)
        if isinstance(values, list):
            return values[0] if values else None
        return values

    def children(self, base):
        self.conn.search(base, '(objectClass=*)', search_scope=ldap3.LEVEL, attributes=['1.1'])
        return sorted(r['dn'] for r in self.conn.response if r.get('type') == 'searchResEntry')

    def raw(self, dn, name):
        entry = self.entry(dn, (name,))
        return entry['raw_attributes'][name][0] if entry else None

    def delete(self, dn):
        assert self.conn.delete(dn), self.conn.result

    def delete_tree(self, dn):
        for child in self.children(dn):
            self.delete_tree(child)
        self.conn.delete(dn)


@pytest.fixture(scope='session')
def directory(ldap_admin):
    return Directory(ldap_admin)


@pytest.fixture
def test_ou(ldap_admin, directory):
    """A fresh OU under the domain root, removed with everything in it after the test."""
    dn = 'OU=pytest-%s,DC=contoso,DC=com' % uuid.uuid4().hex[:10]
    assert ldap_admin.add(dn, ['top', 'organizationalUnit']), ldap_admin.result
    yield dn
    directory.delete_tree(dn)


@pytest.fixture
def unique():
    """A short unique token for names (sAMAccountName allows 20 characters)."""
    return uuid.uuid4().hex[:8]
