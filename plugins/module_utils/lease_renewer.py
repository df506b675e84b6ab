# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lease renewer: one detached process per held lease. It renews the lease by compare-and-swap every third
of the lease length while the run that holds it lives, and exits when that run dies (the lease then expires),
when a renewal finds the lease is no longer this run's (released or taken over), or on SIGTERM (the release).

It runs in its own session, with no inherited file descriptors and a minimal environment. It gets the connection
settings, the password among them, on a pipe on its stdin: never in its argument vector, its environment or a
file, and it never prints them. Its argument vector names it, the run id and the lease DN (no secret), so ``ps``
shows what it is and the module finds it again (a second acquire by the same run reuses it; the release stops
it).

Before the module returns, the renewer answers on a pipe that it is connected and the lease is the one it was
given: from then on it needs nothing from the module's files (Ansible deletes the module's payload after the
task).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import json
import os
import select
import signal
import subprocess
import sys
import time

from ansible_collections.pchat.cutover.plugins.module_utils import local_process
from ansible_collections.pchat.cutover.plugins.module_utils.directory_connection import DirectoryConnection
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import (
    LEASE_ATTRIBUTE, Lease, MODIFY_ADD, MODIFY_DELETE, server_time,
)
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import first_value

MARKER = 'pchat.cutover-lease-renewer'
# Runs in a fresh interpreter: reads its settings from stdin, then imports this module from the paths the
# module had (Ansible's payload zip included) and serves.
BOOTSTRAP = ('import json,sys;c=json.loads(sys.stdin.buffer.readline());sys.path[:0]=c.pop("sys_path");'
             'from ansible_collections.pchat.cutover.plugins.module_utils.lease_renewer import serve;serve(c)')
# Passed on to the renewer: none is a secret (the Kerberos ones are paths)
ENVIRONMENT = ('PATH', 'LANG', 'LC_ALL', 'TZ', 'KRB5CCNAME', 'KRB5_CONFIG', 'KRB5_KTNAME', 'KRB5_CLIENT_KTNAME')
POLL_SECONDS = 1.0  # how often the renewer looks whether the holder still runs
RETRY_SECONDS = 5.0  # after a failed renewal (directory unreachable), try again this soon
STOP_SECONDS = 5.0
RENEWED, LOST, FAILED = 'renewed', 'lost', 'failed'

Renewer = collections.namedtuple('Renewer', 'pid run lease_dn')


# -- in the module's process -----------------------------------------------------------------------------------
def _command(run, lease_dn):
    return [sys.executable, '-I', '-c', BOOTSTRAP, MARKER, run, lease_dn]


def _environment():
    return dict((name, os.environ[name]) for name in ENVIRONMENT if name in os.environ)


def find(run=None):
    """The renewers running for ``run`` (every renewer of this user if None)."""
    def match(args):
        return len(args) == 7 and args[4] == MARKER and args[2:4] == ['-c', BOOTSTRAP] and run in (None, args[5])
    return [Renewer(pid, *local_process.argv(pid)[5:7]) for pid in local_process.find(match)]


def _read_answer(proc, timeout):
    """The renewer's one-line JSON answer, or None if none came within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    data = b''
    fd = proc.stdout.fileno()
    while b'\n' not in data and len(data) < 65536:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    try:
        return json.loads(data.split(b'\n', 1)[0])
    except ValueError:
        return None


def start(connection, lease_dn, value, lease_seconds, holder_pid, timeout):
    """Start the renewer of the lease whose current value is ``value``; its pid once it answered that it is
    connected and holds that value. Raises PchatError (and leaves no process behind) otherwise."""
    config = {'sys_path': [path for path in sys.path if path], 'connection': connection, 'lease_dn': lease_dn,
              'value': value, 'lease_seconds': lease_seconds, 'holder_pid': holder_pid}
    try:
        proc = subprocess.Popen(_command(Lease.decode(value).run, lease_dn), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd='/', env=_environment(),
                                close_fds=True, start_new_session=True)
    except OSError as exc:
        raise PchatError('the renewer of lease %s could not be started with %s: %s' % (lease_dn, sys.executable, exc))
    answer = None
    try:
        proc.stdin.write(json.dumps(config).encode('utf-8') + b'\n')
        proc.stdin.close()
        answer = _read_answer(proc, timeout)
    except (OSError, ValueError):
        pass
    finally:
        proc.stdout.close()
    if not isinstance(answer, dict) or not answer.get('ok'):
        proc.kill()
        proc.wait()
        why = answer.get('error') if isinstance(answer, dict) else 'no answer within %d s' % timeout
        raise PchatError('the renewer of lease %s did not start: %s' % (lease_dn, why))
    return proc.pid


def stop(run, timeout=STOP_SECONDS):
    """SIGTERM the renewers of ``run`` and wait until they are gone (SIGKILL after ``timeout``); how many."""
    renewers = find(run)
    for renewer in renewers:
        _signal(renewer.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(local_process.running(r.pid) for r in renewers):
        if time.monotonic() > deadline:
            for renewer in renewers:
                _signal(renewer.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    return len(renewers)


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError:
        pass


# -- in the renewer's process ----------------------------------------------------------------------------------
def serve(config):
    """The renewer's main: connect, check, answer, detach, renew until done."""
    try:
        renewer = LeaseRenewal(config)
    except Exception as exc:  # pylint: disable=broad-except
        # the reason only: a PchatError message names the server and the bind DN, never the password
        _answer({'ok': False, 'error': exc.msg if isinstance(exc, PchatError) else type(exc).__name__})
        return
    _answer({'ok': True, 'pid': os.getpid()})
    _detach()
    try:
        renewer.run()
    finally:
        renewer.close()


def _answer(message):
    os.write(1, json.dumps(message).encode('utf-8') + b'\n')


def _detach():
    """Nothing of the module's pipes stays open (the module's caller reads its output until EOF)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


class LeaseRenewal(object):
    """Renews one lease while its holder runs."""

    def __init__(self, config):
        self.connection = config['connection']
        self.dn = config['lease_dn']
        self.value = config['value']
        self.seconds = int(config['lease_seconds'])
        self.holder_pid = int(config['holder_pid'])
        # the holder's start time tells it apart from a later process that reuses its pid
        self.holder_ticks = local_process.start_ticks(self.holder_pid)
        if not local_process.same_process(self.holder_pid, self.holder_ticks):
            raise PchatError('the run that holds the lease (pid %d) is not running' % self.holder_pid)
        self.directory = DirectoryConnection(self.connection)
        entry = self.directory.get_entry(self.dn, [LEASE_ATTRIBUTE])
        if first_value(entry or {}, LEASE_ATTRIBUTE) != self.value:
            raise PchatError('the lease %s no longer holds the value this run wrote' % self.dn)

    def holder_alive(self):
        return local_process.same_process(self.holder_pid, self.holder_ticks)

    def run(self):
        """Renew every third of the lease while the holder runs; return when it is gone or the lease is lost."""
        interval = max(1.0, self.seconds / 3.0)
        due = time.monotonic() + interval
        while self.holder_alive():
            if time.monotonic() >= due:
                outcome = self.renew()
                if outcome == LOST:
                    return
                due = time.monotonic() + (interval if outcome == RENEWED else min(interval, RETRY_SECONDS))
            time.sleep(max(0.05, min(POLL_SECONDS, due - time.monotonic())))

    def renew(self):
        """One compare-and-swap from our last value to the same lease with a later expiry."""
        try:
            if self.directory is None:
                self.directory = DirectoryConnection(self.connection)
            lease = Lease.decode(self.value).renewed(server_time(self.directory), self.seconds)
            new = lease.encode()
            swapped = self.directory.modify_if(self.dn, {LEASE_ATTRIBUTE: [(MODIFY_DELETE, [self.value]),
                                                                           (MODIFY_ADD, [new])]})
        except PchatError:
            # the directory is unreachable or the connection dropped: keep the holder's claim and try again soon;
            # if the lease expires meanwhile and another run takes it, the next swap fails and we stop
            self.close()
            return FAILED
        if not swapped:
            return LOST
        self.value = new
        return RENEWED

    def close(self):
        if self.directory is not None:
            self.directory.close()
            self.directory = None
