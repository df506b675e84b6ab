# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab store and its data-set generator: versioning, determinism, recovery from a killed generation."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lab_store
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from lab import dataset, platform_seed
from lab.config import LabConfig

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def new_store(path):
    conn = lab_store.open_store(str(path), create=True)
    conn.execute("INSERT INTO pools VALUES ('gc.contoso.com', 'group_chat_2010', 'Lync Server 2010 Group Chat', NULL, NULL)")
    return conn


def content_digest(conn):
    rows = []
    for table in ('categories', 'category_principals', 'rooms', 'room_principals', 'messages'):
        rows.extend(conn.execute('SELECT * FROM %s ORDER BY 1, 2, 3' % table).fetchall())
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def test_same_parameters_same_data_set(tmp_path):
    params = dataset.DataSetParams(seed=7, rooms=30, messages=3000, users=50)
    first, second = new_store(tmp_path / 'a.sqlite'), new_store(tmp_path / 'b.sqlite')
    assert dataset.generate(first, 'gc.contoso.com', params) == {'categories': 7, 'rooms': 30, 'messages': 3000}
    dataset.generate(second, 'gc.contoso.com', params)
    assert content_digest(first) == content_digest(second)
    other = new_store(tmp_path / 'c.sqlite')
    dataset.generate(other, 'gc.contoso.com', dataset.DataSetParams(seed=8, rooms=30, messages=3000, users=50))
    assert content_digest(other) != content_digest(first)


def test_data_set_shape(tmp_path):
    conn = new_store(tmp_path / 's.sqlite')
    # Members absent from AD are drawn only on request (the default data set lets a whole cutover complete).
    dataset.generate(conn, 'gc.contoso.com', dataset.DataSetParams(seed=1, rooms=40, messages=4000, users=100,
                                                                   unknown_member_rate=0.05))
    assert conn.execute('SELECT COUNT(*) FROM rooms WHERE disabled = 1').fetchone()[0] == 4
    assert conn.execute("SELECT COUNT(*) FROM categories WHERE parent_id IS NULL").fetchone()[0] == 1  # the root
    depth2 = "SELECT COUNT(*) FROM categories c JOIN categories p ON p.id = c.parent_id WHERE p.parent_id IS NOT NULL"
    assert conn.execute(depth2).fetchone()[0] >= 1
    members = [r[0] for r in conn.execute("SELECT principal FROM room_principals WHERE role = 'member'")]
    unknown = [m for m in members if m.startswith('sip:former.employee')]
    assert 0 < len(unknown) < len(members) * 0.2
    assert all(m == m.lower() for m in members)
    # every sender is a member of the room it wrote in
    assert conn.execute("SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM room_principals p WHERE "
                        "p.room_id = m.room_id AND p.principal = m.sender AND p.role = 'member')").fetchone()[0] == 0
    stamps = [r[0] for r in conn.execute('SELECT sent_at FROM messages ORDER BY id')]
    assert stamps == sorted(stamps) and stamps[0] >= '2025-11-20' and stamps[-1] <= '2026-11-21'


def test_killed_generation_is_redone_by_the_next_bring_up(tmp_path):
    config = LabConfig({'LAB_DIR': str(tmp_path), 'LAB_ROOMS': '50', 'LAB_MESSAGES': '400000', 'LAB_USERS': '100'})
    reference = new_store(tmp_path / 'reference.sqlite')
    params = dataset.DataSetParams(seed=config.seed, rooms=50, messages=400000, users=100)
    dataset.generate(reference, 'gc.contoso.com', params)

    path = config.platform_db
    new_store(path).close()
    script = ('import sys; sys.path.insert(0, %r); import lab; from lab import dataset, platform_seed; '
              'from lab.config import LabConfig; from ansible_collections.pchat.cutover.plugins.module_utils import '
              'lab_store; import os; c = LabConfig({"LAB_DIR": %r, "LAB_ROOMS": "50", "LAB_MESSAGES": "400000", '
              '"LAB_USERS": "100"}); platform_seed.ensure_dataset(lab_store.open_store(c.platform_db), c)'
              % (REPO, str(tmp_path)))
    proc = subprocess.Popen([sys.executable, '-c', script])
    deadline = time.time() + 60
    while time.time() < deadline:  # kill it once some messages are committed, mid-way
        time.sleep(0.05)
        try:
            count = sqlite3.connect(path).execute('SELECT COUNT(*) FROM messages').fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if count >= 20000:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = lab_store.open_store(path)
    partial = conn.execute('SELECT COUNT(*) FROM messages').fetchone()[0]
    assert 0 < partial < 400000, partial
    assert conn.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'dataset:%'").fetchone()[0] == 0

    line = platform_seed.ensure_dataset(conn, config)
    assert 'generated' in line
    assert content_digest(conn) == content_digest(reference)
    assert 'present' in platform_seed.ensure_dataset(conn, config)


def test_store_versions(tmp_path):
    path = str(tmp_path / 'v.sqlite')
    conn = lab_store.open_store(path, create=True)
    assert lab_store.schema_version(conn) == lab_store.SCHEMA_VERSION
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(PchatError, match='schema version 99, newer'):
        lab_store.open_store(path)
    with pytest.raises(PchatError, match='does not exist'):
        lab_store.open_store(str(tmp_path / 'missing.sqlite'))
    junk = tmp_path / 'junk.sqlite'
    junk.write_bytes(b'this is not a database' * 100)
    with pytest.raises(PchatError, match='not a usable lab store'):
        lab_store.open_store(str(junk))
