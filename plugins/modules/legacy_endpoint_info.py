#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: legacy_endpoint_info
short_description: Read Persistent Chat endpoints (the legacy endpoint among them) and the pool each serves
version_added: 0.2.0
description:
  - Reads Persistent Chat endpoints with C(Get-CsPersistentChatEndpoint) - the one with O(sip_address), those of
    O(pool_fqdn), or all.
  - Each endpoint's pool comes from the documented C(-PersistentChatPoolFqdn) listing (the endpoint object names no
    pool FQDN).
  - Read-only twin of M(pchat.cutover.legacy_endpoint); roles read the endpoint through it instead of running the
    managing module in check mode.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.lease
  - pchat.cutover.directory
  - pchat.cutover.info_module
options:
  sip_address:
    description:
      - SIP URI of the endpoint, with the C(sip:) prefix. Without it, every endpoint (of O(pool_fqdn), if set).
    type: str
  pool_fqdn:
    description:
      - Only the endpoints of this Persistent Chat pool.
    type: str
seealso:
  - module: pchat.cutover.legacy_endpoint
  - module: pchat.cutover.sip_address_info
'''

EXAMPLES = r'''
- name: Is the well-known SIP URI a Persistent Chat endpoint, and on which pool?
  pchat.cutover.legacy_endpoint_info:
    sip_address: sip:OCSChat@contoso.com
  register: endpoint

- name: Show it
  ansible.builtin.debug:
    msg: "{{ endpoint.endpoint.pool_fqdn if endpoint.endpoint else 'no endpoint' }}"
'''

RETURN = r'''
endpoint:
  description: With O(sip_address), that endpoint, or V(null) when there is none.
  returned: always
  type: dict
  sample:
    sip_address: sip:OCSChat@contoso.com
    pool_fqdn: pcpool.contoso.com
    display_name: OCSChat@contoso.com
    dn: CN={6F0C1C8E-3B0A-4C55-9A59-0E5D9A3C2B11},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com
endpoints:
  description: Every endpoint found (C(sip_address), C(pool_fqdn), C(display_name), C(dn)).
  returned: always
  type: list
  elements: dict
  sample:
    - sip_address: sip:OCSChat@contoso.com
      pool_fqdn: pcpool.contoso.com
      display_name: OCSChat@contoso.com
      dn: CN={6F0C1C8E-3B0A-4C55-9A59-0E5D9A3C2B11},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com
    - sip_address: sip:PersistentChatService-pcpool@contoso.com
      pool_fqdn: pcpool.contoso.com
      display_name: Persistent Chat Service (pcpool.contoso.com)
      dn: CN={F28F7E55-E923-5CA3-B74A-879FA2968BB4},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com
pipelines:
  description: How many PowerShell pipelines the task sent to the front end.
  returned: always
  type: int
  sample: 4
psrp_pipelines:
  description: The same count as RV(pipelines), under the name every module uses.
  returned: always
  type: int
  sample: 4
'''

from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, validate_fqdn


def read_endpoints(module):
    params = module.params
    if params['sip_address']:
        normalize_sip(params['sip_address'], 'sip_address')
    if params['pool_fqdn']:
        validate_fqdn(params['pool_fqdn'], 'pool_fqdn')
    found = module.platform.endpoints(params['sip_address'], params['pool_fqdn'])
    endpoint = found[0] if params['sip_address'] and found else None
    return {'changed': False, 'endpoint': endpoint, 'endpoints': found, 'pipelines': module.platform.pipelines}


def main():
    module = PchatModule(argument_spec=dict(sip_address=dict(type='str'), pool_fqdn=dict(type='str')),
                         uses=('platform',))
    module.run(lambda: read_endpoints(module))


if __name__ == '__main__':
    main()
