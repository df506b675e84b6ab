# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backend of ``directory_user`` and ``directory_user_info``: find an AD user, decide what differs (plan),
then change it (apply, skipped in check mode). Restores from a snapshot go through directory_backup."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.pchat.cutover.plugins.module_utils import directory_backup
from ansible_collections.pchat.cutover.plugins.module_utils.attribute_diff import (
    MODIFY_DELETE, normalize_wanted, plan_changes,
)
from ansible_collections.pchat.cutover.plugins.module_utils.directory_connection import ldap_modify_changes
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import (
    SIP_ATTRIBUTE, SIP_ENABLED_ATTRIBUTE, dn_equal, escape_dn_value, parent_dn, validate_dn,
)
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip

SAM_FORBIDDEN = re.compile(r'["/\\\[\]:;|=,+*?<>\x00-\x1f]')
NEW_USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user']
DISABLED_NO_PASSWORD = '546'  # NORMAL_ACCOUNT | ACCOUNTDISABLE | PASSWD_NOTREQD
SUMMARY_ATTRIBUTES = ['sAMAccountName', SIP_ATTRIBUTE, SIP_ENABLED_ATTRIBUTE, 'displayName', 'userAccountControl']
ACCOUNT_DISABLED = 0x2


def validate_sam(value):
    if not value or len(value) > 20 or SAM_FORBIDDEN.search(value) or value.strip('. ') == '':
        raise PchatError('sam_account_name %r is not a valid sAMAccountName: 1 to 20 characters, none of '
                         '" / \\ [ ] : ; | = , + * ? < > and not only dots or spaces.' % (value,))
    return value


def summary(entry):
    """The managed attributes of an entry, as diffs and results show them."""
    shown = {'dn': entry['dn']}
    for name in SUMMARY_ATTRIBUTES:
        values = entry['attributes'].get(name)
        if values:
            shown[name] = values[0] if isinstance(values, list) and len(values) == 1 else values
    return shown


def describe(entry):
    """A user as directory_user_info returns it (plain types, no secrets)."""
    attributes = entry['attributes']
    raw = entry.get('raw_attributes', {})

    def one(name):
        values = attributes.get(name)
        if isinstance(values, list):
            return values[0] if values else None
        return values

    control = one('userAccountControl')
    sip_enabled = one(SIP_ENABLED_ATTRIBUTE)
    return {
        'dn': entry['dn'],
        'sam_account_name': one('sAMAccountName'),
        'display_name': one('displayName'),
        'sip_address': one(SIP_ATTRIBUTE),
        'sip_enabled': None if sip_enabled is None else str(sip_enabled).upper() == 'TRUE',
        'account_enabled': None if control is None else not int(control) & ACCOUNT_DISABLED,
        'object_guid': directory_backup.format_guid(raw['objectGUID'][0]) if raw.get('objectGUID') else None,
        'object_sid': directory_backup.format_sid(raw['objectSid'][0]) if raw.get('objectSid') else None,
        'member_of': sorted(attributes.get('memberOf') or []),
    }


class UserLookup(object):
    """Finds one user by dn, sAMAccountName or SIP address (in that order of precedence)."""

    def __init__(self, directory, sip_address=None, sam_account_name=None, dn=None):
        self.directory = directory
        self.sip = normalize_sip(sip_address, 'sip_address') if sip_address else None
        self.sip_given = sip_address
        self.sam = validate_sam(sam_account_name) if sam_account_name is not None else None
        self.dn = validate_dn(dn, 'dn') if dn else None

    def find(self):
        """The user entry (all attributes) or None; several matches is an error that names them."""
        if self.dn:
            entry = self.directory.get_entry(self.dn, ['*'])
            classes = [c.lower() for c in (entry or {}).get('attributes', {}).get('objectClass', [])]
            if entry is not None and 'user' not in classes:
                raise PchatError('%r exists but is not a user (objectClass %s); the directory_user modules manage '
                                 'users only.' % (self.dn, ', '.join(entry['attributes'].get('objectClass', []))))
            return entry
        if self.sam:
            matches = self.directory.find_users('sAMAccountName', self.sam)
            what = 'sAMAccountName %r' % self.sam
        else:
            matches = self.directory.find_users(SIP_ATTRIBUTE, self.sip)
            what = 'SIP address %r' % self.sip_given
        if len(matches) > 1:
            raise PchatError('%s matches %d users (%s); identify the user by dn instead.'
                             % (what, len(matches), '; '.join(m['dn'] for m in matches)))
        return matches[0] if matches else None


class UserBackend(object):
    """Converges one user: ``plan()`` decides (``self.action``: none, create, update, delete; the attribute
    changes; the diff), ``apply()`` changes the directory (nothing in check mode). Every method raises
    PchatError on failure."""

    def __init__(self, directory, params, check_mode):
        self.directory = directory
        self.params = params
        self.check_mode = check_mode
        self.result = {'changed': False, 'existed': False, 'backup_file': None, 'changed_attributes': []}
        self.diff = {'before': {}, 'after': {}}
        self.action = 'none'
        self.entry = None
        self.changes = {}
        self.new_dn = None
        self.new_attributes = None
        self._validate()

    def _validate(self):
        params = self.params
        self.lookup = UserLookup(self.directory, params['sip_address'], params['sam_account_name'], params['dn'])
        self.path = validate_dn(params['path'], 'path') if params['path'] else None
        if params['name'] is not None and not 0 < len(params['name']) <= 64:
            raise PchatError('name %r must be 1 to 64 characters (the limit of cn).' % params['name'])
        self.wanted = normalize_wanted(params['attributes'])
        if params['replaces']:
            validate_dn(params['replaces'], 'replaces')
        if params['restore_from'] and params['state'] == 'absent':
            raise PchatError('restore_from brings a user back, so it needs state: present (not absent).')

    # -- decisions -------------------------------------------------------------------------------------
    def check_sip_free(self, own_dn, sip=None, sip_given=None):
        """Refuse a SIP address that another object owns (two owners break routing for that URI)."""
        sip = sip or self.lookup.sip
        owners = self.directory.find_sip_owners([sip])[sip]['owners']
        others = [o for o in owners if not (own_dn and dn_equal(o['dn'], own_dn))]
        if self.check_mode and self.params['replaces']:
            others = [o for o in others if not dn_equal(o['dn'], self.params['replaces'])]
        if others:
            raise PchatError('SIP address %r is already owned by %s; remove it from that object first (for a '
                             'Persistent Chat endpoint, pchat.cutover.legacy_endpoint state=absent).'
                             % (sip_given or self.lookup.sip_given, '; '.join('%s %s' % (o['kind'], o['dn'])
                                                                              for o in others)))

    def desired(self, entry):
        wanted = dict(self.wanted)
        if self.lookup.sip:
            wanted[SIP_ATTRIBUTE] = [self.lookup.sip_given]
        if self.params['sip_enabled'] is not None:
            wanted[SIP_ENABLED_ATTRIBUTE] = ['TRUE' if self.params['sip_enabled'] else 'FALSE']
        if self.lookup.sam and self.lookup.dn and entry is not None:
            wanted['sAMAccountName'] = [self.lookup.sam]  # found by DN: the logon name is a value to converge
        return wanted

    def plan(self):
        entry = self.entry = self.lookup.find()
        self.result['existed'] = self.result['existed'] or entry is not None
        if entry is not None:
            self.identify(entry)
        if self.params['state'] == 'absent':
            if entry is not None:
                self.action = 'delete'
                self.diff = {'before': summary(entry), 'after': {}}
        elif entry is None:
            self.plan_create()
        else:
            self.plan_update(entry)
        self.result['changed'] = self.result['changed'] or self.action != 'none'
        return self.action

    def plan_create(self):
        lookup = self.lookup
        if not lookup.sam:
            raise PchatError('the user (%s) does not exist and cannot be created without sam_account_name; set it, '
                             'and name/path or dn for where it goes.' % (lookup.sip_given or lookup.dn))
        if lookup.dn:
            dn = lookup.dn
        else:
            container = self.path or 'CN=Users,%s' % self.directory.search_base
            dn = 'CN=%s,%s' % (escape_dn_value(self.params['name'] or lookup.sam), container)
        parent = parent_dn(dn)
        if not self.directory.exists(parent):
            raise PchatError('cannot create %r: its container %r does not exist. Create the OU first or fix '
                             'path/dn.' % (dn, parent))
        if self.directory.find_users('sAMAccountName', lookup.sam):
            raise PchatError('cannot create %r: sAMAccountName %r is taken by another user.' % (dn, lookup.sam))
        if lookup.sip:
            self.check_sip_free(None)
        attrs = dict((name, values) for name, values in self.desired(None).items() if values)
        attrs['sAMAccountName'] = [lookup.sam]
        attrs.setdefault('userAccountControl', [DISABLED_NO_PASSWORD])
        self.action, self.new_dn, self.new_attributes = 'create', dn, attrs
        self.diff['after'] = dict(dict((k, v[0] if len(v) == 1 else v) for k, v in attrs.items()), dn=dn)
        self.result.update(dn=dn, changed_attributes=sorted(attrs, key=str.lower))

    def plan_update(self, entry):
        changes, before, after = plan_changes(entry['attributes'], self.desired(entry))
        self.diff = {'before': dict(before, dn=entry['dn']), 'after': dict(after, dn=entry['dn'])}
        if not changes:
            return
        if SIP_ATTRIBUTE in changes and changes[SIP_ATTRIBUTE][0] != MODIFY_DELETE:
            self.check_sip_free(entry['dn'])
        self.action, self.changes = 'update', changes
        self.result['changed_attributes'] = sorted(changes, key=str.lower)

    # -- actions ---------------------------------------------------------------------------------------
    def identify(self, entry):
        info = describe(entry)
        self.result['dn'] = entry['dn']
        for key in ('object_guid', 'object_sid'):
            if info[key]:
                self.result[key] = info[key]

    def backup(self, entry):
        """The snapshot taken before a delete or change (never in check mode)."""
        if self.params['backup_dir'] and not self.check_mode:
            full = self.directory.get_entry(entry['dn'], ['*'])
            snap = directory_backup.snapshot(full, self.directory.url)
            self.result['backup_file'] = directory_backup.write_backup(self.params['backup_dir'], snap)

    def apply(self):
        if self.action in ('delete', 'update'):
            self.backup(self.entry)
        if self.check_mode or self.action == 'none':
            return
        if self.action == 'delete':
            self.directory.delete_entry(self.entry['dn'])
        elif self.action == 'update':
            self.directory.modify_entry(self.entry['dn'], ldap_modify_changes(self.changes))
        elif self.action == 'create':
            self.directory.add_entry(self.new_dn, NEW_USER_CLASSES, self.new_attributes)
            self.identify(self.directory.get_entry(self.new_dn, ['objectGUID', 'objectSid']))

    def restore(self):
        """Bring the user of ``restore_from`` back (reanimated or recreated), or put back what differs."""
        snap = directory_backup.load_backup(self.params['restore_from'])
        sip_values = directory_backup.restorable_attributes(snap).get(SIP_ATTRIBUTE) or []
        if sip_values and directory_backup.find_live(self.directory, snap) is None:
            self.check_sip_free(snap['dn'], normalize_sip(sip_values[0]), sip_values[0])
        outcome = directory_backup.restore(self.directory, snap, self.check_mode)
        self.result.update(restored=outcome['method'], warnings_detail=outcome['warnings'], dn=outcome['dn'],
                           object_guid=outcome['object_guid'], object_sid=outcome['object_sid'],
                           existed=outcome['method'] == 'present')
        if outcome['changed']:
            self.result['changed'] = True
            self.diff['before'] = {} if outcome['method'] != 'present' else {'dn': outcome['dn']}
            self.diff['after'] = {'dn': outcome['dn'], 'restored': outcome['method'], 'from': self.params['restore_from']}
        return outcome

    def summary(self):
        """One line for a person, in the tense of the run (a preview says what it would do)."""
        dn = self.result.get('dn') or 'the user'
        if self.result.get('restored') and self.result['restored'] != 'present':
            return '%s %s from %s' % ('would restore' if self.check_mode else 'restored (%s)' % self.result['restored'],
                                      dn, self.params['restore_from'])
        backup = self.result.get('backup_file')
        texts = {'delete': ('would back up and delete %s' % dn, 'deleted %s (backup %s)' % (dn, backup)),
                 'update': ('would change %s of %s' % (', '.join(self.result['changed_attributes']), dn),
                            'changed %s of %s' % (', '.join(self.result['changed_attributes']), dn)),
                 'create': ('would create %s' % dn, 'created %s' % dn)}
        if getattr(self, 'action', 'none') in texts:
            return texts[self.action][0 if self.check_mode else 1]
        return '%s is as wanted: nothing to change' % dn

    def run(self):
        """The module's result: restore (if asked), then plan and apply."""
        if self.params['restore_from']:
            outcome = self.restore()
            if self.check_mode and outcome['method'] != 'present':
                return self.finish()  # the user does not exist yet, so there is nothing further to compare
            if not (self.lookup.dn or self.lookup.sam or self.lookup.sip):
                return self.finish()
            if not self.lookup.dn:
                self.lookup.dn = outcome['dn']
        self.plan()
        self.apply()
        return self.finish()

    def finish(self):
        self.result['summary'] = self.summary()
        self.result['diff'] = self.diff
        self.result['searches'] = self.directory.searches
        return self.result
