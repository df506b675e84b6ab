# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit lock never records or prints a command line or a secret: a password given with ``-e`` or in the
environment is not in the task output (at -vvv), the lease value, nor any file of the run; a holder record that
carries a command line (written by something else) is never echoed when it is named.

The lease lives in the directory now, so this needs the lab (it was tests/unit/test_unit_lock_secrets.py when the
lock was a local file)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import time
import uuid

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lease as L
from lease_support import ROOT, LabDirectory, Playbook, new_container, wait_until, warnings_of
from module_runner import run_module

UNIT = 'gc.contoso.com'
# given with -e as in the original report; the lock must not copy it. Random, so that no other file can hold it
PSRP_SECRET = 'Lock-Leak-Pa55word-%s' % uuid.uuid4().hex[:12]


@pytest.fixture(scope='session')
def lab_dir(lab):
    return LabDirectory(lab)


@pytest.fixture
def container(lab_dir):
    dn = new_container()
    yield dn
    lab_dir.delete_tree(dn)


def lease_dn(container):
    return 'CN=%s,%s' % (UNIT, container)


def secrets_of(lab_dir):
    return [lab_dir.password, PSRP_SECRET]


def assert_clean(lab_dir, what, text):
    for secret in secrets_of(lab_dir):
        assert secret not in (text or ''), 'a secret is in %s' % what


def files_under(path, since=0.0, skip=()):
    """(path, text) of the regular files under ``path`` changed since ``since``, outside the folders ``skip``."""
    for folder, dirs, names in os.walk(str(path)):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
        for name in names:
            full = os.path.join(folder, name)
            try:
                if not os.path.isfile(full) or os.path.islink(full) or os.path.getmtime(full) < since:
                    continue
                with open(full, 'rb') as handle:
                    yield full, handle.read(4 * 1024 * 1024).decode('utf-8', 'replace')
            except OSError:
                continue  # gone meanwhile (another process's temporary file)


def hold_with_playbook(lab_dir, tmp_path, container, env, extra):
    playbook = Playbook(tmp_path, env, UNIT, container, 30, extra=extra)
    held = wait_until(lambda: lab_dir.lease(lease_dn(container)), 60, 0.2)
    assert held, playbook.output()[-3000:]
    assert playbook.at_work(), playbook.output()[-3000:]
    return playbook


def test_a_password_given_with_extra_vars_is_in_no_output_lease_or_file(lab_dir, container, tmp_path):
    since = time.time() - 1
    env = dict(lab_dir.env, PCHAT_LDAP_BIND_PASSWORD=None)  # the bind password only through -e
    extra = ['-e', 'lab_bind_password=%s' % lab_dir.password, '-e', 'pchat_psrp_password=%s' % PSRP_SECRET]
    playbook = hold_with_playbook(lab_dir, tmp_path, container, env, extra)
    try:
        assert_clean(lab_dir, 'the lease', lab_dir.value(lease_dn(container)))
        assert sorted(json.loads(lab_dir.value(lease_dn(container)))) == ['expires', 'host', 'pid', 'run', 'started']
        assert playbook.finish() == 0, playbook.output()[-3000:]
    finally:
        playbook.close()
    output = playbook.output()
    assert '"pid"' in output and '"run"' in output  # the holder was printed: the only thing that could carry it
    assert_clean(lab_dir, 'the -vvv output', output)
    # every file of the run's folder (its HOME, TMPDIR and Ansible's temporary folders are in it) and every file
    # of the checkout written meanwhile, but for the lab's own secret files
    skip = [os.path.join(ROOT, name) for name in ('.git', '.venv', '.lab')] + [os.environ.get('LAB_DIR', '')]
    checked = 0
    for folder, changed_since in ((tmp_path, 0.0), (ROOT, since)):
        for path, text in files_under(folder, changed_since, skip):
            if path == playbook.out.name:
                continue  # the output, checked above
            assert_clean(lab_dir, path, text)
            checked += 1
    assert checked >= 2  # the playbook and its go-on file at least: the scan saw this run's files
    print('\n%d files written during the run checked' % checked)


def holder_with_a_command_line(lab_dir, host, expired):
    now = lab_dir.now()
    started = now - datetime.timedelta(seconds=600 if expired else 10)
    record = L.Lease.new(host, 4242, started, 300).holder()
    record['cmdline'] = 'ansible-playbook cutover.yml -e pchat_ldap_bind_password=%s -e x=%s' % (
        lab_dir.password, PSRP_SECRET)
    return json.dumps(record)


def test_an_expired_holder_record_with_a_command_line_is_taken_over_without_echoing_it(lab_dir, container):
    lab_dir.conn.add(container, ['top', 'container'])
    lab_dir.set_value(lease_dn(container), holder_with_a_command_line(lab_dir, 'ctl-old', expired=True))
    taken = run_module('unit_lock', dict(name=UNIT, container=container, lease_seconds=30), env=lab_dir.env)
    assert not taken.failed, taken
    warning = ' '.join(warnings_of(taken))
    assert 'took over the lease of unit gc.contoso.com from pid 4242 on ctl-old' in warning
    assert sorted(taken['stale_holder']) == ['expires', 'host', 'pid', 'run', 'started']
    assert_clean(lab_dir, 'the result', taken.stdout + taken.stderr)


def test_a_live_holder_record_with_a_command_line_is_named_without_it(lab_dir, container):
    lab_dir.conn.add(container, ['top', 'container'])
    lab_dir.set_value(lease_dn(container), holder_with_a_command_line(lab_dir, 'ctl-live', expired=False))
    refused = run_module('unit_lock', dict(name=UNIT, container=container, lease_seconds=30), env=lab_dir.env)
    assert refused.failed and 'pid 4242 on ctl-live' in refused['msg']
    assert_clean(lab_dir, 'the failure', refused.stdout + refused.stderr)
