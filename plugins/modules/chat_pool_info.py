#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_pool_info
short_description: Legacy Group Chat and Persistent Chat pools, their servers, service states and content counts
version_added: 0.1.0
description:
  - Lists the chat pools of the platform (legacy Lync Server 2010 / OCS 2007 R2 Group Chat pools and Lync Server
    2013 Persistent Chat pools), each with its kind, state, servers and their services, and counts of categories,
    rooms, members and messages.
  - A pool's RV(pools[].state) is its servers' common state; V(partial) when they differ. For a Persistent Chat
    pool only the active servers count, and V(started) also requires the pool state C(Normal).
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.directory
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing.
options:
  fqdn:
    description:
      - Only this pool. The task fails if there is no such pool.
    type: str
  room_details:
    description:
      - Also return each pool's rooms in RV(pools[].rooms), with their message count and content checksum (the
        lab driver; the psrp driver returns names and the disabled flag only). Used by the verify phase.
    type: bool
    default: false
notes:
  - The directory options (O(ldap_url), O(bind_dn), O(bind_password), O(ca_file) and the others) are accepted so
    that C(module_defaults) for the C(group/pchat.cutover.all) action group can set them once for every module; this
    module does not use them.
seealso:
  - module: pchat.cutover.chat_pool
'''

EXAMPLES = r'''
- name: Read every chat pool
  pchat.cutover.chat_pool_info:
  register: pools

- name: The legacy pool must be disabled before its data is migrated
  pchat.cutover.chat_pool_info:
    fqdn: gc.contoso.com
  register: legacy
  failed_when: legacy.pools[0].state != 'disabled'
'''

RETURN = r'''
pools:
  description: The pools, sorted by FQDN.
  returned: always
  type: list
  elements: dict
  contains:
    fqdn:
      description: Pool FQDN.
      type: str
      sample: gc.contoso.com
    kind:
      description: V(group_chat_2007r2), V(group_chat_2010) or V(persistent_chat_2013).
      type: str
    version:
      description: Product and version as the platform names it.
      type: str
      sample: Lync Server 2010 Group Chat
    state:
      description: V(started), V(stopped), V(disabled) or V(partial).
      type: str
    pool_state:
      description: Persistent Chat pool state (V(Normal) or V(FailedOver)); V(null) for legacy pools.
      type: str
    servers:
      description: Each server with C(fqdn), C(active), C(state) and C(services) (C(name), C(display_name),
        C(status) V(running)/V(stopped), C(start_mode) V(automatic)/V(manual)/V(disabled)).
      type: list
      elements: dict
    rooms:
      description: With O(room_details=true), each room's C(name), C(disabled), C(messages) and C(checksum) (the sum of
        per-message CRC32s, as M(pchat.cutover.chat_migration) verifies), sorted by name.
      type: list
      elements: dict
    counts:
      description: C(categories), C(rooms), C(members) (room role assignments) and C(messages); a value is V(null)
        where the platform cannot tell (the psrp driver cannot count messages).
      type: dict
      sample: {categories: 4, rooms: 20, members: 162, messages: 2000}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.platform import (
    platform_from_module, require_pool,
)
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def main():
    spec = connection_argument_spec(fqdn=dict(type='str'), room_details=dict(type='bool', default=False))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    platform = None
    try:
        fqdn = validate_fqdn(module.params['fqdn'], 'fqdn') if module.params['fqdn'] else None
        platform = platform_from_module(module)
        pools = [require_pool(platform, fqdn)] if fqdn else platform.get_pools()
        if module.params['room_details']:
            for pool in pools:
                pool['rooms'] = platform.room_details(pool['fqdn'])
    except PchatError as exc:
        if platform is not None:
            platform.close()
        module.fail_json(**exc.fail_kwargs())
    platform.close()
    module.exit_json(changed=False, pools=pools)


if __name__ == '__main__':
    main()
