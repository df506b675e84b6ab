# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two cutovers of the same unit at once: the second stops quickly, naming the lock and its holder; a stale lock
(holder dead) is detected and taken over."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import socket
import subprocess
import time

from conftest import UNIT


def test_second_cutover_of_the_same_unit_stops_quickly(rlab):
    rlab.reset()
    first = rlab.start('cutover')
    assert rlab.wait_for(first, 'TASK [pchat.cutover.disable')
    started = time.time()
    second = rlab.run('cutover')
    elapsed = time.time() - started
    assert second.returncode != 0
    lock = os.path.join(rlab.state_dir, UNIT + '.lock')
    assert 'cutover unit is locked by' in second.stdout and 'pid %d' % first.pid in second.stdout, second.stdout[-2000:]
    assert lock in second.stdout
    assert elapsed < 15, elapsed
    first.wait(300)
    first.pump.join(5)
    assert first.returncode == 0, ''.join(first.lines)[-3000:]
    rlab.assert_cutover_complete()
    assert not os.path.exists(lock)  # released at the end of the run
    rollback_during = rlab.run('rollback', '--check')
    assert rollback_during.returncode == 0  # nothing holds the lock any more


def test_a_stale_lock_is_detected_and_taken_over(rlab):
    rlab.reset()
    dead = subprocess.Popen(['true'])
    dead.wait()
    lock = os.path.join(rlab.state_dir, UNIT + '.lock')
    os.makedirs(rlab.state_dir, exist_ok=True)
    with open(lock, 'w') as handle:
        json.dump({'pid': dead.pid, 'host': socket.gethostname(), 'cmdline': 'ansible-playbook playbooks/cutover.yml',
                   'started': '2026-11-24T03:00:00Z'}, handle)
    result = rlab.run('cutover')
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'took over a stale lock of pid %d' % dead.pid in result.stdout + result.stderr
    assert not os.path.exists(lock)
    rlab.assert_cutover_complete()


def test_a_rollback_waits_for_no_one_but_refuses_during_a_cutover(rlab):
    rlab.reset()
    first = rlab.start('cutover')
    assert rlab.wait_for(first, 'TASK [pchat.cutover.migrate')
    rollback = rlab.run('rollback')
    assert rollback.returncode != 0 and 'cutover unit is locked by' in rollback.stdout
    first.wait(300)
    first.pump.join(5)
    assert first.returncode == 0
    rlab.assert_cutover_complete()
