# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit lock never records or prints the holder's command line: a password given with ``-e`` must not reach the
lock file, the task output (at -vvv) or the message that names a live or stale holder."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

SECRET = 'Lock-Leak-Pa55word-7f3a'
BIN = os.path.dirname(sys.executable)

PLAYBOOK = textwrap.dedent('''\
    - hosts: localhost
      gather_facts: false
      vars:
        ansible_python_interpreter: "{{ ansible_playbook_python }}"
      tasks:
        - name: Take the lock
          pchat.cutover.unit_lock:
            path: "{{ lock_path }}"
          register: taken
        - name: Show what the lock holds
          ansible.builtin.debug:
            var: taken
    ''')


def _play(tmp_path, *extra):
    playbook = tmp_path / 'lock.yml'
    playbook.write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='default', ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    return subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', '-vvv',
                           str(playbook), '-e', 'lock_path=%s' % (tmp_path / 'unit.lock'),
                           '-e', 'pchat_psrp_password=%s' % SECRET] + list(extra),
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_a_password_given_with_extra_vars_is_not_in_the_lock_nor_the_output(tmp_path):
    result = _play(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert '"pid"' in result.stdout  # the holder was printed, and it is the only thing that could carry the secret
    assert SECRET not in result.stdout + result.stderr
    lock = json.loads((tmp_path / 'unit.lock').read_text())
    assert sorted(lock) == ['host', 'pid', 'started'], lock
    assert SECRET not in json.dumps(lock)


def test_a_stale_lock_written_with_a_command_line_is_taken_over_without_printing_it(tmp_path):
    dead = subprocess.Popen(['true'])
    dead.wait()
    (tmp_path / 'unit.lock').write_text(json.dumps({
        'pid': dead.pid, 'host': socket.gethostname(), 'started': '2026-11-24T03:00:00Z',
        'cmdline': 'ansible-playbook cutover.yml -e pchat_bind_password=%s' % SECRET}))
    result = _play(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'took over a stale lock of pid %d' % dead.pid in result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.fixture
def live_holder():
    # A live process whose command line names ansible: the lock module takes it for a running playbook.
    proc = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', 'ansible-playbook',
                             'pchat_bind_password=%s' % SECRET])
    yield proc
    proc.kill()
    proc.wait()


def test_a_live_holder_is_named_without_its_command_line(tmp_path, live_holder):
    (tmp_path / 'unit.lock').write_text(json.dumps({
        'pid': live_holder.pid, 'host': socket.gethostname(), 'started': '2026-11-24T03:00:00Z',
        'cmdline': 'ansible-playbook cutover.yml -e pchat_bind_password=%s' % SECRET}))
    result = _play(tmp_path)
    assert result.returncode != 0
    assert 'cutover unit is locked by ansible-playbook (pid %d' % live_holder.pid in result.stdout
    assert SECRET not in result.stdout + result.stderr
