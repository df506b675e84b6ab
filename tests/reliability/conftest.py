# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite's own lab (LAB_DIR=.lab-reliability, 150,000 messages so a migration can be killed
several times mid-way) and helpers to run, kill and reset the cutover of one unit.

Only one lab can listen on 127.0.0.1:389/636, so the session fixture takes the main lab down first and brings it
back up at the end."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib

import ldap3
import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lab_store
from lab.platform_seed import wipe_chat_data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB_DIR = os.path.join(ROOT, '.lab-reliability')
UNIT = 'contoso_group_chat'
LEGACY, TARGET, SIP = 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com'
SIZES = {'LAB_ROOMS': '100', 'LAB_MESSAGES': '150000', 'LAB_USERS': '200'}


def lab_command(command, lab_dir, **extra):
    env = dict(os.environ, LAB_DIR=lab_dir, **extra)
    proc = subprocess.run([sys.executable, '-m', 'lab', command], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, '%s %s failed:\n%s%s' % (command, lab_dir, proc.stdout, proc.stderr)
    return proc.stdout


class Lab(object):
    def __init__(self, lab_dir):
        self.lab_dir = lab_dir
        with open(os.path.join(lab_dir, 'connection.json')) as handle:
            self.connection = json.load(handle)
        self.store = self.connection['PCHAT_LAB_PATH']
        self.state_dir = os.path.join(lab_dir, 'state')
        self.env = dict(os.environ, PCHAT_LAB_HOME=lab_dir, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'),
                        ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                        PATH=os.path.join(ROOT, '.venv', 'bin') + os.pathsep + os.environ.get('PATH', ''))

    # -- running playbooks ------------------------------------------------------------------------------
    def command(self, playbook, *args):
        return [os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), 'playbooks/%s.yml' % playbook,
                '--limit', UNIT] + list(args)

    def run(self, playbook='cutover', *args, **kw):
        return subprocess.run(self.command(playbook, *args), cwd=ROOT, env=dict(self.env, **kw.get('env', {})),
                              capture_output=True, text=True, check=False, timeout=600)

    def start(self, playbook='cutover', *args):
        """Start a playbook in its own session (so the whole process group can be killed); output is collected."""
        proc = subprocess.Popen(self.command(playbook, *args), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        proc.lines = []

        def pump():
            for line in proc.stdout:
                proc.lines.append(line)
        proc.pump = threading.Thread(target=pump, daemon=True)
        proc.pump.start()
        return proc

    @staticmethod
    def wait_for(proc, text, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(text in line for line in list(proc.lines)):
                return True
            if proc.poll() is not None:
                proc.pump.join(5)
                return any(text in line for line in proc.lines)
            time.sleep(0.01)
        return False

    @staticmethod
    def kill(proc):
        """SIGKILL the playbook and everything it started (workers, module processes): a crash of the controller."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(30)
        proc.pump.join(5)
        return proc.returncode

    # -- state -------------------------------------------------------------------------------------------
    def sql(self, query, args=()):
        conn = sqlite3.connect(self.store, timeout=30)
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()

    def migrated(self):
        return self.sql('SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?',
                        (TARGET,))[0][0]

    def room_fingerprints(self, pool):
        """{room name: (messages, sum of CRC32 of sender|time|body)} computed here, not by the collection."""
        result = {}
        conn = sqlite3.connect(self.store, timeout=30)
        for name, sender, sent_at, body in conn.execute(
                'SELECT r.name, m.sender, m.sent_at, m.body FROM messages m JOIN rooms r ON r.id = m.room_id '
                'WHERE r.pool_fqdn = ?', (pool,)):
            count, total = result.get(name, (0, 0))
            result[name] = (count + 1, total + zlib.crc32(('%s|%s|%s' % (sender, sent_at, body)).encode()))
        rooms = [r[0] for r in conn.execute('SELECT name FROM rooms WHERE pool_fqdn = ?', (pool,))]
        conn.close()
        for name in rooms:
            result.setdefault(name, (0, 0))
        return result

    def sip_owners(self, sip=SIP):
        """Every object carrying the SIP URI, in the domain and the configuration partitions (plain ldap3)."""
        import ssl  # pylint: disable=import-outside-toplevel
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.connection['PCHAT_CA_FILE'])
        server = ldap3.Server('127.0.0.1', port=636, use_ssl=True, tls=tls)
        conn = ldap3.Connection(server, self.connection['PCHAT_BIND_DN'], self.connection['PCHAT_BIND_PASSWORD'],
                                auto_bind=True)
        owners = []
        for base in ('DC=contoso,DC=com', 'CN=Configuration,DC=contoso,DC=com'):
            conn.search(base, '(msRTCSIP-PrimaryUserAddress=%s)' % sip, attributes=['objectClass'])
            owners += [(e['dn'], [c.lower() for c in e['attributes']['objectClass']]) for e in conn.response
                       if e.get('type') == 'searchResEntry']
        conn.unbind()
        return owners

    def unit_state(self):
        try:
            with open(os.path.join(self.state_dir, UNIT + '.json')) as handle:
                return json.load(handle)
        except OSError:
            return {}

    def assert_cutover_complete(self):
        """The promises after any interruption and re-run."""
        source, target = self.room_fingerprints(LEGACY), self.room_fingerprints(TARGET)
        assert source == target, 'rooms differ: %s' % sorted(
            name for name in set(source) | set(target) if source.get(name) != target.get(name))[:10]
        assert self.sql('SELECT COUNT(*), COUNT(DISTINCT m.room_id || m.source_key) FROM messages m JOIN rooms r ON '
                        'r.id = m.room_id WHERE r.pool_fqdn = ?', (TARGET,))[0] == (sum(c for c, _t in source.values()),) * 2
        owners = self.sip_owners()
        assert len(owners) == 1 and 'contact' in owners[0][1], owners
        backup = self.unit_state().get('backup_file')
        assert backup and os.path.isfile(backup), self.unit_state()
        with open(backup) as handle:
            assert SIP in handle.read()

    def reset(self):
        """Back to the legacy state with an empty target, as before a first cutover (the rollback playbook, then
        the target pool's data and services and the unit's state file reset directly)."""
        if self.unit_state().get('backup_file') or any('contact' in c for _dn, c in self.sip_owners()):
            proc = self.run('rollback')
            assert proc.returncode == 0, proc.stdout[-3000:]
        store = lab_store.connect(self.store)
        wipe_chat_data(store, TARGET)
        with lab_store.transaction(store):
            store.execute("DELETE FROM meta WHERE key LIKE 'lock:%'")
            store.execute("UPDATE services SET status = 'stopped', start_mode = 'manual' WHERE server_fqdn LIKE 'pc0%'")
            store.execute("UPDATE services SET status = 'running', start_mode = 'automatic' WHERE server_fqdn LIKE 'gc0%'")
        store.close()
        for name in (UNIT + '.json', UNIT + '.lock'):
            path = os.path.join(self.state_dir, name)
            if os.path.exists(path):
                os.unlink(path)
        owners = self.sip_owners()
        assert len(owners) == 1 and 'user' in owners[0][1], owners


@pytest.fixture(scope='session')
def rlab():
    main_lab = os.path.join(ROOT, '.lab')
    main_was_up = os.path.exists(os.path.join(main_lab, 'connection.json'))
    lab_command('down', main_lab)
    lab_command('up', LAB_DIR, **SIZES)
    try:
        yield Lab(LAB_DIR)
    finally:
        lab_command('down', LAB_DIR)
        if main_was_up:
            lab_command('up', main_lab)
