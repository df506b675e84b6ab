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
  - Who owns the SIP URI is asked of the directory (the directory options). Before creating the endpoint, the module
    waits (up to O(directory_wait) seconds) until the front end's view of AD (C(Get-CsAdUser)) no longer finds a user
    with the SIP URI, because the well-known user was deleted over LDAP, possibly on another domain controller, and
    Lync refuses a SIP URI it still sees in use.
  - Runs C(New-CsPersistentChatEndpoint -SipAddress -PersistentChatPoolFqdn [-DisplayName] -PassThru) and
    C(Remove-CsPersistentChatEndpoint -Identity <DN>), both with C(-Confirm) set to false.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.platform
  - pchat.cutover.lease
attributes:
  check_mode:
    support: full
    description: Reports what would be created, moved or removed; changes nothing. While another object owns the SIP
      URI (the well-known user a preview did not delete) it fails as a real run would; the cutover role's preview
      predicts the recreate from its plan instead.
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
  directory_wait:
    description:
      - Seconds to wait, before creating the endpoint, for the front end's view of AD to stop seeing a user with the
        SIP URI (AD replication after the delete). Then the task fails, having created nothing.
    type: int
    default: 600
seealso:
  - module: pchat.cutover.legacy_endpoint_info
  - module: pchat.cutover.sip_address_info
  - module: pchat.cutover.directory_user
'''

EXAMPLES = r'''
- name: Delete the well-known user (after a backup)
  pchat.cutover.directory_user:
    sip_address: sip:OCSChat@contoso.com
    state: absent
    backup_dir: /var/backups/pchat

- name: Recreate its SIP URI as a legacy endpoint on the Persistent Chat pool
  pchat.cutover.legacy_endpoint:
    sip_address: sip:OCSChat@contoso.com
    pool_fqdn: pcpool.contoso.com
'''

RETURN = r'''
summary:
  description: What the task did, or in check mode would do, in one line for a person (the phase summaries of the
    cutover report).
  returned: always
  type: str
  sample: created the endpoint sip:OCSChat@contoso.com on pcpool.contoso.com
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
  sample:
    sip_address: sip:OCSChat@contoso.com
    pool_fqdn: pcpool2.contoso.com
    display_name: OCSChat@contoso.com
    dn: CN={94F9328B-3E29-41F2-9096-6AAB5C15672D},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com
action:
  description: V(created), V(moved) (remove + new), V(recreated) (display name changed), V(removed) or V(none).
  returned: success
  type: str
  sample: created
owners_before:
  description: Who owned the SIP URI before the task, as M(pchat.cutover.sip_address_info) reports it.
  returned: success
  type: dict
  sample:
    kind: user
    dns: [CN=OCSChat,CN=Users,DC=contoso,DC=com]
waited_seconds:
  description: How long the task waited for the front end's view of AD to forget the user.
  returned: success
  type: float
  sample: 15.2
ldap_searches:
  description: How many LDAP search requests the task sent (a count, for anyone counting round trips).
  returned: always
  type: int
  sample: 3
psrp_pipelines:
  description: How many PowerShell pipelines the task sent to the front end.
  returned: always
  type: int
  sample: 12
'''

from ansible_collections.pchat.cutover.plugins.module_utils.endpoint_backend import EndpointBackend
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule


def main():
    module = PchatModule(
        argument_spec=dict(
            sip_address=dict(type='str', required=True),
            pool_fqdn=dict(type='str'),
            display_name=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            directory_wait=dict(type='int', default=600),
        ),
        required_if=[('state', 'present', ['pool_fqdn'])],
        uses=('directory', 'platform'),
    )
    # the backend validates every input before anything is contacted
    module.run(lambda: EndpointBackend(module.platform, module.directory, module.params, module.check_mode).run())


if __name__ == '__main__':
    main()
