#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: legacy_endpoint
short_description: Manage the Persistent Chat legacy endpoint that serves legacy Group Chat clients
version_added: 0.1.0
description:
  - Creates, moves or removes a Persistent Chat endpoint, as C(New-CsPersistentChatEndpoint) does. The endpoint is
    an AD contact under C(CN=Application Contacts) carrying the SIP URI that legacy Group Chat clients are configured with (the
    well-known user's URI, for example V(sip:OCSChat@contoso.com)), routed to a Persistent Chat pool.
  - Refuses, naming the owner's DN and kind, when a user or another contact owns the SIP URI. In the cutover the
    well-known user is deleted first, with M(pchat.cutover.directory_user) and V(state=absent).
  - Moving the endpoint to another pool, or changing its display name, is remove + new, because Lync has no
    C(Set-CsPersistentChatEndpoint).
  - Who owns the SIP URI is asked of the directory (the directory options), whichever platform driver is used.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.platform
attributes:
  check_mode:
    support: full
    description: Reports what would be created, moved or removed; changes nothing. See O(replaces) for previewing
      a run in which an earlier task removes the current owner.
  diff_mode:
    support: full
    description: The endpoint (SIP URI, pool, display name, DN) before and after.
options:
  sip_address:
    description:
      - SIP URI of the endpoint, with the C(sip:) prefix, for example V(sip:OCSChat@contoso.com).
    type: str
    required: true
  pool_fqdn:
    description:
      - FQDN of the Persistent Chat 2013 pool the endpoint routes to. Required with O(state=present).
    type: str
  display_name:
    description:
      - Display name of the endpoint's contact. When not set, an existing endpoint keeps its display name and a new
        one gets the platform's default.
    type: str
  state:
    description:
      - V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  replaces:
    description:
      - DN of the object that an earlier task of the same run removes before this one, normally the well-known user
        (the C(dn) that M(pchat.cutover.directory_user) returns in the delete phase).
      - Only in check mode, that object's ownership of the SIP URI is treated as gone, because the preview did not
        really delete it; the task reports the endpoint it would create. In a real run the object must be gone, or
        the task fails as without this option.
    type: str
seealso:
  - module: pchat.cutover.sip_address_info
  - module: pchat.cutover.directory_user
'''

EXAMPLES = r'''
- name: Delete the well-known user (after a backup)
  pchat.cutover.directory_user:
    sip_address: sip:OCSChat@contoso.com
    state: absent
    backup_dir: /var/backups/pchat
  register: well_known

- name: Recreate its SIP URI as a legacy endpoint on the Persistent Chat pool
  pchat.cutover.legacy_endpoint:
    sip_address: sip:OCSChat@contoso.com
    pool_fqdn: pcpool.contoso.com
    # lets `--check` preview this task although the preview did not really delete the user
    replaces: "{{ well_known.dn | default(omit) }}"
'''

RETURN = r'''
endpoint:
  description: The endpoint after the task (C(sip_address), C(pool_fqdn), C(display_name), C(dn)); V(null) when absent.
    In check mode, the endpoint as it would be (C(dn) V(null) for one not yet created).
  returned: success
  type: dict
  sample:
    sip_address: sip:OCSChat@contoso.com
    pool_fqdn: pcpool.contoso.com
    display_name: OCSChat@contoso.com
    dn: CN={6F0C1C8E-3B0A-4C55-9A59-0E5D9A3C2B11},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com
endpoint_before:
  description: The endpoint before the task (same keys as RV(endpoint)); V(null) when there was none.
  returned: success
  type: dict
action:
  description: V(created), V(moved) (remove + new), V(recreated) (display name changed), V(removed) or V(none).
  returned: success
  type: str
owners_before:
  description: Who owned the SIP URI before the task, as M(pchat.cutover.sip_address_info) reports it.
  returned: success
  type: dict
assumed_removed:
  description: In check mode with O(replaces), the DNs whose ownership was treated as gone.
  returned: success
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec
from ansible_collections.pchat.cutover.plugins.module_utils.directory import (
    client_from_module, dn_equal, validate_dn,
)
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.platform import (
    platform_from_module, require_pool,
)
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, sip_equal, validate_fqdn

MAX_DISPLAY_NAME = 256


class LegacyEndpoint(object):

    def __init__(self, module, directory, platform):
        self.module = module
        self.params = module.params
        self.directory = directory
        self.platform = platform
        self.sip = normalize_sip(self.params['sip_address'], 'sip_address')
        self.result = {'changed': False, 'action': 'none', 'assumed_removed': []}

    def target_pool(self):
        if not self.params['pool_fqdn']:
            raise PchatError('pool_fqdn is required with state: present; name the Persistent Chat pool, for example '
                             'pcpool.contoso.com.')
        pool = require_pool(self.platform, validate_fqdn(self.params['pool_fqdn'], 'pool_fqdn'), 'pool_fqdn')
        if pool['kind'] != 'persistent_chat_2013':
            raise PchatError('pool %r is a legacy Group Chat pool (%s); a legacy endpoint must point at a Persistent '
                             'Chat 2013 pool.' % (pool['fqdn'], pool['kind']))
        return pool

    def check_owners(self, existing):
        """Refuse when anything other than this endpoint owns the SIP URI."""
        owners = self.directory.find_sip_owners([self.sip])[self.sip]
        self.result['owners_before'] = {'kind': owners['kind'], 'dns': owners['dns']}
        others = [o for o in owners['owners'] if not (existing and existing.get('dn') and dn_equal(o['dn'], existing['dn']))]
        replaces = self.params['replaces']
        if self.module.check_mode and replaces:
            assumed = [o for o in others if dn_equal(o['dn'], replaces)]
            self.result['assumed_removed'] = [o['dn'] for o in assumed]
            others = [o for o in others if o not in assumed]
        if others:
            raise PchatError(
                'SIP address %r is owned by %s; a legacy endpoint needs it free. Delete or change that object first '
                '(for the Group Chat well-known user: pchat.cutover.directory_user state=absent, after a backup).'
                % (self.params['sip_address'], '; '.join('%s %s' % (o['kind'], o['dn']) for o in others)))

    def present(self, existing):
        pool = self.target_pool()
        display_name = self.params['display_name']
        self.check_owners(existing)
        if existing and (existing.get('pool_fqdn') or '').lower() == pool['fqdn'].lower() and \
                (display_name is None or display_name == existing.get('display_name')):
            return existing
        self.result['changed'] = True
        if existing:
            moving = (existing.get('pool_fqdn') or '').lower() != pool['fqdn'].lower()
            self.result['action'] = 'moved' if moving else 'recreated'
            keep_name = display_name if display_name is not None else existing.get('display_name')
        else:
            self.result['action'] = 'created'
            keep_name = display_name
        if self.module.check_mode:
            return {'sip_address': self.params['sip_address'], 'pool_fqdn': pool['fqdn'],
                    'display_name': keep_name, 'dn': None}
        if existing:
            # remove + new: a run killed in between finds no endpoint and creates it
            self.platform.remove_endpoint(existing)
        return self.platform.new_endpoint(self.params['sip_address'], pool['fqdn'], keep_name)

    def absent(self, existing):
        if not existing:
            return None
        self.result.update(changed=True, action='removed')
        if not self.module.check_mode:
            self.platform.remove_endpoint(existing)
        return None

    def run(self):
        if self.params['display_name'] is not None and not 0 < len(self.params['display_name']) <= MAX_DISPLAY_NAME:
            raise PchatError('display_name must be 1 to %d characters.' % MAX_DISPLAY_NAME)
        if self.params['replaces']:
            validate_dn(self.params['replaces'], 'replaces')
        found = [e for e in self.platform.get_endpoints(self.sip) if sip_equal(e['sip_address'], self.sip)]
        existing = found[0] if found else None
        if self.params['state'] == 'present':
            endpoint = self.present(existing)
        else:
            self.result['owners_before'] = None
            endpoint = self.absent(existing)
        self.result['endpoint'] = endpoint
        self.result['endpoint_before'] = existing
        self.result['diff'] = {'before': existing or {}, 'after': endpoint or {}}
        return self.result


def main():
    spec = connection_argument_spec(
        sip_address=dict(type='str', required=True),
        pool_fqdn=dict(type='str'),
        display_name=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        replaces=dict(type='str'),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           required_if=[('state', 'present', ['pool_fqdn'])])
    try:
        normalize_sip(module.params['sip_address'], 'sip_address')
        if module.params['pool_fqdn']:
            validate_fqdn(module.params['pool_fqdn'], 'pool_fqdn')
    except PchatError as exc:
        module.fail_json(**exc.fail_kwargs())  # bad input fails before anything is contacted
    directory = client_from_module(module)
    platform = platform_from_module(module, directory)
    try:
        result = LegacyEndpoint(module, directory, platform).run()
    except PchatError as exc:
        platform.close()
        directory.close()
        module.fail_json(**exc.fail_kwargs())
    platform.close()
    directory.close()
    if not module._diff:
        result.pop('diff')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
