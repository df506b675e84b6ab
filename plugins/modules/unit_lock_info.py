#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: unit_lock_info
short_description: Who holds the lease of cutover units, and what its module is doing
version_added: 0.3.0
description:
  - Reads the lease objects M(pchat.cutover.unit_lock) keeps in Active Directory, one per unit, and says for each
    unit whether it is free or held, by which controller and run, until when, and what the run's module is doing
    now (the C(work) of RV(units[].holder)).
  - The state is judged against the directory's clock, as M(pchat.cutover.unit_lock) judges it - V(free), V(held),
    V(expired) (the next run takes it over), V(dead) (held from this host by a run whose processes are gone),
    V(working) (from this host; the run is gone but its module still works, for example an import stopping) or
    V(unreadable) (the lease object holds a value that is not a pchat.cutover lease; it is not shown).
  - Use it before running again after an interrupt, or to see which unit a weekend's runs are working on. It takes
    no lease and writes nothing; the lease container is not created when it is missing.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.lease
  - pchat.cutover.info_module
options:
  names:
    description:
      - The units, each by its legacy pool's FQDN (as M(pchat.cutover.unit_lock) O(pchat.cutover.unit_lock#module:name)).
        Case and a trailing dot do not matter.
    type: list
    elements: str
    required: true
  container:
    description:
      - DN of the container of the lease objects, as given to M(pchat.cutover.unit_lock). Default
        C(CN=pchat.cutover,CN=Program Data,<defaultNamingContext>).
    type: str
seealso:
  - module: pchat.cutover.unit_lock
'''

EXAMPLES = r'''
- name: Who holds the lease of the unit, before running the cutover again
  pchat.cutover.unit_lock_info:
    names: [gc.contoso.com]
  register: pchat_lease_now

- name: Say it
  ansible.builtin.debug:
    msg: "{{ pchat_lease_now.units[0].state }} {{ pchat_lease_now.units[0].holder }}"
'''

RETURN = r'''
units:
  description: One entry per O(names), in that order.
  returned: always
  type: list
  elements: dict
  sample:
    - unit: gc.contoso.com
      lease_dn: CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com
      state: held
      holder: {host: controller01, pid: 18328, run: af8722629f5a255c, started: '2026-11-28T02:00:00Z',
               expires: '2026-11-28T02:05:00Z', worker: 18511, work: 'import: 1,200 of 2,000 rooms'}
      expires_in: 212
  contains:
    unit:
      description: The unit, as the lease is keyed (lower case, no trailing dot).
      type: str
      sample: gc.contoso.com
    lease_dn:
      description: The DN of the unit's lease object (it may not exist).
      type: str
      sample: CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com
    state:
      description: V(free), V(held), V(expired), V(dead), V(working) or V(unreadable); see the description.
      type: str
      sample: held
    holder:
      description:
        - The lease as stored (C(host), C(pid) of its C(ansible-playbook), C(run), C(started), C(expires), and
          C(worker) and C(work) while a module of the run works), or V(null) when the unit is free or the value is
          unreadable. Never a command line or a variable value.
      type: dict
      sample: {host: controller01, pid: 18328, run: af8722629f5a255c, started: '2026-11-28T02:00:00Z',
               expires: '2026-11-28T02:05:00Z'}
    expires_in:
      description: Seconds until the lease expires by the directory's clock (negative once expired), or V(null).
      type: int
      sample: 212
summary:
  description: How many of the units are in each state.
  returned: always
  type: dict
  sample: {free: 1, held: 1}
'''

import os
import socket

from ansible_collections.pchat.cutover.plugins.module_utils import local_process
from ansible_collections.pchat.cutover.plugins.module_utils.lease import (
    LIVE, UnitLease, judge, normalize_unit, server_time,
)
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule

# judge()'s verdicts, as this module names them (LIVE is another run's live lease: "held")
STATES = {LIVE: 'held'}


def lease_state(lease, now, host):
    """(state, holder, expires_in) of one unit's lease."""
    value, current = lease.current()
    if value is None:
        return 'free', None, None
    if current is None:
        return 'unreadable', None, None
    verdict = judge(current, now, host, local_process.running)
    return STATES.get(verdict, verdict), current.holder(), int((current.expires_at - now).total_seconds())


def read_leases(module):
    host = socket.gethostname()
    units, summary, seen = [], {}, set()
    now = server_time(module.directory)
    container = module.params['container']  # the default is read from the rootDSE once, by the first unit's lease
    for name in module.params['names']:
        unit = normalize_unit(name)
        # a reader takes no lease: its own pid is never compared with a holder's
        lease = UnitLease(module.directory, unit, container=container, host=host, pid=os.getpid())
        container = lease.container
        state, holder, expires_in = lease_state(lease, now, host)
        units.append({'unit': unit, 'lease_dn': lease.dn, 'state': state, 'holder': holder, 'expires_in': expires_in})
        if unit not in seen:
            seen.add(unit)
            summary[state] = summary.get(state, 0) + 1
    return {'changed': False, 'units': units, 'summary': summary}


def main():
    module = PchatModule(
        argument_spec=dict(names=dict(type='list', elements='str', required=True),
                           container=dict(type='str')),
        uses=('directory',),
        keeps_lease=False,
    )
    module.run(lambda: read_leases(module))


if __name__ == '__main__':
    main()
