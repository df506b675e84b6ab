# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_migration on the lab store vs a raw SQLite INSERT ... SELECT of the same message rows.

    make benchmarks            # or: .venv/bin/python benchmarks/migration.py [--messages N] [--rooms R]

For each size (100,000 and the given size, default 1,000,000 messages in 2,000 rooms) it generates the data set into
a scratch store, copies it twice, and in the same run times
1. a raw `INSERT INTO messages ... SELECT ... FROM messages` of the source pool's rows (same table, same indexes);
2. `chat_migration` as a whole module process (categories, rooms, members, messages, verification), with its
   peak RSS read from the kernel (wait4).
Prints times, the ratio (target: at most 3), messages per second, and peak RSS for both sizes (target: flat).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests'), ROOT]
# conftest puts the checkout on sys.path as ansible_collections.pchat.cutover
import conftest  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position
from module_runner import COLLECTIONS_ROOT  # noqa: E402 pylint: disable=wrong-import-position
from lab import dataset  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.pchat.cutover.plugins.module_utils import lab_store  # noqa: E402 pylint: disable=wrong-import-position

SOURCE, TARGET = 'gc.contoso.com', 'pcpool.contoso.com'


def build(path, rooms, messages):
    conn = lab_store.open_store(path, create=True)
    conn.execute("INSERT INTO pools VALUES (?, 'group_chat_2010', 'Lync Server 2010 Group Chat', NULL, NULL)", (SOURCE,))
    conn.execute("INSERT INTO pools VALUES (?, 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 'Normal', NULL)",
                 (TARGET,))
    started = time.time()
    dataset.generate(conn, SOURCE, dataset.DataSetParams(seed=11, rooms=rooms, messages=messages, users=10000))
    conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    conn.close()
    return time.time() - started


def raw_copy(path):
    conn = sqlite3.connect(path, isolation_level=None)
    started = time.time()
    conn.execute('BEGIN IMMEDIATE')
    copied = conn.execute('INSERT INTO messages (room_id, sender, sent_at, body) SELECT m.room_id, m.sender, m.sent_at, '
                          'm.body FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?',
                          (SOURCE,)).rowcount
    conn.execute('COMMIT')
    elapsed = time.time() - started
    conn.close()
    return elapsed, copied


def module_run(path):
    args = {'ANSIBLE_MODULE_ARGS': {'source_pool': SOURCE, 'target_pool': TARGET, '_ansible_check_mode': False,
                                    '_ansible_diff': False}}
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump(args, handle)
    env = dict(os.environ, PYTHONPATH=COLLECTIONS_ROOT, PCHAT_DRIVER='lab', PCHAT_LAB_PATH=path)
    for name in ('PCHAT_LDAP_URL', 'PCHAT_BIND_DN', 'PCHAT_BIND_PASSWORD', 'PCHAT_CA_FILE'):
        env.pop(name, None)  # the platform only, as in the raw copy
    started = time.time()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, '-m', 'ansible_collections.pchat.cutover.plugins.modules.chat_migration',
                                 handle.name], stdout=out, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.time() - started
        out.seek(0)
        result = json.loads(out.read().decode() or '{}')
    os.unlink(handle.name)
    if status != 0 or result.get('failed'):
        raise SystemExit('chat_migration failed: %s' % result.get('msg'))
    return elapsed, result, usage.ru_maxrss / 1024.0


def measure(work, rooms, messages):
    base = os.path.join(work, 'store-%d.sqlite' % messages)
    generation = build(base, rooms, messages)
    raw_path, module_path = base + '.raw', base + '.module'
    shutil.copy(base, raw_path)
    shutil.copy(base, module_path)
    raw_time, copied = raw_copy(raw_path)
    module_time, result, rss = module_run(module_path)
    migrated = result['counts']['messages']['migrated']
    assert copied == migrated == messages, (copied, migrated, messages)
    for path in (base, raw_path, module_path):
        os.unlink(path)
    print('%9d messages, %d rooms (generated in %.1f s)' % (messages, rooms, generation))
    print('  raw INSERT ... SELECT:   %7.2f s' % raw_time)
    print('  chat_migration module:   %7.2f s  (%.0f messages/s, verification of %d rooms included)' % (
        module_time, messages / module_time, result['verification']['rooms_checked']))
    print('  ratio module/raw:        %7.2f   (target: at most 3)' % (module_time / raw_time))
    print('  module peak RSS:         %7.1f MB' % rss)
    return rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--messages', type=int, default=1000000)
    parser.add_argument('--rooms', type=int, default=2000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='pchat-bench-')
    try:
        small = measure(work, args.rooms, max(1, args.messages // 10))
        large = measure(work, args.rooms, args.messages)
    finally:
        shutil.rmtree(work)
    print('peak RSS %d vs %d messages: %.1f MB vs %.1f MB (ratio %.2f; flat means close to 1)' % (
        args.messages, args.messages // 10, large, small, large / small))


if __name__ == '__main__':
    main()
