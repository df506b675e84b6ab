# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m lab reset``: a running lab back to its seeded state in about a second, without restarting Samba or
the Lync emulator (docs/lab.md, "reset").

* **Store**: the Persistent Chat pools' chat data emptied; each legacy pool's data set regenerated if it is no
  longer the one generated (its digest is recorded at generation); every declared service, computer and pool back
  to its initial state (``platform_seed.restore_topology_state``); missing topology rows added; the Persistent Chat
  policies, their assignments and the registered test users as seeded.
* **Directory**: every contact under ``CN=Application Contacts`` removed but the pools' automatic endpoints, which
  are put back with their seeded attributes; the well-known users, the lab users 1..LAB_USERS, the test users and
  the Lync administrator present with their seeded attributes (a deleted one is recreated: same attributes, new objectGUID
  and objectSid). Objects the seed did not make are left alone, except endpoint contacts.
* **Lync's view of AD** refilled from the directory (no lagging deletes); the emulator's **knobs** back to their
  defaults and ``holds.jsonl`` removed; the front end's **disks** (``fs/``) emptied to the standard folders, and the
  file shares (the Group Chat file repositories with their seeded files, the file stores' empty shares) put back.
  What the front end presents itself as (``LAB_FRONTEND``, recorded by ``lab up``) is not reset.

Runspace pools the emulator holds stay open (a session's imported modules are not lab state).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil
import time

import ldap3

from lab import file_stores, names, platform_seed, samba, seed_directory
from lab.emulator import store as store_mod, winpath
from lab.emulator.directory import CONTACT_CLASSES, Directory, refresh_view
from lab.emulator.knobs import Knobs
from lab.schema import exists


def _text(value):
    """An attribute value as text, the way the seed writes it (Booleans as TRUE/FALSE)."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else value
    if isinstance(value, bool):
        return 'TRUE' if value else 'FALSE'
    return None if value in (None, [], '') else str(value)


def restore_object(conn, dn, object_classes, attributes):
    """``dn`` with ``attributes`` (added if missing, differing attributes replaced); returns 'added', 'restored' or
    None when it was already so."""
    if not exists(conn, dn):
        conn.add(dn, object_classes, attributes)
        return 'added'
    conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=sorted(attributes))
    current = conn.response[0]['attributes']
    changes = dict((name, [(ldap3.MODIFY_REPLACE, [value])]) for name, value in attributes.items()
                   if _text(current.get(name)) != _text(value))
    if not changes:
        return None
    conn.modify(dn, changes)
    return 'restored'


def restore_contacts(conn):
    """Only the automatic endpoints under CN=Application Contacts, as seeded; returns (removed, restored)."""
    seeded = dict((dn.lower(), (dn, attributes))
                  for dn, (_pool, attributes) in platform_seed.automatic_endpoints().items())
    conn.search(names.APPLICATION_CONTACTS_DN, '(objectClass=*)', search_scope=ldap3.LEVEL, attributes=['1.1'])
    removed = 0
    for entry in list(conn.response):
        if entry.get('type') == 'searchResEntry' and entry['dn'].lower() not in seeded:
            conn.delete(entry['dn'])
            removed += 1
    restored = sum(1 for dn, attributes in seeded.values() if restore_object(conn, dn, CONTACT_CLASSES, attributes))
    return removed, restored


def restore_users(conn, config, state):
    """The well-known users, lab users 1..LAB_USERS and the Lync administrator; returns how many were touched."""
    touched = 0
    seed_directory.ensure_registrar(conn)
    for dn, attributes in seed_directory.well_known_users():
        touched += bool(restore_object(conn, dn, seed_directory.USER_CLASSES, attributes))
    seed_directory.ensure_users_ou(conn)
    seeded = list(seed_directory.seeded_users(config))
    wanted = sorted(set(name for _index, _dn, attributes in seeded for name in attributes))
    present = dict((entry['dn'].lower(), entry['attributes']) for entry in conn.extend.standard.paged_search(
        names.USERS_OU_DN, '(objectClass=user)', search_scope=ldap3.LEVEL, attributes=wanted, paged_size=1000,
        generator=True) if entry.get('type') == 'searchResEntry')
    for _index, dn, attributes in seeded:
        current = present.get(dn.lower())
        if current is None:
            conn.add(dn, seed_directory.USER_CLASSES, attributes)
            touched += 1
            continue
        changes = dict((name, [(ldap3.MODIFY_REPLACE, [value])]) for name, value in attributes.items()
                       if _text(current.get(name)) != _text(value))
        if changes:
            conn.modify(dn, changes)
            touched += 1
    touched += seed_directory.ensure_lync_admin(conn, state['psrp_password'])
    touched += seed_directory.ensure_test_users(conn, state['test_user_password'])
    for number, (sam, sip, dn) in enumerate(names.TEST_USERS, 1):
        touched += bool(restore_object(conn, dn, seed_directory.USER_CLASSES,
                                       seed_directory.test_user_attributes(sam, sip, number)))
    return touched


def restore_store(config):
    """The store's chat data, services and topology state as seeded; returns a summary dict."""
    store = store_mod.open_store(config.platform_db)
    try:
        platform_seed.ensure_topology(store)
        changed = platform_seed.restore_topology_state(store)
        platform_seed.seed_policies(store, config, replace=True)
        emptied = {}
        for (pool,) in store.execute("SELECT fqdn FROM pools WHERE kind = 'persistent_chat_2013' ORDER BY fqdn"):
            emptied[pool] = store.execute('SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?', (pool,)).fetchone()[0]
            store_mod.wipe_chat_data(store, pool)
        legacy = [r[0] for r in store.execute("SELECT fqdn FROM pools WHERE kind IN ('group_chat_2010', "
                                              "'group_chat_2007r2') ORDER BY fqdn")]
        regenerated = [pool for pool in legacy if platform_seed.restore_dataset(store, config, pool)]
    finally:
        store.close()
    return {'state_rows': changed, 'rooms_removed': emptied, 'regenerated': regenerated}


def refill_view(config, directory):
    """Lync's view of AD = the directory now (nothing deleted is still seen)."""
    store = store_mod.open_store(config.platform_db)
    try:
        with store_mod.transaction(store):
            store.execute('DELETE FROM ad_view')
        refresh_view(directory, store)
    finally:
        store.close()


def reset_emulator_files(config):
    knobs = Knobs(config.lab_dir)
    knobs.reset()
    if os.path.exists(knobs.holds_path):
        os.unlink(knobs.holds_path)
    shutil.rmtree(winpath.fs_root(config.lab_dir), ignore_errors=True)
    winpath.ensure_standard_folders(config.lab_dir)
    file_stores.ensure(config.lab_dir)


class Connections(object):
    """The LDAP connections a reset uses: an Administrator connection that raises on errors (samba.connect) and the
    emulator's Directory (for Lync's view). Kept open by a caller that resets often (the conformance suite)."""

    def __init__(self, config, state):
        self.ldap = samba.connect(config, state['admin_password'])
        self.directory = Directory(config.lab_dir)

    def close(self):
        self.ldap.unbind()
        self.directory.close()


def reset(config, state, connections=None):
    """Everything above; returns a one-line summary. The caller holds the lab lock (``python -m lab reset``)."""
    started = time.time()
    summary = restore_store(config)
    own = connections is None
    connections = connections or Connections(config, state)
    try:
        platform_seed.ensure_directory_objects(connections.ldap)
        contacts_removed, contacts_restored = restore_contacts(connections.ldap)
        users = restore_users(connections.ldap, config, state)
        refill_view(config, connections.directory)
    finally:
        if own:
            connections.close()
    reset_emulator_files(config)
    rooms = ', '.join('%s %d' % item for item in sorted(summary['rooms_removed'].items()))
    text = ('lab reset in %.1f s: rooms removed (%s); %d service/computer/pool states restored; legacy data sets '
            'regenerated: %s; %d endpoint contacts removed, %d restored; %d users restored; knobs, holds, fs/ and '
            'file shares as seeded')
    return text % (time.time() - started, rooms, summary['state_rows'], ', '.join(summary['regenerated']) or 'none',
                   contacts_removed, contacts_restored, users)
