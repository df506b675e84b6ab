# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_migration on the lab driver: exact copies, conversions, filters, resumption after SIGKILL, refusals.
Every check reads the store with plain sqlite3."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import os
import signal
import socket
import sqlite3
import time

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lab_store
from conftest import copy_lab_store
from lab import dataset
from module_runner import run_module, start_module

SOURCE, TARGET = 'gc.contoso.com', 'pcpool.contoso.com'
BASE = {'source_pool': SOURCE, 'target_pool': TARGET}


def disable_source(path):
    conn = sqlite3.connect(path)
    conn.execute("UPDATE services SET status = 'stopped', start_mode = 'disabled' WHERE server_fqdn LIKE 'gc0%'")
    conn.commit()
    conn.close()


@pytest.fixture
def store(lab, tmp_path):
    """A copy of the lab store with the legacy pool disabled (the phase before migration)."""
    path = str(tmp_path / 'platform.sqlite')
    copy_lab_store(lab['PCHAT_LAB_PATH'], path)
    disable_source(path)
    return path


@pytest.fixture
def env(lab_env, store):
    """The platform only: no directory options, so members are not resolved."""
    return {'PCHAT_DRIVER': 'lab', 'PCHAT_LAB_PATH': store}


def rows(path, sql, args=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def history(path, pool, migrated_only=False):
    """{room name: Counter of (sender, sent_at, body)}: the exact content, independent of ids and order."""
    result = collections.defaultdict(collections.Counter)
    extra = ' AND m.source_key IS NOT NULL' if migrated_only else ''
    for name, sender, sent_at, body in rows(path, 'SELECT r.name, m.sender, m.sent_at, m.body FROM messages m JOIN rooms r '
                                                  'ON r.id = m.room_id WHERE r.pool_fqdn = ?' + extra, (pool,)):
        result[name][(sender, sent_at, body)] += 1
    return dict(result)


def test_full_copy_exact_then_nothing_to_do(env, store):
    result = run_module('chat_migration', BASE, diff=True, env=env)
    assert not result.failed, result.get('msg')
    source_rooms = rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?', (SOURCE,))[0][0]
    source_messages = rows(store, 'SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?',
                           (SOURCE,))[0][0]
    assert result['counts']['rooms'] == {'migrated': source_rooms, 'already_present': 0, 'skipped': 0}
    assert result['counts']['messages'] == {'migrated': source_messages, 'already_present': 0, 'skipped': 0}
    assert result['verification'] == {'rooms_checked': source_rooms, 'mismatched': []}
    assert history(store, TARGET) == history(store, SOURCE)
    assert result['diff']['after'][TARGET]['messages'] == source_messages

    again = run_module('chat_migration', BASE, env=env)
    assert not again.changed
    assert again['counts']['messages'] == {'migrated': 0, 'already_present': source_messages, 'skipped': 0}
    assert again['counts']['rooms']['already_present'] == source_rooms
    assert rows(store, 'SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?',
                (TARGET,))[0][0] == source_messages


def test_conversions(env, store):
    result = run_module('chat_migration', BASE, env=env)
    assert not result.failed, result.get('msg')
    # the tree is flattened: no parents on the target, sub-categories prefixed with their parent's name
    assert rows(store, 'SELECT COUNT(*) FROM categories WHERE pool_fqdn = ? AND parent_id IS NOT NULL', (TARGET,)) == [(0,)]
    subs = rows(store, "SELECT p.name || '_' || c.name FROM categories c JOIN categories p ON p.id = c.parent_id "
                       "WHERE c.pool_fqdn = ? AND p.name != 'Root'", (SOURCE,))
    targets = set(r[0] for r in rows(store, 'SELECT name FROM categories WHERE pool_fqdn = ?', (TARGET,)))
    assert subs and all(name in targets for (name,) in subs)
    assert 'Root' not in targets
    assert {'kind': 'categories', 'count': 1,
            'reason': 'the root category (Lync 2013 has no category tree; its managers manage every room)'} in \
        result['skipped_reasons']
    # the root category's manager manages every target room
    root_manager = rows(store, "SELECT principal FROM category_principals p JOIN categories c ON c.id = p.category_id "
                               "WHERE c.pool_fqdn = ? AND c.name = 'Root' AND p.role = 'manager'", (SOURCE,))[0][0]
    assert rows(store, "SELECT COUNT(*) FROM rooms r WHERE r.pool_fqdn = ? AND NOT EXISTS (SELECT 1 FROM room_principals p "
                       "WHERE p.room_id = r.id AND p.principal = ? AND p.role = 'manager')", (TARGET, root_manager)) == [(0,)]
    # rooms of categories with invitations off have invitations off, and say so
    off = rows(store, "SELECT COUNT(*) FROM rooms r JOIN categories c ON c.id = r.category_id WHERE r.pool_fqdn = ? AND "
                      "c.invitations = 0 AND r.invitations != 'false'", (TARGET,))
    assert off == [(0,)]
    assert all('invitations turned off' in w for w in result['conversion_warnings'])
    # disabled rooms are migrated, still disabled
    assert rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ? AND disabled = 1', (TARGET,)) == \
        rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ? AND disabled = 1', (SOURCE,))


def test_check_mode_copies_nothing_and_predicts_the_run(env, store):
    before = rows(store, 'SELECT COUNT(*) FROM messages')
    preview = run_module('chat_migration', BASE, check_mode=True, diff=True, env=env)
    assert preview.changed
    assert rows(store, 'SELECT COUNT(*) FROM messages') == before
    assert rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?', (TARGET,)) == [(0,)]
    real = run_module('chat_migration', BASE, diff=True, env=env)
    for kind in ('categories', 'rooms', 'members', 'messages'):
        assert preview['counts'][kind] == real['counts'][kind], kind
    assert preview['diff']['after'] == real['diff']['after']


def test_refuses_while_the_source_pool_runs(lab, lab_env, tmp_path):
    path = str(tmp_path / 'running.sqlite')
    copy_lab_store(lab['PCHAT_LAB_PATH'], path)
    env = {'PCHAT_DRIVER': 'lab', 'PCHAT_LAB_PATH': path}
    result = run_module('chat_migration', BASE, env=env)
    assert result.failed and 'is still started' in result['msg'] and 'force: true' in result['msg']
    assert rows(path, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?', (TARGET,)) == [(0,)]
    preview = run_module('chat_migration', BASE, check_mode=True, env=env)
    assert not preview.failed and preview['source_state'] == 'started'
    assert 'a real run refuses' in preview['preview_notes'][0]
    assert rows(path, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?', (TARGET,)) == [(0,)]
    forced = run_module('chat_migration', dict(BASE, force=True), env=env)
    assert forced.changed and forced['preview_notes'] == []


def test_filters(env, store):
    names = [r[0] for r in rows(store, 'SELECT name FROM rooms WHERE pool_fqdn = ? ORDER BY id LIMIT 2', (SOURCE,))]
    picked = run_module('chat_migration', dict(BASE, rooms=[n.upper() for n in names], since='2026-06-01'), env=env)
    assert not picked.failed, picked.get('msg')
    assert sorted(r[0] for r in rows(store, 'SELECT name FROM rooms WHERE pool_fqdn = ?', (TARGET,))) == sorted(names)
    expected = rows(store, "SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ? AND "
                           "r.name IN (?, ?) AND m.sent_at >= '2026-06-01T00:00:00Z'", (SOURCE,) + tuple(names))[0][0]
    assert picked['counts']['messages']['migrated'] == expected
    reasons = dict((r['reason'], r['count']) for r in picked['skipped_reasons'] if r['kind'] == 'messages')
    assert reasons['older than since'] > 0 and reasons['their room is not in the rooms filter'] > 0
    total = rows(store, 'SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?',
                 (SOURCE,))[0][0]
    assert picked['counts']['messages']['migrated'] + picked['counts']['messages']['skipped'] == total

    # widening the filters later copies the rest, including the older messages of the first rooms
    everything = run_module('chat_migration', BASE, env=env)
    assert everything['counts']['messages']['already_present'] == expected
    assert history(store, TARGET) == history(store, SOURCE)


def test_disabled_rooms_can_be_left_out(env, store):
    result = run_module('chat_migration', dict(BASE, include_disabled_rooms=False), env=env)
    disabled = rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ? AND disabled = 1', (SOURCE,))[0][0]
    assert disabled > 0
    assert result['counts']['rooms']['skipped'] == disabled
    assert rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ? AND disabled = 1', (TARGET,)) == [(0,)]


def test_unresolved_members_reported_then_skipped(lab_env, store):
    env = dict(lab_env, PCHAT_LAB_PATH=store)  # with the directory options: members are resolved
    result = run_module('chat_migration', dict(BASE, unresolved_members='skip'), env=env)
    assert not result.failed, result.get('msg')
    unresolved = [u['principal'] for u in result['unresolved_members']]
    assert unresolved and all(p.startswith('sip:former.employee') for p in unresolved)
    assert result['unresolved_total'] == len(unresolved)
    assert result['searches'] <= 5  # a batched look-up, not one search per member
    present = rows(store, "SELECT COUNT(*) FROM room_principals p JOIN rooms r ON r.id = p.room_id WHERE r.pool_fqdn = ? "
                          "AND p.principal LIKE 'sip:former.employee%'", (TARGET,))
    assert present == [(0,)]
    skipped = [r for r in result['skipped_reasons'] if r['kind'] == 'members']
    assert skipped and skipped[0]['count'] == sum(u['rooms'] for u in result['unresolved_members'])


def test_unresolved_members_migrated_by_default_and_listed(lab_env, store):
    env = dict(lab_env, PCHAT_LAB_PATH=store)
    result = run_module('chat_migration', BASE, env=env)
    assert result['unresolved_total'] > 0
    source = rows(store, "SELECT COUNT(*) FROM room_principals p JOIN rooms r ON r.id = p.room_id WHERE r.pool_fqdn = ? "
                         "AND p.principal LIKE 'sip:former.employee%'", (SOURCE,))
    target = rows(store, "SELECT COUNT(*) FROM room_principals p JOIN rooms r ON r.id = p.room_id WHERE r.pool_fqdn = ? "
                         "AND p.principal LIKE 'sip:former.employee%'", (TARGET,))
    assert source == target and source[0][0] > 0


def test_name_conflict_overwrites_the_target_room(env, store):
    name = rows(store, 'SELECT name FROM rooms WHERE pool_fqdn = ? ORDER BY id LIMIT 1', (SOURCE,))[0][0]
    conn = lab_store.open_store(store)
    category = conn.execute("INSERT INTO categories (pool_fqdn, name) VALUES (?, 'Early')", (TARGET,)).lastrowid
    conn.execute("INSERT INTO rooms (pool_fqdn, category_id, name, description) VALUES (?, ?, ?, 'made early')",
                 (TARGET, category, name))
    conn.close()
    result = run_module('chat_migration', BASE, env=env)
    assert not result.failed, result.get('msg')
    assert 'room %s' % name in result['overwritten']
    assert rows(store, 'SELECT COUNT(*), MAX(description) FROM rooms WHERE pool_fqdn = ? AND name = ?', (TARGET, name)) != \
        [(1, 'made early')]
    assert rows(store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ? AND name = ?', (TARGET, name)) == [(1,)]


@pytest.mark.parametrize('args, words', [
    ({'rooms': ["x'; DROP TABLE rooms;--"]}, ['do not exist in source pool']),
    ({'since': 'last tuesday'}, ['is not a date or time']),
    ({'target_pool': SOURCE}, ['the target must be a Persistent Chat 2013 pool']),
    ({'source_pool': TARGET}, ['the source must be a legacy Group Chat pool']),
    ({'target_pool': 'nopool.contoso.com'}, ['does not exist']),
    ({'batch_size': 0}, ['batch_size must be at least 1']),
])
def test_bad_input_changes_nothing(env, store, args, words):
    before = rows(store, 'SELECT COUNT(*) FROM messages')
    result = run_module('chat_migration', dict(BASE, **args), env=env)
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert rows(store, 'SELECT COUNT(*) FROM messages') == before
    assert rows(store, "SELECT COUNT(*) FROM rooms r JOIN pools p ON p.fqdn = r.pool_fqdn WHERE p.kind = 'persistent_chat_2013'") \
        == [(0,)]


def test_a_live_migration_lock_refuses_and_a_dead_one_is_taken_over(env, store):
    conn = sqlite3.connect(store)
    conn.execute("INSERT INTO meta VALUES ('lock:migration:pcpool.contoso.com', ?)",
                 ('%s:%d' % (socket.gethostname(), os.getpid()),))
    conn.commit()
    refused = run_module('chat_migration', BASE, env=env)
    assert refused.failed and 'another chat_migration' in refused['msg']
    dead = 2 ** 22 + 12345  # above pid_max on this kind of machine: no such process
    conn.execute("UPDATE meta SET value = ? WHERE key = 'lock:migration:pcpool.contoso.com'", ('%s:%d' % (socket.gethostname(), dead),))
    conn.commit()
    conn.close()
    taken = run_module('chat_migration', BASE, env=env)
    assert not taken.failed, taken.get('msg')
    assert rows(store, "SELECT COUNT(*) FROM meta WHERE key LIKE 'lock:%'") == [(0,)]


@pytest.fixture
def big_store(tmp_path):
    """A store of its own with 300,000 messages in 300 rooms (no directory needed), legacy pool disabled."""
    path = str(tmp_path / 'big.sqlite')
    conn = lab_store.open_store(path, create=True)
    conn.execute("INSERT INTO pools VALUES (?, 'group_chat_2010', 'Lync Server 2010 Group Chat', NULL, NULL)", (SOURCE,))
    conn.execute("INSERT INTO pools VALUES (?, 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 'Normal', NULL)",
                 (TARGET,))
    dataset.generate(conn, SOURCE, dataset.DataSetParams(seed=3, rooms=300, messages=300000, users=100))
    conn.close()
    return path


def test_killed_mid_migration_then_rerun_is_exact(big_store):
    env = {'PCHAT_DRIVER': 'lab', 'PCHAT_LAB_PATH': big_store}
    args = dict(BASE, batch_size=2000)
    proc = start_module('chat_migration', args, env=env)
    deadline = time.time() + 120
    copied = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
        try:
            copied = rows(big_store, 'SELECT COUNT(*) FROM messages WHERE source_key IS NOT NULL')[0][0]
        except sqlite3.OperationalError:
            continue
        if copied >= 30000:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, 'the migration finished before it could be killed'
    committed = rows(big_store, 'SELECT COUNT(*) FROM messages WHERE source_key IS NOT NULL')[0][0]
    assert 0 < committed < 300000

    rerun = run_module('chat_migration', args, env=env)
    assert not rerun.failed, rerun.get('msg')
    assert rerun['counts']['messages']['already_present'] == committed
    assert rerun['counts']['messages']['migrated'] == 300000 - committed
    assert rerun['verification']['mismatched'] == []
    assert rows(big_store, 'SELECT COUNT(*), COUNT(DISTINCT room_id || source_key) FROM messages WHERE source_key IS NOT '
                           'NULL') == [(300000, 300000)]
    assert rows(big_store, 'SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?', (TARGET,)) == [(300,)]
    assert history(big_store, TARGET) == history(big_store, SOURCE)
    assert not run_module('chat_migration', args, env=env).changed
