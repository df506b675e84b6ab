#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: unit_lock
short_description: Keep two cutovers (or a cutover and a rollback) of the same unit from running at once, on any controller
version_added: 0.1.0
description:
  - Takes, renews or releases the lease of one cutover unit in Active Directory, where every controller that can cut
    the unit over meets. Two runs of the same unit, from the same controller or from two (two AWX jobs, two admins),
    never both hold it.
  - The lease is one object per unit (class C(container), CN = the unit name) under O(container); its single-valued
    C(adminDescription) holds the holder as JSON (C(host), C(pid) of the run's C(ansible-playbook), C(started),
    C(expires), C(run) (a random id) and, while a module of the run works, C(worker) and C(work) (that module's pid
    and what it is doing)). Each change is one LDAP modify the directory checks and applies atomically; taking a free
    lease adds the value (refused if there is one), taking over an expired one deletes the exact old value and adds
    the new one in the same modify (refused if another run got there first). Times are the directory's clock.
  - Taking the lease returns its handle (RV(lease)), that is the unit, the run's id, the container and the lease length.
    The C(cutover) and C(rollback) roles hand it to every module of the run (option O(lease), through
    C(module_defaults)). Each module then holds the lease while it works (it renews it at once and then every third
    of O(lease_seconds)) and stops, writing nothing, if the run lost it. No process renews the lease between tasks,
    so a run whose process is gone stops renewing it.
  - Given O(lease) (a renewal by the same run), O(state=acquired) extends the run's lease; O(state=released) deletes
    it. Without O(lease), O(state=released) releases a lease held by this host's C(ansible-playbook) (its pid).
  - A live holder makes the task fail at once, naming the unit, the holder's host, pid and start time and when its
    lease expires. An expired lease, or one held from this host by a run whose processes no longer run, is taken over
    with a warning naming the previous holder (RV(stale_holder)).
  - When the holder's run is gone but one of its modules still works on this host (an import ending after the
    operator stopped the run), the module returns RV(busy) instead of failing, and its action plugin waits for that
    module to finish, showing what it does, for up to O(wait) seconds, then takes the lease.
  - If the directory cannot be reached the task fails and the run does not start (fail closed).
  - Used by the C(cutover) and C(rollback) roles.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.lease
attributes:
  check_mode:
    support: full
    description:
      - Reads the lease and says what would be done; fails as a run would when a live holder has it. The C(cutover)
        and C(rollback) roles run this module with C(check_mode=false), so that a preview takes the lease too and
        never overlaps a run (it reads state a run may be changing).
  diff_mode:
    support: none
    description: A lease is not managed state.
options:
  name:
    description:
      - The unit. Give the legacy pool FQDN (for example V(gc.contoso.com)), not the inventory host name, so that
        two inventories naming the same pool differently still share one lease.
      - Compared without case and without a trailing dot.
    type: str
    required: true
  state:
    description:
      - V(acquired) takes the lease (failing if a live holder has it), or with O(lease) extends this run's lease.
      - V(released) deletes this run's lease; a lease held by another run is left alone (with a warning).
    type: str
    choices: [acquired, released]
    default: acquired
  lease_seconds:
    description:
      - How long the lease lasts without renewal; a module of the run renews it every third of this while it works.
      - It is also how long other controllers wait after a run's controller crashed. On the same host a crashed
        holder is seen at once (its process is gone).
      - 3 to 86400; below 60 only in tests (a directory that answers slowly could let the lease lapse).
    type: int
    default: 300
  wait:
    description:
      - How long to wait (seconds) for a module of a gone run that still works on this host, before failing. The
        waiting is done by the module's action plugin, which shows what that module is doing.
    type: int
    default: 900
  container:
    description:
      - DN of the container that holds the lease objects. Default
        C(CN=pchat.cutover,CN=Program Data,<defaultNamingContext>), created when missing.
      - Creating it needs the right to create C(container) objects in C(CN=Program Data) (Domain Admins have it). To
        run with less, have a domain admin create it once and delegate to the account of O(ldap_bind_dn) the right to
        create C(container) objects in it and to read and write C(adminDescription) on them, for example
        C(New-ADObject -Type container -Name pchat.cutover -Path "CN=Program Data,DC=contoso,DC=com") then
        C(dsacls "CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com" /G "CONTOSO\pchat-cutover:CC;container")
        and C(dsacls "CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com" /I:S
        /G "CONTOSO\pchat-cutover:RPWP;adminDescription;container").
      - Every controller of a unit must use the same container.
    type: str
notes:
  - The holder is identified by its run id; its host name and C(ansible-playbook) pid tell a crashed holder on the
    same host at once (through C(/proc); elsewhere a crashed holder is taken over once its lease expired).
    Controllers must have distinct host names (AWX job pods do).
  - Two inventory hosts of one run that name the same legacy pool are refused, the second one's lease being held by the
    same run.
seealso:
  - name: Reliability and the lease protocol
    description: docs/reliability.md in the collection, section Concurrency.
    link: https://github.com/pchat-cutover/pchat.cutover/blob/main/docs/reliability.md
'''

EXAMPLES = r'''
- name: Lock the unit (a second cutover or rollback of it, from any controller, stops here)
  pchat.cutover.unit_lock:
    name: "{{ pchat_legacy_pool }}"
  check_mode: false
  register: unit_lease

- name: Every module of the run holds the lease while it works
  pchat.cutover.chat_pool_info:
    fqdns: [gc.contoso.com]
    lease: "{{ unit_lease.lease }}"

- name: Release it at the end, also when a phase failed
  pchat.cutover.unit_lock:
    name: "{{ pchat_legacy_pool }}"
    state: released
    lease: "{{ unit_lease.lease }}"
  check_mode: false

- name: A lease container an admin created and delegated
  pchat.cutover.unit_lock:
    name: gc.contoso.com
    container: CN=Cutover Leases,OU=Lync,DC=contoso,DC=com
    lease_seconds: 600
'''

RETURN = r'''
unit:
  description: The unit as the lease is keyed (trimmed, lower case, no trailing dot).
  returned: always
  type: str
  sample: gc.contoso.com
lease_dn:
  description: DN of the unit's lease object.
  returned: always
  type: str
  sample: CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com
lease:
  description: The handle of this run's lease, for the O(lease) option of every module of the run.
  returned: when the lease was taken or renewed
  type: dict
  sample: {unit: gc.contoso.com, run: 3f9a0c2b7d41e6a8, container: 'CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com',
           seconds: 300}
  contains:
    unit:
      description: The unit.
      type: str
      sample: gc.contoso.com
    run:
      description: The run's random id (the fencing token).
      type: str
      sample: 3f9a0c2b7d41e6a8
    container:
      description: DN of the container of the lease objects.
      type: str
      sample: CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com
    seconds:
      description: The lease's length.
      type: int
      sample: 300
holder:
  description:
    - With O(state=acquired), this run's lease. With O(state=released), the lease that was released, or the other
      run's lease that was left alone, or V(null) when there was none. With RV(busy), the gone run's lease.
    - Never a command line or a variable value.
  returned: always
  type: dict
  sample:
    host: controller01
    pid: 18328
    run: af8722629f5a255c
    started: '2026-11-28T02:00:00Z'
    expires: '2026-11-28T02:05:00Z'
  contains:
    host:
      description: Host name of the holder's controller.
      type: str
      sample: controller01
    pid:
      description: Process id of the holder's C(ansible-playbook).
      type: int
      sample: 18328
    started:
      description: When the lease was taken (directory time, UTC).
      type: str
      sample: '2026-11-28T02:00:00Z'
    expires:
      description: When it expires unless renewed (directory time, UTC).
      type: str
      sample: '2026-11-28T02:05:00Z'
    run:
      description: Random id of the run's lease.
      type: str
      sample: 3f9a0c2b7d41e6a8
    worker:
      description: Process id of the module working for the run when the lease was last renewed, or V(null).
      type: int
      sample: 4301
    work:
      description: What that module was doing, or V(null).
      type: str
      sample: 'import: 5 of 18 rooms'
stale_holder:
  description: The previous holder when an expired or dead lease was taken over, else V(null). Keys as in RV(holder).
  returned: always
  type: dict
  sample:
    host: controller02
    pid: 4711
    run: 0c9d3e51aa7b2f10
    started: '2026-11-28T01:40:00Z'
    expires: '2026-11-28T01:45:00Z'
takeover:
  description: Why the previous holder's lease was taken over, V(expired) or V(dead) (its processes are gone from
    this host), else V(null).
  returned: always
  type: str
  sample: expired
busy:
  description: The holder's run is gone but one of its modules still works on this host; RV(holder) names it and
    RV(progress) says what it does. The action plugin waits and asks again.
  returned: when O(state=acquired)
  type: bool
  sample: false
progress:
  description: With RV(busy), what the working module last reported, or V(null).
  returned: when RV(busy)
  type: str
  sample: 'import: 5 of 18 rooms, 40 s'
refused_writes:
  description:
    - How many of this task's conditional writes the directory refused before it got the lease, because another run
      wrote between this task's read and its write (a race it lost and then re-read). Also in RV(details) of the
      failure when a live holder has the lease.
  returned: when O(state=acquired)
  type: int
  sample: 0
details:
  description: On failure because a live holder has the lease, its RV(holder), the RV(lease_dn) and RV(refused_writes).
  returned: when a live holder has the lease
  type: dict
  sample:
    holder:
      host: controller02
      pid: 4711
      run: 0c9d3e51aa7b2f10
      started: '2026-11-28T02:00:00Z'
      expires: '2026-11-28T02:05:00Z'
    lease_dn: CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com
    refused_writes: 1
released:
  description: This run's lease was deleted.
  returned: when O(state=released)
  type: bool
  sample: true
ldap_searches:
  description: How many LDAP search requests the task sent (a count, for anyone counting round trips).
  returned: always
  type: int
  sample: 3
'''

import socket

from ansible_collections.pchat.cutover.plugins.module_utils import local_process, progress
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import (
    DEFAULT_LEASE_SECONDS, DEAD, EXPIRED, LIVE, WORKING, LeaseBusy, LeaseHeld, UnitLease, judge, normalize_unit,
    server_time, takeover_warning,
)
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule


def connected(module):
    """The directory, or a failure that says the unit was not locked (fail closed: no lease, no run)."""
    try:
        return module.directory
    except PchatError as error:
        if module.params['state'] == 'acquired':
            raise PchatError('unit %s: the lease could not be acquired because the directory is not available, so '
                             'this run must not go on: %s' % (module.params['name'], error.msg))
        raise PchatError('unit %s: the lease could not be released because the directory is not available (%s); it '
                         'expires by itself within lease_seconds after this run ends.'
                         % (module.params['name'], error.msg))


def unit_lease(module):
    params = module.params
    return UnitLease(connected(module), params['name'], container=params['container'],
                     lease_seconds=params['lease_seconds'], host=socket.gethostname(),
                     pid=local_process.playbook_pid())


def run_of(module, lease):
    """This run's id: from the lease handle, when it names this unit."""
    handle = module.params.get('lease')
    if handle and normalize_unit(handle['unit']) == lease.unit:
        return handle['run']
    return None


def handle(lease, run):
    return {'unit': lease.unit, 'run': run, 'container': lease.container, 'seconds': lease.seconds}


def base(lease):
    return {'changed': False, 'unit': lease.unit, 'lease_dn': lease.dn, 'stale_holder': None, 'takeover': None}


def acquire(module):
    lease = unit_lease(module)
    run = run_of(module, lease)
    result = base(lease)
    held = lease.current()[1] if run is not None else None
    if held is None:
        run = None  # no handle, or this run released the lease earlier (an earlier play of the playbook): take it anew
    if run is not None:  # the same run again (a phase boundary): extend its lease
        if module.check_mode:
            if held.run != run:
                lease.renew(run)  # raises LeaseLost: the message names who holds it now
            return dict(result, lease=handle(lease, run), holder=held.holder(), busy=False, refused_writes=0)
        renewed = lease.renew(run)
        return dict(result, changed=True, lease=handle(lease, run), holder=renewed.holder(), busy=False,
                    refused_writes=0)
    if module.check_mode:
        return preview_acquire(lease, result)
    try:
        taken = lease.acquire()
    except LeaseBusy as busy:
        found = progress.read(busy.lease.run) or {}
        return dict(result, busy=True, holder=busy.lease.holder(), progress=found.get('work') or busy.lease.work,
                    refused_writes=0, msg=busy.msg)
    if taken.previous is not None:
        module.warn(takeover_warning(lease.unit, taken.previous, taken.reason))
    return dict(result, changed=True, lease=handle(lease, taken.lease.run), holder=taken.lease.holder(),
                stale_holder=taken.previous.holder() if taken.previous else None,
                takeover=taken.reason if taken.previous else None, busy=False, refused_writes=taken.refused_writes)


def preview_acquire(lease, result):
    """Check mode: what taking the lease would do, writing nothing."""
    _value, current = lease.current()
    if current is None:
        return dict(result, changed=True, holder=None, busy=False, refused_writes=0)
    verdict = judge(current, server_time(lease.directory), lease.host, lease.pid_running)
    if verdict == LIVE:
        raise LeaseHeld(lease.unit, lease.dn, current, same_run=current.host == lease.host and current.pid == lease.pid)
    return dict(result, changed=True, holder=current.holder(), busy=verdict == WORKING,
                stale_holder=current.holder(), takeover=verdict if verdict in (EXPIRED, DEAD) else None,
                refused_writes=0)


def release(module):
    lease = unit_lease(module)
    run = run_of(module, lease)
    if run is None:  # no handle: this host's ansible-playbook's lease
        _value, current = lease.current()
        run = current.run if current is not None and current.host == lease.host and current.pid == lease.pid else ''
    if module.check_mode:
        _value, current = lease.current()
        ours = current is not None and current.run == run
        return dict(base(lease), changed=ours, released=ours, holder=current.holder() if current else None)
    outcome = lease.release(run)
    if outcome.holder is not None and not outcome.released:
        module.warn('the lease of unit %s is held by %s, not by this run: it was left in place.'
                    % (lease.unit, outcome.holder.describe()))
    if outcome.released:
        progress.remove(run)
    return dict(base(lease), changed=outcome.released, released=outcome.released,
                holder=outcome.holder.holder() if outcome.holder else None)


def main():
    module = PchatModule(
        argument_spec=dict(name=dict(type='str', required=True),
                           state=dict(type='str', choices=['acquired', 'released'], default='acquired'),
                           lease_seconds=dict(type='int', default=DEFAULT_LEASE_SECONDS),
                           wait=dict(type='int', default=900),
                           container=dict(type='str')),
        uses=('directory',),
        keeps_lease=False,
    )
    module.run(lambda: acquire(module) if module.params['state'] == 'acquired' else release(module))


if __name__ == '__main__':
    main()
