# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab store (versioned schema, upgrade of the first lab's store), the default data set, and the observer
(`python -m lab inspect`, `python -m lab knobs`)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from lab import dataset, platform_seed, topology
from lab.emulator import store as store_mod

from .conftest import REPO_ROOT


def v1_store(path):
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in store_mod._statements(store_mod.SCHEMA_V1):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO pools VALUES ('gc.contoso.com', 'group_chat_2010', 'Lync Server 2010 Group Chat', "
                 "NULL, NULL)")
    conn.execute("INSERT INTO pools VALUES ('pcpool.contoso.com', 'persistent_chat_2013', 'x', 'Normal', NULL)")
    conn.execute("INSERT INTO servers VALUES ('gc01.contoso.com', 'gc.contoso.com', 1)")
    conn.execute("INSERT INTO services VALUES ('gc01.contoso.com', 'GroupChatLookup', 'x', 'running', 'automatic')")
    conn.execute("INSERT INTO categories (id, pool_fqdn, name) VALUES (1, 'gc.contoso.com', 'Root')")
    conn.execute("INSERT INTO rooms (id, pool_fqdn, category_id, name) VALUES (1, 'gc.contoso.com', 1, 'r')")
    conn.close()


def test_a_first_lab_store_is_upgraded(tmp_path):
    path = str(tmp_path / 'old.sqlite')
    v1_store(path)
    conn = store_mod.open_store(path)
    assert store_mod.schema_version(conn) == store_mod.SCHEMA_VERSION == 3
    roles = dict(conn.execute('SELECT fqdn, role FROM pools').fetchall())
    assert roles == {'gc.contoso.com': 'TrustedApplicationPool', 'pcpool.contoso.com': 'PersistentChatServer'}
    assert conn.execute('SELECT COUNT(*) FROM services').fetchone()[0] == 0  # re-seeded from the topology
    assert conn.execute('SELECT name, addin FROM rooms').fetchone()[0] == 'r'
    platform_seed.ensure_topology(conn)
    assert conn.execute("SELECT site FROM pools WHERE fqdn = 'gc.contoso.com'").fetchone()[0] == topology.SITE_REDMOND
    # Lookup, Channel, IIS (which hosts the Web service), WinRM, W32Time: compliance runs on a computer of its own
    assert conn.execute("SELECT COUNT(*) FROM services WHERE server_fqdn = 'gc01.contoso.com'").fetchone()[0] == 5
    assert conn.execute('PRAGMA foreign_key_check').fetchall() == []
    # version 3: the policy and test-user tables, empty until `lab up` seeds them
    for table in ('chat_policies', 'user_policies', 'test_user_credentials'):
        assert conn.execute('SELECT COUNT(*) FROM %s' % table).fetchone()[0] == 0
    conn.close()


def test_a_newer_store_is_refused(tmp_path):
    path = str(tmp_path / 'new.sqlite')
    store_mod.open_store(path, create=True).execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(store_mod.StoreError, match='newer'):
        store_mod.open_store(path)


def test_missing_store(tmp_path):
    with pytest.raises(store_mod.StoreError, match='does not exist'):
        store_mod.open_store(str(tmp_path / 'none.sqlite'))


def generated(tmp_path, **params):
    conn = store_mod.open_store(str(tmp_path / 'd.sqlite'), create=True)
    platform_seed.ensure_topology(conn)
    dataset.generate(conn, topology.LEGACY_POOL, dataset.DataSetParams(**params))
    return conn


def test_default_data_set_lets_a_cutover_complete_and_exercises_warnings(tmp_path):
    conn = generated(tmp_path, seed=42, rooms=20, messages=500, users=200)
    principals = [r[0] for r in conn.execute('SELECT principal FROM room_principals')]
    assert not [p for p in principals if 'former.employee' in p]
    assert [p for p in principals if p.endswith('@' + dataset.FEDERATED_DOMAIN)]
    off = conn.execute("SELECT COUNT(*) FROM rooms r JOIN categories c ON c.id = r.category_id WHERE c.invitations = 0 "
                       "AND r.invitations = 'inherit' AND r.disabled = 0").fetchone()[0]
    assert off >= 1
    nested = conn.execute('SELECT COUNT(*) FROM categories c JOIN categories p ON p.id = c.parent_id '
                          'WHERE p.parent_id IS NOT NULL').fetchone()[0]
    assert nested >= 1
    assert conn.execute('SELECT COUNT(*) FROM rooms WHERE disabled = 1').fetchone()[0] == 2


def test_unprovisioned_principals_on_request(tmp_path):
    conn = generated(tmp_path, seed=1, rooms=30, messages=100, users=50, unknown_member_rate=0.2)
    assert conn.execute("SELECT COUNT(*) FROM room_principals WHERE principal LIKE 'sip:former.employee%'") \
        .fetchone()[0] > 0


def test_checksum_ignores_ids_and_order(tmp_path):
    conn = generated(tmp_path, seed=3, rooms=2, messages=50, users=10)
    room = conn.execute('SELECT id FROM rooms ORDER BY id LIMIT 1').fetchone()[0]
    count, checksum = store_mod.room_checksum(conn, room)
    rows = conn.execute('SELECT sender, sent_at, body FROM messages WHERE room_id = ? ORDER BY id DESC',
                        (room,)).fetchall()
    other = conn.execute('SELECT id FROM rooms ORDER BY id DESC LIMIT 1').fetchone()[0]
    with store_mod.transaction(conn):
        conn.execute('DELETE FROM messages WHERE room_id = ?', (other,))
        conn.executemany('INSERT INTO messages (room_id, sender, sent_at, body) VALUES (?, ?, ?, ?)',
                         [(other,) + tuple(r) for r in rows])
    assert store_mod.room_checksum(conn, other) == (count, checksum)


def lab_cli(lab_dir, *args):
    proc = subprocess.run([sys.executable, '-m', 'lab'] + list(args), cwd=REPO_ROOT, capture_output=True, text=True,
                          env=dict(os.environ, LAB_DIR=lab_dir), check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_inspect_prints_the_design_shape(scratch):
    data = json.loads(lab_cli(scratch, 'inspect'))
    assert set(data) == {'pools', 'endpoints'}
    pools = dict((p['fqdn'], p) for p in data['pools'])
    assert set(pools) == set(topology.CHAT_POOLS)
    legacy = pools[topology.LEGACY_POOL]
    assert legacy['kind'] == 'group_chat_2010' and legacy['state'] == 'started'
    assert pools[topology.LEGACY_POOL_2]['kind'] == 'group_chat_2007r2'
    assert {'fqdn', 'kind', 'state', 'servers', 'categories', 'rooms'} <= set(legacy)
    assert {'name', 'category', 'disabled', 'messages', 'checksum'} == set(legacy['rooms'][0])
    assert legacy['servers'][0]['services'][0].keys() >= {'name', 'display_name', 'status', 'start_mode', 'roles'}
    assert sum(r['messages'] for r in legacy['rooms']) > 0
    endpoint_pools = dict((e['sip_address'], e['pool']) for e in data['endpoints'])
    assert endpoint_pools[topology.automatic_endpoint(topology.TARGET_POOL)[0]] == topology.TARGET_POOL


def test_knobs_cli(scratch):
    shown = json.loads(lab_cli(scratch, 'knobs', 'set', 'ad_replication_lag_s=5',
                               'faults=[{"cmdlet": "Get-CsPool", "kind": "empty"}]'))
    assert shown['ad_replication_lag_s'] == 5 and shown['faults'][0]['kind'] == 'empty'
    assert json.loads(lab_cli(scratch, 'knobs'))['ad_replication_lag_s'] == 5
    assert json.loads(lab_cli(scratch, 'knobs', 'reset'))['faults'] == []
