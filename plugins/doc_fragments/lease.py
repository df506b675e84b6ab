# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The unit lease a module of a cutover or rollback run holds while it works (module_utils/lease_keeper.py).
    DOCUMENTATION = r'''
options:
  lease:
    description:
      - The lease of the cutover unit this task works for, as M(pchat.cutover.unit_lock) returns it (RV(pchat.cutover.unit_lock#module:lease)).
        The C(cutover) and C(rollback) roles set it for every module through C(module_defaults) for the action group
        C(group/pchat.cutover.all).
      - Given it, the module holds the unit's lease while it works - it renews it before doing anything and then
        every third of its length, naming itself and what it is doing - and it stops, sending and writing nothing more,
        when the lease is no longer this run's (another run took the unit over after this run's lease expired).
      - Leave it unset to use the module on its own.
    type: dict
    suboptions:
      unit:
        description: The unit (its legacy pool FQDN).
        type: str
        required: true
      run:
        description: The run's lease id.
        type: str
        required: true
      container:
        description: DN of the container of the lease objects.
        type: str
      seconds:
        description: The lease's length in seconds.
        type: int
        default: 300
'''
