# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data migration through the real path, against a raw SQLite copy of the same rows (run on demand).

For each size, a lab of its own (LAB_IP 127.0.0.20, a scratch LAB_DIR) with 2,000 rooms: the legacy pool disabled
first (not timed), then `pchat.cutover.chat_migration` (backup, export, -WhatIf gate, import, comparison), run as
Ansible runs a module, through PowerShell remoting to the Lync emulator, timed as a whole and with the peak RSS of
the module's process (the controller's memory: the data never passes through it); every room and message checked
on the target with the lab's own view; then the raw `INSERT ... SELECT` of the same rows in the lab's store.

    .venv/bin/python benchmarks/migration.py [MESSAGES ...]     # default: 100000 1000000

Target (DESIGN.md): at most 5x the raw copy at 1,000,000 messages, controller memory flat.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))
sys.path.insert(0, ROOT)
import conftest  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position
from lab_checks import room_problems  # noqa: E402 pylint: disable=wrong-import-position
from state_snapshot import inspect  # noqa: E402 pylint: disable=wrong-import-position

sys.path.insert(0, os.path.join(ROOT, 'benchmarks'))
from emulator_chatdata import raw_copy_seconds  # noqa: E402 pylint: disable=wrong-import-position

LAB_IP = '127.0.0.20'
ROOMS = 2000
LEGACY, TARGET = 'gc.contoso.com', 'pcpool.contoso.com'
# Runs one module in a child process and reports the child's peak RSS (the module is the controller's process).
MEASURE = r'''
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from module_runner import run_module
result = run_module(sys.argv[2], json.loads(sys.argv[3]), env=json.loads(sys.argv[4]), timeout=7200)
print(json.dumps({'failed': result.failed, 'msg': result.get('msg'), 'changed': result.changed,
                  'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0}))
'''


def lab(command, lab_dir, messages=0):
    env = dict(os.environ, LAB_DIR=lab_dir, LAB_IP=LAB_IP, LAB_ROOMS=str(ROOMS), LAB_MESSAGES=str(messages))
    proc = subprocess.run([sys.executable, '-m', 'lab', command], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        sys.exit('lab %s failed: %s%s' % (command, proc.stdout, proc.stderr))


def module(name, args, connection):
    started = time.time()
    proc = subprocess.run([sys.executable, '-c', MEASURE, os.path.join(ROOT, 'tests'), name, json.dumps(args),
                           json.dumps(connection)], capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result['failed']:
        sys.exit('%s failed: %s' % (name, result['msg']))
    result['seconds'] = time.time() - started
    return result


def measure(messages):
    lab_dir = '/tmp/pchat-bench-migration-%d' % messages
    lab('up', lab_dir, messages)
    try:
        with open(os.path.join(lab_dir, 'connection.json')) as handle:
            connection = json.load(handle)
        module('chat_pool', {'fqdn': LEGACY, 'state': 'disabled'}, connection)
        migrated = module('chat_migration', {
            'source_pool': LEGACY, 'target_pool': TARGET, 'source_db_instance': 'gcsql.contoso.com\\groupchat',
            'source_db_name': 'GroupChat', 'export_dir': 'C:\\PchatMigration',
            'record_file': os.path.join(lab_dir, 'state', 'migration.json'),
            'accept_warnings': ['category_flattened', 'room_renamed', 'root_managers', 'invitations_off',
                                'federated_user', 'category_managers']}, connection)
        problems, rooms, moved = room_problems(inspect(lab_dir), LEGACY, TARGET)
        if problems:
            sys.exit('the migration of %d messages is not complete: %s' % (messages, problems[:5]))
        raw = raw_copy_seconds(os.path.join(lab_dir, 'platform.sqlite'))
    finally:
        lab('down', lab_dir)
    return {'messages': moved, 'rooms': rooms, 'module_seconds': round(migrated['seconds'], 2),
            'raw_copy_seconds': round(raw, 2), 'ratio': round(migrated['seconds'] / raw, 2),
            'controller_peak_rss_mb': round(migrated['peak_rss_mb'], 1)}


def main(argv):
    sizes = [int(n) for n in argv] or [100000, 1000000]
    results = [measure(messages) for messages in sizes]
    print('%12s %8s %14s %12s %8s %22s' % ('messages', 'rooms', 'migration (s)', 'raw copy (s)', 'ratio',
                                           'controller peak RSS'))
    for row in results:
        print('%12s %8d %14.1f %12.2f %8.2f %19.1f MB' % ('{:,}'.format(row['messages']), row['rooms'],
                                                          row['module_seconds'], row['raw_copy_seconds'], row['ratio'],
                                                          row['controller_peak_rss_mb']))
    print('target: ratio <= 5 at 1,000,000 messages; controller memory flat across sizes')


if __name__ == '__main__':
    main(sys.argv[1:])
