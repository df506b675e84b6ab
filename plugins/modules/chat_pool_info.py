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
    Chat pool (or O(message_test.pool)) and returns its outcome, or why it was not run (C(not_run)) - the test users
    are not Lync-enabled, no Persistent Chat policy gives them access, the pool has no chat room, or check mode (the
    test posts two messages in a room, so a preview sends none).
  - A legacy pool read through O(psrp_path=OcsPowershell) has state V(unknown), because that endpoint cannot read Windows
    services, and the module does not guess.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.lease
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
      - Run C(Test-CsPersistentChatMessage -TargetFqdn <registrar pool> -ChatRoomUri <pool>\\<room>) with these two
        test users against each Persistent Chat pool of O(fqdns), or only O(message_test.pool).
      - Without credentials, the test users sign in with the credentials registered on the front end with
        C(Set-CsTestUserCredential) (run it once before the weekend); with them, they sign in with those (sent as
        PSCredentials, the password encrypted with the session key).
    type: dict
    suboptions:
      registrar_pool:
        description: FQDN of the Registrar pool of the test users (C(-TargetFqdn) is the Registrar pool, not the
          Persistent Chat pool); C(Get-CsService -PersistentChatServer) shows the Persistent Chat pool's Registrar.
        type: str
        required: true
      sender:
        description: SIP URI of the sending test user (a Lync-enabled user managed by a Persistent Chat policy that
          enables Persistent Chat).
        type: str
        required: true
      receiver:
        description: SIP URI of the receiving test user.
        type: str
        required: true
      sender_username:
        description: The sender's logon name (C(DOMAIN\\user) or UPN), with O(message_test.sender_password); all
          four credential options or none.
        type: str
      sender_password:
        description: The sender's password (keep it in Ansible Vault).
        type: str
      receiver_username:
        description: The receiver's logon name.
        type: str
      receiver_password:
        description: The receiver's password (keep it in Ansible Vault).
        type: str
      pool:
        description: The Persistent Chat pool to test (need not be in O(fqdns), which may then be empty); default
          every Persistent Chat pool of O(fqdns).
        type: str
      room:
        description: The chat room to post the two test messages in; default the pool's first enabled room (by
          name). Give a room of its own, so that users do not see the test messages.
        type: str
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

- name: Send a test message through the Persistent Chat pool, as two test users (credentials from the vault)
  pchat.cutover.chat_pool_info:
    fqdns: []
    message_test:
      pool: pcpool.contoso.com
      registrar_pool: lyncpool.contoso.com
      room: Cutover test
      sender: sip:pctest1@contoso.com
      receiver: sip:pctest2@contoso.com
      sender_username: CONTOSO\pctest1
      sender_password: "{{ vault_pctest1_password }}"
      receiver_username: CONTOSO\pctest2
      receiver_password: "{{ vault_pctest2_password }}"
  register: tested
'''

RETURN = r'''
pools:
  description: One entry per O(fqdns), in that order.
  returned: always
  type: list
  elements: dict
  sample:
    - fqdn: pcpool.contoso.com
      kind: persistent_chat_2013
      version: Lync Server 2013 Persistent Chat
      state: started
      pool_state: Normal
      counts: {categories: 4, rooms: 18, members: 141, messages: null}
      servers:
        - fqdn: pc01.contoso.com
          active: true
          state: started
          services:
            - {name: RTCPCHAT, display_name: Lync Server Persistent Chat, roles: [PersistentChatServer],
               status: running, start_mode: null}
  contains:
    fqdn:
      description: The pool's FQDN (lower case).
      type: str
      sample: pcpool.contoso.com
    kind:
      description: V(group_chat_2010), V(group_chat_2007r2) or V(persistent_chat_2013).
      type: str
      sample: persistent_chat_2013
    version:
      description: The product, in words.
      type: str
      sample: Lync Server 2013 Persistent Chat
    state:
      description: V(started), V(stopped), V(disabled), V(partial) (servers differ) or V(unknown).
      type: str
      sample: started
    pool_state:
      description: C(Normal) or C(FailedOver) for a Persistent Chat pool, V(null) for a legacy pool.
      type: str
      sample: Normal
    servers:
      description: Each server with C(fqdn), C(active), C(state) and C(services) (C(name), C(display_name), C(roles),
        C(status), C(start_mode)).
      type: list
      elements: dict
      sample:
        - fqdn: gc01.contoso.com
          active: true
          state: started
          services:
            - name: LyncGroupChatChannel
              display_name: Lync Server 2010 Group Chat Channel
              roles: []
              status: running
              start_mode: automatic
    counts:
      description: C(categories), C(rooms), C(members), C(messages); V(null) where no cmdlet tells.
      type: dict
      sample: {categories: 4, rooms: 18, members: 141, messages: null}
    rooms:
      description: With O(rooms=true), the rooms of a Persistent Chat pool.
      type: list
      elements: dict
      returned: when O(rooms=true) and the pool is a Persistent Chat pool
      sample:
        - name: Agenda room 0002
          category: Sales
          disabled: false
          members: [sip:labuser00012@contoso.com, sip:labuser00025@contoso.com]
          managers: [sip:labuser00001@contoso.com, sip:labuser00012@contoso.com]
          presenters: []
    categories:
      description: With O(rooms=true), the categories of a Persistent Chat pool.
      type: list
      elements: dict
      returned: when O(rooms=true) and the pool is a Persistent Chat pool
      sample:
        - {name: Engineering, invitations: true}
        - {name: Sales, invitations: false}
    message_test:
      description: With O(message_test), the outcome (C(result) Success or Failure, C(latency_seconds), C(error),
        C(diagnosis), C(warnings), C(room), C(credentials) V(given) or V(registered), C(hint)), or C(not_run) (why the
        test was not sent) with C(result) V(null).
      type: dict
      returned: when O(message_test) is set and the pool is a Persistent Chat pool
      sample:
        result: Failure
        latency_seconds: 0.003
        error: The sender sip:user0001@contoso.com is not a user enabled for Lync Server.
        diagnosis: Use two SIP-enabled test users.
        warnings:
          - 'Test-CsPersistentChatMessage failed for pcpool.contoso.com: The sender sip:user0001@contoso.com is not a user
            enabled for Lync Server.'
pipelines:
  description: How many PowerShell pipelines the task sent to the front end.
  returned: always
  type: int
  sample: 12
psrp_pipelines:
  description: The same count as RV(pipelines), under the name every module uses.
  returned: always
  type: int
  sample: 12
psrp_path:
  description: The remote PowerShell endpoint the pools were read through (O(psrp_path), or its environment variable,
    or its default), which decides what the disable phase can do (the plan refuses it on V(OcsPowershell)).
  returned: always
  type: str
  sample: wsman
message_test:
  description: The outcome of the message test of O(message_test.pool), or of the one Persistent Chat pool of O(fqdns)
    tested (as in RV(pools[].message_test)).
  type: dict
  sample: {result: Success, latency_seconds: 0.42, error: null, diagnosis: null, warnings: [],
           room: Sales_Finance room 0004, credentials: given}
  returned: when O(message_test) is set
'''

from ansible_collections.pchat.cutover.plugins.module_utils import message_test
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.legacy_topology import NOT_IN_TOPOLOGY_HINT
from ansible_collections.pchat.cutover.plugins.module_utils.lync import PERSISTENT_CHAT
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def read_pools(module):
    params = module.params
    fqdns = [validate_fqdn(fqdn, 'fqdns item') for fqdn in params['fqdns']]
    test = params['message_test']
    if test:
        message_test.validate(test)
    elif not fqdns:
        raise PchatError('fqdns is empty: name the pools to read (or give message_test with its pool).')
    pools = []
    result = {'changed': False}
    for fqdn in fqdns:
        pool = module.platform.pool(fqdn, rooms=params['rooms'])
        if pool is None:
            raise PchatError('pool %s was not found on %s: it is neither a Persistent Chat pool nor a Group Chat '
                             'trusted application pool; check the FQDN. %s'
                             % (fqdn, module.platform.host, NOT_IN_TOPOLOGY_HINT))
        if test and pool['kind'] == PERSISTENT_CHAT and (not test.get('pool') or test['pool'].lower() == fqdn):
            pool['message_test'] = message_test.run(module.platform, test, fqdn, module.check_mode)
            result['message_test'] = pool['message_test']
        pools.append(pool)
    if test and test.get('pool') and 'message_test' not in result:
        result['message_test'] = message_test.run(module.platform, test, test['pool'].lower(), module.check_mode)
    result.update(pools=pools, pipelines=module.platform.pipelines, psrp_path=module.params['psrp_path'])
    return result


def main():
    module = PchatModule(
        argument_spec=dict(
            fqdns=dict(type='list', elements='str', required=True),
            rooms=dict(type='bool', default=False),
            message_test=dict(type='dict', options=dict(
                registrar_pool=dict(type='str', required=True), sender=dict(type='str', required=True),
                receiver=dict(type='str', required=True), sender_username=dict(type='str'),
                sender_password=dict(type='str', no_log=True), receiver_username=dict(type='str'),
                receiver_password=dict(type='str', no_log=True), pool=dict(type='str'), room=dict(type='str'))),
        ),
        uses=('platform',),
    )
    module.run(lambda: read_pools(module))


if __name__ == '__main__':
    main()
