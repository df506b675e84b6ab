# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the conformance suite (test_conformance.py) needs: the lab's **own** Lync emulator (the process
`python -m lab up` started, with the real shell) reached with the real pypsrp client over HTTPS/NTLM on both paths;
what a client sees of PowerShell's answers (objects, enums, error records); and the lab's truth seen from outside
the wire (`lab inspect`, the directory, the request log), with the lab's reset."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import time
import uuid

from pypsrp.complex_objects import PSInvocationState
from pypsrp.powershell import PowerShell

from lab import platform_seed, reset as reset_mod
from lab.config import LabConfig
from lab.emulator import store as store_mod
from lab.emulator.knobs import Knobs
from lab.inspect import snapshot
from tests.emulator.harness import REPO_ROOT, lab_emulator

from .conftest import contacts, fingerprint

WSMAN, OCS = 'wsman', 'OcsPowershell'
PATHS = (WSMAN, OCS)
PATH_LOGGED = {WSMAN: '/wsman', OCS: '/OcsPowershell'}

# System.Management.Automation.ErrorCategory, as pypsrp hands it back (ErrorRecord.category is the number).
ERROR_CATEGORY = {'NotSpecified': 0, 'OpenError': 1, 'InvalidArgument': 5, 'InvalidData': 6, 'InvalidOperation': 7,
                  'NotImplemented': 11, 'ObjectNotFound': 13, 'OperationStopped': 14, 'ResourceExists': 20}


# -- pipelines ------------------------------------------------------------------------------------------------
def _items(parameters):
    return parameters.items() if isinstance(parameters, dict) else parameters


def pipeline(pool, *commands):
    """``commands``: (name, parameters) piped into each other; parameters a dict or a list of (name, value) in
    order (a value of None is a bare switch). Returns (the PowerShell object, its output)."""
    ps = begin(pool, *commands)
    return ps, ps.end_invoke()


def begin(pool, *commands):
    """As ``pipeline``, started (``begin_invoke``) and not waited for."""
    ps = PowerShell(pool)
    for name, parameters in commands:
        ps.add_cmdlet(name)
        for key, value in _items(parameters):
            ps.add_parameter(key, value)
    ps.begin_invoke()
    return ps


def assert_completed(ps):
    """Completed with nothing in the error stream."""
    errors = [(e.fq_error, str(e)) for e in ps.streams.error]
    assert ps.state == PSInvocationState.COMPLETED and not errors, (ps.state, errors)


def assert_failed(ps, error_id, category, exception_type=None, message=None):
    """A failed pipeline (a terminating error), as PowerShell reports it over the wire: state Failed, ``had_errors``,
    one error record with that FullyQualifiedErrorId and category (and exception type / message when given)."""
    assert ps.state == PSInvocationState.FAILED and ps.had_errors is True, (ps.state, ps.had_errors)
    (record,) = ps.streams.error
    assert record.fq_error == error_id
    assert record.category == ERROR_CATEGORY[category], (record.category, category)
    if exception_type:
        assert record.exception.types[0] == exception_type
    if message is not None:
        assert str(record) == message
    return record


def assert_enum(value, type_name, name, number):
    """How remoting sends a .NET enum value and pypsrp hands it back: an object whose text is the member name."""
    assert value.types == [type_name, 'System.Enum', 'System.ValueType', 'System.Object']
    assert (value.to_string, value.property_sets) == (name, [number])


def runspace_id(pool):
    return str(uuid.UUID(pool.id))


def string_leaves(value):
    """Every string inside a parameter value (lists and hashtables walked)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in string_leaves(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in string_leaves(v)]
    return []


def wait_for(predicate, timeout, what, interval=0.1):
    """Poll ``predicate`` until it returns something true, for ``timeout`` seconds at most."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, 'timed out after %.0f s waiting for %s' % (timeout, what)
        time.sleep(interval)


# -- the lab --------------------------------------------------------------------------------------------------
class Lab(object):
    """The running lab of LAB_DIR and its emulator. ``baseline`` is the fingerprint of the seeded lab."""

    def __init__(self, connection, ldap=None):
        self.connection = connection
        self.dir = connection['LAB_DIR']
        self.emulator = lab_emulator(connection)
        self.ldap = ldap
        self.config = LabConfig(dict(os.environ, LAB_DIR=self.dir))
        self.knobs = Knobs(self.dir)
        with open(self.config.state_file) as handle:
            self._state = json.load(handle)
        self.baseline = None
        self._connections = None

    @property
    def secrets(self):
        """The lab's passwords: none may appear in any log."""
        return [self._state['admin_password'], self._state['psrp_password'], self.test_user_password]

    @property
    def test_user_password(self):
        """The password of the lab's test users (names.TEST_USERS)."""
        return self._state['test_user_password']

    def pool(self, path, **overrides):
        return self.emulator.pool(path, **overrides)

    def reset(self):
        """The seeded lab (lab/reset.py), as `python -m lab reset` does (its LDAP connections kept between resets)."""
        if self._connections is None:
            self._connections = reset_mod.Connections(self.config, self._state)
        return reset_mod.reset(self.config, self._state, self._connections)

    def set_frontend(self, name):
        """What the running emulator presents itself as (``lab up`` with LAB_FRONTEND records it the same way)."""
        conn = store_mod.open_store(self.config.platform_db)
        try:
            platform_seed.set_frontend(conn, name)
        finally:
            conn.close()

    def close(self):
        if self._connections is not None:
            self._connections.close()
            self._connections = None

    def fingerprint(self):
        """`lab inspect`'s snapshot of the store (pools, services, categories, rooms and their message checksums),
        the Application Contacts in AD (every contact, with its Lync attributes: the endpoints), and a digest of every
        table of the store and of every SIP principal of the directory (conftest.fingerprint)."""
        return snapshot(self.dir, with_directory=False), contacts(self.ldap), fingerprint(self.dir, self.ldap)

    def inspect(self):
        """`python -m lab inspect`, run as anyone checking the lab from outside would."""
        proc = subprocess.run([sys.executable, '-m', 'lab', 'inspect'], cwd=REPO_ROOT, capture_output=True,
                              text=True, env=dict(os.environ, LAB_DIR=self.dir), timeout=60, check=False)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def endpoint_sips(self, inspected=None):
        return [e['sip_address'] for e in (inspected or snapshot(self.dir))['endpoints']]

    def pool_view(self, fqdn, inspected=None):
        """One pool of `lab inspect`."""
        return dict((p['fqdn'], p) for p in (inspected or snapshot(self.dir))['pools'])[fqdn]

    def log_lines(self, runspace):
        return [line for line in self.emulator.log_lines() if line['runspace'] == runspace]

    def pipelines(self, runspace):
        return [line for line in self.log_lines(runspace) if 'cmdlets' in line]

    def log_bytes(self):
        """The request log and the emulator log, as bytes."""
        out = b''
        for path in (self.emulator.settings.request_log, self.emulator.settings.log_file):
            with open(path, 'rb') as handle:
                out += handle.read()
        return out


# -- bulk rooms, straight into the store ----------------------------------------------------------------------
def add_rooms(lab_dir, pool, category, count):
    """``count`` rooms named '<category> room 00001'... in a new category of ``pool``, each with one member who is
    also its manager, written straight into the lab store in one transaction (the listing is what is measured or
    tested; 5,000 New-CsPersistentChatRoom pipelines would take minutes)."""
    conn = store_mod.open_store(os.path.join(lab_dir, 'platform.sqlite'))
    try:
        with store_mod.transaction(conn):
            category_id = conn.execute('INSERT INTO categories (pool_fqdn, name, description) VALUES (?, ?, ?)',
                                       (pool, category, 'bulk rooms')).lastrowid
            for index in range(1, count + 1):
                room_id = conn.execute(
                    'INSERT INTO rooms (pool_fqdn, category_id, name, description, privacy) VALUES (?, ?, ?, ?, ?)',
                    (pool, category_id, '%s room %05d' % (category, index), 'room number %d' % index,
                     ('open', 'closed', 'secret')[index % 3])).lastrowid
                member = 'sip:labuser%05d@contoso.com' % (index % 200 + 1)
                conn.executemany('INSERT INTO room_principals VALUES (?, ?, ?)',
                                 [(room_id, member, 'member'), (room_id, member, 'manager')])
    finally:
        conn.close()


def remove_category(lab_dir, pool, category):
    """Undo ``add_rooms``: the category, its rooms and their principals and messages."""
    conn = store_mod.open_store(os.path.join(lab_dir, 'platform.sqlite'))
    try:
        with store_mod.transaction(conn):
            rooms = 'SELECT r.id FROM rooms r JOIN categories c ON c.id = r.category_id WHERE c.pool_fqdn = ? AND ' \
                    'c.name = ?'
            conn.execute('DELETE FROM messages WHERE room_id IN (%s)' % rooms, (pool, category))
            conn.execute('DELETE FROM room_principals WHERE room_id IN (%s)' % rooms, (pool, category))
            conn.execute('DELETE FROM rooms WHERE id IN (%s)' % rooms, (pool, category))
            conn.execute('DELETE FROM categories WHERE pool_fqdn = ? AND name = ?', (pool, category))
    finally:
        conn.close()
