#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: unit_lock
short_description: Keep two cutovers (or a cutover and a rollback) of the same unit from running at once
version_added: 0.1.0
description:
  - Takes or releases a lock file for one cutover unit on the controller. The holder is the C(ansible-playbook)
    process that runs the task (found by walking up from the module's process), with its host and start time.
  - A lock whose holder process is gone (a run that was killed or crashed) is stale; it is taken over and the
    result says so (RV(stale_holder)). A lock whose holder is alive makes the task fail at once with a message
    naming the lock file and the holder.
  - Used by the C(cutover) and C(rollback) roles; it runs in check mode too (a preview must not overlap a run).
author:
  - pchat.cutover contributors (@pchat-cutover)
attributes:
  check_mode:
    support: full
    description: Takes and releases the lock in check mode as well, since a preview reads state a run may change.
  diff_mode:
    support: none
    description: A lock is not managed state.
options:
  path:
    description: The lock file, for example V(~/.pchat-cutover/contoso_group_chat.lock).
    type: path
    required: true
  state:
    description: V(acquired) takes the lock (failing if a live holder has it); V(released) removes it if this run holds it.
    type: str
    choices: [acquired, released]
    default: acquired
notes:
  - The lock is advisory and local to the controller; run every cutover of a unit from the same controller.
'''

EXAMPLES = r'''
- name: Lock the unit
  pchat.cutover.unit_lock:
    path: "{{ pchat_state_dir }}/{{ inventory_hostname }}.lock"
  check_mode: false
'''

RETURN = r'''
holder:
  description:
    - The holder recorded in the lock (C(pid), C(host), C(started)).
    - Never a command line, because an C(ansible-playbook) command line can carry extra variables, passwords included.
  returned: always
  type: dict
stale_holder:
  description: The previous holder when a stale lock was taken over, else V(null).
  returned: always
  type: dict
'''

import datetime
import json
import os
import socket

from ansible.module_utils.basic import AnsibleModule


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    except (OSError, ValueError):
        return ''


def _parent(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return int(handle.read().rsplit(')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def playbook_pid():
    """The outermost ansible-playbook (or ansible) process above this module; workers are forks with the same
    command line, so keep walking up while the parent still is one."""
    found = None
    pid = os.getpid()
    while pid > 1:
        pid = _parent(pid)
        line = _cmdline(pid)
        if 'ansible-playbook' in line or '/ansible ' in line or line.startswith('ansible '):
            found = pid
    return found or os.getppid()


def alive(holder):
    """The holder still runs: same host, its pid exists and is still an ansible process."""
    if holder.get('host') != socket.gethostname():
        return True  # cannot tell for another controller: treat as alive
    pid = int(holder.get('pid') or 0)
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return 'ansible' in _cmdline(pid)


# What a lock records of its holder. A command line is never among them: `-e pchat_psrp_password=...` would put a
# secret in the lock file and in every message that names the holder.
HOLDER_FIELDS = ('pid', 'host', 'started')


def read_holder(path):
    """The holder a lock file names, reduced to HOLDER_FIELDS (a lock written by an older version may hold more)."""
    try:
        with open(path) as handle:
            recorded = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict):
        return {}
    return dict((key, recorded.get(key)) for key in HOLDER_FIELDS)


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type='path', required=True),
                           state=dict(type='str', choices=['acquired', 'released'], default='acquired')),
        supports_check_mode=True,
    )
    path = module.params['path']
    pid = playbook_pid()
    me = {'pid': pid, 'host': socket.gethostname(),
          'started': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}
    current = read_holder(path)
    if module.params['state'] == 'released':
        if current and current.get('pid') == pid and current.get('host') == me['host']:
            os.unlink(path)
            module.exit_json(changed=False, holder=current, stale_holder=None)
        module.exit_json(changed=False, holder=current, stale_holder=None)
    if current and current.get('pid') == pid and current.get('host') == me['host']:
        module.exit_json(changed=False, holder=current, stale_holder=None)  # this run already holds it
    stale = None
    if current is not None:
        if alive(current):
            module.fail_json(msg='cutover unit is locked by ansible-playbook (pid %s on %s since %s; lock file %s). Another '
                                 'cutover or rollback of this unit is running: wait for it to finish. If that process '
                                 'is gone on another controller, remove the lock file.'
                                 % (current.get('pid'), current.get('host'), current.get('started'), path),
                             holder=current)
        stale = current
        os.unlink(path)
    directory = os.path.dirname(path)
    try:
        if directory:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        other = read_holder(path) or {}
        module.fail_json(msg='cutover unit is locked by pid %s on %s (lock file %s), taken a moment ago; another run '
                             'started at the same time. Wait for it to finish.' % (other.get('pid'), other.get('host'), path),
                         holder=other)
    except OSError as exc:
        module.fail_json(msg='cannot create the lock file %s (%s); check pchat_state_dir.' % (path, exc))
    with os.fdopen(fd, 'w') as handle:
        json.dump(me, handle)
    if stale:
        module.warn('took over a stale lock of pid %s on %s (since %s): that run is gone'
                    % (stale.get('pid'), stale.get('host'), stale.get('started')))
    module.exit_json(changed=False, holder=me, stale_holder=stale)


if __name__ == '__main__':
    main()
