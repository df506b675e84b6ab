# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the Lync emulator's shell, tested in-process through ``Shell.run`` with ``CollectingStreams`` and a
real ``Session``, against the lab's real Samba AD; and of the transport tests: one private emulator process per
session (harness.py), reached with the real pypsrp client.

Each test gets a scratch lab folder (``scratch``): a copy of the lab's store, its own knobs and file system, the
lab's directory credentials. The store copy starts from the lab's initial state; directory objects a test creates
under CN=Application Contacts are removed after it. Set LAB_DIR and LAB_IP as for `python -m lab up`."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import sys

import ldap3
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from lab import file_stores, names, platform_seed  # noqa: E402
from lab.emulator import store as store_mod, winpath  # noqa: E402
from lab.emulator.api import PATH_OCS, PATH_WSMAN, Command, CollectingStreams, Session, TerminatingError  # noqa
from lab.emulator.shell import Shell  # noqa: E402
from tests.emulator import harness  # noqa: E402


@pytest.fixture(scope='session')
def lab_dir():
    """The lab, brought up (or reused) once per session."""
    path = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(REPO_ROOT, '.lab'))
    proc = subprocess.run([sys.executable, '-m', 'lab', 'up'], cwd=REPO_ROOT, env=dict(os.environ, LAB_DIR=path),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, 'lab up failed:\n%s%s' % (proc.stdout, proc.stderr)
    return path


@pytest.fixture(scope='session')
def ldap(lab_dir):
    """An LDAP connection of the tests' own (plain ldap3), for set-up and independent checks."""
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        values = json.load(handle)
    with open(os.path.join(lab_dir, 'lab-state.json')) as handle:
        password = json.load(handle)['admin_password']
    host = values['PCHAT_LDAP_URL'].split('//', 1)[1].split(':')[0]
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=values['PCHAT_LDAP_CA_FILE'])
    conn = ldap3.Connection(ldap3.Server(host, port=636, use_ssl=True, tls=tls), names.ADMIN_DN, password,
                            auto_bind=True, raise_exceptions=False)
    yield conn
    conn.unbind()


CONTACT_ATTRIBUTES = ['displayName', 'msRTCSIP-PrimaryUserAddress', 'msRTCSIP-UserEnabled',
                      'msRTCSIP-PrimaryHomeServer', 'msRTCSIP-OwnerUrn']


def contacts(ldap):
    """{DN: attributes} of the contacts under CN=Application Contacts."""
    ldap.search(names.APPLICATION_CONTACTS_DN, '(objectClass=contact)', search_scope=ldap3.LEVEL,
                attributes=CONTACT_ATTRIBUTES)
    return dict((r['dn'], dict((k, v) for k, v in r['attributes'].items() if v not in ([], None, '')))
                for r in ldap.response if r.get('type') == 'searchResEntry')


def reset_chat_state(conn):
    """The lab's initial state in a store copy: targets empty, services, computers and pool states as seeded."""
    for (pool,) in conn.execute("SELECT fqdn FROM pools WHERE role = 'PersistentChatServer'").fetchall():
        store_mod.wipe_chat_data(conn, pool)
    platform_seed.restore_topology_state(conn)


@pytest.fixture
def scratch(lab_dir, ldap, tmp_path):
    """A lab folder of the test's own that shares the lab's directory."""
    path = str(tmp_path / 'lab')
    os.makedirs(path)
    for name in ('lab-state.json', 'connection.json'):
        shutil.copy(os.path.join(lab_dir, name), os.path.join(path, name))
    source = sqlite3.connect(os.path.join(lab_dir, 'platform.sqlite'))
    target = sqlite3.connect(os.path.join(path, 'platform.sqlite'))
    source.backup(target)
    source.close()
    target.close()
    conn = store_mod.open_store(os.path.join(path, 'platform.sqlite'))
    reset_chat_state(conn)
    platform_seed.set_frontend(conn, 'lync2013')  # whatever the lab presents now, a scratch lab is Lync Server 2013
    conn.close()
    winpath.ensure_standard_folders(path)
    file_stores.ensure(path)
    before = contacts(ldap)
    yield path
    after = contacts(ldap)
    for dn in set(after) - set(before):
        ldap.delete(dn)
    for dn in set(before) - set(after):  # a test removed one of the lab's endpoints: put it back
        attributes = dict((k, v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in before[dn].items())
        assert ldap.add(dn, ['top', 'person', 'organizationalPerson', 'contact'], attributes), ldap.result


@pytest.fixture
def shell(scratch):
    instance = Shell(scratch)
    yield instance
    instance.close()


class Result(object):
    def __init__(self, streams, failure):
        self.outputs = streams.outputs
        self.errors = streams.errors
        self.warnings = streams.warnings
        self.verbose = streams.verbose_messages
        self.failure = failure  # the terminating ErrorRecord, or None

    @property
    def ok(self):
        return self.failure is None

    def __repr__(self):
        return 'Result(failure=%r, errors=%r, warnings=%r, outputs=%d)' % (
            self.failure, self.errors, self.warnings[:3], len(self.outputs))


class Runner(object):
    """Runs pipelines on one session: ``run('Get-CsPool', Identity='x')`` or ``pipeline([...])``."""

    def __init__(self, shell, session):
        self.shell = shell
        self.session = session
        shell.open_session(session)

    def pipeline(self, commands, input_objects=()):
        streams = CollectingStreams()
        try:
            self.shell.run(self.session, commands, list(input_objects), streams)
        except TerminatingError as exc:
            return Result(streams, exc.record)
        return Result(streams, None)

    def run(self, name, *arguments, **parameters):
        """Parameters in the order given; a value of ``None`` is a bare switch."""
        return self.pipeline([Command(name, list(parameters.items()), list(arguments))])

    def params(self, name, parameters, arguments=()):
        """Parameters as a list of (name, value), for names Python keywords cannot spell."""
        return self.pipeline([Command(name, parameters, list(arguments))])


def make_session(path=PATH_WSMAN, host_is_null=True, name='test'):
    return Session(name, 'CONTOSO\\Administrator', path, host_is_null=host_is_null)


@pytest.fixture
def ocs(shell):
    """A session on /OcsPowershell: the Lync cmdlets exist at once."""
    return Runner(shell, make_session(PATH_OCS))


@pytest.fixture
def wsman(shell):
    """A session on /wsman after Import-Module Lync."""
    runner = Runner(shell, make_session(PATH_WSMAN))
    assert runner.run('Import-Module', Name='Lync').ok
    return runner


@pytest.fixture
def bare_wsman(shell):
    """A session on /wsman before anything is imported."""
    return Runner(shell, make_session(PATH_WSMAN))


def store(path):
    return store_mod.open_store(os.path.join(path, 'platform.sqlite'))


def file_shares(path):
    """(relative path, size, last write time) of everything on the lab's file shares (``fs/unc``): the Group Chat file
    repositories and the file stores."""
    root = os.path.join(path, 'fs', 'unc')
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            local = os.path.join(folder, name)
            stat = os.stat(local)
            found.append((os.path.relpath(local, root), None if name in dirs else stat.st_size,
                          None if name in dirs else int(stat.st_mtime)))
    return found


def fingerprint(path, ldap):
    """A digest of every table of the store, of the lab's file shares and of the Lync objects of the directory."""
    conn = store(path)
    digest = hashlib.sha256()
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
            if table == 'ad_view':  # Lync's cached view is refreshed by reads; it is not state a cmdlet changes
                continue
            columns = len(conn.execute('PRAGMA table_info("%s")' % table).fetchall())
            order = ', '.join(str(n) for n in range(1, min(columns, 3) + 1))
            for row in conn.execute('SELECT * FROM "%s" ORDER BY %s' % (table, order) if table not in ('meta',)
                                    else 'SELECT * FROM meta ORDER BY key'):
                digest.update(repr(tuple(row)).encode())
    finally:
        conn.close()
    digest.update(repr(file_shares(path)).encode())
    for base in (names.APPLICATION_CONTACTS_DN, names.BASE_DN):
        ldap.search(base, '(msRTCSIP-PrimaryUserAddress=*)', attributes=['msRTCSIP-PrimaryUserAddress',
                                                                         'msRTCSIP-PrimaryHomeServer', 'displayName'])
        for entry in sorted((e for e in ldap.response if e.get('type') == 'searchResEntry'), key=lambda e: e['dn']):
            digest.update(repr((entry['dn'], sorted(entry['raw_attributes'].items()))).encode())
    return digest.hexdigest()


def zip_path(scratch, windows_path):
    return winpath.to_local(scratch, windows_path)


def services_status(path, pool):
    conn = store(path)
    try:
        return dict(((r['server_fqdn'], r['name']), r['status']) for r in conn.execute(
            'SELECT s.* FROM services s JOIN servers v ON v.fqdn = s.server_fqdn WHERE v.pool_fqdn = ?', (pool,)))
    finally:
        conn.close()


def set_chat_services(path, pool, status, sessions=0):
    conn = store(path)
    try:
        with store_mod.transaction(conn):
            conn.execute("UPDATE services SET status = ?, open_sessions = ? WHERE server_fqdn IN (SELECT fqdn FROM "
                         "servers WHERE pool_fqdn = ?) AND ((',' || roles || ',') LIKE '%,PersistentChatService,%' OR "
                         "display_name LIKE '%Group Chat%')", (status, sessions, pool))
    finally:
        conn.close()


# -- the transport: a private emulator process, the real pypsrp client --------------------------------------
@pytest.fixture(scope='session')
def lab_connection():
    return harness.lab_connection()


@pytest.fixture(scope='session')
def emulator(tmp_path_factory, lab_connection):
    """One emulator (Negotiate only, Basic refused) for the whole session."""
    running = harness.make_emulator(str(tmp_path_factory.mktemp('emulator')), lab_connection).start()
    yield running
    running.stop()


@pytest.fixture(scope='session')
def basic_emulator(tmp_path_factory, lab_connection):
    """An emulator started with LAB_PSRP_ALLOW_BASIC=1."""
    running = harness.make_emulator(str(tmp_path_factory.mktemp('basic-emulator')), lab_connection,
                                    allow_basic=True).start()
    yield running
    running.stop()


@pytest.fixture
def knobs(emulator):
    emulator.knobs.reset()
    yield emulator.knobs
    emulator.knobs.reset()
