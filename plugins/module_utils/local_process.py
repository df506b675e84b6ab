# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes on this controller, read from /proc: the ansible-playbook a module runs under (the lease names it, so
that a run on the same host can tell a crashed holder at once) and whether a pid still runs.

Where /proc does not exist (a controller that is not Linux), no ansible-playbook is found (the module's parent is
named instead) and a crashed holder is only taken over once its lease expired; nothing else depends on it.
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
    if not os.path.isdir('/proc'):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True
        return True
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] not in ('Z', 'X', 'x')


def _is_playbook(args):
    line = ' '.join(args)
    return 'ansible-playbook' in line or '/ansible ' in line or line.startswith('ansible ')


def playbook_pid():
    """The outermost ansible-playbook (or ansible) process above this one; its workers are forks with the same
    command line, so keep walking up while a parent still is one. Without one (a module run by a test
    harness, or no /proc), the parent process."""
    found = None
    pid = os.getpid()
    while pid > 1:
        pid = parent(pid)
        if pid > 1 and _is_playbook(argv(pid)):
            found = pid
    return found or os.getppid()
