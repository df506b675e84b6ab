# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab that is already running (the one `make test` brought up: ``LAB_DIR``, default ``.lab``), seen from a test
without the collection's code: its connection settings and passwords, ``python -m lab reset``, plain LDAP reads
(a user's objectSid and objectGUID, the unit leases' values) and the emulator's request log.

The tests that use it never bring a lab up or down. Its address is the one its own connection.json names, so a
reset always reaches the lab whose passwords the test holds, whatever ``LAB_IP`` the caller's environment has.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import ssl
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import ldap3
import pytest
import yaml
from ldap3.protocol.formatters.formatters import format_sid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from state_snapshot import changing_pipelines, request_log_size  # noqa: E402 pylint: disable=wrong-import-position

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB_INVENTORY = os.path.join(ROOT, 'inventories', 'lab', 'hosts.yml')
UNITS_GROUP = 'pchat_cutover_units'
PASSWORD_SETTINGS = ('PCHAT_LDAP_BIND_PASSWORD', 'PCHAT_PSRP_PASSWORD')
# The lab's own files that hold its passwords (mode 0600): what it was provisioned with, not what a run wrote.
OWN_SECRET_FILES = ('connection.env', 'connection.json', 'lab-state.json', os.path.join('emulator', 'ntlm-users'))
OWN_SECRET_SUFFIXES = ('.keytab',)
LEASE_CONTAINER_RDNS = 'CN=pchat.cutover,CN=Program Data'
LEASE_ATTRIBUTE = 'adminDescription'


class LabNotRunning(Exception):
    pass


class RunningLab(object):
    def __init__(self, lab_dir=None):
        self.lab_dir = os.path.abspath(lab_dir or os.environ.get('LAB_DIR') or os.path.join(ROOT, '.lab'))
        path = os.path.join(self.lab_dir, 'connection.json')
        if not os.path.isfile(path):
            raise LabNotRunning('no lab at %s (no connection.json): `make lab` (or LAB_DIR=... python -m lab up) '
                                'first' % self.lab_dir)
        with open(path) as handle:
            self.connection = json.load(handle)
        self.ldap_url = urlsplit(self.connection['PCHAT_LDAP_URL'])
        self.state_dir = os.path.join(self.lab_dir, 'state')
        self.report_dir = os.path.join(self.lab_dir, 'reports')

    # -- settings ------------------------------------------------------------------------------------------
    @property
    def passwords(self):
        """{setting name: password} of every password the lab's connection holds."""
        return dict((name, self.connection[name]) for name in PASSWORD_SETTINGS)

    def settings(self, with_passwords=True):
        """The PCHAT_* settings, as an AWX credential injects them (without the passwords if asked)."""
        return dict((name, value) for name, value in self.connection.items()
                    if name.startswith('PCHAT_') and (with_passwords or name not in PASSWORD_SETTINGS))

    def lab_command_env(self):
        env = dict(os.environ, LAB_DIR=self.lab_dir, LAB_IP=self.ldap_url.hostname)
        return env

    def own_secret_file(self, path):
        relative = os.path.relpath(path, self.lab_dir)
        return relative in OWN_SECRET_FILES or relative.endswith(OWN_SECRET_SUFFIXES)

    @staticmethod
    def unit_hosts():
        """The cutover units of the lab inventory: {inventory host: its variables}, and the group's variables."""
        with open(LAB_INVENTORY) as handle:
            group = yaml.safe_load(handle)['all']['children'][UNITS_GROUP]
        return group['hosts'], group.get('vars') or {}

    # -- lab commands ----------------------------------------------------------------------------------------
    def reset(self):
        """Back to the seeded state (well-known users recreated, target pools emptied, endpoints removed) and the
        lab inventory's state and report folders removed, as they describe what the reset undid."""
        proc = subprocess.run([sys.executable, '-m', 'lab', 'reset'], cwd=ROOT, env=self.lab_command_env(),
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, 'lab reset failed:\n%s%s' % (proc.stdout, proc.stderr)
        for folder in (self.state_dir, self.report_dir):
            shutil.rmtree(folder, ignore_errors=True)

    def request_log_size(self):
        return request_log_size(self.lab_dir)

    def changing_pipelines(self, since):
        """Cmdlets the emulator received after byte ``since`` of its request log that could change the lab."""
        return changing_pipelines(self.lab_dir, since)

    # -- the directory, read with plain ldap3 ------------------------------------------------------------------
    def ldap(self):
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.connection['PCHAT_LDAP_CA_FILE'])
        server = ldap3.Server(self.ldap_url.hostname, port=self.ldap_url.port or 636, use_ssl=True, tls=tls,
                              connect_timeout=10, get_info=ldap3.DSA)
        return ldap3.Connection(server, self.connection['PCHAT_LDAP_BIND_DN'], self.connection['PCHAT_LDAP_BIND_PASSWORD'],
                                auto_bind=True, receive_timeout=30)

    @staticmethod
    def naming_context(conn):
        return conn.server.info.other['defaultNamingContext'][0]

    def user_identity(self, conn, sip_address):
        """The users carrying ``sip_address``: [(dn, objectSid as S-1-5-..., objectGUID as text)], decoded here from
        the raw values (contacts and endpoints not)."""
        base = self.naming_context(conn)
        conn.search(base, '(&(objectCategory=person)(objectClass=user)(msRTCSIP-PrimaryUserAddress=%s))'
                    % ldap3.utils.conv.escape_filter_chars(sip_address), attributes=['objectSid', 'objectGUID'])
        return sorted((entry['dn'], format_sid(entry['raw_attributes']['objectSid'][0]),
                       str(uuid.UUID(bytes_le=entry['raw_attributes']['objectGUID'][0])))
                      for entry in conn.response if entry.get('type') == 'searchResEntry')

    def lease_values(self, conn):
        """{lease DN: its adminDescription value} of every unit lease held now."""
        container = '%s,%s' % (LEASE_CONTAINER_RDNS, self.naming_context(conn))
        if not conn.search(container, '(%s=*)' % LEASE_ATTRIBUTE, search_scope=ldap3.LEVEL,
                           attributes=[LEASE_ATTRIBUTE]):
            return {}
        values = {}
        for entry in conn.response:
            if entry.get('type') == 'searchResEntry':
                value = entry['attributes'][LEASE_ATTRIBUTE]
                values[entry['dn']] = value[0] if isinstance(value, list) else value
        return values


@pytest.fixture(scope='session')
def running_lab():
    """The running lab (import this fixture into a conftest); the test fails, naming what to do, without one."""
    try:
        return RunningLab()
    except LabNotRunning as exc:
        pytest.fail(str(exc))
