#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: directory_user
short_description: Manage an Active Directory user and its Lync SIP attributes, with backup and restore
version_added: 0.1.0
description:
  - Finds an Active Directory user by O(dn), O(sam_account_name) or O(sip_address) (in that order of
    precedence) and makes it present with the given attributes, or absent.
  - Manages the Lync attributes C(msRTCSIP-PrimaryUserAddress) (O(sip_address)) and C(msRTCSIP-UserEnabled)
    (O(sip_enabled)) and any other attribute through O(attributes).
  - With O(backup_dir), writes a full snapshot of the user (every readable attribute, never a secret one) before
    deleting or changing it, and returns its path as RV(backup_file).
  - With O(restore_from), brings a deleted user back from such a snapshot. It reanimates the user's tombstone
    when the directory still has it, which keeps its objectSid and objectGUID, and recreates the user
    otherwise; either way it re-applies the attributes and group memberships from the snapshot and says which
    it did in RV(restored).
  - A new user is created disabled and without a password (C(userAccountControl=546)) unless O(attributes) sets
    C(userAccountControl); the cutover only ever needs service identities such as the Group Chat well-known user.
  - Refuses to give a user a SIP address that another object (user or Persistent Chat endpoint contact) owns,
    naming that object.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.directory
  - pchat.cutover.lease
attributes:
  check_mode:
    support: full
    description: Reports what would change (including which restore method would be used) and writes nothing.
  diff_mode:
    support: full
    description: Shows the compared attributes before and after.
options:
  sip_address:
    description:
      - SIP URI of the user, for example V(sip:OCSChat@contoso.com); identifies the user when neither O(dn) nor
        O(sam_account_name) is given, else is the value to set. Compared case-insensitively, as Lync does.
    type: str
  sam_account_name:
    description:
      - The user's logon name (C(sAMAccountName)), at most 20 characters, none of C("/\[]:;|=,+*?<>).
      - Required to create a user.
    type: str
  dn:
    description:
      - Distinguished name of the user. Identifies it; when the user does not exist it is created at this DN.
    type: str
  name:
    description:
      - Common name (C(CN)) of a user to create under O(path). Defaults to O(sam_account_name).
      - Ignored for an existing user (renaming is not supported).
    type: str
  path:
    description:
      - DN of the container or OU a new user is created in. Defaults to C(CN=Users) under the search base.
    type: str
  state:
    description:
      - V(present) creates or updates the user; V(absent) deletes it (after the backup, if O(backup_dir) is set).
    type: str
    choices: [present, absent]
    default: present
  sip_enabled:
    description:
      - Value of C(msRTCSIP-UserEnabled). Left as it is when not given.
    type: bool
  attributes:
    description:
      - Other attributes to set, as a dictionary of attribute name to a value or a list of values. Values replace
        what is there; V(null) or V([]) removes the attribute. Booleans are written as C(TRUE)/C(FALSE).
      - C(objectClass), C(cn), C(name), C(distinguishedName), C(objectGUID), C(objectSid), C(memberOf),
        C(unicodePwd), C(userPassword) and the attributes that have their own option cannot be set here.
    type: dict
  backup_dir:
    description:
      - Folder for a JSON snapshot written before the user is deleted or changed (mode 0600, folder 0700).
      - Secret attributes (password hashes and the like) are never written.
    type: path
  restore_from:
    description:
      - A snapshot file written by this module (its RV(backup_file)). The user is restored from it when it does
        not exist; if it exists, attributes that differ from the snapshot are put back.
      - Refused while another object owns the snapshot's SIP address (remove the legacy endpoint first).
      - Requires O(state=present).
    type: path
  replaces:
    description:
      - DN of an object that an earlier task of the same run removes before this one (in a rollback, the legacy
        endpoint that owns the SIP address). Only in check mode its ownership of the SIP address is treated as
        gone, because the preview did not really remove it; a real run is refused while it is there.
    type: str
notes:
  - Deleting a user in AD leaves a tombstone for the tombstone lifetime (180 days by default); restores inside
    that window keep the user's SID. Samba AD behaves the same way.
  - Group memberships are restored by adding the user back to each group listed in the snapshot's C(memberOf).
seealso:
  - module: pchat.cutover.sip_address_info
'''

EXAMPLES = r'''
- name: Back up and delete the Group Chat well-known user
  pchat.cutover.directory_user:
    sip_address: sip:OCSChat@contoso.com
    state: absent
    backup_dir: /var/backups/pchat
  register: deleted

- name: Put it back from the backup (rollback)
  pchat.cutover.directory_user:
    restore_from: "{{ deleted.backup_file }}"

- name: A SIP-enabled user, created if missing
  pchat.cutover.directory_user:
    sam_account_name: jdoe
    path: OU=Staff,DC=contoso,DC=com
    name: Jane Doe
    sip_address: sip:jdoe@contoso.com
    sip_enabled: true
    attributes:
      displayName: Jane Doe
      description: Persistent Chat pilot
    ldap_url: ldaps://dc01.contoso.com
    ldap_bind_dn: CN=svc-pchat,OU=Service,DC=contoso,DC=com
    ldap_bind_password: "{{ vault_pchat_ldap_bind_password }}"
    ldap_ca_file: /etc/pki/contoso-ca.pem
'''

RETURN = r'''
summary:
  description: What the task did, or in check mode would do, in one line for a person (the phase summaries of the
    cutover report).
  returned: always
  type: str
  sample: 'deleted CN=OCSChat,CN=Users,DC=contoso,DC=com (backup /var/lib/pchat-cutover/gc.contoso.com/backups/OCSChat-20261128T021500Z-1a2b3c4d.json)'
dn:
  description: DN of the user (after the change; for a deletion, the DN it had).
  returned: when the user exists or existed
  type: str
  sample: CN=OCSChat,CN=Users,DC=contoso,DC=com
object_guid:
  description: objectGUID of the user.
  returned: when the user exists or existed (not for a user that check mode would create)
  type: str
  sample: 4f5a1c2e-3b1d-4a8e-9f10-2c7d6e5b4a39
object_sid:
  description: objectSid of the user.
  returned: when the user exists or existed (not for a user that check mode would create)
  type: str
  sample: S-1-5-21-1634006690-591477053-2496922951-1105
existed:
  description: Whether the user existed before this task.
  returned: always
  type: bool
  sample: true
backup_file:
  description: Path of the snapshot written before the change; V(null) when none was written (check mode, no
    change, or no O(backup_dir)).
  returned: always
  type: str
  sample: /var/backups/pchat/OCSChat-20261124T031500Z-4f5a1c2e.json
restored:
  description: With O(restore_from), how the user was brought back - V(reanimated) (tombstone reanimated,
    objectSid and objectGUID kept), V(recreated) (new object, new SID) or V(present) (it already existed).
  returned: when O(restore_from) is set
  type: str
  sample: reanimated
changed_attributes:
  description: Names of the attributes written (or that would be written in check mode).
  returned: always
  type: list
  elements: str
  sample: [displayName, msRTCSIP-UserEnabled]
warnings_detail:
  description: What a restore could not bring back, one line each.
  returned: when O(restore_from) is set
  type: list
  elements: str
  sample:
    - group CN=Chat Owners,OU=Groups,DC=contoso,DC=com no longer exists; membership not restored.
searches:
  description: LDAP search requests sent (each page of a paged search counts).
  returned: always
  type: int
  sample: 3
ldap_searches:
  description: The same count as RV(searches), under the name every module uses.
  returned: always
  type: int
  sample: 3
'''

from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.user_backend import UserBackend


def main():
    module = PchatModule(
        argument_spec=dict(
            sip_address=dict(type='str'),
            sam_account_name=dict(type='str'),
            dn=dict(type='str'),
            name=dict(type='str'),
            path=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            sip_enabled=dict(type='bool'),
            attributes=dict(type='dict'),
            backup_dir=dict(type='path'),
            restore_from=dict(type='path'),
            replaces=dict(type='str'),
        ),
        required_one_of=[['sip_address', 'sam_account_name', 'dn', 'restore_from']],
        uses=('directory',),
    )
    module.run(lambda: UserBackend(module.directory, module.params, module.check_mode).run())


if __name__ == '__main__':
    main()
