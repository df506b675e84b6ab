# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults: the cutover killed (SIGKILL of ansible-playbook and everything it started) at many points, then run
again, always completes with nothing lost or duplicated, the backup present and the SIP URI owned by exactly one
object. And the directory going away in the middle of a phase."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import signal
import time

import pytest

from conftest import LAB_DIR

TOTAL = 150000

# (name, task header to wait for, extra condition): the run is killed as soon as both hold.
KILL_POINTS = [
    ('preflight', 'pchat.cutover.preflight : Find who owns the well-known SIP URI', None),
    ('disable', 'pchat.cutover.disable : Disable the legacy Group Chat pool on every server', 0.2),
    ('migrate, 5% copied', "pchat.cutover.migrate : Migrate the legacy pool's data", ('messages', 0.05)),
    ('migrate, 35% copied', "pchat.cutover.migrate : Migrate the legacy pool's data", ('messages', 0.35)),
    ('migrate, 70% copied', "pchat.cutover.migrate : Migrate the legacy pool's data", ('messages', 0.70)),
    ('migrate, all copied, verifying', "pchat.cutover.migrate : Migrate the legacy pool's data", ('messages', 1.0)),
    ('migrate, recording room counts', 'pchat.cutover.unit_state : Write the unit state file', None),
    ('delete', 'pchat.cutover.delete : Back up and delete the well-known user', 0.3),
    ('between delete and recreate', 'pchat.cutover.recreate : Create the legacy endpoint', None),
    ('recreate', 'pchat.cutover.recreate : Create the legacy endpoint', 0.4),
    ('start', "pchat.cutover.start : Start the Persistent Chat service", 0.2),
    ('verify', 'pchat.cutover.verify : Read both pools', None),
    ('report', 'pchat.cutover.report', None),
]


def kill_at(rlab, header, condition):
    proc = rlab.start('cutover')
    assert rlab.wait_for(proc, 'TASK [' + header), 'the run ended before %r:\n%s' % (header, ''.join(proc.lines)[-3000:])
    if isinstance(condition, float):
        time.sleep(condition)
    elif condition:
        wanted = int(TOTAL * condition[1])
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None and rlab.migrated() < wanted:
            time.sleep(0.005)
    returncode = rlab.kill(proc)
    return returncode, ''.join(proc.lines)


@pytest.mark.parametrize('name, header, condition', KILL_POINTS, ids=[p[0] for p in KILL_POINTS])
def test_killed_then_run_again_completes(rlab, name, header, condition):
    rlab.reset()
    returncode, output = kill_at(rlab, header, condition)
    assert returncode == -signal.SIGKILL, 'the run finished before it was killed at %s:\n%s' % (name, output[-2000:])
    if condition and not isinstance(condition, float) and condition[1] < 1.0:
        assert 0 < rlab.migrated() < TOTAL, 'not killed mid-migration: %d messages copied' % rlab.migrated()
    again = rlab.run('cutover')
    assert again.returncode == 0, again.stdout[-4000:]
    assert 'verify : Show the verification' in again.stdout
    rlab.assert_cutover_complete()


def test_directory_down_mid_phase_is_a_clear_error_then_completes(rlab):
    from lab import samba  # pylint: disable=import-outside-toplevel
    from lab.config import LabConfig  # pylint: disable=import-outside-toplevel
    rlab.reset()
    proc = rlab.start('cutover')
    assert rlab.wait_for(proc, 'TASK [pchat.cutover.delete : Back up and delete the well-known user')
    samba.stop(LabConfig({'LAB_DIR': LAB_DIR}))
    proc.wait(300)
    proc.pump.join(5)
    output = ''.join(proc.lines)
    assert proc.returncode != 0
    assert 'cannot reach the directory at ldaps://127.0.0.1:636' in output, output[-3000:]
    from conftest import SIZES, lab_command  # pylint: disable=import-outside-toplevel
    lab_command('up', LAB_DIR, **SIZES)
    again = rlab.run('cutover')
    assert again.returncode == 0, again.stdout[-4000:]
    rlab.assert_cutover_complete()
