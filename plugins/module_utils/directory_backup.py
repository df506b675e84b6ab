# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Snapshots of directory objects (JSON files, no secrets) and restoring an object from one.

A restore first tries to reanimate the object's tombstone (AD's "undelete": the object keeps objectSid and
objectGUID, so ACLs and group memberships that name the SID keep working); when no tombstone is left it
recreates the object, which gets a new SID and GUID. Either way the tombstone or the new object lacks most
attributes, so the restore re-applies them from the snapshot and re-adds the group memberships.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import datetime
import json
import os
import re
import struct
import uuid

from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import parent_dn
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

FORMAT = 'pchat.cutover/directory-object-backup/v1'

# Never written to a backup: password hashes and other credentials (AD does not return most of them over
# LDAP, but a misconfigured or non-AD server might).
SECRET_ATTRIBUTES = frozenset(name.lower() for name in (
    'unicodePwd', 'userPassword', 'dBCSPwd', 'ntPwdHistory', 'lmPwdHistory', 'supplementalCredentials',
    'unixUserPassword', 'msDS-ManagedPassword', 'msDS-KeyCredentialLink', 'msFVE-RecoveryPassword',
    'ms-Mcs-AdmPwd', 'msLAPS-Password', 'msLAPS-EncryptedPassword', 'msLAPS-EncryptedDSRMPassword',
    'trustAuthIncoming', 'trustAuthOutgoing', 'initialAuthIncoming', 'initialAuthOutgoing', 'currentValue',
    'priorValue',
))

# Kept in the backup for the record, but owned by the directory: never written back.
SYSTEM_ATTRIBUTES = frozenset(name.lower() for name in (
    'objectGUID', 'objectSid', 'objectClass', 'objectCategory', 'distinguishedName', 'name', 'cn',
    'instanceType', 'whenCreated', 'whenChanged', 'uSNCreated', 'uSNChanged', 'nTSecurityDescriptor',
    'memberOf', 'isDeleted', 'isRecycled', 'lastKnownParent', 'replPropertyMetaData', 'dSCorePropagationData',
    'badPwdCount', 'badPasswordTime', 'lastLogon', 'lastLogoff', 'lastLogonTimestamp', 'logonCount',
    'pwdLastSet', 'sAMAccountType', 'primaryGroupID', 'objectVersion', 'msDS-LastKnownRDN', 'showInAdvancedViewOnly',
    'sIDHistory', 'tokenGroups', 'isCriticalSystemObject', 'systemFlags', 'msDS-RevealedDSAs', 'adminCount', 'operatorCount',
))

_SAFE_NAME = re.compile(r'[^A-Za-z0-9._-]+')


def format_guid(raw):
    """objectGUID bytes as AD prints them (little-endian fields)."""
    return str(uuid.UUID(bytes_le=bytes(raw)))


def format_sid(raw):
    """objectSid bytes as S-1-5-21-..."""
    raw = bytes(raw)
    revision, count = raw[0], raw[1]
    authority = int.from_bytes(raw[2:8], 'big')
    subs = struct.unpack('<%dI' % count, raw[8:8 + 4 * count])
    return 'S-%d-%d%s' % (revision, authority, ''.join('-%d' % s for s in subs))


def guid_bytes(text):
    return uuid.UUID(text).bytes_le


def _encode_values(values):
    """Text values stay text; anything that is not UTF-8 becomes {'base64': ...}."""
    out = []
    for value in values:
        if isinstance(value, bytes):
            try:
                out.append(value.decode('utf-8'))
            except UnicodeDecodeError:
                out.append({'base64': base64.b64encode(value).decode('ascii')})
        else:
            out.append(value)
    return out


def decode_values(values):
    return [base64.b64decode(v['base64']) if isinstance(v, dict) else v for v in values]


def snapshot(entry, source_url):
    """A JSON-ready snapshot of an LDAP entry read with raw attributes; secrets left out."""
    raw = entry.get('raw_attributes') or {}
    attributes = {}
    for name, values in raw.items():
        if name.lower() in SECRET_ATTRIBUTES or name.lower() in ('objectguid', 'objectsid'):
            continue
        attributes[name] = _encode_values(values)
    guid = raw.get('objectGUID') or [None]
    sid = raw.get('objectSid') or [None]
    return {
        'format': FORMAT,
        'taken_at': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'source': source_url,
        'dn': entry['dn'],
        'object_guid': format_guid(guid[0]) if guid[0] else None,
        'object_sid': format_sid(sid[0]) if sid[0] else None,
        'attributes': attributes,
    }


def write_backup(backup_dir, snap):
    """Write ``snap`` as a 0600 JSON file in ``backup_dir`` (created 0700); return its path."""
    try:
        os.makedirs(backup_dir, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise PchatError('cannot create backup_dir %r (%s); choose a writable folder.' % (backup_dir, exc))
    label = snap['attributes'].get('sAMAccountName', [snap.get('object_guid') or 'object'])[0]
    stamp = snap['taken_at'].replace(':', '').replace('-', '')
    name = '%s-%s-%s.json' % (_SAFE_NAME.sub('_', str(label)), stamp, (snap.get('object_guid') or 'noguid')[:8])
    path = os.path.join(backup_dir, name)
    tmp = path + '.tmp'
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as handle:
            json.dump(snap, handle, indent=2, sort_keys=True)
            handle.write('\n')
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, path)  # a backup file either exists whole or not at all
    except OSError as exc:
        raise PchatError('cannot write the backup %r (%s); check backup_dir.' % (path, exc))
    return path


def load_backup(path):
    try:
        with open(path) as handle:
            snap = json.load(handle)
    except (OSError, ValueError) as exc:
        raise PchatError('cannot read the backup %r (%s); give the file that directory_user wrote as '
                         'backup_file.' % (path, exc))
    if not isinstance(snap, dict) or snap.get('format') != FORMAT or 'dn' not in snap:
        raise PchatError('%r is not a directory_user backup (format %r expected).' % (path, FORMAT))
    return snap


def restorable_attributes(snap):
    """{name: [values]} of the attributes a restore writes back."""
    return dict((name, decode_values(values)) for name, values in snap['attributes'].items()
                if name.lower() not in SYSTEM_ATTRIBUTES and name.lower() not in SECRET_ATTRIBUTES)


def object_classes(snap):
    for name, values in snap['attributes'].items():
        if name.lower() == 'objectclass':
            return decode_values(values)
    return ['top', 'person', 'organizationalPerson', 'user']


def member_of(snap):
    for name, values in snap['attributes'].items():
        if name.lower() == 'memberof':
            return decode_values(values)
    return []


def _as_bytes(value):
    return value if isinstance(value, bytes) else str(value).encode('utf-8')


def plan_restore(current_raw, snap):
    """The attributes whose current values (raw bytes, as read) differ from the snapshot's:
    {name: [values to write]}."""
    current = dict((name.lower(), sorted(_as_bytes(v) for v in values)) for name, values in (current_raw or {}).items())
    changes = {}
    for name, values in restorable_attributes(snap).items():
        if sorted(_as_bytes(v) for v in values) != current.get(name.lower(), []):
            changes[name] = values
    return changes


def find_live(client, snap):
    """The live object the snapshot was taken of (same objectGUID), or None."""
    guid = snap.get('object_guid')
    return client.find_by_guid(guid_bytes(guid)) if guid else None


def restore(client, snap, check_mode):
    """Bring the object of ``snap`` back. Returns {'method': 'present'|'reanimated'|'recreated', 'dn',
    'changed', 'warnings', 'object_guid', 'object_sid'}; in check mode it only decides the method."""
    dn = snap['dn']
    guid = snap.get('object_guid')
    result = {'dn': dn, 'changed': False, 'warnings': [], 'object_guid': guid, 'object_sid': snap.get('object_sid')}
    live = find_live(client, snap)
    if live is None:
        occupant = client.get_entry(dn, ['objectGUID'])
        if occupant is not None:
            raise PchatError('cannot restore %r: another object (objectGUID %s) now has that DN. Rename or remove it '
                             'first.' % (dn, format_guid(occupant['raw_attributes']['objectGUID'][0])))
        parent = parent_dn(dn)
        if not client.exists(parent):
            raise PchatError('cannot restore %r: its container %r no longer exists. Recreate the container first.'
                             % (dn, parent))
    if live is not None:
        result['method'] = 'present'
        result['dn'] = live['dn']
    else:
        tombstone = client.find_tombstone(guid_bytes(guid)) if guid else None
        result['method'] = 'reanimated' if tombstone is not None else 'recreated'
        result['changed'] = True
        if check_mode:
            return result
        if tombstone is not None:
            client.reanimate(tombstone['dn'], dn)
        else:
            attrs = restorable_attributes(snap)
            minimal = dict((k, v) for k, v in attrs.items() if k.lower() in ('samaccountname', 'useraccountcontrol'))
            client.add_entry(dn, object_classes(snap), minimal)
            result['warnings'].append(
                'no tombstone of %s was left, so it was recreated: it has a new objectSid and objectGUID, and '
                'permissions granted to the old SID do not apply to it.' % dn)
    current = client.get_entry(result['dn'], ['*'])
    changes = plan_restore(current['raw_attributes'], snap)
    if changes:
        result['changed'] = True
        if not check_mode:
            result['warnings'].extend(client.replace_attributes(result['dn'], changes))
    groups = member_of(snap)
    if groups and not check_mode:
        for group in groups:
            if not client.exists(group):
                result['warnings'].append('group %s no longer exists; membership not restored.' % group)
            elif client.add_member(group, result['dn']):
                result['changed'] = True
    current = client.get_entry(result['dn'], ['objectGUID', 'objectSid'])
    if current is not None:
        result['object_guid'] = format_guid(current['raw_attributes']['objectGUID'][0])
        result['object_sid'] = format_sid(current['raw_attributes']['objectSid'][0])
    return result
