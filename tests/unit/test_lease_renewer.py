# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The renewer's decisions with the directory replaced by a fake: a renewal swaps exactly the last value, a failed
swap ends it, an unreachable directory is retried on a new connection, a dead holder ends it; and how it is
started (command line, environment). Against the real directory: tests/integration/test_unit_lease.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
import sys

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lease_renewer as R
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import LEASE_ATTRIBUTE, Lease

NOW = datetime.datetime(2026, 11, 28, 2, 0, 0, tzinfo=datetime.timezone.utc)
DN = 'CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com'


class FakeDirectory(object):
    """Holds one lease value; ``down`` makes every call fail as an unreachable server does."""

    instances = []
    value = None
    down = False

    def __init__(self, params):
        if FakeDirectory.down:
            raise PchatError('cannot reach the directory')
        self.params = params
        self.closed = False
        FakeDirectory.instances.append(self)

    def get_entry(self, dn, attributes=None):
        if FakeDirectory.down:
            raise PchatError('cannot reach the directory')
        if dn == '':
            return {'attributes': {'currentTime': ['20261128020100.0Z']}}
        return {'attributes': {LEASE_ATTRIBUTE: [FakeDirectory.value]}}

    def modify_if(self, dn, changes):
        if FakeDirectory.down:
            raise PchatError('cannot reach the directory')
        (delete, old), (add, new) = [(op, values[0]) for op, values in changes[LEASE_ATTRIBUTE]]
        assert (delete, add) == ('MODIFY_DELETE', 'MODIFY_ADD')
        if old != FakeDirectory.value:
            return False
        FakeDirectory.value = new
        return True

    def close(self):
        self.closed = True


@pytest.fixture
def renewal(monkeypatch):
    FakeDirectory.instances, FakeDirectory.down = [], False
    FakeDirectory.value = Lease.new('ctl-a', os.getpid(), NOW, 30).encode()
    monkeypatch.setattr(R, 'DirectoryConnection', FakeDirectory)
    config = {'connection': {'ldap_url': 'ldaps://dc'}, 'lease_dn': DN, 'value': FakeDirectory.value,
              'lease_seconds': 30, 'holder_pid': os.getpid()}
    return R.LeaseRenewal(config)


def test_a_renewal_swaps_the_last_value_for_a_later_expiry(renewal):
    first = renewal.value
    assert renewal.renew() == R.RENEWED
    assert renewal.value == FakeDirectory.value != first
    renewed = Lease.decode(renewal.value)
    assert renewed.expires == '2026-11-28T02:01:30Z'  # directory time + 30 s
    assert renewed._replace(expires=Lease.decode(first).expires) == Lease.decode(first)
    assert renewal.renew() == R.RENEWED  # from the value it wrote itself


def test_a_failed_swap_means_the_lease_is_lost_and_nothing_changes(renewal):
    other = Lease.new('ctl-b', 7, NOW, 30).encode()
    FakeDirectory.value = other
    assert renewal.renew() == R.LOST
    assert FakeDirectory.value == other


def test_an_unreachable_directory_is_retried_on_a_new_connection(renewal):
    FakeDirectory.down = True
    assert renewal.renew() == R.FAILED
    assert renewal.directory is None and FakeDirectory.instances[0].closed
    assert renewal.renew() == R.FAILED  # still down: reconnecting fails too
    FakeDirectory.down = False
    assert renewal.renew() == R.RENEWED and len(FakeDirectory.instances) == 2


def test_the_renewer_refuses_to_start_for_a_lease_that_is_not_the_given_value(monkeypatch):
    FakeDirectory.instances, FakeDirectory.down = [], False
    FakeDirectory.value = Lease.new('ctl-b', 7, NOW, 30).encode()
    monkeypatch.setattr(R, 'DirectoryConnection', FakeDirectory)
    config = {'connection': {}, 'lease_dn': DN, 'value': Lease.new('ctl-a', 1, NOW, 30).encode(),
              'lease_seconds': 30, 'holder_pid': os.getpid()}
    with pytest.raises(PchatError, match='no longer holds the value'):
        R.LeaseRenewal(config)


def test_the_renewer_refuses_to_start_for_a_holder_that_is_gone(monkeypatch):
    monkeypatch.setattr(R, 'DirectoryConnection', FakeDirectory)
    config = {'connection': {}, 'lease_dn': DN, 'value': Lease.new('ctl-a', 1, NOW, 30).encode(),
              'lease_seconds': 30, 'holder_pid': 2 ** 22 + 1}  # above pid_max: never a process
    with pytest.raises(PchatError, match='not running'):
        R.LeaseRenewal(config)


def test_run_ends_when_the_holder_is_gone_and_when_the_lease_is_lost(renewal, monkeypatch):
    monkeypatch.setattr(R.time, 'sleep', lambda seconds: None)
    checks = iter([True, True, False])
    monkeypatch.setattr(renewal, 'holder_alive', lambda: next(checks))
    renewal.run()  # returns: the holder went away (a run that had not returned would exhaust the iterator)
    lost = iter([R.LOST])
    monkeypatch.setattr(renewal, 'holder_alive', lambda: True)
    monkeypatch.setattr(renewal, 'renew', lambda: next(lost))
    monkeypatch.setattr(R.time, 'monotonic', iter(range(0, 10 ** 6, 100)).__next__)
    renewal.run()  # returns on LOST (a second renew would raise StopIteration)


def test_the_command_line_names_the_renewer_and_carries_no_setting(monkeypatch):
    command = R._command('0123abcd', DN)  # pylint: disable=protected-access
    assert command[:3] == [sys.executable, '-I', '-c'] and command[4:] == [R.MARKER, '0123abcd', DN]
    monkeypatch.setenv('PCHAT_BIND_PASSWORD', 'Env-Pa55word')
    monkeypatch.setenv('KRB5CCNAME', 'FILE:/tmp/krb5cc_0')
    environment = R._environment()  # pylint: disable=protected-access
    assert 'PCHAT_BIND_PASSWORD' not in environment and environment['KRB5CCNAME'] == 'FILE:/tmp/krb5cc_0'
    assert all(name in R.ENVIRONMENT for name in environment)
