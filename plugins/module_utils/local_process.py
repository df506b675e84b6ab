# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes on this controller, read from /proc (the controller is Linux): the ansible-playbook a module runs
under, whether a pid still runs, and processes found by their argument vector.

Pure reads; no ansible import, so the lease renewer (a plain Python process) can use it too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os


def _read(path, binary=False):
    try:
        with open(path, 'rb' if binary else 'r') as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def argv(pid):
    """The argument vector of ``pid`` (a list of str), or [] when it cannot be read."""
    raw = _read('/proc/%d/cmdline' % pid, binary=True)
    if not raw:
        return []
    return [part.decode('utf-8', 'replace') for part in raw.rstrip(b'\0').split(b'\0')]


def _stat_fields(pid):
    """/proc/<pid>/stat after the command name (which may contain spaces and parentheses): field 3 (state)
    onwards, or None when the process does not exist."""
    text = _read('/proc/%d/stat' % pid)
    if not text or ')' not in text:
        return None
    return text.rsplit(')', 1)[1].split()


def parent(pid):
    fields = _stat_fields(pid)
    try:
        return int(fields[1]) if fields else 0
    except (ValueError, IndexError):
        return 0


def running(pid):
    """``pid`` exists and is not a zombie (an exited child nobody reaped yet is not running)."""
    if not pid or pid <= 0:
        return False
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] not in ('Z', 'X', 'x')


def start_ticks(pid):
    """When ``pid`` started (clock ticks after boot), or None: with the pid it names one process, even after
    the pid is reused."""
    fields = _stat_fields(pid)
    try:
        return int(fields[19]) if fields else None
    except (ValueError, IndexError):
        return None


def same_process(pid, ticks):
    """``pid`` still runs and is the process that had ``ticks`` as its start time."""
    return ticks is not None and running(pid) and start_ticks(pid) == ticks


def _uid(pid):
    for line in (_read('/proc/%d/status' % pid) or '').splitlines():
        if line.startswith('Uid:'):
            return int(line.split()[1])
    return None


def find(match):
    """Pids of running processes of this user whose argument vector ``match(argv)`` accepts."""
    found = []
    uid = os.getuid()
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        pid = int(name)
        if pid == os.getpid() or _uid(pid) != uid or not running(pid):
            continue
        if match(argv(pid)):
            found.append(pid)
    return sorted(found)


def _is_playbook(args):
    line = ' '.join(args)
    return 'ansible-playbook' in line or '/ansible ' in line or line.startswith('ansible ')


def playbook_pid():
    """The outermost ansible-playbook (or ansible) process above this one; its workers are forks with the same
    command line, so keep walking up while a parent still is one. Without one (a module run by a test
    harness), the parent process."""
    found = None
    pid = os.getpid()
    while pid > 1:
        pid = parent(pid)
        if pid > 1 and _is_playbook(argv(pid)):
            found = pid
    return found or os.getppid()
