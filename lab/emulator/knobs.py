# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test knobs of the running emulator: ``$LAB_DIR/emulator/knobs.json``, read on every pipeline, so a test turns a
knob on or off without restarting anything (``python -m lab knobs ...`` or ``Knobs(lab_dir).update(...)``).

Keys (all optional; an absent key is the default):

``pipeline_latency_ms`` (0)
    The transport waits this long before running each pipeline (a real front end takes hundreds of ms per cmdlet).
``import_module_latency_ms`` (0)
    ``Import-Module Lync`` takes this long (seconds on a real front end).
``ad_replication_lag_s`` (0)
    Lync's view of AD (``Get-CsAdUser``, ``Get-CsUser``, the SIP-address conflict check of
    ``New-CsPersistentChatEndpoint``) still sees a user for this long after it was deleted over LDAP, as a front
    end whose domain controller has not yet replicated the delete would.
``drop`` ([])
    Rules ``{"cmdlet": name, "when": "before" | "during", "times": n}``: the transport cuts the client's connection
    when a pipeline containing ``cmdlet`` arrives. ``before``: the pipeline never runs. ``during``: the pipeline
    runs to its end on the server while the client's connection is closed under it (a WinRM client that loses its
    connection does not stop the cmdlet on the server).
``hold`` ([])
    Rules ``{"cmdlet": name, "point": text, "seconds": s, "times": n}``: a cmdlet reaching the named point inside its
    work appends ``{"ts", "cmdlet", "point", "pid"}`` to ``$LAB_DIR/emulator/holds.jsonl`` and sleeps ``seconds``
    (kill tests wait for that line, then kill the client: the kill lands inside that step, provably). The points
    each cmdlet offers are listed in docs/lab-emulator.md (e.g. ``Import-CsPersistentChatData`` ``rooms:3``: after the
    third room is written).
``progress_records`` (true)
    Export-/Import-CsPersistentChatData write a progress record per room (an assumption: Microsoft does not document
    what they write while they work); false models a front end that writes none.
``sql_delegation`` (true)
    The remote session's account can reach SQL instances on other servers with its own credentials (CredSSP, or
    Kerberos constrained delegation to the SQL services, as an admin sets up before the weekend). False models the
    second hop without delegation: ``-DBInstance`` on a server other than the front end fails with SQL Server's
    ``Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'``.
``export_layout`` ("lab")
    How ``Export-CsPersistentChatData`` names what Microsoft does not document about the export file (chatformat.py):
    ``lab`` as docs/lab-emulator.md describes, ``other`` under other names, as a real export may: what a client can
    still read then is only what Microsoft's public reader of an export shows. The lab's import reads both.
``error_identity`` ("lab")
    ``other``: the errors whose identity Microsoft does not document (an identity that names nothing: ``Identity``,
    ``ObjectNotFound``; a missing file: ``PathNotFound``, ``ObjectNotFound``) get another one
    (``ManagementObjectNotFound``/``NotSpecified``, ``FileAccessFailed``/``ReadError``), same message: a client
    whose decisions rest on the lab's guess fails in the lab, not on the weekend.
``faults`` ([])
    Rules ``{"cmdlet": name, "kind": ..., "times": n, ...}`` that make a cmdlet misbehave, for bad-input tests;
    the kinds are listed in docs/lab-emulator.md.

A rule without ``times`` fires every time; with ``times`` it fires that many times (the count is decremented in the
file, under a lock, so two emulator threads never both consume the last one).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fcntl
import json
import os
import time

DEFAULTS = {
    'pipeline_latency_ms': 0,
    'import_module_latency_ms': 0,
    'ad_replication_lag_s': 0,
    'export_layout': 'lab',
    'error_identity': 'lab',
    'drop': [],
    'hold': [],
    'faults': [],
    'progress_records': True,
    'sql_delegation': True,
}
RULE_LISTS = ('drop', 'hold', 'faults')


class Knobs(object):
    def __init__(self, lab_dir):
        self.dir = os.path.join(lab_dir, 'emulator')
        self.path = os.path.join(self.dir, 'knobs.json')
        self.holds_path = os.path.join(self.dir, 'holds.jsonl')
        self.lock_path = self.path + '.lock'

    def _locked(self):
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        handle = open(self.lock_path, 'a')
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def _read(self):
        try:
            with open(self.path) as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            data = {}
        merged = dict(DEFAULTS)
        merged.update(data if isinstance(data, dict) else {})
        return merged

    def _write(self, data):
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, self.path)

    def read(self):
        """The current knobs, defaults filled in."""
        return self._read()

    def update(self, **values):
        """Set knobs (``update(pipeline_latency_ms=300)``, ``update(drop=[...])``); None resets a key."""
        handle = self._locked()
        try:
            data = self._read()
            for key, value in values.items():
                if key not in DEFAULTS:
                    raise KeyError('unknown knob %r (known: %s)' % (key, ', '.join(sorted(DEFAULTS))))
                data[key] = DEFAULTS[key] if value is None else value
            self._write(data)
        finally:
            handle.close()

    def reset(self):
        handle = self._locked()
        try:
            self._write(dict(DEFAULTS))
        finally:
            handle.close()

    def consume(self, kind, cmdlet, /, **match):
        """The first rule of list ``kind`` for ``cmdlet`` (case-insensitive) whose other keys equal ``match``
        (e.g. ``point='rooms:3'``, or ``kind='error'`` for a fault rule: ``kind`` and ``cmdlet`` are positional-only
        so that a rule's own keys of those names can be matched), with one use taken; None when no rule applies."""
        if not any(r.get('cmdlet', '').lower() == cmdlet.lower() for r in self._read().get(kind) or []):
            return None  # the common case: no lock, no write
        handle = self._locked()
        try:
            data = self._read()
            rules = list(data.get(kind) or [])
            for index, rule in enumerate(rules):
                if rule.get('cmdlet', '').lower() != cmdlet.lower():
                    continue
                if any(rule.get(key) != value for key, value in match.items()):
                    continue
                times = rule.get('times')
                if times is not None:
                    if times <= 0:
                        continue
                    rules[index] = dict(rule, times=times - 1)
                    data[kind] = rules
                    self._write(data)
                return dict(rule)
            return None
        finally:
            handle.close()

    def hold(self, cmdlet, point):
        """Called by a cmdlet at a named point: if a hold rule matches, record it and sleep; returns the seconds held."""
        rule = self.consume('hold', cmdlet, point=point)
        if not rule:
            return 0
        seconds = float(rule.get('seconds', 60))
        line = json.dumps({'ts': time.time(), 'cmdlet': cmdlet, 'point': point, 'pid': os.getpid()})
        with open(self.holds_path, 'a') as handle:
            handle.write(line + '\n')
        time.sleep(seconds)
        return seconds
