#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: directory_user_info
short_description: Read an Active Directory user and its Lync SIP attributes
version_added: 0.2.0
description:
  - Finds the users that O(dn), O(sam_account_name) or O(sip_address) name (in that order of precedence) and
    returns what M(pchat.cutover.directory_user) manages of them, plus their objectGUID, objectSid and groups.
  - Read-only twin of M(pchat.cutover.directory_user); roles read a user's state through it instead of running
    the managing module in check mode.
  - Finding nothing is not an error (RV(exists) is V(false)); a directory that cannot be reached is.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.lease
  - pchat.cutover.info_module
options:
  sip_address:
    description:
      - SIP URI of the user, with the C(sip:) prefix, compared case-insensitively.
    type: str
  sam_account_name:
    description:
      - Logon name (sAMAccountName) of the user.
    type: str
  dn:
    description:
      - Distinguished name of the user.
    type: str
seealso:
  - module: pchat.cutover.directory_user
  - module: pchat.cutover.sip_address_info
'''

EXAMPLES = r'''
- name: Is the Group Chat well-known user still there?
  pchat.cutover.directory_user_info:
    sip_address: sip:OCSChat@contoso.com
  register: well_known

- name: Show it
  ansible.builtin.debug:
    msg: "{{ well_known.user.dn if well_known.exists else 'gone' }}"
'''

RETURN = r'''
exists:
  description: Whether exactly one user matched.
  returned: always
  type: bool
  sample: true
user:
  description: The user when exactly one matched, else V(null). Keys as in RV(users).
  returned: always
  type: dict
  sample:
    dn: CN=OCSChat,CN=Users,DC=contoso,DC=com
    sam_account_name: OCSChat
    display_name: Group Chat well-known user
    sip_address: sip:OCSChat@contoso.com
    sip_enabled: true
    account_enabled: false
    object_guid: e84101ec-b829-48eb-89d1-84aa116af7f1
    object_sid: S-1-5-21-2098308877-584151828-3286852836-1102
    member_of: []
users:
  description: Every user that matched (more than one only when a SIP address or logon name is ambiguous).
  returned: always
  type: list
  elements: dict
  sample:
    - dn: CN=OCSChat,CN=Users,DC=contoso,DC=com
      sam_account_name: OCSChat
      display_name: Group Chat well-known user
      sip_address: sip:OCSChat@contoso.com
      sip_enabled: true
      account_enabled: false
      object_guid: e84101ec-b829-48eb-89d1-84aa116af7f1
      object_sid: S-1-5-21-2098308877-584151828-3286852836-1102
      member_of: []
  contains:
    dn:
      description: Distinguished name.
      type: str
      sample: CN=OCSChat,CN=Users,DC=contoso,DC=com
    sam_account_name:
      description: sAMAccountName.
      type: str
      sample: OCSChat
    display_name:
      description: displayName, or V(null).
      type: str
      sample: Group Chat well-known user
    sip_address:
      description: msRTCSIP-PrimaryUserAddress as stored, or V(null).
      type: str
      sample: sip:OCSChat@contoso.com
    sip_enabled:
      description: msRTCSIP-UserEnabled, or V(null) when not set.
      type: bool
      sample: true
    account_enabled:
      description: Whether the account is enabled (userAccountControl), or V(null).
      type: bool
      sample: false
    object_guid:
      description: objectGUID.
      type: str
      sample: e84101ec-b829-48eb-89d1-84aa116af7f1
    object_sid:
      description: objectSid.
      type: str
      sample: S-1-5-21-2098308877-584151828-3286852836-1102
    member_of:
      description: DNs of the groups the user belongs to (memberOf).
      type: list
      elements: str
      sample: [CN=Chat Owners,OU=Groups,DC=contoso,DC=com]
searches:
  description: LDAP search requests sent (each page of a paged search counts).
  returned: always
  type: int
  sample: 2
ldap_searches:
  description: The same count as RV(searches), under the name every module uses.
  returned: always
  type: int
  sample: 2
'''

from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import SIP_ATTRIBUTE
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.user_backend import UserLookup, describe


def read_users(module):
    params = module.params
    lookup = UserLookup(module.directory, params['sip_address'], params['sam_account_name'], params['dn'])
    if lookup.dn:
        entries = [e for e in [lookup.find()] if e is not None]
    elif lookup.sam:
        entries = module.directory.find_users('sAMAccountName', lookup.sam)
    else:
        entries = module.directory.find_users(SIP_ATTRIBUTE, lookup.sip)
    users = [describe(entry) for entry in entries]
    return {'changed': False, 'exists': len(users) == 1, 'user': users[0] if len(users) == 1 else None,
            'users': users, 'searches': module.directory.searches}


def main():
    module = PchatModule(
        argument_spec=dict(sip_address=dict(type='str'), sam_account_name=dict(type='str'), dn=dict(type='str')),
        required_one_of=[['sip_address', 'sam_account_name', 'dn']],
        uses=('directory',),
    )
    module.run(lambda: read_users(module))


if __name__ == '__main__':
    main()
