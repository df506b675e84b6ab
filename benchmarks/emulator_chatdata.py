# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Lync emulator's Export-/Import-CsPersistentChatData against a raw SQLite ``INSERT ... SELECT`` of the same
rows, in-process through ``Shell.run`` (no wire), on a scratch copy of a running lab (its Samba answers the
principal look-ups).

    LAB_DIR=.lab .venv/bin/python benchmarks/emulator_chatdata.py --messages 1000000 --rooms 2000

Prints one JSON line: seconds for the raw copy, the export, the import, their ratio, the export file's size and
the peak RSS of the process that ran them (the data set is generated in a child process). Compare the peak RSS
of two sizes to see that memory stays flat.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lab import dataset, platform_seed, topology  # noqa: E402
from lab.emulator import store as store_mod, winpath  # noqa: E402
from lab.emulator.api import PATH_OCS, Command, CollectingStreams, Session  # noqa: E402
from lab.emulator.shell import Shell  # noqa: E402


def generate(lab_dir, messages, rooms, users):
    conn = store_mod.open_store(os.path.join(lab_dir, 'platform.sqlite'), create=True)
    platform_seed.ensure_topology(conn)
    dataset.generate(conn, topology.LEGACY_POOL, dataset.DataSetParams(seed=7, rooms=rooms, messages=messages,
                                                                       users=users, disabled_rooms=0))
    conn.close()


def scratch_lab(source_lab, messages, rooms, users):
    """A lab folder sharing the running lab's directory, with its own store holding one big legacy data set.
    Generation and the raw copy run in a child process, so this process's peak RSS is export's and import's
    alone; returns (folder, generation seconds, raw copy seconds)."""
    lab_dir = tempfile.mkdtemp(prefix='pchat-bench-')
    for name in ('lab-state.json', 'connection.json'):
        shutil.copy(os.path.join(source_lab, name), os.path.join(lab_dir, name))
    winpath.ensure_standard_folders(lab_dir)
    child = subprocess.run([sys.executable, os.path.abspath(__file__), '--generate-into', lab_dir, '--messages',
                            str(messages), '--rooms', str(rooms), '--users', str(users)], check=True,
                           capture_output=True, text=True)
    timings = json.loads(child.stdout.strip().splitlines()[-1])
    return lab_dir, timings['generate_s'], timings['raw_s']


def raw_copy_seconds(path):
    """The baseline: the legacy pool's rooms copied to the target with INSERT ... SELECT, timed, then undone."""
    conn = store_mod.connect(path)
    category = conn.execute("SELECT id FROM categories WHERE pool_fqdn = ? AND parent_id IS NOT NULL LIMIT 1",
                            (topology.LEGACY_POOL,)).fetchone()[0]
    started = time.perf_counter()
    with store_mod.transaction(conn):
        conn.execute('INSERT INTO rooms (pool_fqdn, category_id, name) SELECT ?, ?, \'raw \' || name FROM rooms '
                     'WHERE pool_fqdn = ?', (topology.TARGET_POOL_2, category, topology.LEGACY_POOL))
        conn.execute('INSERT INTO messages (room_id, sender, sent_at, body) SELECT t.id, m.sender, m.sent_at, m.body '
                     'FROM messages m JOIN rooms s ON s.id = m.room_id JOIN rooms t ON t.pool_fqdn = ? AND '
                     't.name = \'raw \' || s.name WHERE s.pool_fqdn = ?',
                     (topology.TARGET_POOL_2, topology.LEGACY_POOL))
    seconds = time.perf_counter() - started
    store_mod.wipe_chat_data(conn, topology.TARGET_POOL_2)
    conn.close()
    return seconds


def run(shell, name, parameters):
    streams = CollectingStreams()
    session = Session('bench', 'CONTOSO\\Administrator', PATH_OCS)
    shell.open_session(session)
    started = time.perf_counter()
    shell.run(session, [Command(name, parameters)], [], streams)
    elapsed = time.perf_counter() - started
    if streams.errors:
        raise SystemExit('%s wrote errors: %s' % (name, streams.errors[:3]))
    return elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--messages', type=int, default=100000)
    parser.add_argument('--rooms', type=int, default=2000)
    parser.add_argument('--users', type=int, default=200)
    parser.add_argument('--keep', action='store_true', help='keep the scratch lab folder')
    parser.add_argument('--generate-into', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_into:
        started = time.perf_counter()
        generate(args.generate_into, args.messages, args.rooms, args.users)
        generated = time.perf_counter() - started
        raw = raw_copy_seconds(os.path.join(args.generate_into, 'platform.sqlite'))
        print(json.dumps({'generate_s': generated, 'raw_s': raw}))
        return 0
    source_lab = os.path.abspath(os.environ.get('LAB_DIR') or '.lab')
    lab_dir, generated, raw = scratch_lab(source_lab, args.messages, args.rooms, args.users)
    try:
        shell = Shell(lab_dir)
        zip_path = 'C:\\Windows\\Temp\\bench.zip'
        export = run(shell, 'Export-CsPersistentChatData', [
            ('DBInstance', topology.db_instance(topology.LEGACY_POOL)), ('DBName', topology.LEGACY_DB),
            ('FileName', zip_path)])
        imported = run(shell, 'Import-CsPersistentChatData', [
            ('DBInstance', topology.db_instance(topology.TARGET_POOL)), ('FileName', zip_path),
            ('Confirm', False), ('WarningAction', 'SilentlyContinue')])
        shell.close()
        conn = store_mod.connect(os.path.join(lab_dir, 'platform.sqlite'))
        copied = conn.execute('SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?',
                              (topology.TARGET_POOL,)).fetchone()[0]
        conn.close()
        size = os.path.getsize(winpath.to_local(lab_dir, zip_path))
    finally:
        if not args.keep:
            shutil.rmtree(lab_dir, ignore_errors=True)
    print(json.dumps({
        'messages': args.messages, 'rooms': args.rooms, 'copied': copied, 'generate_s': round(generated, 2),
        'raw_insert_select_s': round(raw, 2), 'export_s': round(export, 2), 'import_s': round(imported, 2),
        'ratio': round((export + imported) / raw, 2), 'zip_mb': round(size / 1e6, 1),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
