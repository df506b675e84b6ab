# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure parts of the unit lease: the value (encode/decode), the expiry and holder decisions, names, times, the
messages; and the protocol's branches against a small in-memory directory that applies modifies as the server
does (single-valued attribute, exact-value deletes). The real server is in tests/integration/test_unit_lease.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import subprocess
import sys

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lease as L
from ansible_collections.pchat.cutover.plugins.module_utils import local_process
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

NOW = datetime.datetime(2026, 11, 28, 2, 0, 0, tzinfo=datetime.timezone.utc)
SECRET = 'Lease-Leak-Pa55word-91c2'


def at(seconds):
    return NOW + datetime.timedelta(seconds=seconds)


# -- the value -------------------------------------------------------------------------------------------------
def test_a_new_lease_encodes_to_the_five_fields_only_and_decodes_back():
    lease = L.Lease.new('ctl-a', 4242, NOW, 300)
    text = lease.encode()
    data = json.loads(text)
    assert sorted(data) == ['expires', 'host', 'pid', 'run', 'started']  # no worker yet: the optional ones left out
    assert data['started'] == '2026-11-28T02:00:00Z' and data['expires'] == '2026-11-28T02:05:00Z'
    assert L.Lease.decode(text) == lease
    assert ' ' not in text  # compact: the exact string is what a compare-and-swap names


def test_every_lease_has_its_own_run_id():
    runs = set(L.Lease.new('ctl-a', 1, NOW, 300).run for _count in range(200))
    assert len(runs) == 200
    assert all(run == run.lower() for run in runs)  # adminDescription compares case-insensitively


def test_renewal_changes_only_the_expiry():
    lease = L.Lease.new('ctl-a', 4242, NOW, 300)
    renewed = lease.renewed(at(100), 300)
    assert renewed.expires == '2026-11-28T02:06:40Z'
    assert renewed._replace(expires=lease.expires) == lease
    assert renewed.encode() != lease.encode()


def test_a_renewal_by_a_working_module_names_it_and_what_it_does():
    lease = L.Lease.new('ctl-a', 4242, NOW, 300).renewed(at(10), 300, worker=5150, work='import: 5 of 18 rooms')
    data = json.loads(lease.encode())
    assert data['worker'] == 5150 and data['work'] == 'import: 5 of 18 rooms'
    assert L.Lease.decode(lease.encode()) == lease
    assert 'module pid 5150 is working: import: 5 of 18 rooms' in lease.describe()
    assert 'worker' not in json.loads(lease.renewed(at(20), 300).encode())  # the next phase's renewal clears it
    long_work = L.Lease.new('ctl-a', 1, NOW, 300).renewed(NOW, 300, worker=2, work='x' * 5000)
    assert len(long_work.work) == L.MAX_WORK_CHARS


@pytest.mark.parametrize('text, why', [
    ('', 'not JSON'),
    ('hello', 'not JSON'),
    ('[1, 2]', 'not a JSON object'),
    ('{"host": "a", "pid": 1, "started": "2026-11-28T02:00:00Z", "expires": "2026-11-28T02:05:00Z"}', 'run'),
    ('{"host": "", "pid": 1, "run": "r", "started": "2026-11-28T02:00:00Z", "expires": "2026-11-28T02:05:00Z"}', 'host'),
    ('{"host": "a", "pid": "1", "run": "r", "started": "2026-11-28T02:00:00Z", "expires": "2026-11-28T02:05:00Z"}', 'pid'),
    ('{"host": "a", "pid": true, "run": "r", "started": "2026-11-28T02:00:00Z", "expires": "2026-11-28T02:05:00Z"}', 'pid'),
    ('{"host": "a", "pid": 0, "run": "r", "started": "2026-11-28T02:00:00Z", "expires": "2026-11-28T02:05:00Z"}', 'pid'),
    ('{"host": "a", "pid": 1, "run": "r", "started": "yesterday", "expires": "2026-11-28T02:05:00Z"}', 'started'),
    ('{"host": "a", "pid": 1, "run": "r", "started": "2026-11-28T02:00:00Z", "expires": "2026-11-28 02:05"}', 'expires'),
])
def test_values_that_are_not_leases_are_refused(text, why):
    with pytest.raises(L.LeaseValueError) as info:
        L.Lease.decode(text)
    assert why in str(info.value)


def test_fields_beyond_the_five_are_dropped_so_they_are_never_shown():
    text = json.dumps({'host': 'ctl-a', 'pid': 7, 'run': 'r1', 'started': '2026-11-28T02:00:00Z',
                       'expires': '2026-11-28T02:05:00Z',
                       'cmdline': 'ansible-playbook cutover.yml -e pchat_ldap_bind_password=%s' % SECRET})
    lease = L.Lease.decode(text)
    assert SECRET not in repr(lease) + json.dumps(lease.holder()) + lease.describe()
    assert SECRET not in L.held_message('gc.contoso.com', 'CN=x', lease)
    assert SECRET not in L.takeover_warning('gc.contoso.com', lease, L.EXPIRED)


def test_a_value_longer_than_the_attribute_holds_is_refused_before_writing():
    L.Lease.new('h' * 255, 2 ** 22, NOW, 300).encode()  # the longest host name fits
    with pytest.raises(PchatError, match='shorter host name'):
        L.Lease.new('h' * 1000, 1, NOW, 300).encode()


# -- decisions -------------------------------------------------------------------------------------------------
def running(*pids):
    return lambda pid: pid in pids


@pytest.mark.parametrize('holder, now, alive, run, verdict', [
    (('ctl-a', 10), 0, (10,), 'mine', L.OURS),  # this run (its run id)
    (('ctl-a', 10), 999, (), 'mine', L.OURS),  # ours even if it expired: re-asserted, not taken over
    (('ctl-a', 10), 0, (10,), None, L.LIVE),  # same host and pid, but no run id: another inventory host of the run
    (('ctl-b', 10), 0, (), None, L.LIVE),  # another host: cannot be looked at, live until it expires
    (('ctl-b', 10), 299, (), None, L.LIVE),
    (('ctl-b', 10), 300, (), None, L.EXPIRED),  # expiry is inclusive
    (('ctl-b', 10), 301, (), None, L.EXPIRED),
    (('ctl-a', 11), 0, (11,), None, L.LIVE),  # same host, that pid runs
    (('ctl-a', 11), 0, (), None, L.DEAD),  # same host, that pid is gone: no need to wait for the expiry
    (('ctl-a', 11), 300, (), None, L.EXPIRED),
    (('ctl-a', 11, 12), 0, (12,), None, L.WORKING),  # the run is gone, its module still works: wait for it
    (('ctl-a', 11, 12), 0, (), None, L.DEAD),  # both gone
    (('ctl-a', 11, 12), 0, (11, 12), None, L.LIVE),
    (('ctl-b', 11, 12), 0, (), None, L.LIVE),  # another host's module cannot be looked at
])
def test_judge(holder, now, alive, run, verdict):
    lease = L.Lease.new(holder[0], holder[1], NOW, 300, run='mine' if run == 'mine' else None)
    if len(holder) > 2:
        lease = lease._replace(worker=holder[2], work='import')
    assert L.judge(lease, at(now), 'ctl-a', running(*alive), run=run) == verdict


# -- names, times, options -------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['gc.contoso.com', 'GC.Contoso.COM', ' gc.contoso.com. ', 'gc.contoso.com.'])
def test_spellings_of_one_pool_are_one_unit(name):
    assert L.normalize_unit(name) == 'gc.contoso.com'


@pytest.mark.parametrize('name', ['', '   ', '.', 'gc\ncontoso', 'gc\x00'])
def test_empty_or_control_character_names_are_refused(name):
    with pytest.raises(PchatError, match='name'):
        L.normalize_unit(name)


def test_long_unit_names_get_a_distinct_short_cn():
    first, second = 'a' * 70 + '.contoso.com', 'a' * 70 + '.fabrikam.com'
    assert len(L.lease_cn(first)) == L.MAX_CN_CHARS
    assert L.lease_cn(first) != L.lease_cn(second)
    assert L.lease_cn('gc.contoso.com') == 'gc.contoso.com'


def test_the_default_container_is_under_program_data():
    assert L.default_container('DC=contoso,DC=com') == 'CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com'


@pytest.mark.parametrize('text, expected', [
    ('20261128020000.0Z', NOW), ('20261128020000Z', NOW), ('20261128020000.123Z', NOW)])
def test_directory_time(text, expected):
    assert L.parse_generalized_time(text) == expected


@pytest.mark.parametrize('text', ['', '2026-11-28T02:00:00Z', '20261128020000+0100'])
def test_directory_times_that_are_not_utc_generalized_time_are_refused(text):
    with pytest.raises(ValueError):
        L.parse_generalized_time(text)


@pytest.mark.parametrize('seconds, ok', [(2, False), (3, True), (300, True), (86400, True), (86401, False), (0, False)])
def test_lease_seconds_bounds(seconds, ok):
    if ok:
        assert L.check_lease_seconds(seconds) == seconds
    else:
        with pytest.raises(PchatError, match='lease_seconds'):
            L.check_lease_seconds(seconds)


def test_messages_name_the_unit_the_holder_and_what_to_do():
    lease = L.Lease.new('ctl-b', 4242, NOW, 300)
    held = L.held_message('gc.contoso.com', 'CN=gc.contoso.com,CN=x', lease)
    for text in ('gc.contoso.com', 'pid 4242 on ctl-b since 2026-11-28T02:00:00Z', 'expires at 2026-11-28T02:05:00Z',
                 'Wait for that run to finish', 'CN=gc.contoso.com,CN=x'):
        assert text in held
    assert 'its lease expired at 2026-11-28T02:05:00Z' in L.takeover_warning('gc.contoso.com', lease, L.EXPIRED)
    assert 'no longer running on this host' in L.takeover_warning('gc.contoso.com', lease, L.DEAD)


# -- local processes -------------------------------------------------------------------------------------------
def test_a_zombie_or_reaped_process_is_not_running():
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=10)
    while local_process.running(child.pid) and datetime.datetime.now() < deadline:  # exits, not yet reaped
        pass
    assert not local_process.running(child.pid)
    child.wait()
    assert not local_process.running(child.pid)
    assert local_process.running(local_process.os.getpid())


def test_without_ansible_playbook_above_the_holder_is_the_parent():
    code = 'from ansible_collections.pchat.cutover.plugins.module_utils import local_process; ' \
           'print(local_process.playbook_pid())'
    env = dict(local_process.os.environ, PYTHONPATH=':'.join(sys.path))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, env=env)
    assert int(out.stdout) == local_process.os.getpid()


# -- the protocol's branches, on a directory that behaves like the server -------------------------------------
class FakeDirectory(object):
    """One single-valued attribute per entry; modifies apply whole or not at all, as the server does."""

    def __init__(self, clock):
        self.entries = {}
        self.clock = clock
        self.writes = 0

    def root_dse(self):
        return {'attributes': {'defaultNamingContext': ['DC=contoso,DC=com']}}

    def get_entry(self, dn, attributes=None):
        if dn == '':
            return {'attributes': {'currentTime': [self.clock[0].strftime('%Y%m%d%H%M%S.0Z')]}}
        if dn not in self.entries:
            return None
        return {'dn': dn, 'attributes': dict(self.entries[dn])}

    def exists(self, dn):
        return dn in self.entries

    def create_if_missing(self, dn, classes, attributes):
        self.writes += 1
        if dn in self.entries:
            return False
        self.entries[dn] = dict((k, [v]) for k, v in attributes.items())
        return True

    def modify_if(self, dn, changes):
        self.writes += 1
        values = list(self.entries[dn].get(L.LEASE_ATTRIBUTE, []))
        for operation, operands in changes[L.LEASE_ATTRIBUTE]:
            for operand in operands:
                if operation == L.MODIFY_DELETE:
                    if operand not in values:
                        return False
                    values.remove(operand)
                elif values:
                    return False
                else:
                    values.append(operand)
        self.entries[dn][L.LEASE_ATTRIBUTE] = values
        return True


@pytest.fixture
def clock():
    return [NOW]


@pytest.fixture
def fake(clock):
    return FakeDirectory(clock)


def lease_for(fake, host, pid, alive=()):
    return L.UnitLease(fake, 'GC.contoso.com', lease_seconds=300, host=host, pid=pid, pid_running=running(*alive))


def test_first_acquire_creates_the_container_and_the_lease_object_with_the_value(fake):
    taken = lease_for(fake, 'ctl-a', 10).acquire()
    dn = 'CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com'
    assert 'CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com' in fake.entries
    assert fake.entries[dn][L.LEASE_ATTRIBUTE] == [taken.value]
    assert taken.previous is None and taken.reason is None


def test_a_live_holder_on_another_host_is_refused_and_nothing_is_written(fake, clock):
    lease_for(fake, 'ctl-a', 10).acquire()
    writes = fake.writes
    clock[0] = at(299)
    with pytest.raises(L.LeaseHeld) as info:
        lease_for(fake, 'ctl-b', 10).acquire()
    assert 'pid 10 on ctl-a' in info.value.msg and info.value.details['holder']['host'] == 'ctl-a'
    assert fake.writes == writes


def test_an_expired_lease_is_taken_over_by_compare_and_swap(fake, clock):
    first = lease_for(fake, 'ctl-a', 10).acquire()
    clock[0] = at(300)
    second = lease_for(fake, 'ctl-b', 20).acquire()
    assert second.previous == first.lease and second.reason == L.EXPIRED
    assert L.Lease.decode(fake.entries[lease_for(fake, 'x', 1).dn][L.LEASE_ATTRIBUTE][0]).host == 'ctl-b'


def test_a_dead_holder_on_this_host_is_taken_over_at_once(fake):
    lease_for(fake, 'ctl-a', 10).acquire()
    taken = lease_for(fake, 'ctl-a', 11, alive=()).acquire()
    assert taken.reason == L.DEAD and taken.previous.pid == 10
    with pytest.raises(L.LeaseHeld):
        lease_for(fake, 'ctl-a', 12, alive=(11,)).acquire()


def test_a_second_inventory_host_of_the_same_run_naming_the_unit_is_refused(fake):
    lease_for(fake, 'ctl-a', 10, alive=(10,)).acquire()
    writes = fake.writes
    with pytest.raises(L.LeaseHeld) as info:
        lease_for(fake, 'ctl-a', 10, alive=(10,)).acquire()
    assert 'named by two inventory hosts of this same ansible-playbook run' in info.value.msg
    assert fake.writes == writes


def test_a_gone_run_whose_module_still_works_is_busy_not_taken(fake):
    unit = lease_for(fake, 'ctl-a', 10, alive=(10, 77))
    first = unit.acquire()
    unit.renew(first.lease.run, worker=77, work='import: 3 of 20 rooms')
    writes = fake.writes
    with pytest.raises(L.LeaseBusy) as info:
        lease_for(fake, 'ctl-a', 11, alive=(77,)).acquire()  # the run (pid 10) is gone, its module 77 is not
    assert 'is still working: import: 3 of 20 rooms' in info.value.msg and fake.writes == writes
    taken = lease_for(fake, 'ctl-a', 11, alive=()).acquire()  # once the module is gone too
    assert taken.reason == L.DEAD and taken.previous.worker == 77


def test_renewal_by_the_run_id_and_the_fence_of_a_run_that_lost_the_unit(fake, clock):
    first = lease_for(fake, 'ctl-a', 10).acquire()
    unit = lease_for(fake, 'ctl-a', 99)  # a module of the run: its own pid, the run's id
    clock[0] = at(100)
    renewed = unit.renew(first.lease.run, worker=99, work='export')
    assert renewed.expires == '2026-11-28T02:06:40Z' and renewed.worker == 99 and renewed.pid == 10
    assert unit.held_by(first.lease.run) and not unit.held_by('someone-else')
    clock[0] = at(500)
    second = lease_for(fake, 'ctl-b', 20).acquire()  # expired: another controller takes the unit over
    assert second.reason == L.EXPIRED
    writes = fake.writes
    with pytest.raises(L.LeaseLost) as info:
        unit.renew(first.lease.run, worker=99)
    assert 'no longer this run\'s' in info.value.msg and 'pid 20 on ctl-b' in info.value.msg
    assert fake.writes == writes and not unit.held_by(first.lease.run)


def test_a_value_that_is_not_a_lease_fails_closed_without_showing_it(fake):
    unit = lease_for(fake, 'ctl-a', 10)
    unit.acquire()
    fake.entries[unit.dn][L.LEASE_ATTRIBUTE] = ['password=%s' % SECRET]
    with pytest.raises(PchatError) as info:
        lease_for(fake, 'ctl-b', 10).acquire()
    assert 'not a pchat.cutover lease' in info.value.msg and unit.dn in info.value.msg
    assert SECRET not in info.value.msg


def test_release_deletes_only_this_runs_value(fake):
    unit = lease_for(fake, 'ctl-a', 10)
    taken = unit.acquire()
    foreign = lease_for(fake, 'ctl-b', 10).release('another-run')
    assert foreign.released is False and foreign.holder.host == 'ctl-a'
    assert fake.entries[unit.dn][L.LEASE_ATTRIBUTE]
    mine = unit.release(taken.lease.run)
    assert mine.released is True and mine.holder.host == 'ctl-a'
    assert fake.entries[unit.dn][L.LEASE_ATTRIBUTE] == []
    assert unit.release(taken.lease.run) == L.Released(False, None)


def test_a_renewal_just_before_the_release_is_caught_by_reading_again(fake, clock):
    unit = lease_for(fake, 'ctl-a', 10)
    run = unit.acquire().lease.run
    real_modify = fake.modify_if
    deletes = []

    def renewed_first(dn, changes):  # a module's last renewal lands between the release's read and its delete
        if [operation for operation, _values in changes[L.LEASE_ATTRIBUTE]] == [L.MODIFY_DELETE]:
            deletes.append(changes[L.LEASE_ATTRIBUTE][0][1][0])
            if len(deletes) == 1:
                clock[0] = at(100)
                unit.renew(run, worker=12)
        return real_modify(dn, changes)
    fake.modify_if = renewed_first
    assert unit.release(run).released is True
    assert fake.entries[unit.dn][L.LEASE_ATTRIBUTE] == []
    assert len(deletes) == 2 and deletes[0] != deletes[1]  # the stale value's delete refused, the renewed one's done


def test_a_lease_that_keeps_changing_hands_ends_in_a_clear_failure(fake, clock):
    unit = lease_for(fake, 'ctl-a', 10)
    other = lease_for(fake, 'ctl-b', 20)
    other.acquire()
    clock[0] = at(400)  # expired every time we look, and someone else swaps it first every time
    real_swap = unit.swap

    def lose(old, new):
        other_value = L.Lease.new('ctl-c', 30, at(100), 300).encode()  # expired too: the next read retries
        assert real_swap(old, other_value)
        return real_swap(old, new)
    unit.swap = lose
    with pytest.raises(PchatError, match='changed hands 5 times'):
        unit.acquire()
