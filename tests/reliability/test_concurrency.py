# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two runs of one unit at once, through the playbooks and the real roles: while a cutover is held inside its
import (so that it provably runs, whatever the machine's speed), a second cutover from another controller's state
folder and a rollback are refused at their lease, naming the holder, having changed nothing; the held cutover is
then killed there (the import kill point) and the next run takes its lease over with a warning naming it, and
completes. The lease protocol itself (races, expiry, renewal) is tested in tests/integration/test_unit_lease.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

from support import UNIT, Run, assert_took_over

HOLD = 30  # the held import waits this long on the emulator: the two other runs are refused well before
REFUSED_WITHIN = 30  # seconds from a refused run's start to its lease failure (ansible-playbook's start included)


def refusal(run, holder):
    """Seconds from the run's start until it printed the lease refusal naming ``holder``."""
    locked = 'unit %s is locked: another cutover or rollback of it is running (its ansible-playbook is pid %d on %s' \
        % (UNIT.legacy, holder.pid, socket.gethostname())
    seen_at = run.wait_for('the lease refusal', lambda: run.seen('is locked: another cutover'))
    run.wait_for('the refusal naming %d' % holder.pid, lambda: locked in ' '.join(run.output.split()))
    return seen_at - run.started_at


def test_a_second_cutover_and_a_rollback_are_refused_while_a_cutover_is_held_in_its_import(fresh_lab, tmp_path):
    lab = fresh_lab
    lab.arm_hold('Import-CsPersistentChatData', 'rooms:5', HOLD)
    first = Run(lab).start()
    hold = first.wait_hold('Import-CsPersistentChatData', 'rooms:5')
    pools_before = len([line for line in lab.requests() if line.get('event') == 'open'])

    second = Run(lab, extra_vars={'pchat_state_dir': str(tmp_path / 'another-controller')}).start()
    rollback = Run(lab, playbook='rollback').start()
    for run in (second, rollback):
        seconds = refusal(run, first)
        lab.figure('%s refused after' % run.playbook, seconds)
        assert seconds < REFUSED_WITHIN, seconds
    assert first.proc.poll() is None  # the held cutover still runs

    # The import kill point: killed while the emulator holds the import after its 5th room.
    first.kill()
    assert first.held_at_kill(hold, HOLD)
    # Ansible's workers run in sessions of their own, and the import's module is a worker's child: killing the
    # playbook's process group alone would leave it importing (docs/reliability.md); the controller crash reached it.
    assert [c for c in first.outside.values() if 'AnsiballZ_chat_migration' in c], first.outside
    assert len(lab.pool(UNIT.target)['rooms']) == 5
    step = lab.record(UNIT)['steps']['import']
    assert step['started'] and step['done'] is False and step['shell'] and not step.get('ended'), step
    lease = lab.lease(UNIT)
    assert lease['pid'] == first.pid  # a killed run's lease stays until taken over or expired
    for run in (second, rollback):
        assert run.finish() != 0
        assert 'TASK [pchat.cutover.preflight' not in run.output  # stopped before any phase
    assert len([line for line in lab.requests() if line.get('event') == 'open']) == pools_before  # they sent nothing

    again = Run(lab).succeed()
    assert_took_over(again, first)
    lab.assert_cut_over(UNIT)
