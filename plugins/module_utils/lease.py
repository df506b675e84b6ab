# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit lease: one cutover or rollback of a unit at a time, across every controller that reaches the
directory (docs/reliability.md, "Concurrency"), held by the process doing the work.

One lease object per unit (a ``container`` object whose CN is the unit name) under a container of leases. The
lease itself is the one value of a single-valued attribute (adminDescription): JSON ``{"expires", "host", "pid",
"run", "started"}`` and, while a module works for the run, ``"worker"`` (that module's pid) and ``"work"`` (what it
is doing, e.g. its progress). Every change is a single LDAP modify whose preconditions the server checks and
applies atomically, so there is no read-then-write race:

- take a free lease: add the value (the server refuses a second value);
- take over an expired lease, or one whose run and worker are provably gone (same host, their pids gone): delete
  the exact old value and add ours in one modify (refused when the old value is gone: another run got there first);
- renew (unit_lock at a phase boundary, or a module of the run while it works: lease_keeper.py): the same
  compare-and-swap, from the current value of *this run* (its random ``run`` id, the fencing token) to a later
  expiry; a value of another run means the lease was lost, and the renewer must stop writing;
- release: delete this run's exact value.

Times are the directory's (rootDSE currentTime), so controllers whose clocks disagree still agree on expiry.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import datetime
import hashlib
import json
import re
import secrets
import socket

from ansible_collections.pchat.cutover.plugins.module_utils import local_process
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import (
    escape_dn_value, first_value, validate_dn,
)

LEASE_ATTRIBUTE = 'adminDescription'  # single-valued, on every class (mayContain of top), 1024 characters
LEASE_OBJECT_CLASSES = ['top', 'container']
DEFAULT_CONTAINER_RDNS = 'CN=pchat.cutover,CN=Program Data'
FIELDS = ('expires', 'host', 'pid', 'run', 'started')
OPTIONAL_FIELDS = ('worker', 'work')  # while a module of the run works: its pid, and what it is doing
MAX_VALUE_CHARS = 1024  # rangeUpper of adminDescription
MAX_WORK_CHARS = 300
MAX_CN_CHARS = 64  # rangeUpper of cn
DEFAULT_LEASE_SECONDS = 300
MIN_LEASE_SECONDS = 3
MAX_LEASE_SECONDS = 86400
ATTEMPTS = 5  # each is a read and one conditional write; a lost race costs one
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
UTC = datetime.timezone.utc

# ldap3's modify operation names (its constants are these strings); no ldap3 import needed here
MODIFY_ADD, MODIFY_DELETE = 'MODIFY_ADD', 'MODIFY_DELETE'

# What judge() says of a lease someone holds
OURS, LIVE, EXPIRED, DEAD, WORKING = 'ours', 'live', 'expired', 'dead', 'working'


class LeaseValueError(ValueError):
    """A value that is not a lease of this collection."""


# -- times ---------------------------------------------------------------------------------------------------
def format_time(moment):
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text):
    return datetime.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def parse_generalized_time(text):
    """The rootDSE's currentTime (GeneralizedTime, e.g. ``20261126091829.0Z``) as an aware datetime."""
    match = re.match(r'^(\d{14})(?:[.,]\d+)?Z$', (text or '').strip())
    if not match:
        raise ValueError('not a GeneralizedTime in UTC: %r' % text)
    return datetime.datetime.strptime(match.group(1), '%Y%m%d%H%M%S').replace(tzinfo=UTC)


def server_time(directory):
    """The directory's clock (rootDSE currentTime); this controller's clock only if the server reports none
    (AD and Samba always do)."""
    entry = directory.get_entry('', ['currentTime']) or {}
    try:
        return parse_generalized_time(first_value(entry, 'currentTime'))
    except ValueError:
        return datetime.datetime.now(UTC)


# -- the lease value -------------------------------------------------------------------------------------------
def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class Lease(collections.namedtuple('Lease', FIELDS + OPTIONAL_FIELDS)):
    """A lease value: who holds the unit (host, pid of the run's ansible-playbook), since when, until when, the
    run's random id (the fencing token every later writer of the run shows), and, while a module of the run works,
    that module's pid and what it is doing. Never a command line or a variable value."""
    __slots__ = ()

    @classmethod
    def new(cls, host, pid, now, seconds, run=None):
        return cls(expires=format_time(now + datetime.timedelta(seconds=seconds)), host=host, pid=int(pid),
                   run=run or secrets.token_hex(8), started=format_time(now), worker=None, work=None)

    def encode(self):
        data = dict((name, value) for name, value in self._asdict().items()
                    if name in FIELDS or value is not None)
        text = json.dumps(data, sort_keys=True, separators=(',', ':'))
        if len(text) > MAX_VALUE_CHARS:
            raise PchatError('the lease value for host %r is longer than the %d characters adminDescription holds; '
                             'give this controller a shorter host name.' % (self.host, MAX_VALUE_CHARS))
        return text

    @classmethod
    def decode(cls, text):
        """The lease in ``text``; fields beyond FIELDS and OPTIONAL_FIELDS are ignored (and so never shown)."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise LeaseValueError('not JSON')
        if not isinstance(data, dict):
            raise LeaseValueError('not a JSON object')
        for name in ('host', 'run', 'started', 'expires'):
            if not isinstance(data.get(name), str) or not data[name]:
                raise LeaseValueError('%s is missing or not a string' % name)
        if not _positive_int(data.get('pid')):
            raise LeaseValueError('pid is missing or not a positive integer')
        for name in ('started', 'expires'):
            try:
                parse_time(data[name])
            except ValueError:
                raise LeaseValueError('%s is not a time like 2026-11-28T02:00:00Z' % name)
        worker = data.get('worker') if _positive_int(data.get('worker')) else None
        work = data.get('work') if isinstance(data.get('work'), str) else None
        return cls(worker=worker, work=work[:MAX_WORK_CHARS] if work else None,
                   **dict((name, data[name]) for name in FIELDS))

    @property
    def expires_at(self):
        return parse_time(self.expires)

    def renewed(self, now, seconds, worker=None, work=None):
        """The same lease with a later expiry; ``worker``/``work`` name the module working for the run (None: no
        module is working now)."""
        return self._replace(expires=format_time(now + datetime.timedelta(seconds=seconds)), worker=worker,
                             work=(work or '')[:MAX_WORK_CHARS] or None)

    def holder(self):
        """The lease as stored (no worker fields while no module works for the run)."""
        return dict((name, value) for name, value in self._asdict().items() if name in FIELDS or value is not None)

    def describe(self):
        text = 'pid %d on %s since %s' % (self.pid, self.host, self.started)
        if self.worker:
            text += '; its module pid %d is working%s' % (self.worker, ': %s' % self.work if self.work else '')
        return text


def judge(lease, now, host, pid_running, run=None):
    """OURS (``run`` is this lease's run id), EXPIRED, DEAD (held from this host by a run whose ansible-playbook and
    working module no longer run), WORKING (from this host: the run is gone but its module still works, e.g. an
    import stopping after an interrupt: wait for it) or LIVE.

    Only this host's processes can be looked at: a holder on another host is live until its lease expires.
    A pid that runs is taken for the holder even if the pid was reused: that only makes a run wait for the
    expiry, never take a lease from a live holder."""
    if run is not None and lease.run == run:
        return OURS
    if now >= lease.expires_at:
        return EXPIRED
    if lease.host == host and not pid_running(lease.pid):
        return WORKING if lease.worker and pid_running(lease.worker) else DEAD
    return LIVE


# -- names -----------------------------------------------------------------------------------------------------
def normalize_unit(name):
    """The unit name as the lease is keyed: trimmed, lower case, no trailing dot, so that GC.Contoso.com. and
    gc.contoso.com are one unit."""
    unit = (name or '').strip().rstrip('.').lower()
    if not unit:
        raise PchatError('name is empty: give the unit, the legacy pool FQDN (e.g. gc.contoso.com).')
    if any(ord(char) < 32 or ord(char) == 127 for char in unit):
        raise PchatError('name %r contains control characters; give the legacy pool FQDN.' % name)
    return unit


def lease_cn(unit):
    """The CN of the unit's lease object: the unit name, or for a name longer than AD allows in a CN, its
    start and a hash of the whole name (two long names never share an object)."""
    if len(unit) <= MAX_CN_CHARS:
        return unit
    digest = hashlib.sha256(unit.encode('utf-8')).hexdigest()[:16]
    return unit[:MAX_CN_CHARS - len(digest) - 1] + '~' + digest


def default_container(naming_context):
    return '%s,%s' % (DEFAULT_CONTAINER_RDNS, naming_context)


def check_lease_seconds(seconds):
    if not MIN_LEASE_SECONDS <= int(seconds) <= MAX_LEASE_SECONDS:
        raise PchatError('lease_seconds is %s; give %d to %d (default %d; below 60 only in tests).'
                         % (seconds, MIN_LEASE_SECONDS, MAX_LEASE_SECONDS, DEFAULT_LEASE_SECONDS))
    return int(seconds)


# -- messages --------------------------------------------------------------------------------------------------
def held_message(unit, dn, lease, same_run=False):
    if same_run:
        return ('unit %s is named by two inventory hosts of this same ansible-playbook run (pid %d on %s): each legacy '
                'pool is one unit, cut over by one inventory host. Remove the duplicate from the inventory.'
                % (unit, lease.pid, lease.host))
    return ('unit %s is locked: another cutover or rollback of it is running (its ansible-playbook is %s; lease %s, '
            'expires at %s unless that run renews it). Wait for that run to finish, then run again. If that run is '
            'gone (its controller crashed or was killed), the lease expires by itself at %s and the next run takes '
            'it over; clear the lease by hand (adminDescription of %s) only once you are sure that run is dead.'
            % (unit, lease.describe(), dn, lease.expires, lease.expires, dn))


def working_message(unit, dn, lease):
    return ('unit %s: the run that held it (pid %d on %s) is gone, but its module (pid %d) is still working%s; it '
            'ends its work and releases the lease (%s) by itself. Wait for it, then run again.'
            % (unit, lease.pid, lease.host, lease.worker, ': %s' % lease.work if lease.work else '', dn))


def takeover_warning(unit, previous, reason):
    why = ('its lease expired at %s' % previous.expires if reason == EXPIRED
           else 'that process is no longer running on this host')
    return ('took over the lease of unit %s from pid %d on %s (since %s): %s. That run was interrupted; this run '
            'resumes the unit.' % (unit, previous.pid, previous.host, previous.started, why))


def lost_message(unit, dn, current):
    holder = ('now held by %s' % current.describe()) if current is not None else 'no longer held by anyone'
    return ('the lease %s of unit %s is no longer this run\'s (%s): another run took the unit over after this run\'s '
            'lease expired, or it was released. This task stops without writing anything; check what the other run '
            'is doing.' % (dn, unit, holder))


class LeaseHeld(PchatError):
    """A live holder has the lease. ``refused_writes``: how many of this run's conditional writes the server
    refused first (another run wrote between our read and our write)."""

    def __init__(self, unit, dn, lease, refused_writes=0, same_run=False):
        super(LeaseHeld, self).__init__(held_message(unit, dn, lease, same_run), details={
            'holder': lease.holder(), 'lease_dn': dn, 'refused_writes': refused_writes})
        self.lease = lease


class LeaseBusy(PchatError):
    """The holder's run is gone but its module still works on this host (it releases the lease when it ends)."""

    def __init__(self, unit, dn, lease):
        super(LeaseBusy, self).__init__(working_message(unit, dn, lease), details={
            'holder': lease.holder(), 'lease_dn': dn})
        self.lease = lease


class LeaseLost(PchatError):
    """This run's lease is gone or another run's: a fenced writer must stop and write nothing."""

    def __init__(self, unit, dn, current):
        super(LeaseLost, self).__init__(lost_message(unit, dn, current), details={
            'holder': current.holder() if current is not None else None, 'lease_dn': dn})


# refused_writes as in LeaseHeld
Taken = collections.namedtuple('Taken', 'lease value previous reason refused_writes')
Released = collections.namedtuple('Released', 'released holder')


# -- the protocol ----------------------------------------------------------------------------------------------
class UnitLease(object):
    """The lease of one unit, as seen by one run (``host`` and ``pid`` of its ansible-playbook)."""

    def __init__(self, directory, unit, container=None, lease_seconds=DEFAULT_LEASE_SECONDS, host=None, pid=None,
                 pid_running=local_process.running):
        self.directory = directory
        self.unit = normalize_unit(unit)
        self.seconds = check_lease_seconds(lease_seconds)
        if container:
            self.container = validate_dn(container, 'container')
        else:
            self.container = default_container(self._naming_context())
        self.dn = 'CN=%s,%s' % (escape_dn_value(lease_cn(self.unit)), self.container)
        self.host = host or socket.gethostname()
        self.pid = int(pid) if pid else local_process.playbook_pid()
        self.pid_running = pid_running

    def _naming_context(self):
        value = first_value(self.directory.root_dse(), 'defaultNamingContext')
        if not value:
            raise PchatError('the directory did not report a defaultNamingContext; set container to the DN of the '
                             'container of the unit leases.')
        return value

    # reads
    def read(self):
        """(the lease object exists, its value or None)."""
        entry = self.directory.get_entry(self.dn, [LEASE_ATTRIBUTE])
        if entry is None:
            return False, None
        return True, first_value(entry, LEASE_ATTRIBUTE)

    def decode(self, value):
        try:
            return Lease.decode(value)
        except LeaseValueError as exc:
            # the value is not shown: it is not ours and could be anything
            raise PchatError('the lease object %s of unit %s holds an adminDescription that is not a pchat.cutover '
                             'lease (%s); it was left alone and the unit was not locked. If no cutover or rollback '
                             'of this unit is running, clear it (Set-ADObject -Identity "%s" -Clear '
                             'adminDescription) and run again.' % (self.dn, self.unit, exc, self.dn))

    def current(self):
        """(value, Lease) of whoever holds the unit now, or (None, None); a value that is not a lease is None."""
        _exists, value = self.read()
        if value is None:
            return None, None
        try:
            return value, Lease.decode(value)
        except LeaseValueError:
            return value, None

    # conditional writes: each is one modify the server applies whole or not at all
    def _add(self, value):
        return self.directory.modify_if(self.dn, {LEASE_ATTRIBUTE: [(MODIFY_ADD, [value])]})

    def swap(self, old, new):
        """Compare-and-swap: replace exactly ``old`` by ``new``; False if ``old`` is no longer the value."""
        return self.directory.modify_if(self.dn, {LEASE_ATTRIBUTE: [(MODIFY_DELETE, [old]), (MODIFY_ADD, [new])]})

    def _delete(self, value):
        return self.directory.modify_if(self.dn, {LEASE_ATTRIBUTE: [(MODIFY_DELETE, [value])]})

    def _create(self, value):
        """Create the lease object with the value in it (one add: fails if another run created it first)."""
        self._ensure_container()
        return self.directory.create_if_missing(self.dn, LEASE_OBJECT_CLASSES, {
            LEASE_ATTRIBUTE: value, 'description': 'pchat.cutover lease of unit %s' % self.unit})

    def _ensure_container(self):
        if self.directory.exists(self.container):
            return
        try:
            self.directory.create_if_missing(self.container, LEASE_OBJECT_CLASSES, {
                'description': 'pchat.cutover unit leases: one object per cutover unit (see the unit_lock module)'})
        except PchatError as error:
            raise PchatError('the container of unit leases %s does not exist and could not be created (%s). Have a '
                             'domain admin create it and delegate the rights (unit_lock documentation, '
                             '"container"), or set container to one that exists.' % (self.container, error.msg))

    # the operations
    def acquire(self):
        """Take the lease for a new run: Taken(lease, value, previous holder or None, EXPIRED/DEAD or None).
        Raises LeaseHeld when a live holder has it, LeaseBusy when a gone run's module still works on this host."""
        for refused in range(ATTEMPTS):
            now = server_time(self.directory)
            exists, value = self.read()
            lease = Lease.new(self.host, self.pid, now, self.seconds)
            mine = lease.encode()
            if value is None:
                taken = self._add(mine) if exists else self._create(mine)
                if taken:
                    return Taken(lease, mine, None, None, refused)
                continue  # another run took it between our read and our write: read again
            current = self.decode(value)
            verdict = judge(current, now, self.host, self.pid_running)
            if verdict == LIVE:
                same_run = current.host == self.host and current.pid == self.pid
                raise LeaseHeld(self.unit, self.dn, current, refused, same_run=same_run)
            if verdict == WORKING:
                raise LeaseBusy(self.unit, self.dn, current)
            if self.swap(value, mine):
                return Taken(lease, mine, current, verdict, refused)
        raise PchatError('the lease %s of unit %s changed hands %d times while this run tried to take it; run again.'
                         % (self.dn, self.unit, ATTEMPTS))

    def renew(self, run, worker=None, work=None):
        """Extend the lease of run ``run`` (compare-and-swap from its current value), naming the module working for
        it (``worker``, ``work``) or none: the renewed Lease. Raises LeaseLost when the lease is gone or another
        run's (the caller must stop writing)."""
        for _attempt in range(ATTEMPTS):
            value, current = self.current()
            if current is None or current.run != run:
                raise LeaseLost(self.unit, self.dn, current)
            lease = current.renewed(server_time(self.directory), self.seconds, worker, work)
            if self.swap(value, lease.encode()):
                return lease
        raise PchatError('the lease %s of unit %s changed %d times while this run renewed it; run again.'
                         % (self.dn, self.unit, ATTEMPTS))

    def held_by(self, run):
        """Whether run ``run`` holds the lease now (one read: the fence before a write)."""
        _value, current = self.current()
        return current is not None and current.run == run

    def release(self, run):
        """Delete run ``run``'s exact value: Released(True, lease). Released(False, holder or None) when there is no
        lease or it is another run's (nothing is touched then)."""
        for _attempt in range(ATTEMPTS):
            value, current = self.current()
            if current is None:
                return Released(False, None)
            if current.run != run:
                return Released(False, current)
            if self._delete(value):
                return Released(True, current)
        raise PchatError('the lease %s of unit %s changed %d times while this run tried to release it; run the '
                         'release again.' % (self.dn, self.unit, ATTEMPTS))

    def give_back(self, value):
        """Delete exactly ``value`` (a lease this run just took and cannot keep); False if it is not there."""
        return self._delete(value)
