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
  - Converges the chat services of every server of the pool O(fqdn).
  - V(disabled) stops the services and sets their start mode to disabled, so nothing (a reboot, a colleague) starts
    them again; this is the cutover's first phase for the legacy Group Chat pool.
  - V(stopped) stops the services; a disabled start mode becomes manual (stopped, but no longer kept from starting).
  - V(started) starts them (a disabled start mode becomes automatic first). For a Persistent Chat pool only the
    active servers are started, and the pool state must be C(Normal); the module checks it and never toggles it
    (C(Set-CsPersistentChatState) is a disaster-recovery switch, not on/off).
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.directory
attributes:
  check_mode:
    support: full
    description: Reports which servers would change and changes nothing.
  diff_mode:
    support: full
    description: The pool's and each server's state before and after.
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
      - If set, the pool must be of this kind, else the task fails without changing anything. Guards a playbook
        against stopping the wrong pool because of a wrong FQDN.
    type: str
    choices: [group_chat_2007r2, group_chat_2010, persistent_chat_2013, legacy]
notes:
  - The directory options (O(ldap_url), O(bind_dn), O(bind_password), O(ca_file) and the others) are accepted so
    that C(module_defaults) for the C(group/pchat.cutover.all) action group can set them once for every module; this
    module does not use them.
seealso:
  - module: pchat.cutover.chat_pool_info
'''

EXAMPLES = r'''
- name: Disable the legacy Group Chat pool (stopped and kept from starting)
  pchat.cutover.chat_pool:
    fqdn: gc.contoso.com
    state: disabled
    kind: legacy

- name: Start Persistent Chat on the target pool's active servers
  pchat.cutover.chat_pool:
    fqdn: pcpool.contoso.com
    state: started
    kind: persistent_chat_2013
'''

RETURN = r'''
pool:
  description: The pool after the task (in check mode, as it is now), shaped as in M(pchat.cutover.chat_pool_info).
  returned: success
  type: dict
changed_servers:
  description: FQDNs of the servers whose services were (or in check mode would be) changed.
  returned: success
  type: list
  elements: str
  sample: [gc01.contoso.com, gc02.contoso.com]
'''

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.platform import (
    LEGACY_KINDS, platform_from_module, pool_state, require_pool, server_state,
)
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def servers_to_converge(pool, state):
    """The servers the state applies to: for started Persistent Chat only the active ones."""
    if state == 'started' and pool['kind'] == 'persistent_chat_2013':
        return [s for s in pool['servers'] if s.get('active', True)]
    return list(pool['servers'])


def predicted(pool, changing, state):
    """The pool as it would be after converging ``changing`` servers (for check mode)."""
    status = 'running' if state == 'started' else 'stopped'
    result = copy.deepcopy(pool)
    for server in result['servers']:
        if server['fqdn'] in changing:
            for service in server['services']:
                service['status'] = status
                if state == 'disabled':
                    service['start_mode'] = 'disabled'
                elif service['start_mode'] == 'disabled':
                    service['start_mode'] = 'automatic' if state == 'started' else 'manual'
            server['state'] = server_state(server)
    result['state'] = pool_state(result)
    return result


def check_kind(pool, kind):
    if kind is None:
        return
    ok = pool['kind'] in LEGACY_KINDS if kind == 'legacy' else pool['kind'] == kind
    if not ok:
        raise PchatError('pool %r is %s, not %s; check fqdn (nothing was changed).' % (pool['fqdn'], pool['kind'], kind))


def converge(module, platform):
    params = module.params
    fqdn = validate_fqdn(params['fqdn'], 'fqdn')
    pool = require_pool(platform, fqdn)
    check_kind(pool, params['kind'])
    state = params['state']
    if state == 'started' and pool['kind'] == 'persistent_chat_2013' and pool.get('pool_state') not in (None, 'Normal'):
        raise PchatError('Persistent Chat pool %r is in pool state %s; it is only started in state Normal. Fail back '
                         'with Set-CsPersistentChatState -PoolState Normal first (this module never toggles it).'
                         % (pool['fqdn'], pool['pool_state']))
    targets = servers_to_converge(pool, state)
    if not targets:
        raise PchatError('pool %r has no %sservers to %s.' % (pool['fqdn'], 'active ' if state == 'started' else '', state))
    changing = [s['fqdn'] for s in targets if s['state'] != state]
    before = {'state': pool['state'], 'servers': dict((s['fqdn'], s['state']) for s in pool['servers'])}
    if changing and not module.check_mode:
        for server in changing:
            platform.set_server_state(pool, server, state)
        pool = require_pool(platform, fqdn)
    if module.check_mode:
        pool = predicted(pool, changing, state)
    after = {'state': pool['state'], 'servers': dict((s['fqdn'], s['state']) for s in pool['servers'])}
    return {'changed': bool(changing), 'pool': pool, 'changed_servers': changing,
            'diff': {'before': before, 'after': after}}


def main():
    module = AnsibleModule(
        argument_spec=connection_argument_spec(
            fqdn=dict(type='str', required=True),
            state=dict(type='str', required=True, choices=['started', 'stopped', 'disabled']),
            kind=dict(type='str', choices=['group_chat_2007r2', 'group_chat_2010', 'persistent_chat_2013', 'legacy']),
        ),
        supports_check_mode=True,
    )
    platform = platform_from_module(module)
    try:
        result = converge(module, platform)
    except PchatError as exc:
        platform.close()
        module.fail_json(**exc.fail_kwargs())
    platform.close()
    if not module._diff:
        result.pop('diff')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
