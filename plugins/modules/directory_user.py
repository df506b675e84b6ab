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
  - pchat.cutover.platform
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
  - The platform options (O(driver), O(lab_path), O(psrp_host) and the other C(psrp_*)) are accepted so that
    C(module_defaults) for the C(group/pchat.cutover.all) action group can set them once for every module; this
    module does not use them.
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
    bind_dn: CN=svc-pchat,OU=Service,DC=contoso,DC=com
    bind_password: "{{ vault_pchat_bind_password }}"
    ca_file: /etc/pki/contoso-ca.pem
'''

RETURN = r'''
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
warnings_detail:
  description: What a restore could not bring back, one line each.
  returned: when O(restore_from) is set
  type: list
  elements: str
'''

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec
from ansible_collections.pchat.cutover.plugins.module_utils import directory_backup
from ansible_collections.pchat.cutover.plugins.module_utils.attribute_diff import (
    MODIFY_DELETE, normalize_wanted, plan_changes,
)
from ansible_collections.pchat.cutover.plugins.module_utils.directory import (
    SIP_ATTRIBUTE, SIP_ENABLED_ATTRIBUTE, client_from_module, dn_equal, escape_dn_value,
    ldap_modify_changes, parent_dn, validate_dn,
)
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip

SAM_FORBIDDEN = re.compile(r'["/\\\[\]:;|=,+*?<>\x00-\x1f]')
NEW_USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user']
DISABLED_NO_PASSWORD = '546'  # NORMAL_ACCOUNT | ACCOUNTDISABLE | PASSWD_NOTREQD
SUMMARY_ATTRIBUTES = ['sAMAccountName', SIP_ATTRIBUTE, SIP_ENABLED_ATTRIBUTE, 'displayName', 'userAccountControl']


def validate_sam(value):
    if not value or len(value) > 20 or SAM_FORBIDDEN.search(value) or value.strip('. ') == '':
        raise PchatError('sam_account_name %r is not a valid sAMAccountName: 1 to 20 characters, none of '
                         '" / \\ [ ] : ; | = , + * ? < > and not only dots or spaces.' % (value,))
    return value


class DirectoryUser(object):
    """Converges one user; every method raises PchatError on failure."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.check_mode = module.check_mode
        self.result = {'changed': False, 'existed': False, 'backup_file': None, 'changed_attributes': []}
        self.diff = {'before': {}, 'after': {}}

    # -- inputs -----------------------------------------------------------------------------------------
    def validated_inputs(self):
        params = self.params
        self.sip = normalize_sip(params['sip_address'], 'sip_address') if params['sip_address'] else None
        self.sip_given = params['sip_address']
        self.sam = validate_sam(params['sam_account_name']) if params['sam_account_name'] is not None else None
        self.dn = validate_dn(params['dn'], 'dn') if params['dn'] else None
        self.path = validate_dn(params['path'], 'path') if params['path'] else None
        if params['name'] is not None and not 0 < len(params['name']) <= 64:
            raise PchatError('name %r must be 1 to 64 characters (the limit of cn).' % params['name'])
        self.wanted = normalize_wanted(params['attributes'])
        if params['replaces']:
            validate_dn(params['replaces'], 'replaces')
        if params['restore_from'] and params['state'] == 'absent':
            raise PchatError('restore_from brings a user back, so it needs state: present (not absent).')

    # -- lookup -------------------------------------------------------------------------------------------
    def find(self):
        """The user entry (all attributes) or None; several matches is an error that names them."""
        if self.dn:
            entry = self.client.get_entry(self.dn, ['*'])
            if entry is not None and 'user' not in [c.lower() for c in entry['attributes'].get('objectClass', [])]:
                raise PchatError('%r exists but is not a user (objectClass %s); directory_user manages users only.'
                                 % (self.dn, ', '.join(entry['attributes'].get('objectClass', []))))
            return entry
        if self.sam:
            matches = self.client.find_users('sAMAccountName', self.sam)
            what = 'sAMAccountName %r' % self.sam
        else:
            matches = self.client.find_users(SIP_ATTRIBUTE, self.sip)
            what = 'SIP address %r' % self.sip_given
        if len(matches) > 1:
            raise PchatError('%s matches %d users (%s); identify the user by dn instead.'
                             % (what, len(matches), '; '.join(m['dn'] for m in matches)))
        return matches[0] if matches else None

    def check_sip_free(self, own_dn):
        """Refuse a SIP address that another object owns (two owners break routing for that URI)."""
        owners = self.client.find_sip_owners([self.sip])[self.sip]['owners']
        others = [o for o in owners if not (own_dn and dn_equal(o['dn'], own_dn))]
        if self.check_mode and self.params['replaces']:
            others = [o for o in others if not dn_equal(o['dn'], self.params['replaces'])]
        if others:
            raise PchatError('SIP address %r is already owned by %s; remove it from that object first (for a '
                             'Persistent Chat endpoint, pchat.cutover.legacy_endpoint state=absent).'
                             % (self.sip_given, '; '.join('%s %s' % (o['kind'], o['dn']) for o in others)))

    # -- actions ------------------------------------------------------------------------------------------
    def desired(self, entry):
        wanted = dict(self.wanted)
        if self.sip:
            wanted[SIP_ATTRIBUTE] = [self.sip_given]
        if self.params['sip_enabled'] is not None:
            wanted[SIP_ENABLED_ATTRIBUTE] = ['TRUE' if self.params['sip_enabled'] else 'FALSE']
        if self.sam and self.dn and entry is not None:
            wanted['sAMAccountName'] = [self.sam]  # found by DN: the logon name is a value to converge
        return wanted

    def backup(self, entry):
        if self.params['backup_dir'] and not self.check_mode:
            full = self.client.get_entry(entry['dn'], ['*'])
            snap = directory_backup.snapshot(full, self.client.url)
            self.result['backup_file'] = directory_backup.write_backup(self.params['backup_dir'], snap)

    def identify(self, entry):
        raw = entry.get('raw_attributes', {})
        self.result['dn'] = entry['dn']
        if raw.get('objectGUID'):
            self.result['object_guid'] = directory_backup.format_guid(raw['objectGUID'][0])
        if raw.get('objectSid'):
            self.result['object_sid'] = directory_backup.format_sid(raw['objectSid'][0])

    def absent(self, entry):
        if entry is None:
            return
        self.identify(entry)
        self.diff['before'] = summary(entry)
        self.diff['after'] = {}
        self.backup(entry)
        if not self.check_mode:
            self.client.delete_entry(entry['dn'])
        self.result['changed'] = True

    def create(self):
        if not self.sam:
            raise PchatError('the user (%s) does not exist and cannot be created without sam_account_name; set it, '
                             'and name/path or dn for where it goes.' % (self.sip_given or self.dn))
        if self.dn:
            dn = self.dn
        else:
            container = self.path or 'CN=Users,%s' % self.client.search_base
            dn = 'CN=%s,%s' % (escape_dn_value(self.params['name'] or self.sam), container)
        parent = parent_dn(dn)
        if not self.client.exists(parent):
            raise PchatError('cannot create %r: its container %r does not exist. Create the OU first or fix '
                             'path/dn.' % (dn, parent))
        if self.client.find_users('sAMAccountName', self.sam):
            raise PchatError('cannot create %r: sAMAccountName %r is taken by another user.' % (dn, self.sam))
        if self.sip:
            self.check_sip_free(None)
        attrs = dict((name, values) for name, values in self.desired(None).items() if values)
        attrs['sAMAccountName'] = [self.sam]
        attrs.setdefault('userAccountControl', [DISABLED_NO_PASSWORD])
        self.diff['after'] = dict(dict((k, v[0] if len(v) == 1 else v) for k, v in attrs.items()), dn=dn)
        self.result.update(dn=dn, changed=True, changed_attributes=sorted(attrs, key=str.lower))
        if not self.check_mode:
            self.client.add_entry(dn, NEW_USER_CLASSES, attrs)
            self.identify(self.client.get_entry(dn, ['objectGUID', 'objectSid']))

    def update(self, entry):
        self.identify(entry)
        changes, before, after = plan_changes(entry['attributes'], self.desired(entry))
        self.diff['before'] = dict(before, dn=entry['dn'])
        self.diff['after'] = dict(after, dn=entry['dn'])
        if not changes:
            return
        if SIP_ATTRIBUTE in changes and changes[SIP_ATTRIBUTE][0] != MODIFY_DELETE:
            self.check_sip_free(entry['dn'])
        self.result['changed'] = True
        self.result['changed_attributes'] = sorted(changes, key=str.lower)
        self.backup(entry)
        if not self.check_mode:
            self.client.modify_entry(entry['dn'], ldap_modify_changes(changes))

    def restore(self):
        snap = directory_backup.load_backup(self.params['restore_from'])
        sip_values = directory_backup.restorable_attributes(snap).get(SIP_ATTRIBUTE) or []
        if sip_values and directory_backup.find_live(self.client, snap) is None:
            self.sip, self.sip_given = normalize_sip(sip_values[0]), sip_values[0]
            self.check_sip_free(snap['dn'])
        outcome = directory_backup.restore(self.client, snap, self.check_mode)
        self.result.update(restored=outcome['method'], warnings_detail=outcome['warnings'], dn=outcome['dn'],
                           object_guid=outcome['object_guid'], object_sid=outcome['object_sid'],
                           existed=outcome['method'] == 'present')
        if outcome['changed']:
            self.result['changed'] = True
            self.diff['before'] = {} if outcome['method'] != 'present' else {'dn': outcome['dn']}
            self.diff['after'] = {'dn': outcome['dn'], 'restored': outcome['method'], 'from': self.params['restore_from']}
        return outcome

    def run(self):
        self.validated_inputs()
        if self.params['restore_from']:
            outcome = self.restore()
            if self.check_mode and outcome['method'] != 'present':
                return self.result  # the user does not exist yet, so there is nothing further to compare
            if not (self.dn or self.sam or self.sip):
                return self.result
            if not self.dn:
                self.dn = outcome['dn']
        entry = self.find()
        self.result['existed'] = self.result.get('existed') or entry is not None
        if self.params['state'] == 'absent':
            self.absent(entry)
        elif entry is None:
            self.create()
        else:
            self.update(entry)
        return self.result


def summary(entry):
    shown = {'dn': entry['dn']}
    for name in SUMMARY_ATTRIBUTES:
        values = entry['attributes'].get(name)
        if values:
            shown[name] = values[0] if isinstance(values, list) and len(values) == 1 else values
    return shown


def main():
    module = AnsibleModule(
        argument_spec=connection_argument_spec(
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
        supports_check_mode=True,
    )
    client = client_from_module(module)
    try:
        user = DirectoryUser(module, client)
        result = user.run()
        result['searches'] = client.searches
    except PchatError as exc:
        client.close()
        module.fail_json(**exc.fail_kwargs())
    client.close()
    if module._diff:
        result['diff'] = user.diff
    module.exit_json(**result)


if __name__ == '__main__':
    main()
