# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration fixtures: the lab (real Samba AD on 127.0.0.1, brought up once per session), an independent
LDAP connection for verifying what modules did, and a throw-away OU per test."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import ssl
import subprocess
import sys
import uuid

import ldap3
import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope='session')
def lab():
    """Bring the lab up (reuses a healthy one) and return its PCHAT_* connection variables."""
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
def ldap_admin(lab):
    """An LDAP connection of our own (plain ldap3, not the collection's client) for independent checks."""
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab['PCHAT_CA_FILE'])
    server = ldap3.Server('127.0.0.1', port=636, use_ssl=True, tls=tls)
    conn = ldap3.Connection(server, lab['PCHAT_BIND_DN'], lab['PCHAT_BIND_PASSWORD'], auto_bind=True,
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


def copy_lab_store(source_path, path):
    """Copy the lab store (sqlite backup API, so the WAL is included) and bring the target pool back to the
    lab's initial state, whatever `make demo` or earlier runs migrated into it: tests start from a known store."""
    import sqlite3  # pylint: disable=import-outside-toplevel
    from ansible_collections.pchat.cutover.plugins.module_utils import lab_store  # pylint: disable=import-outside-toplevel
    from lab.platform_seed import wipe_chat_data  # pylint: disable=import-outside-toplevel
    source, target = sqlite3.connect(source_path), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    store = lab_store.connect(path)
    for (pool,) in store.execute("SELECT fqdn FROM pools WHERE kind = 'persistent_chat_2013'").fetchall():
        wipe_chat_data(store, pool)
    with lab_store.transaction(store):
        store.execute('DELETE FROM endpoints')
        store.execute("DELETE FROM meta WHERE key LIKE 'lock:%'")
        for kind_test, status, mode in (('!=', 'running', 'automatic'), ('=', 'stopped', 'manual')):
            store.execute("UPDATE services SET status = ?, start_mode = ? WHERE server_fqdn IN (SELECT s.fqdn FROM servers s "
                          "JOIN pools p ON p.fqdn = s.pool_fqdn WHERE p.kind %s 'persistent_chat_2013')" % kind_test,
                          (status, mode))
        store.execute("UPDATE pools SET pool_state = 'Normal' WHERE kind = 'persistent_chat_2013'")
    store.close()
