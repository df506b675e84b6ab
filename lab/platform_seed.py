# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab platform store's initial state: the legacy pool gc.contoso.com (Lync 2010 Group Chat, running) and the
target pool pcpool.contoso.com (Lync 2013 Persistent Chat, service stopped, empty), their AD pool objects, and the
legacy pool's data set. Idempotent: only what is missing is created; an interrupted data-set generation is
wiped and redone."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils import lab_store
from lab import dataset, names
from lab.schema import exists

LEGACY_POOL = 'gc.contoso.com'
TARGET_POOL = 'pcpool.contoso.com'
LEGACY_POOL_2 = 'gc2.contoso.com'  # the second cutover unit: OCS 2007 R2 Group Chat -> its own Persistent Chat pool
TARGET_POOL_2 = 'pcpool2.contoso.com'

# Lync 2010 Group Chat servers run Lookup, Channel and Web (Compliance optional, here on the first server).
LEGACY_SERVICES = [('GroupChatLookup', 'Lync Server Group Chat Lookup'),
                   ('GroupChatChannel', 'Lync Server Group Chat Channel'),
                   ('GroupChatWeb', 'Lync Server Group Chat Web')]
LEGACY_COMPLIANCE = ('GroupChatCompliance', 'Lync Server Group Chat Compliance')
PERSISTENT_CHAT_SERVICES = [('RTCCHAT', 'Lync Server Persistent Chat')]

POOLS = [
    # fqdn, kind, version, pool_state, servers [(fqdn, active)], services, status, start mode
    (LEGACY_POOL, 'group_chat_2010', 'Lync Server 2010 Group Chat', None,
     [('gc01.contoso.com', True), ('gc02.contoso.com', True)], 'running', 'automatic'),
    (TARGET_POOL, 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 'Normal',
     [('pc01.contoso.com', True), ('pc02.contoso.com', True), ('pc03.contoso.com', False)], 'stopped', 'manual'),
    (LEGACY_POOL_2, 'group_chat_2007r2', 'Office Communications Server 2007 R2 Group Chat', None,
     [('gc2-01.contoso.com', True)], 'running', 'automatic'),
    (TARGET_POOL_2, 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 'Normal',
     [('pc2-01.contoso.com', True)], 'stopped', 'manual'),
]


def pool_dn(fqdn):
    return 'CN=%s,%s' % (fqdn, names.POOLS_DN)


def ensure_pools(store, ldap_conn):
    created = []
    for fqdn, kind, version, state, servers, status, start_mode in POOLS:
        if not exists(ldap_conn, pool_dn(fqdn)):
            ldap_conn.add(pool_dn(fqdn), ['top', 'container'], {'description': '%s (%s)' % (version, 'lab')})
        if store.execute('SELECT 1 FROM pools WHERE fqdn = ?', (fqdn,)).fetchone():
            continue
        with lab_store.transaction(store):
            store.execute('INSERT INTO pools (fqdn, kind, version, pool_state, dn) VALUES (?, ?, ?, ?, ?)',
                          (fqdn, kind, version, state, pool_dn(fqdn)))
            for index, (server, active) in enumerate(servers):
                store.execute('INSERT INTO servers (fqdn, pool_fqdn, active) VALUES (?, ?, ?)',
                              (server, fqdn, int(active)))
                services = list(PERSISTENT_CHAT_SERVICES if kind == 'persistent_chat_2013' else LEGACY_SERVICES)
                if kind != 'persistent_chat_2013' and index == 0:
                    services.append(LEGACY_COMPLIANCE)
                for name, display in services:
                    store.execute('INSERT INTO services VALUES (?, ?, ?, ?, ?)',
                                  (server, name, display, status, start_mode))
        created.append(fqdn)
    return created


def wipe_chat_data(store, pool):
    """Delete a pool's categories, rooms, members and messages in one transaction (``store`` from lab_store)."""
    with lab_store.transaction(store):
        store.execute('DELETE FROM messages WHERE room_id IN (SELECT id FROM rooms WHERE pool_fqdn = ?)', (pool,))
        store.execute('DELETE FROM room_principals WHERE room_id IN (SELECT id FROM rooms WHERE pool_fqdn = ?)', (pool,))
        store.execute('DELETE FROM rooms WHERE pool_fqdn = ?', (pool,))
        store.execute('DELETE FROM category_principals WHERE category_id IN '
                      '(SELECT id FROM categories WHERE pool_fqdn = ?)', (pool,))
        store.execute('UPDATE categories SET parent_id = NULL WHERE pool_fqdn = ?', (pool,))
        store.execute('DELETE FROM categories WHERE pool_fqdn = ?', (pool,))


def dataset_params(config, pool):
    """The first legacy pool gets the LAB_* sizes; the second a smaller one from the next seed."""
    if pool == LEGACY_POOL:
        return dataset.DataSetParams(seed=config.seed, rooms=config.rooms, messages=config.messages, users=config.users)
    return dataset.DataSetParams(seed=config.seed + 1, rooms=max(2, config.rooms // 2), messages=config.messages // 2,
                                 users=config.users)


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
    return 'chat data set of %s generated: %d categories, %d rooms, %d messages' % (
        pool, counts['categories'], counts['rooms'], counts['messages'])


def ensure(config, ldap_conn):
    """Called by `python -m lab up` once the directory is ready."""
    store = lab_store.open_store(config.platform_db, create=True)
    try:
        created = ensure_pools(store, ldap_conn)
        line = '; '.join(ensure_dataset(store, config, pool) for pool in (LEGACY_POOL, LEGACY_POOL_2))
    finally:
        store.close()
    pools = 'pools created: %s' % ', '.join(created) if created else 'pools present'
    return 'platform store %s: %s; %s' % (config.platform_db, pools, line)
