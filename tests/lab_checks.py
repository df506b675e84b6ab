# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cut-over unit, checked with the lab's own view (`python -m lab inspect`, plain LDAP, the files on disk), without
the collection's code: every room migrated from the legacy pool is on the target pool exactly once with the same
message count and checksum, the SIP URI is owned by exactly one object - the legacy endpoint on the target pool -,
the well-known user's backup exists, the legacy pool (its Group Chat servers and its compliance server) is stopped,
and every file uploaded to the legacy rooms is in the Persistent Chat pool's folder of its file store with the same
size and last write time.

    .venv/bin/python tests/lab_checks.py LAB_DIR LEGACY_POOL TARGET_POOL SIP_ADDRESS STATE_DIR
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import glob
import json
import os
import ssl
import sys
from urllib.parse import urlsplit

import ldap3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from state_snapshot import connection, inspect  # noqa: E402 pylint: disable=wrong-import-position

SIP_ATTRIBUTE = 'msRTCSIP-PrimaryUserAddress'


def room_problems(view, legacy_pool, target_pool):
    """Migrated rooms missing or duplicated on the target (by message count and checksum, which a migrated room
    shares with its source whatever its new name), and rooms of the target that occur twice by name."""
    pools = dict((pool['fqdn'], pool) for pool in view['pools'])
    source = [room for room in pools[legacy_pool]['rooms'] if not room['disabled']]
    target = pools[target_pool]['rooms']
    on_target = collections.Counter((room['messages'], room['checksum']) for room in target)
    problems = []
    for key, count in collections.Counter((room['messages'], room['checksum']) for room in source).items():
        if on_target[key] != count:
            names = [room['name'] for room in source if (room['messages'], room['checksum']) == key]
            problems.append('%s: %d on the target for %d in the source' % (', '.join(names), on_target[key], count))
    names = collections.Counter(room['name'].lower() for room in target)
    problems += ['room %s is on the target %d times' % (name, count) for name, count in names.items() if count > 1]
    return problems, len(source), sum(room['messages'] for room in source)


def sip_owners(settings, sip_address):
    url = urlsplit(settings['PCHAT_LDAP_URL'])
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings['PCHAT_LDAP_CA_FILE'])
    conn = ldap3.Connection(ldap3.Server(url.hostname, port=url.port or 636, use_ssl=True, tls=tls),
                            settings['PCHAT_LDAP_BIND_DN'], settings['PCHAT_LDAP_BIND_PASSWORD'], auto_bind=True)
    owners = []
    for base in ('DC=contoso,DC=com', 'CN=Configuration,DC=contoso,DC=com'):
        conn.search(base, '(%s=%s)' % (SIP_ATTRIBUTE, ldap3.utils.conv.escape_filter_chars(sip_address)),
                    attributes=['objectClass'])
        owners += [(entry.entry_dn, [c.lower() for c in entry['objectClass'].values]) for entry in conn.entries]
    conn.unbind()
    return owners


def _files(root):
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root).lower()] = (os.path.getsize(path), int(os.path.getmtime(path)))
    return found


def files_problems(lab_dir, legacy_pool, target_pool):
    """Files of the legacy pool's Group Chat file repository missing from, or different in, the target pool's folder
    of its file store (the lab's own declarations and store: lab/topology.py, the emulator's service objects)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.append(root)
    from lab import file_stores, topology  # pylint: disable=import-outside-toplevel
    from lab.emulator import store as store_mod  # pylint: disable=import-outside-toplevel
    from lab.emulator.cmdlets.topology import service_objects  # pylint: disable=import-outside-toplevel
    repository = topology.LEGACY_FILE_REPOSITORIES.get(legacy_pool.lower())
    if not repository:
        return []
    conn = store_mod.open_store(os.path.join(lab_dir, 'platform.sqlite'))
    try:
        services = dict((obj['Identity'], obj) for _role, _pool, obj in service_objects(conn))
    finally:
        conn.close()
    service = services['PersistentChatServer:' + target_pool]
    share = services[service['FileStore']]['UncPath']
    source = _files(file_stores.local_path(lab_dir, repository))
    target = _files(file_stores.local_path(lab_dir, share + '\\' + service['ServiceId']))
    return ['uploaded file %s is %s in the file store' % (name, 'missing' if name not in target else 'different')
            for name, seen in sorted(source.items()) if target.get(name) != seen]


def check(lab_dir, legacy_pool, target_pool, sip_address, state_dir):
    view = inspect(lab_dir)
    problems, rooms, messages = room_problems(view, legacy_pool, target_pool)
    legacy = [pool for pool in view['pools'] if pool['fqdn'] == legacy_pool][0]
    if legacy['state'] not in ('stopped', 'disabled'):
        problems.append('the legacy pool %s (its Group Chat servers and compliance server) is %s'
                        % (legacy_pool, legacy['state']))
    problems += files_problems(lab_dir, legacy_pool, target_pool)
    owners = sip_owners(connection(lab_dir), sip_address)
    if len(owners) != 1 or 'contact' not in owners[0][1] or 'CN=Application Contacts' not in owners[0][0]:
        problems.append('%s is owned by %s, not by exactly one endpoint contact' % (sip_address, owners))
    endpoints = [e for e in view['endpoints'] if e['sip_address'].lower() == sip_address.lower()]
    if [e['pool'] for e in endpoints] != [target_pool]:
        problems.append('the endpoints with %s are on %s, not on %s only' % (sip_address, [e['pool'] for e in endpoints],
                                                                             target_pool))
    backups = glob.glob(os.path.join(os.path.expanduser(state_dir), legacy_pool.lower(), 'backups', '*.json'))
    if not any(sip_address.lower() in json.dumps(json.load(open(path))).lower() for path in backups):
        problems.append('no backup of the well-known user %s under %s' % (sip_address, state_dir))
    return problems, rooms, messages


def main(argv):
    problems, rooms, messages = check(*argv)
    if problems:
        sys.exit('the cutover of %s is not complete: %s' % (argv[1], '; '.join(problems)))
    print('%s: %d rooms and %d messages on %s exactly once; %s owned by its legacy endpoint only; backup present'
          % (argv[1], rooms, messages, argv[2], argv[3]))


if __name__ == '__main__':
    main(sys.argv[1:])
