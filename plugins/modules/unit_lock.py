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
  - Takes or releases the lease of one cutover unit in Active Directory, where every controller that can cut the
    unit over meets. Two runs of the same unit, from the same controller or from two (two AWX jobs, two admins),
    never both hold it.
  - The lease is one object per unit (class C(container), CN = the unit name) under O(container); its single-valued
    C(adminDescription) holds the holder as JSON (C(host), C(pid), C(started), C(expires), C(run)). Each change is
    one LDAP modify the directory checks and applies atomically; taking a free lease adds the value (refused if
    there is one), taking over an expired one deletes the exact old value and adds the new one in the same modify
    (refused if another run got there first). Times are the directory's clock.
  - The holder is the C(ansible-playbook) process of the run (found by walking up from the module's process) on this
    host. A second acquire by the same run succeeds without changing anything.
  - While the run lives, a detached renewer process extends the lease every third of O(lease_seconds). It exits
    when the run's C(ansible-playbook) ends (the lease then expires after at most O(lease_seconds)), when the lease
    is released, or when the lease is no longer this run's. It gets the connection settings and password on a pipe,
    never on its command line, in its environment or in a file.
  - A live holder makes the task fail at once, naming the unit, the holder's host, pid and start time and when its
    lease expires. An expired lease, or one held from this host by a process that no longer runs, is taken over
    with a warning naming the previous holder (RV(stale_holder)).
  - If the directory cannot be reached the task fails and the run does not start (fail closed).
  - Used by the C(cutover) and C(rollback) roles.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.platform
attributes:
  check_mode:
    support: full
    description:
      - Takes and releases the lease in check mode as well, so that a preview never overlaps a run (it reads state a
        run may be changing). The lease is not managed state.
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
      - V(acquired) takes the lease (failing if a live holder has it) and starts its renewer.
      - V(released) stops the renewer and deletes this run's lease; a lease held by another run is left alone
        (with a warning).
    type: str
    choices: [acquired, released]
    default: acquired
  lease_seconds:
    description:
      - How long the lease lasts without renewal; the renewer extends it every third of this.
      - It is also how long other controllers wait after a run's controller crashed. On the same host a crashed
        holder is seen at once (its process is gone).
      - 3 to 86400; below 60 only in tests (a directory that answers slowly could let the lease lapse).
    type: int
    default: 300
  container:
    description:
      - DN of the container that holds the lease objects. Default
        C(CN=pchat.cutover,CN=Program Data,<defaultNamingContext>), created when missing.
      - Creating it needs the right to create C(container) objects in C(CN=Program Data) (Domain Admins have it). To
        run with less, have a domain admin create it once and delegate to the account of O(bind_dn) the right to
        create C(container) objects in it and to read and write C(adminDescription) on them, for example
        C(New-ADObject -Type container -Name pchat.cutover -Path "CN=Program Data,DC=contoso,DC=com") then
        C(dsacls "CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com" /G "CONTOSO\pchat-cutover:CC;container")
        and C(dsacls "CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com" /I:S
        /G "CONTOSO\pchat-cutover:RPWP;adminDescription;container").
      - Every controller of a unit must use the same container.
    type: str
notes:
  - Like every module of the collection it accepts the directory and the platform options, so that
    C(module_defaults) for the C(group/pchat.cutover.all) action group sets them once; it uses only the directory.
  - The holder is identified by host name and pid; controllers must have distinct host names (AWX job pods do). A
    holder on another host is only taken over once its lease expired.
  - Within one C(ansible-playbook) run the lease is re-entrant, so two inventory hosts of one run that name the same
    pool are not kept apart by it.
  - If the renewer cannot reach the directory for longer than O(lease_seconds), another run can take the lease over;
    acquiring again (with the same O(name)) before each step that changes something fails in that case.
  - Linux controllers (the holder and renewer are found through C(/proc)).
seealso:
  - name: Reliability and the lease protocol
    description: docs/reliability.md in the collection, section Concurrency.
    link: https://github.com/pchat-cutover/pchat.cutover/blob/main/docs/reliability.md
'''

EXAMPLES = r'''
- name: Lock the unit (a second cutover or rollback of it, from any controller, stops here)
  pchat.cutover.unit_lock:
    name: "{{ pchat_legacy_pool }}"

- name: Release it at the end, also when a phase failed
  pchat.cutover.unit_lock:
    name: "{{ pchat_legacy_pool }}"
    state: released

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
holder:
  description:
    - With O(state=acquired), this run's lease. With O(state=released), the lease that was released, or the other
      run's lease that was left alone, or V(null) when there was none.
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
      sample: af8722629f5a255c
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
  description: Why the previous holder's lease was taken over, V(expired) or V(dead) (its process is gone from this
    host), else V(null).
  returned: always
  type: str
  sample: expired
reused:
  description: This run already held the lease (a second acquire); nothing was changed.
  returned: when O(state=acquired)
  type: bool
  sample: false
renewer_pid:
  description: Process id of the lease's renewer.
  returned: when O(state=acquired)
  type: int
  sample: 18352
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

from ansible_collections.pchat.cutover.plugins.module_utils import lease_renewer, local_process
from ansible_collections.pchat.cutover.plugins.module_utils.connection import DIRECTORY_ARGUMENT_SPEC
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import (
    DEFAULT_LEASE_SECONDS, OURS, UnitLease, takeover_warning,
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


def start_renewer(module, lease, value):
    """Start the renewer; without one the lease would lapse mid-run, so if it cannot start the lease is given
    back and the task fails."""
    connection = dict((name, module.params.get(name)) for name in DIRECTORY_ARGUMENT_SPEC)
    timeout = 2 * (module.params.get('timeout') or 10) + 5
    try:
        return lease_renewer.start(connection, lease.dn, value, lease.seconds, lease.pid, timeout)
    except PchatError as error:
        lease.give_back(value)
        raise PchatError('%s. The lease of unit %s was given back and this run stops here; check that this host can '
                         'run %s and reach the directory.' % (error.msg, lease.unit, lease_renewer.MARKER))


def acquire(module):
    lease = unit_lease(module)
    taken = lease.acquire()
    holder, value = taken.lease, taken.value
    renewers = lease_renewer.find(taken.lease.run)
    if renewers:
        renewer_pid = renewers[0].pid  # one renewer per lease: a second acquire by the same run reuses it
    else:
        if taken.reason == OURS:  # ours, but its renewer is gone: extend it before a new renewer takes over
            holder, value = lease.refresh(value)
        renewer_pid = start_renewer(module, lease, value)
    if taken.previous is not None:
        module.warn(takeover_warning(lease.unit, taken.previous, taken.reason))
    return {'changed': False, 'unit': lease.unit, 'lease_dn': lease.dn, 'holder': holder.holder(),
            'stale_holder': taken.previous.holder() if taken.previous else None,
            'takeover': taken.reason if taken.previous else None, 'reused': taken.reason == OURS,
            'renewer_pid': renewer_pid, 'refused_writes': taken.refused_writes}


def release(module):
    lease = unit_lease(module)
    result = lease.release(before_delete=lambda current: lease_renewer.stop(current.run))
    if result.holder is not None and not result.released:
        module.warn('the lease of unit %s is held by %s, not by this run: it was left in place.'
                    % (lease.unit, result.holder.describe()))
    return {'changed': False, 'unit': lease.unit, 'lease_dn': lease.dn, 'released': result.released,
            'holder': result.holder.holder() if result.holder else None, 'stale_holder': None, 'takeover': None}


def main():
    module = PchatModule(
        argument_spec=dict(name=dict(type='str', required=True),
                           state=dict(type='str', choices=['acquired', 'released'], default='acquired'),
                           lease_seconds=dict(type='int', default=DEFAULT_LEASE_SECONDS),
                           container=dict(type='str')),
        uses=('directory',),
    )
    module.run(lambda: acquire(module) if module.params['state'] == 'acquired' else release(module))


if __name__ == '__main__':
    main()
