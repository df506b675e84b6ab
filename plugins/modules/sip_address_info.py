#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: sip_address_info
short_description: Find who owns each of a list of SIP URIs in Active Directory, in batched searches
version_added: 0.1.0
description:
  - For each SIP URI, reports whether no object, one user, one contact (for example a Persistent Chat legacy
    endpoint's contact object) or several objects (a conflict) carry it in C(msRTCSIP-PrimaryUserAddress).
  - Looks the URIs up O(batch_size) at a time with one OR filter per batch, in the domain naming context (users)
    and the configuration naming context (where Lync keeps application and endpoint contacts), so 10,000 URIs
    take a few dozen LDAP searches instead of 10,000.
  - Matching is case-insensitive, as Active Directory compares the attribute.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.lease
  - pchat.cutover.info_module
options:
  sip_addresses:
    description:
      - SIP URIs to resolve, each like V(sip:user@contoso.com). Duplicates (ignoring case) are resolved once.
      - Any malformed URI fails the task, naming it, before anything is searched.
    type: list
    elements: str
    required: true
  similar:
    description:
      - For each URI nobody owns, also list up to five SIP-enabled users whose URI starts with the same three letters
        in the same domain (RV(owners) C(similar)), the likely intended URI when one was mistyped. One more search per
        such URI.
    type: bool
    default: false
  batch_size:
    description:
      - How many URIs go into one search filter. Larger batches mean fewer searches; Active Directory accepts
        filters far larger than the default produces.
    type: int
    default: 500
seealso:
  - module: pchat.cutover.directory_user
  - module: pchat.cutover.legacy_endpoint
'''

EXAMPLES = r'''
- name: Who owns the well-known Group Chat URI?
  pchat.cutover.sip_address_info:
    sip_addresses:
      - sip:OCSChat@contoso.com
  register: owner

- name: Stop if it is already taken by something other than the legacy user
  ansible.builtin.assert:
    that: owner.owners['sip:OCSChat@contoso.com'].kind in ['none', 'user']
    fail_msg: "sip:OCSChat@contoso.com is owned by {{ owner.owners['sip:OCSChat@contoso.com'].dns }}"
'''

RETURN = r'''
owners:
  description:
    - For each asked SIP URI (as given), its owner.
    - C(kind) is V(none), V(user), V(contact) or V(conflict) (several owners); C(dns) lists the owners' DNs.
    - C(owners) lists each owner with its C(dn), C(kind), C(sip_enabled) (C(msRTCSIP-UserEnabled), V(null) when not
      read) and C(home_server) (C(msRTCSIP-PrimaryHomeServer), the DN of the pool a Lync-enabled user is homed on).
    - With O(similar), C(similar) lists lookalike SIP URIs of users for a URI nobody owns.
  returned: always
  type: dict
  sample:
    "sip:OCSChat@contoso.com":
      kind: user
      dns: [CN=OCSChat,CN=Users,DC=contoso,DC=com]
      owners: [{dn: CN=OCSChat,CN=Users,DC=contoso,DC=com, kind: user, sip_enabled: true,
                home_server: "CN=Lc Services,CN=Microsoft,CN=1:1,CN=Pools,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com"}]
summary:
  description: How many distinct URIs fell into each kind.
  returned: always
  type: dict
  sample: {none: 1, user: 9998, contact: 1, conflict: 0}
searches:
  description: LDAP search requests sent (each page of a paged search counts).
  returned: always
  type: int
  sample: 42
ldap_searches:
  description: The same count as RV(searches), under the name every module uses.
  returned: always
  type: int
  sample: 42
'''

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip


def malformed_addresses(addresses):
    """(index, value, reason) for each URI that is not a valid SIP URI."""
    bad = []
    for index, value in enumerate(addresses):
        try:
            normalize_sip(value)
        except PchatError as exc:
            bad.append((index, value, exc.msg))
    return bad


def owners_of(module):
    addresses = module.params['sip_addresses']
    if module.params['batch_size'] < 1:
        raise PchatError('batch_size must be at least 1, got %d.' % module.params['batch_size'])
    bad = malformed_addresses(addresses)
    if bad:
        raise PchatError('%d of the %d sip_addresses are malformed, for example item %d: %s Fix or remove them.'
                         % (len(bad), len(addresses), bad[0][0], bad[0][2]),
                         details={'malformed': [{'index': i, 'value': v, 'reason': r} for i, v, r in bad[:100]]})
    found = module.directory.find_sip_owners(addresses, module.params['batch_size'])
    owners = dict((address, found[normalize_sip(address)]) for address in addresses)
    if module.params['similar']:
        for address, answer in owners.items():
            if answer['kind'] == 'none' and 'similar' not in answer:
                answer['similar'] = module.directory.similar_users(address)
    summary = {'none': 0, 'user': 0, 'contact': 0, 'conflict': 0}
    for answer in found.values():
        summary[answer['kind']] += 1
    return {'changed': False, 'owners': owners, 'summary': summary, 'searches': module.directory.searches}


def main():
    module = PchatModule(
        argument_spec=dict(
            sip_addresses=dict(type='list', elements='str', required=True),
            batch_size=dict(type='int', default=500),
            similar=dict(type='bool', default=False),
        ),
        uses=('directory',),
    )
    module.run(lambda: owners_of(module))


if __name__ == '__main__':
    main()
