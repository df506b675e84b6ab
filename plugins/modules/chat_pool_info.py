#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_pool_info
short_description: Read legacy Group Chat and Persistent Chat pools, their servers, services and counts
version_added: 0.1.0
description:
  - Reads the pools O(fqdns) through the Lync front end's remote PowerShell, in one session - kind (Lync Server 2010
    Group Chat, OCS 2007 R2 Group Chat or Lync Server 2013 Persistent Chat), state, pool state, servers and their
    chat services, and counts of categories, rooms and members.
  - Message counts are always V(null), because no Lync cmdlet counts a room's messages.
  - With O(rooms=true), Persistent Chat pools also list their rooms and categories.
  - With O(message_test), runs C(Test-CsPersistentChatMessage) (a synthetic transaction) against each Persistent
    Chat pool and returns its outcome.
  - A legacy pool read through O(psrp_path=OcsPowershell) has state V(unknown), because that endpoint cannot read Windows
    services, and the module does not guess.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.directory
  - pchat.cutover.info_module
options:
  fqdns:
    description:
      - FQDNs of the pools to read. A pool that does not exist fails the task, naming it.
    type: list
    elements: str
    required: true
  rooms:
    description:
      - Also list each Persistent Chat pool's rooms (name, category, disabled, members, managers, presenters) and
        categories.
    type: bool
    default: false
  message_test:
    description:
      - Run C(Test-CsPersistentChatMessage -TargetFqdn <pool>) with these two users against each Persistent Chat
        pool.
    type: dict
    suboptions:
      sender:
        description: SIP URI of the sending test user (a Lync-enabled user).
        type: str
        required: true
      receiver:
        description: SIP URI of the receiving test user.
        type: str
        required: true
seealso:
  - module: pchat.cutover.chat_pool
'''

EXAMPLES = r'''
- name: Read both pools of a cutover unit
  pchat.cutover.chat_pool_info:
    fqdns: [gc.contoso.com, pcpool.contoso.com]
  register: pools

- name: Show their states
  ansible.builtin.debug:
    msg: "{{ pools.pools | map(attribute='state') | list }}"
'''

RETURN = r'''
pools:
  description: One entry per O(fqdns), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    fqdn:
      description: The pool's FQDN (lower case).
      type: str
    kind:
      description: V(group_chat_2010), V(group_chat_2007r2) or V(persistent_chat_2013).
      type: str
    version:
      description: The product, in words.
      type: str
    state:
      description: V(started), V(stopped), V(disabled), V(partial) (servers differ) or V(unknown).
      type: str
    pool_state:
      description: C(Normal) or C(FailedOver) for a Persistent Chat pool, V(null) for a legacy pool.
      type: str
    servers:
      description: Each server with C(fqdn), C(active), C(state) and C(services) (C(name), C(display_name), C(roles),
        C(status), C(start_mode)).
      type: list
      elements: dict
    counts:
      description: C(categories), C(rooms), C(members), C(messages); V(null) where no cmdlet tells.
      type: dict
    rooms:
      description: With O(rooms=true), the rooms of a Persistent Chat pool.
      type: list
      elements: dict
      returned: when O(rooms=true) and the pool is a Persistent Chat pool
    categories:
      description: With O(rooms=true), the categories of a Persistent Chat pool.
      type: list
      elements: dict
      returned: when O(rooms=true) and the pool is a Persistent Chat pool
    message_test:
      description: With O(message_test), the outcome (C(result) Success or Failure, C(latency_seconds), C(error),
        C(diagnosis), C(warnings)).
      type: dict
      returned: when O(message_test) is set and the pool is a Persistent Chat pool
'''

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.legacy_topology import NOT_IN_TOPOLOGY_HINT
from ansible_collections.pchat.cutover.plugins.module_utils.lync import PERSISTENT_CHAT
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, validate_fqdn


def read_pools(module):
    params = module.params
    fqdns = [validate_fqdn(fqdn, 'fqdns item') for fqdn in params['fqdns']]
    test = params['message_test']
    if test:
        for key in ('sender', 'receiver'):
            normalize_sip(test[key], 'message_test.%s' % key)
    pools = []
    for fqdn in fqdns:
        pool = module.platform.pool(fqdn, rooms=params['rooms'])
        if pool is None:
            raise PchatError('pool %s was not found on %s: it is neither a Persistent Chat pool nor a Group Chat '
                             'trusted application pool; check the FQDN. %s'
                             % (fqdn, module.platform.host, NOT_IN_TOPOLOGY_HINT))
        if test and pool['kind'] == PERSISTENT_CHAT:
            pool['message_test'] = module.platform.message_test(fqdn, test['sender'], test['receiver'])
        pools.append(pool)
    return {'changed': False, 'pools': pools, 'pipelines': module.platform.pipelines}


def main():
    module = PchatModule(
        argument_spec=dict(
            fqdns=dict(type='list', elements='str', required=True),
            rooms=dict(type='bool', default=False),
            message_test=dict(type='dict', options=dict(sender=dict(type='str', required=True),
                                                        receiver=dict(type='str', required=True))),
        ),
        uses=('platform',),
    )
    module.run(lambda: read_pools(module))


if __name__ == '__main__':
    main()
