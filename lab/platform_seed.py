# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab store's initial state: the Lync topology of lab/topology.py (sites, pools, computers, services with their
roles, chat databases, trusted applications), the pools' objects in AD, each Persistent Chat pool's automatic
endpoint (the contact Lync creates at install), Lync's view of AD, and the legacy pools' data sets.

Idempotent: only what is missing is created (existing services keep their state); an interrupted data-set
generation is wiped and redone."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import hashlib

from lab import dataset, file_stores, names, topology
from lab.emulator import store as store_mod, winpath
from lab.emulator.directory import CONTACT_CLASSES, Directory, refresh_view
from lab.schema import exists

# Kept for callers of the first lab (tests, benchmarks): the chat pools by their old names.
LEGACY_POOL, TARGET_POOL = topology.LEGACY_POOL, topology.TARGET_POOL
LEGACY_POOL_2, TARGET_POOL_2 = topology.LEGACY_POOL_2, topology.TARGET_POOL_2
pool_dn = topology.pool_dn
wipe_chat_data = store_mod.wipe_chat_data


def _initial_service_state(service):
    """(status, start mode, open sessions) of a service when the lab is created: legacy Group Chat running, the
    Persistent Chat services installed but not started (the target pools start empty), other services running."""
    roles = service[2]
    if topology.PERSISTENT_CHAT_ROLE in roles:
        return 'Stopped', 'Automatic', 0
    return 'Running', 'Automatic', 0


def ensure_topology(store):
    """Insert every missing site, pool, computer, service, database and trusted application; returns the pools
    created."""
    created = []
    with store_mod.transaction(store):
        for identity, name, site_id, kind in topology.SITES:
            store.execute('INSERT OR IGNORE INTO sites (identity, name, site_id, kind) VALUES (?, ?, ?, ?)',
                          (identity, name, site_id, kind))
        for fqdn, role, kind, version, topology_version, site, registrar, state, computers in topology.POOLS:
            dn = topology.pool_dn(fqdn) if kind else None
            if not store.execute('SELECT 1 FROM pools WHERE fqdn = ?', (fqdn,)).fetchone():
                store.execute('INSERT INTO pools (fqdn, role, kind, version, topology_version, site, registrar, '
                              'pool_state, dn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                              (fqdn, role, kind, version, topology_version, site, registrar, state, dn))
                created.append(fqdn)
            else:  # the topology is declared, not state: an older store takes today's declaration
                store.execute('UPDATE pools SET role = ?, kind = ?, version = ?, topology_version = ?, site = ?, '
                              'registrar = ?, dn = COALESCE(dn, ?) WHERE fqdn = ?',
                              (role, kind, version, topology_version, site, registrar, dn, fqdn))
            for server, active, services in computers:
                store.execute('INSERT OR IGNORE INTO servers (fqdn, pool_fqdn, active) VALUES (?, ?, ?)',
                              (server, fqdn, int(active)))
                for service in list(services) + topology.WINDOWS_SERVICES:
                    status, start_mode, sessions = _initial_service_state(service)
                    store.execute('INSERT OR IGNORE INTO services (server_fqdn, name, display_name, status, '
                                  'start_mode, roles, lync, open_sessions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                                  (server, service[0], service[1], status, start_mode, ','.join(service[2]),
                                   int(service[3]), sessions))
        for sql, instance, name, role, owner in topology.DATABASES:
            store.execute('INSERT OR IGNORE INTO databases (sql_fqdn, instance, name, role, pool_fqdn) '
                          'VALUES (?, ?, ?, ?, ?)', (sql, instance, name, role, owner))
        for pool, application_id, port in topology.TRUSTED_APPLICATIONS:
            store.execute('INSERT OR IGNORE INTO trusted_applications (pool_fqdn, application_id, port) '
                          'VALUES (?, ?, ?)', (pool, application_id, port))
        # what an older declaration had and today's has not (the OCS 2007 R2 pool's trusted application, the Group
        # Chat Web and Compliance services of the Group Chat servers)
        declared = [(pool.lower(), app.lower()) for pool, app, _port in topology.TRUSTED_APPLICATIONS]
        for row in store.execute('SELECT pool_fqdn, application_id FROM trusted_applications').fetchall():
            if (row['pool_fqdn'].lower(), row['application_id'].lower()) not in declared:
                store.execute('DELETE FROM trusted_applications WHERE pool_fqdn = ? AND application_id = ?',
                              (row['pool_fqdn'], row['application_id']))
        for _fqdn, _role, _kind, _v, _tv, _site, _registrar, _state, computers in topology.POOLS:
            for server, _active, services in computers:
                names = [service[0] for service in list(services) + topology.WINDOWS_SERVICES]
                store.execute('DELETE FROM services WHERE server_fqdn = ? AND name NOT IN (%s)'
                              % ','.join('?' * len(names)), [server] + names)
    return created


def set_frontend(store, name):
    """Record LAB_FRONTEND (``lab up``): a lab switches between Lync Server 2013 and Skype for Business Server 2015
    without losing anything else."""
    if name not in topology.FRONTENDS:
        raise ValueError('LAB_FRONTEND=%r: expected one of %s' % (name, ', '.join(sorted(topology.FRONTENDS))))
    with store_mod.transaction(store):
        store.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('frontend', ?)", (name,))


def restore_topology_state(store):
    """Every declared service, computer and pool back to its state at creation (``_initial_service_state``, the
    declared names, display names and roles, the declared active/standby computers, pool state Normal), and no
    service that is not declared; returns how many rows changed."""
    changed = 0
    with store_mod.transaction(store):
        for fqdn, _role, _kind, _v, _tv, _site, _registrar, state, computers in topology.POOLS:
            changed += store.execute('UPDATE pools SET pool_state = ? WHERE fqdn = ? AND pool_state IS NOT ?',
                                     (state, fqdn, state)).rowcount
            for server, active, services in computers:
                changed += store.execute('UPDATE servers SET active = ? WHERE fqdn = ? AND active != ?',
                                         (int(active), server, int(active))).rowcount
                declared = list(services) + topology.WINDOWS_SERVICES
                for service in declared:
                    status, start_mode, sessions = _initial_service_state(service)
                    row = (service[1], status, start_mode, sessions, ','.join(service[2]), int(service[3]))
                    changed += store.execute(
                        'UPDATE services SET display_name = ?, status = ?, start_mode = ?, open_sessions = ?, '
                        'roles = ?, lync = ? WHERE server_fqdn = ? AND name = ? AND '
                        '(display_name, status, start_mode, open_sessions, roles, lync) IS NOT (?, ?, ?, ?, ?, ?)',
                        row + (server, service[0]) + row).rowcount
                # services a test added or renamed are not the lab's
                changed += store.execute('DELETE FROM services WHERE server_fqdn = ? AND name NOT IN (%s)'
                                         % ','.join('?' * len(declared)),
                                         [server] + [service[0] for service in declared]).rowcount
    return changed


def automatic_endpoints():
    """{contact DN: (pool, attributes)} of each Persistent Chat pool's automatic endpoint, as Lync creates it."""
    found = {}
    for fqdn, _role, kind, _version, _tv, _site, _registrar, _state, _computers in topology.POOLS:
        if kind == 'persistent_chat_2013':
            sip, display, dn = topology.automatic_endpoint(fqdn)
            found[dn] = (fqdn, {'msRTCSIP-PrimaryUserAddress': sip, 'msRTCSIP-UserEnabled': 'TRUE',
                                'msRTCSIP-PrimaryHomeServer': topology.pool_dn(fqdn),
                                'msRTCSIP-OwnerUrn': topology.PERSISTENT_CHAT_OWNER_URN, 'displayName': display})
    return found


def ensure_directory_objects(ldap_conn):
    """The chat pools' objects under CN=Pools and each Persistent Chat pool's automatic endpoint contact."""
    for fqdn, _role, kind, version, _tv, _site, _registrar, _state, _computers in topology.POOLS:
        if kind and not exists(ldap_conn, topology.pool_dn(fqdn)):
            ldap_conn.add(topology.pool_dn(fqdn), ['top', 'container'], {'description': '%s (lab)' % version})
    for dn, (_pool, attributes) in automatic_endpoints().items():
        if not exists(ldap_conn, dn):
            ldap_conn.add(dn, CONTACT_CLASSES, attributes)


def dataset_params(config, pool):
    """The first legacy pool gets the LAB_* sizes; the second a smaller one from the next seed."""
    if pool == LEGACY_POOL:
        return dataset.DataSetParams(seed=config.seed, rooms=config.rooms, messages=config.messages,
                                     users=config.users)
    return dataset.DataSetParams(seed=config.seed + 1, rooms=max(2, config.rooms // 2), messages=config.messages // 2,
                                 users=config.users)


def dataset_digest(store, pool):
    """SHA-256 over a pool's chat data: categories (with parent), rooms, their principals, and each room's messages
    (count and checksum). Ids play no part, so a regenerated data set has the digest of the original."""
    digest = hashlib.sha256()
    for query in (
            'SELECT c.name, p.name, c.description, c.invitations, c.file_upload, c.chat_history FROM categories c '
            'LEFT JOIN categories p ON p.id = c.parent_id WHERE c.pool_fqdn = ? ORDER BY 1, 2, 3',
            'SELECT c.name, x.principal, x.role FROM category_principals x JOIN categories c ON c.id = x.category_id '
            'WHERE c.pool_fqdn = ? ORDER BY 1, 2, 3',
            'SELECT r.name, c.name, r.description, r.type, r.privacy, r.invitations, r.disabled, r.addin FROM rooms r '
            'JOIN categories c ON c.id = r.category_id WHERE r.pool_fqdn = ? ORDER BY 1',
            'SELECT r.name, x.principal, x.role FROM room_principals x JOIN rooms r ON r.id = x.room_id '
            'WHERE r.pool_fqdn = ? ORDER BY 1, 2, 3',
            'SELECT r.name, COUNT(m.id), TOTAL(pchat_crc(m.sender, m.sent_at, m.body)) FROM rooms r '
            'LEFT JOIN messages m ON m.room_id = r.id WHERE r.pool_fqdn = ? GROUP BY r.id ORDER BY 1'):
        for row in store.execute(query, (pool,)):
            digest.update(repr(tuple(row)).encode('utf-8'))
        digest.update(b'\x1e')
    return digest.hexdigest()


def _record_digest(store, pool):
    store.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('dataset-digest:' || ?, ?)",
                  (pool, dataset_digest(store, pool)))


def restore_dataset(store, config, pool):
    """The legacy pool's data set as generated: regenerated (with the parameters it was made with) when its digest
    differs from the one recorded at generation, or none was recorded. Returns True when it was regenerated."""
    recorded = store.execute("SELECT value FROM meta WHERE key = 'dataset-digest:' || ?", (pool,)).fetchone()
    if recorded and recorded[0] == dataset_digest(store, pool):
        return False
    made_with = store.execute("SELECT value FROM meta WHERE key = 'dataset:' || ?", (pool,)).fetchone()
    params = (dataset.DataSetParams(**dict(ast.literal_eval(made_with[0]))) if made_with
              else dataset_params(config, pool))
    wipe_chat_data(store, pool)
    dataset.generate(store, pool, params)
    _record_digest(store, pool)
    return True


def ensure_dataset(store, config, pool=LEGACY_POOL):
    """Generate the legacy pool's data set unless a complete one is there; returns a line for the lab output."""
    done = store.execute("SELECT value FROM meta WHERE key = 'dataset:' || ?", (pool,)).fetchone()
    params = dataset_params(config, pool)
    if done:
        wanted = repr(sorted(params.as_dict().items()))
        note = ''
        if done[0] != wanted:
            note = ' (made with other LAB_* sizes; `make lab-down lab` regenerates it with these)'
        return 'chat data set of %s present%s' % (pool, note)
    wipe_chat_data(store, pool)  # an interrupted generation left part of a data set
    counts = dataset.generate(store, pool, params)
    _record_digest(store, pool)
    return 'chat data set of %s generated: %d categories, %d rooms, %d messages' % (
        pool, counts['categories'], counts['rooms'], counts['messages'])


# The lab's Persistent Chat policies: (identity, description, EnablePersistentChat). The global policy is Lync's as
# installed: "When you install Skype for Business Server, all your users are managed by a global Persistent Chat
# policy in which the use of Persistent Chat is disabled" (Get-CsPersistentChatPolicy reference).
CHAT_POLICIES = [
    ('Global', None, 0),
    ('tag:' + names.CHAT_POLICY_NAME, 'Persistent Chat for the lab users (pchat.cutover lab)', 1),
]


def seeded_policy_assignments(config):
    """(SIP address, policy name) of every user the lab assigns its per-user Persistent Chat policy to: the lab users
    but every tenth, and the test users."""
    assigned = [(names.user_sip(index), names.CHAT_POLICY_NAME) for index in range(1, config.users + 1)
                if names.user_has_chat_policy(index)]
    return assigned + [(sip, names.CHAT_POLICY_NAME) for _sam, sip, _dn in names.TEST_USERS]


def seed_policies(store, config, replace=False):
    """The lab's Persistent Chat policies, their assignments and the registered test users (Set-CsTestUserCredential,
    as an admin runs it before the weekend); only what is missing, or everything as seeded when ``replace``."""
    with store_mod.transaction(store):
        if replace:
            for table in ('chat_policies', 'user_policies', 'test_user_credentials'):
                store.execute('DELETE FROM %s' % table)
        store.executemany('INSERT OR IGNORE INTO chat_policies (identity, description, enable_persistent_chat) '
                          'VALUES (?, ?, ?)', CHAT_POLICIES)
        store.executemany("INSERT OR IGNORE INTO user_policies (sip, policy_type, policy_name) VALUES "
                          "(?, 'PersistentChatPolicy', ?)", seeded_policy_assignments(config))
        store.executemany('INSERT OR IGNORE INTO test_user_credentials (sip, account_dn) VALUES (?, ?)',
                          [(sip, dn) for _sam, sip, dn in names.TEST_USERS])


def ensure(config, ldap_conn):
    """Called by `python -m lab up` once the directory is ready."""
    store = store_mod.open_store(config.platform_db, create=True)
    try:
        created = ensure_topology(store)
        seed_policies(store, config)
        set_frontend(store, config.frontend)
        ensure_directory_objects(ldap_conn)
        winpath.ensure_standard_folders(config.lab_dir)
        file_stores.ensure(config.lab_dir)
        line = '; '.join(ensure_dataset(store, config, pool) for pool in (LEGACY_POOL, LEGACY_POOL_2))
        directory = Directory(config.lab_dir)
        try:
            refresh_view(directory, store)  # Lync's view of AD starts as a replica of it
        finally:
            directory.close()
    finally:
        store.close()
    pools = 'pools created: %s' % ', '.join(created) if created else 'pools present'
    return 'platform store %s: %s; %s; front end: %s (LAB_FRONTEND=%s)' % (
        config.platform_db, pools, line, topology.FRONTENDS[config.frontend]['product'], config.frontend)
