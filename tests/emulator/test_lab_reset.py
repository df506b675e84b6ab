# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`python -m lab reset` on the running lab: everything a cutover, a test or an admin can change goes back to the
seeded state, while Samba and the emulator keep running."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys
import time

import ldap3
import pytest

from lab import file_stores, names, platform_seed, seed_directory, topology
from lab.config import LabConfig
from lab.emulator import store as store_mod, winpath
from lab.emulator.directory import CONTACT_CLASSES
from lab.emulator.knobs import DEFAULTS, Knobs
from lab.inspect import snapshot
from tests.emulator.harness import lab_emulator, run

from .conftest import REPO_ROOT, contacts, store

EXTRA_CONTACT = 'CN=reset-test-contact,' + names.APPLICATION_CONTACTS_DN


def lab_reset(lab_dir):
    started = time.time()
    proc = subprocess.run([sys.executable, '-m', 'lab', 'reset'], cwd=REPO_ROOT, env=dict(os.environ, LAB_DIR=lab_dir),
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, time.time() - started


def user_entry(ldap, dn):
    ldap.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['*'])
    return ldap.entries[0] if ldap.entries else None


def dirty_the_store(lab_dir):
    conn = store(lab_dir)
    try:
        with store_mod.transaction(conn):
            category = conn.execute("INSERT INTO categories (pool_fqdn, name) VALUES (?, 'Reset test')",
                                    (topology.TARGET_POOL,)).lastrowid
            conn.execute("INSERT INTO rooms (pool_fqdn, category_id, name) VALUES (?, ?, 'Reset room')",
                         (topology.TARGET_POOL, category))
            conn.execute("UPDATE services SET status = 'Running', open_sessions = 3 "
                         "WHERE server_fqdn = 'pc01.contoso.com'")
            conn.execute("UPDATE services SET start_mode = 'Disabled', status = 'Stopped' WHERE server_fqdn LIKE 'gc%'")
            conn.execute("UPDATE pools SET pool_state = 'FailedOver' WHERE fqdn = ?", (topology.TARGET_POOL_2,))
            conn.execute("UPDATE servers SET active = 1 WHERE fqdn = 'pc03.contoso.com'")
            conn.execute("UPDATE rooms SET name = name || ' (renamed)' WHERE id = (SELECT MIN(id) FROM rooms "
                         "WHERE pool_fqdn = ?)", (topology.LEGACY_POOL,))
            conn.execute('DELETE FROM messages WHERE id = (SELECT MAX(m.id) FROM messages m JOIN rooms r ON '
                         'r.id = m.room_id WHERE r.pool_fqdn = ?)', (topology.LEGACY_POOL_2,))
    finally:
        conn.close()


def dirty_the_directory(ldap):
    pcpool2_endpoint = topology.automatic_endpoint(topology.TARGET_POOL_2)[2]
    pcpool_endpoint = topology.automatic_endpoint(topology.TARGET_POOL)[2]
    assert ldap.add(EXTRA_CONTACT, CONTACT_CLASSES, {'msRTCSIP-PrimaryUserAddress': 'sip:reset-test@contoso.com',
                                                     'msRTCSIP-OwnerUrn': topology.PERSISTENT_CHAT_OWNER_URN}), \
        ldap.result
    assert ldap.delete(pcpool2_endpoint), ldap.result
    assert ldap.modify(pcpool_endpoint, {'displayName': [(ldap3.MODIFY_REPLACE, ['changed'])]}), ldap.result
    assert ldap.delete(names.WELL_KNOWN_DN), ldap.result
    assert ldap.modify(names.user_dn(3), {'msRTCSIP-PrimaryUserAddress': [(ldap3.MODIFY_REPLACE,
                                                                          ['sip:moved@contoso.com'])]}), ldap.result
    assert ldap.delete(names.user_dn(4)), ldap.result


def dirty_the_emulator_files(lab_dir):
    Knobs(lab_dir).update(pipeline_latency_ms=250, drop=[{'cmdlet': 'Get-CsPool', 'when': 'before'}])
    with open(Knobs(lab_dir).holds_path, 'a') as handle:
        handle.write('{}\n')
    leftover = winpath.to_local(lab_dir, 'C:\\Windows\\Temp\\leftover.zip')
    with open(leftover, 'wb') as handle:
        handle.write(b'PK')
    return leftover


@pytest.fixture
def seeded_lab(lab_dir):
    """The lab reset before the test, and after it whatever happened."""
    lab_reset(lab_dir)
    yield lab_dir
    lab_reset(lab_dir)


def test_reset_puts_back_the_seeded_lab_and_the_emulator_keeps_serving(seeded_lab, ldap, lab_connection):
    lab_dir = seeded_lab
    seeded = snapshot(lab_dir)
    seeded_users = dict((dn, user_entry(ldap, dn).entry_attributes_as_dict)
                        for dn in (names.WELL_KNOWN_DN, names.user_dn(3), names.user_dn(4)))

    dirty_the_store(lab_dir)
    dirty_the_directory(ldap)
    leftover = dirty_the_emulator_files(lab_dir)
    assert snapshot(lab_dir) != seeded

    output, elapsed = lab_reset(lab_dir)
    assert 'lab reset in' in output and 'legacy data sets regenerated: gc.contoso.com, gc2.contoso.com' in output
    assert elapsed < 10, output  # a gross bound: about 1 s on this machine kind (docs/lab.md)

    assert snapshot(lab_dir) == seeded
    pools = dict((pool['fqdn'], pool) for pool in seeded['pools'])
    assert pools[topology.TARGET_POOL]['rooms'] == [] and pools[topology.TARGET_POOL]['categories'] == []
    assert pools[topology.TARGET_POOL]['state'] == 'stopped' and pools[topology.LEGACY_POOL]['state'] == 'started'
    assert sorted(contacts(ldap)) == sorted(platform_seed.automatic_endpoints())
    for dn, attributes in seeded_users.items():
        restored = user_entry(ldap, dn).entry_attributes_as_dict
        for name in ('sAMAccountName', 'displayName', 'msRTCSIP-PrimaryUserAddress', 'msRTCSIP-UserEnabled'):
            assert restored.get(name) == attributes.get(name), (dn, name)
    assert dict(seed_directory.well_known_users())[names.WELL_KNOWN_DN]['description'] == \
        user_entry(ldap, names.WELL_KNOWN_DN).description.value
    assert Knobs(lab_dir).read() == DEFAULTS
    assert not os.path.exists(Knobs(lab_dir).holds_path) and not os.path.exists(leftover)
    assert sorted(os.listdir(winpath.fs_root(lab_dir))) == ['c', 'unc']  # the drive, and the file shares as seeded
    assert file_stores.ensure(lab_dir) == 0  # every seeded file back, with its size and time
    conn = store(lab_dir)
    try:  # Lync's view holds no principal that is gone from AD (the deleted user is not seen while lagging)
        assert not conn.execute('SELECT COUNT(*) FROM ad_view WHERE dn = ? AND object_guid != ?', (
            names.WELL_KNOWN_DN, str(user_entry(ldap, names.WELL_KNOWN_DN).objectGUID.value).strip('{}').lower())
        ).fetchone()[0]
    finally:
        conn.close()

    emulator = lab_emulator(lab_connection)
    with emulator.pool('OcsPowershell') as pool:
        _ps, endpoints = run(pool, 'Get-CsPersistentChatEndpoint')
        _ps, (user,) = run(pool, 'Get-CsAdUser', Identity=names.WELL_KNOWN_SIP)
    assert sorted(e.adapted_properties['DistinguishedName'] for e in endpoints) == sorted(
        platform_seed.automatic_endpoints())
    assert user.adapted_properties['DistinguishedName'] == names.WELL_KNOWN_DN


def test_reset_of_a_seeded_lab_changes_nothing(seeded_lab, ldap):
    lab_dir = seeded_lab
    before = (snapshot(lab_dir), contacts(ldap))
    output, _elapsed = lab_reset(lab_dir)
    assert 'regenerated: none; 0 endpoint contacts removed, 0 restored; 0 users restored' in output
    assert (snapshot(lab_dir), contacts(ldap)) == before


def test_reset_refuses_a_folder_without_a_lab(tmp_path):
    proc = subprocess.run([sys.executable, '-m', 'lab', 'reset'], cwd=REPO_ROOT, capture_output=True, text=True,
                          env=dict(os.environ, LAB_DIR=str(tmp_path / 'none')), check=False, timeout=60)
    assert proc.returncode == 2 and 'bring it up with `make lab` first' in proc.stderr


def test_a_data_set_is_regenerated_only_when_it_changed(tmp_path):
    config = LabConfig({'LAB_DIR': str(tmp_path), 'LAB_ROOMS': '6', 'LAB_MESSAGES': '60', 'LAB_USERS': '10'})
    conn = store_mod.open_store(config.platform_db, create=True)
    try:
        platform_seed.ensure_topology(conn)
        platform_seed.ensure_dataset(conn, config)  # what `lab up` does: the digest is recorded with the data set
        generated = platform_seed.dataset_digest(conn, topology.LEGACY_POOL)
        assert platform_seed.restore_dataset(conn, config, topology.LEGACY_POOL) is False
        with store_mod.transaction(conn):
            conn.execute("UPDATE messages SET body = body || '!' WHERE id = (SELECT MIN(id) FROM messages)")
        assert platform_seed.dataset_digest(conn, topology.LEGACY_POOL) != generated
        assert platform_seed.restore_dataset(conn, config, topology.LEGACY_POOL) is True
        assert platform_seed.dataset_digest(conn, topology.LEGACY_POOL) == generated
    finally:
        conn.close()
