# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a cutover costs, counted on the lab (run on demand: `make benchmarks`, or this file alone):

* per unit, for the full run and for the idempotent re-run: tasks run, PowerShell pipelines and runspace pools
  (from the emulator's request log, each unit run alone so they can be told apart), LDAP searches (what the modules
  report), and whether the re-run sent any export or import;
* the idempotent re-run of the lab's two units (in parallel, as `make demo` runs them) against a floor: a playbook
  of 30 `ping` tasks on the same hosts, timed in the same run, alternating, the median of ROUNDS each.

Targets (DESIGN.md): at most 30 tasks per unit and at most 1.5x the floor for the re-run; no listing repeated, no
export or import in the re-run. Uses the lab of LAB_DIR (default .lab), which it resets first.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB_DIR = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(ROOT, '.lab'))
UNITS = ('contoso_group_chat', 'contoso_group_chat_r2')
ROUNDS = int(os.environ.get('ROUNDS', '3'))
PING_PLAYBOOK = '''---
- name: The floor - 30 ping tasks on the cutover units
  hosts: pchat_cutover_units
  gather_facts: false
  tasks:
%s
''' % '\n'.join('    - name: Ping %d\n      ansible.builtin.ping:' % n for n in range(1, 31))


def env(cost_file=None):
    values = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), PCHAT_LAB_HOME=LAB_DIR,
                  ANSIBLE_NOCOLOR='1', PATH=os.path.join(ROOT, '.venv', 'bin') + os.pathsep + os.environ['PATH'])
    if cost_file:
        values.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, 'benchmarks', 'callback_plugins'),
                      ANSIBLE_CALLBACKS_ENABLED='pchat_cost', PCHAT_COST_FILE=cost_file)
    return values


def playbook(path, *args, cost=False):
    """Run a playbook; returns (seconds, counts per host or None)."""
    cost_file = None
    if cost:
        handle, cost_file = tempfile.mkstemp(suffix='.json')
        os.close(handle)
    started = time.time()
    proc = subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), path] + list(args), cwd=ROOT,
                          env=env(cost_file), capture_output=True, text=True, check=False)
    seconds = time.time() - started
    if proc.returncode != 0:
        sys.exit('%s failed:\n%s' % (path, proc.stdout[-3000:]))
    counts = None
    if cost_file:
        with open(cost_file) as handle:
            counts = json.load(handle)
        os.unlink(cost_file)
    return seconds, counts


def reset_lab():
    subprocess.run([sys.executable, '-m', 'lab', 'reset'], cwd=ROOT, env=dict(os.environ, LAB_DIR=LAB_DIR),
                   check=True, capture_output=True)
    for folder in ('state', 'reports'):
        shutil.rmtree(os.path.join(LAB_DIR, folder), ignore_errors=True)


def log_size():
    path = os.path.join(LAB_DIR, 'psrp-requests.jsonl')
    return os.path.getsize(path) if os.path.exists(path) else 0  # a fresh lab has logged nothing yet


def log_since(offset):
    with open(os.path.join(LAB_DIR, 'psrp-requests.jsonl')) as handle:
        handle.seek(offset)
        return [json.loads(line) for line in handle]


def unit_cost(unit):
    """One unit alone: its full run and its re-run."""
    rows = {}
    for label in ('full run', 're-run'):
        offset = log_size()
        seconds, counts = playbook('playbooks/cutover.yml', '--limit', unit, cost=True)
        lines = log_since(offset)
        pipelines = [line for line in lines if 'cmdlets' in line]
        counted = counts[unit]
        rows[label] = {
            'seconds': seconds, 'tasks run': counted.get('ok', 0) + counted.get('changed', 0),
            'tasks skipped': counted.get('skipped', 0), 'changed': counted.get('changed', 0),
            'pipelines': len(pipelines), 'runspace pools': len([l for l in lines if l.get('event') == 'open']),
            'ldap searches': counted.get('ldap_searches', 0),
            'export/import': len([c for p in pipelines for c in p['cmdlets'] if c.endswith('PersistentChatData')]),
        }
    return rows


def main():
    reset_lab()
    print('Per unit (each unit run alone so that the emulator\'s log can be attributed):')
    header = ('tasks run', 'tasks skipped', 'changed', 'pipelines', 'runspace pools', 'ldap searches',
              'export/import', 'seconds')
    print('  %-24s %-9s %s' % ('unit', 'run', ' '.join('%14s' % h for h in header)))
    for unit in UNITS:
        for label, row in unit_cost(unit).items():
            print('  %-24s %-9s %s' % (unit, label, ' '.join(
                '%14s' % (('%.1f' % row[h]) if isinstance(row[h], float) else row[h]) for h in header)))
    floor_file = tempfile.NamedTemporaryFile('w', suffix='.yml', dir=os.path.join(ROOT, 'playbooks'), delete=False)
    with floor_file:
        floor_file.write(PING_PLAYBOOK)
    try:
        floors, reruns = [], []
        for _round in range(ROUNDS):
            floors.append(playbook(floor_file.name)[0])
            reruns.append(playbook('playbooks/cutover.yml')[0])
    finally:
        os.unlink(floor_file.name)
    floor, rerun = statistics.median(floors), statistics.median(reruns)
    print('\nIdempotent re-run of both units (parallel) vs 30 ping tasks on the same hosts, median of %d rounds each:'
          % ROUNDS)
    print('  floor %.1f s (%s); re-run %.1f s (%s); ratio %.2f (target <= 1.5)' % (
        floor, ', '.join('%.1f' % s for s in floors), rerun, ', '.join('%.1f' % s for s in reruns), rerun / floor))


if __name__ == '__main__':
    main()
