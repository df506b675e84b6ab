# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check-mode promise, on an untouched lab: `cutover.yml --check --diff` succeeds, changes nothing (state
fingerprints before and after are equal), and reports as changed exactly the tasks the real run then changes.
Then it runs the real cutover. Exits non-zero, saying why, when a promise is broken. Prints the timings.

    .venv/bin/python tests/check_mode_preview.py [LAB_DIR]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import os
import re
import subprocess
import sys
import time

from state_snapshot import changing_pipelines, request_log_size, snapshot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TASK = re.compile(r'^TASK \[(.+?)\]')
CHANGED = re.compile(r'^changed: \[([^\]]+)\]')


def changed_tasks(output):
    """{host: sorted task names reported changed} from ansible-playbook's default output."""
    result = collections.defaultdict(list)
    task = None
    for line in output.splitlines():
        match = TASK.match(line)
        if match:
            task = match.group(1)
            continue
        match = CHANGED.match(line)
        if match and task:
            result[match.group(1)].append(task)
    return dict((host, sorted(tasks)) for host, tasks in result.items())


def run(args):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), ANSIBLE_FORCE_COLOR='0', ANSIBLE_NOCOLOR='1',
               PATH=os.path.join(ROOT, '.venv', 'bin') + os.pathsep + os.environ.get('PATH', ''))
    started = time.time()
    proc = subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), 'playbooks/cutover.yml'] + args,
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return proc, time.time() - started


def main():
    lab_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '.lab'))
    before = snapshot(lab_dir)
    log_start = request_log_size(lab_dir)
    check, check_time = run(['--check', '--diff'])
    if check.returncode != 0:
        sys.exit('the --check run failed (rc %d):\n%s' % (check.returncode, check.stdout[-4000:] + check.stderr[-2000:]))
    after = snapshot(lab_dir)
    if before != after:
        sys.exit('the --check run changed the lab: %s -> %s' % (before, after))
    sent = changing_pipelines(lab_dir, log_start)
    if sent:
        sys.exit('the --check run sent changing cmdlets to the front end: %s' % sent)
    real, real_time = run([])
    if real.returncode != 0:
        sys.exit('the real run failed (rc %d):\n%s' % (real.returncode, real.stdout[-4000:] + real.stderr[-2000:]))
    previewed, done = changed_tasks(check.stdout), changed_tasks(real.stdout)
    if previewed != done:
        sys.exit('--check reported other changes than the real run made:\npreview: %s\nreal:    %s' % (previewed, done))
    again, again_time = run([])
    if again.returncode != 0 or changed_tasks(again.stdout):
        sys.exit('the second run was not idempotent: %s' % changed_tasks(again.stdout))
    print('check run %.1f s: nothing changed (%d directory objects and the lab store compared; no changing cmdlet in '
          'the emulator\'s request log)' % (check_time, before['ldap_objects']))
    for host, tasks in sorted(done.items()):
        print('  %s: the preview and the real run changed the same %d tasks' % (host, len(tasks)))
    print('real run %.1f s; idempotent re-run %.1f s, changed=0' % (real_time, again_time))


if __name__ == '__main__':
    main()
