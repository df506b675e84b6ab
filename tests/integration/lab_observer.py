# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the integration tests check module runs against, read without the collection's code:

* ``LabObserver``: the lab's truth (``lab inspect``'s snapshot), a fingerprint of the whole lab (that snapshot plus
  every directory object's DN and uSNChanged), direct edits of the lab store for scenarios the cmdlets cannot set
  up, and a PowerShell-remoting client of our own (plain pypsrp) for the Lync cmdlets a test needs to run itself;
* ``Requests``: the emulator's request log lines of one module run (``$LAB_DIR/psrp-requests.jsonl``), with the
  counts the tests assert (runspace pools, pipelines per cmdlet, parameter names).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import json
import os
import ssl
from urllib.parse import urlsplit

import ldap3
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from lab import inspect as lab_inspect, topology
from lab.emulator import store as store_mod
from lab.emulator.knobs import Knobs
from state_snapshot import files_fingerprint

# Verbs of cmdlets that change what reads show (a -WhatIf run of them changes nothing).
CHANGING_VERBS = ('set', 'new', 'remove', 'start', 'stop', 'import', 'copy')


def is_changing(pipeline):
    """A pipeline that may change the lab: a changing verb, not under -WhatIf (Import-Module changes nothing)."""
    for cmdlet, names in zip(pipeline['cmdlets'], pipeline['parameters']):
        verb = cmdlet.split('-', 1)[0].lower()
        if verb in CHANGING_VERBS and cmdlet.lower() != 'import-module' and 'WhatIf' not in names:
            return True
    return False


class Requests(object):
    """The request log lines of one module run."""

    def __init__(self, lines):
        self.lines = lines
        self.pipelines = [line for line in lines if 'cmdlets' in line]
        self.events = [line for line in lines if 'event' in line]

    @property
    def runspaces(self):
        return sorted(set(line['runspace'] for line in self.lines))

    def opened(self):
        return len([e for e in self.events if e['event'] == 'open'])

    def closed(self):
        return len([e for e in self.events if e['event'] == 'close'])

    def calls(self, cmdlet):
        """Parameter names of each pipeline running ``cmdlet``, in order."""
        return [names for pipeline in self.pipelines for name, names in zip(pipeline['cmdlets'], pipeline['parameters'])
                if name.lower() == cmdlet.lower()]

    def count(self, cmdlet, **where):
        """How many pipelines ran ``cmdlet``; ``with_='X'``/``without='X'`` filter on a parameter name."""
        calls = self.calls(cmdlet)
        if 'with_' in where:
            calls = [names for names in calls if where['with_'] in names]
        if 'without' in where:
            calls = [names for names in calls if where['without'] not in names]
        return len(calls)

    def per_cmdlet(self):
        return collections.Counter(name for pipeline in self.pipelines for name in pipeline['cmdlets'])

    def changing(self):
        return [pipeline for pipeline in self.pipelines if is_changing(pipeline)]

    def segments(self):
        """The read pipelines between changes: a list of lists of (cmdlets, parameter names) keys."""
        segments, current = [], []
        for pipeline in self.pipelines:
            if is_changing(pipeline):
                segments.append(current)
                current = []
            else:
                current.append((tuple(pipeline['cmdlets']), tuple(tuple(n) for n in pipeline['parameters'])))
        segments.append(current)
        return segments

    def repeated_reads(self, per_call=None):
        """Reads sent more often between two changes than ``per_call`` allows (default once; a per-computer read
        such as Get-WmiObject is allowed once per computer). Parameter values are not logged, so a read repeated
        with other values is told apart only by that allowance."""
        allowed = dict((name.lower(), n) for name, n in (per_call or {}).items())
        repeated = []
        for segment in self.segments():
            for key, seen in collections.Counter(segment).items():
                if seen > allowed.get(key[0][0].lower(), 1):
                    repeated.append((key[0], seen))
        return repeated


class RequestLog(object):
    def __init__(self, path):
        self.path = path

    def offset(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def since(self, offset):
        try:
            with open(self.path) as handle:
                handle.seek(offset)
                # a last line without its newline is still being written: left for the next read
                return Requests([json.loads(line) for line in handle if line.strip() and line.endswith('\n')])
        except OSError:
            return Requests([])


class LabObserver(object):
    def __init__(self, lab):
        self.lab = lab
        self.lab_dir = lab['LAB_DIR']
        self.store_path = os.path.join(self.lab_dir, 'platform.sqlite')
        self.fs = os.path.join(self.lab_dir, 'fs')

    # -- the lab's truth ---------------------------------------------------------------------------------------
    def inspect(self):
        return lab_inspect.snapshot(self.lab_dir)

    def pool(self, fqdn):
        return [p for p in self.inspect()['pools'] if p['fqdn'] == fqdn][0]

    def endpoints(self, sip=None):
        found = lab_inspect.endpoints(self.lab_dir)
        return [e for e in found if sip is None or (e['sip_address'] or '').lower() == sip.lower()]

    def services(self, fqdn, chat_only=True, compliance=False):
        """{(server, service name): (status, start mode)} of a pool's servers (chat services only by default), with
        ``compliance`` those of a legacy pool's compliance server too."""
        found = {}
        pool = self.pool(fqdn)
        for server in pool['servers'] + (pool.get('compliance_servers') or [] if compliance else []):
            for service in server['services']:
                if chat_only and not (service['roles'] or 'Group Chat' in service['display_name']):
                    continue
                found[(server['fqdn'], service['name'])] = (service['status'], service['start_mode'])
        return found

    def fingerprint(self):
        """The lab snapshot and the directory's highestCommittedUSN (every write to AD raises it, reads and failed
        binds do not): equal before and after a run that changed nothing."""
        url = urlsplit(self.lab['PCHAT_LDAP_URL'])
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.lab['PCHAT_LDAP_CA_FILE'])
        server = ldap3.Server(url.hostname, port=url.port or 636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
        conn = ldap3.Connection(server, self.lab['PCHAT_LDAP_BIND_DN'], self.lab['PCHAT_LDAP_BIND_PASSWORD'], auto_bind=True)
        try:
            assert conn.search('', '(objectClass=*)', search_scope=ldap3.BASE, attributes=['highestCommittedUSN'])
            usn = conn.response[0]['attributes']['highestCommittedUSN']
        finally:
            conn.unbind()
        return {'lab': self.inspect(), 'directory_usn': usn, 'file_shares': files_fingerprint(self.lab_dir)}

    def front_end_file(self, windows_path):
        """Where a file on the emulated front end (C:\\...) lives in the lab folder."""
        drive, _colon, rest = windows_path.partition(':')
        return os.path.join(self.fs, drive.lower(), *[part for part in rest.split('\\') if part])

    # -- changing the lab behind the collection's back ---------------------------------------------------------
    def knobs(self, **values):
        """Set emulator knobs (docs/lab-emulator.md); the lab reset puts them back to their defaults."""
        Knobs(self.lab_dir).update(**values)

    def knob_values(self):
        return Knobs(self.lab_dir).read()

    def store_execute(self, sql, *args):
        conn = store_mod.connect(self.store_path)
        try:
            with store_mod.transaction(conn):
                return conn.execute(sql, args).rowcount
        finally:
            conn.close()

    def set_chat_services(self, fqdn, status, start_mode=None):
        """Set the chat services of a pool's servers in the store (a scenario's set-up, not what is tested): the
        Persistent Chat role's, or what the cutover manages of a legacy pool: the Group Chat ones (by display name)
        and IIS (W3SVC, which hosts the Web service) on its servers, and its compliance server's; returns how many."""
        compliance = topology.COMPLIANCE_SERVERS.get(fqdn.lower(), '')
        return self.store_execute(
            "UPDATE services SET status = ?, start_mode = COALESCE(?, start_mode) WHERE (server_fqdn IN (SELECT fqdn "
            "FROM servers WHERE pool_fqdn = ?) AND (roles LIKE '%PersistentChatService%' OR roles LIKE '%PersistentChatServer%' OR display_name LIKE "
            "'%Group Chat%' OR name = 'W3SVC')) OR (server_fqdn = ? AND display_name LIKE '%Group Chat%')",
            status, start_mode, fqdn, compliance)

    def store_rows(self, sql, *args):
        conn = store_mod.connect(self.store_path)
        try:
            return [tuple(row) for row in conn.execute(sql, args).fetchall()]
        finally:
            conn.close()

    def lync(self, cmdlet, **parameters):
        """Run one Lync cmdlet through our own pypsrp session on /OcsPowershell (the real wire, not the collection);
        returns (output, error messages)."""
        wsman = WSMan(self.lab['PCHAT_PSRP_HOST'], port=int(self.lab['PCHAT_PSRP_PORT']), path='OcsPowershell',
                      username=self.lab['PCHAT_PSRP_USERNAME'], password=self.lab['PCHAT_PSRP_PASSWORD'], ssl=True,
                      auth='negotiate', cert_validation=self.lab['PCHAT_PSRP_CA_FILE'])
        with RunspacePool(wsman) as pool:
            ps = PowerShell(pool)
            ps.add_cmdlet(cmdlet)
            for name, value in parameters.items():
                ps.add_parameter(name, value)
            output = ps.invoke()
            return output, [str(record) for record in ps.streams.error]
