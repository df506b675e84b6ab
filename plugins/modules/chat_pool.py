#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_pool
short_description: Start, stop or disable a legacy Group Chat or Persistent Chat pool on every server
version_added: 0.1.0
description:
  - Converges the chat services of every server of the pool O(fqdn), through the Lync front end's remote
    PowerShell.
  - V(disabled) stops the services and sets their start mode to disabled, so nothing (a reboot, a colleague) starts
    them again; this is the cutover's first phase for the legacy Group Chat pool. Only a legacy pool can be
    disabled.
  - V(stopped) stops the services; a disabled start mode becomes manual (stopped, but no longer kept from starting).
  - V(started) starts them (a disabled start mode becomes automatic first). A Persistent Chat pool is started on
    every server of the pool, as the migration guide says (its active servers decide its state), and its pool state
    must be C(Normal); the module checks it and never toggles it (C(Set-CsPersistentChatState) is a
    disaster-recovery switch, not on/off).
  - Persistent Chat services are found by role (C(Get-CsWindowsService), role C(PersistentChatServer)) and changed
    with C(Start-CsWindowsService) / C(Stop-CsWindowsService), never with C(-Graceful), which waits for every chat
    session to end. Legacy Group Chat services are found by display name (C(Get-WmiObject Win32_Service)) and
    changed with C(Set-Service); that needs O(psrp_path=wsman). A server on which no chat service is found is an
    error, never read as stopped.
  - Every changing cmdlet is sent with C(-Confirm:$false).
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.lease
  - pchat.cutover.directory
attributes:
  check_mode:
    support: full
    description: Reports which services of which servers would change, and the pool as it would be; changes nothing.
  diff_mode:
    support: full
    description: The pool's state before and after.
options:
  fqdn:
    description:
      - FQDN of the pool, for example V(gc.contoso.com) or V(pcpool.contoso.com).
    type: str
    required: true
  state:
    description:
      - V(started), V(stopped) or V(disabled).
    type: str
    choices: [started, stopped, disabled]
    required: true
  kind:
    description:
      - If set, the pool must be of this kind (V(legacy) is either Group Chat kind), else the task fails without
        changing anything. Guards a playbook against stopping the wrong pool because of a wrong FQDN.
    type: str
    choices: [group_chat_2007r2, group_chat_2010, persistent_chat_2013, legacy]
seealso:
  - module: pchat.cutover.chat_pool_info
'''

EXAMPLES = r'''
- name: Disable the legacy Group Chat pool (stopped and kept from starting)
  pchat.cutover.chat_pool:
    fqdn: gc.contoso.com
    state: disabled
    kind: legacy

- name: Start Persistent Chat on every server of the target pool
  pchat.cutover.chat_pool:
    fqdn: pcpool.contoso.com
    state: started
    kind: persistent_chat_2013
'''

RETURN = r'''
summary:
  description: What the task did, or in check mode would do, in one line for a person (the phase summaries of the
    cutover report).
  returned: always
  type: str
  sample: >-
    made 7 service change(s) on gc.contoso.com, leaving it disabled: stop LyncGroupChatChannel on gc01.contoso.com
    (start mode disabled); stop LyncGroupChatLookup on gc01.contoso.com (start mode disabled) and 5 more
pool:
  description: The pool as the task leaves it (in check mode, as it would), shaped as in M(pchat.cutover.chat_pool_info).
  returned: success
  type: dict
  sample:
    fqdn: gc.contoso.com
    kind: group_chat_2010
    version: Lync Server 2010 Group Chat
    state: disabled
    pool_state: null
    counts: {categories: null, rooms: null, members: null, messages: null}
    servers:
      - fqdn: gc01.contoso.com
        active: true
        state: disabled
        services:
          - name: LyncGroupChatChannel
            display_name: Lync Server 2010 Group Chat Channel
            roles: []
            status: stopped
            start_mode: disabled
changed_servers:
  description: FQDNs of the servers whose services were (or in check mode would be) changed.
  returned: success
  type: list
  elements: str
  sample: [gc01.contoso.com, gc02.contoso.com]
actions:
  description: What was (or would be) done, one line per service.
  returned: success
  type: list
  elements: str
  sample: [stop LyncGroupChatChannel on gc01.contoso.com (start mode disabled)]
psrp_pipelines:
  description: How many PowerShell pipelines the task sent to the front end (a count, for anyone counting round trips).
  returned: always
  type: int
  sample: 13
'''

from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.pool_backend import PoolBackend
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def converge(module):
    validate_fqdn(module.params['fqdn'], 'fqdn')  # bad input fails before anything is contacted
    return PoolBackend(module.platform, module.params, module.check_mode).run()


def main():
    module = PchatModule(
        argument_spec=dict(
            fqdn=dict(type='str', required=True),
            state=dict(type='str', required=True, choices=['started', 'stopped', 'disabled']),
            kind=dict(type='str', choices=['group_chat_2007r2', 'group_chat_2010', 'persistent_chat_2013', 'legacy']),
        ),
        uses=('platform',),
    )
    module.run(lambda: converge(module))


if __name__ == '__main__':
    main()
