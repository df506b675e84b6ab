# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit lease against the lab's real Samba AD: one cutover or rollback of a unit at a time across controllers.

Controllers are stand-ins (lease_controller.py) in their own UTS namespaces, so each has its own host name, and
each is the holder of the leases its module runs take; the playbook tests use a real ansible-playbook. Every wait is
bounded. Numbers are printed (pytest -s) and summed up in docs/reliability.md.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import socket
import threading
import time

import ldap3
import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import lease as L
from ansible_collections.pchat.cutover.plugins.module_utils import local_process
from ansible_collections.pchat.cutover.plugins.module_utils.directory_connection import DirectoryConnection
from lease_support import Controller, LabDirectory, Playbook, new_container, wait_until, warnings_of
from module_runner import run_module

UNIT = 'gc.contoso.com'
LEASE = 6  # seconds: a module holding it renews it every 2 s
ROUNDS = 20  # at least, per race test
MAX_ROUNDS = 60
COLLISIONS = 3  # rounds that raced at the server, wanted before stopping after ROUNDS


@pytest.fixture(scope='session')
def lab_dir(lab):
    return LabDirectory(lab)


@pytest.fixture
def container(lab_dir):
    """A container of leases of this test's own (created by the first acquire), removed afterwards with its
    leases."""
    dn = new_container()
    yield dn
    lab_dir.delete_tree(dn)


@pytest.fixture
def controllers(lab_dir):
    started = []

    def start(host):
        controller = Controller(host, dict(lab_dir.env, PATH='/usr/bin:/bin:/usr/sbin:/sbin'))
        started.append(controller)
        return controller
    yield start
    for controller in started:
        controller.close()


def lock(container, state='acquired', name=UNIT, **extra):
    return dict(name=name, container=container, state=state, lease_seconds=LEASE, **extra)


def acquire(lab_dir, container, check_mode=False, **kw):
    return run_module('unit_lock', lock(container, **kw), env=lab_dir.env, check_mode=check_mode)


def lease_dn(container, unit=UNIT):
    return 'CN=%s,%s' % (unit, container)


def assert_no_secret(lab_dir, *texts):
    for text in texts:
        assert lab_dir.password not in (text or '')


# -- one controller --------------------------------------------------------------------------------------------
def test_acquire_release_and_acquire_again(lab_dir, container):
    taken = acquire(lab_dir, container)
    assert not taken.failed and taken['changed'] is True, taken  # it wrote to AD (the roles say changed_when: false)
    assert lab_dir.entry(container, ('1.1',)) is not None  # the container was created when missing
    stored = lab_dir.lease(lease_dn(container))
    assert stored == taken['holder']
    assert stored['host'] == socket.gethostname()
    assert stored['pid'] == local_process.os.getpid()  # the holder is the module's parent: this test process
    assert taken['lease'] == {'unit': UNIT, 'run': stored['run'], 'container': container, 'seconds': LEASE}

    released = acquire(lab_dir, container, state='released', lease=taken['lease'])
    assert released['released'] is True and released['changed'] is True
    assert lab_dir.value(lease_dn(container)) is None

    again = acquire(lab_dir, container)
    assert not again.failed and again['holder']['run'] != taken['holder']['run']
    assert again['stale_holder'] is None
    assert_no_secret(lab_dir, taken.stdout, taken.stderr, released.stdout, again.stdout, json.dumps(stored))


def test_the_same_run_renews_with_its_handle_and_a_second_unit_of_the_run_is_refused(lab_dir, container):
    first = acquire(lab_dir, container)
    time.sleep(1.1)
    renewed = acquire(lab_dir, container, lease=first['lease'])  # a phase boundary of the same run
    assert not renewed.failed and renewed['holder']['run'] == first['holder']['run']
    assert renewed['holder']['expires'] > first['holder']['expires']
    # the same ansible-playbook without the handle: another inventory host naming the same legacy pool
    second = acquire(lab_dir, container)
    assert second.failed and 'named by two inventory hosts of this same ansible-playbook run' in second['msg']
    assert lab_dir.lease(lease_dn(container))['run'] == first['holder']['run']


def test_release_twice_and_release_of_nothing_are_harmless(lab_dir, container):
    nothing = acquire(lab_dir, container, state='released')
    assert nothing['released'] is False and nothing['holder'] is None and not nothing.failed
    taken = acquire(lab_dir, container)
    assert acquire(lab_dir, container, state='released', lease=taken['lease'])['released'] is True
    assert acquire(lab_dir, container, state='released', lease=taken['lease'])['released'] is False


def test_check_mode_reads_and_says_what_it_would_do(lab_dir, container):
    preview = acquire(lab_dir, container, check_mode=True)
    assert not preview.failed and preview['changed'] is True and preview['holder'] is None
    assert lab_dir.entry(lease_dn(container), ('1.1',)) is None  # nothing written (the roles run it for real)
    taken = acquire(lab_dir, container)
    release = acquire(lab_dir, container, state='released', lease=taken['lease'], check_mode=True)
    assert release['released'] is True and lab_dir.lease(lease_dn(container)) == taken['holder']


def test_two_spellings_of_one_pool_share_one_lease(lab_dir, container, controllers):
    other = controllers('ctl-b')
    assert not acquire(lab_dir, container, name='GC.Contoso.com.').failed
    refused = other.run(lock(container, name='gc.contoso.com'))['result']
    assert refused.get('failed') and 'unit gc.contoso.com is locked' in refused['msg']


def test_a_module_given_the_lease_holds_it_while_it_works(lab_dir, container):
    """The lease keeper: a module of the run renews the lease before it does anything, naming itself the worker,
    and then every third of its length while it works."""
    taken = acquire(lab_dir, container)
    time.sleep(1.1)
    read = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'lease': taken['lease']},
                      env=lab_dir.env)
    assert not read.failed, read
    held = lab_dir.lease(lease_dn(container))
    assert held['run'] == taken['holder']['run'] and held['expires'] > taken['holder']['expires']
    assert held['worker'] != held['pid']  # the module's own pid


def test_a_module_of_a_run_that_lost_the_unit_writes_nothing(lab_dir, container):
    """The fence: the lease expired and another run took the unit over; a module of the first run, handed the old
    run id, stops before its first write (here: the delete of a user) and names who holds the unit now."""
    taken = acquire(lab_dir, container)
    other = L.Lease.new('ctl-other', 4242, lab_dir.now(), 300).encode()
    lab_dir.set_value(lease_dn(container), other)  # as if another run had taken it over after an expiry
    name = 'pyfence%d' % local_process.os.getpid()
    dn = 'CN=%s,CN=Users,DC=contoso,DC=com' % name
    assert lab_dir.conn.add(dn, ['top', 'person', 'organizationalPerson', 'user'], {'sAMAccountName': name[:20]}), \
        lab_dir.conn.result
    try:
        stale = run_module('directory_user', {'dn': dn, 'state': 'absent', 'lease': taken['lease']}, env=lab_dir.env)
        assert stale.failed and "no longer this run's" in stale['msg'] and 'pid 4242 on ctl-other' in stale['msg']
        assert lab_dir.entry(dn, ('1.1',)) is not None  # not deleted
        assert lab_dir.value(lease_dn(container)) == other  # and the lease left as the other run holds it
    finally:
        lab_dir.conn.delete(dn)


def test_a_live_holder_is_refused_with_a_message_that_names_it(lab_dir, container, controllers):
    holder = controllers('ctl-a')
    taken = holder.run(lock(container))['result']
    assert not taken.get('failed'), taken
    started = time.monotonic()
    refused = acquire(lab_dir, container)
    elapsed = time.monotonic() - started
    assert refused.failed
    msg = refused['msg']
    for text in ('unit gc.contoso.com is locked', 'pid %d on ctl-a since %s' % (holder.pid, taken['holder']['started']),
                 'expires at %s' % taken['holder']['expires'], 'Wait for that run to finish', lease_dn(container)):
        assert text in msg, msg
    assert refused['details']['holder'] == taken['holder']
    assert lab_dir.lease(lease_dn(container)) == taken['holder']  # nothing written
    assert elapsed < 5, elapsed
    # and the release from a run that does not hold it leaves it alone, with a warning
    foreign = acquire(lab_dir, container, state='released')
    assert foreign['released'] is False and foreign['holder']['host'] == 'ctl-a'
    assert any('not by this run' in w for w in warnings_of(foreign))
    assert lab_dir.lease(lease_dn(container)) == taken['holder']
    print('\nlive holder refused in %.2f s' % elapsed)


def test_the_default_container_is_created_under_program_data(lab_dir):
    unit = 'pytest-%s.contoso.com' % local_process.os.getpid()
    default = 'CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com'
    existed = lab_dir.entry(default, ('1.1',)) is not None
    args = dict(name=unit, lease_seconds=LEASE)
    try:
        taken = run_module('unit_lock', args, env=lab_dir.env)
        assert not taken.failed, taken
        assert taken['lease_dn'] == 'CN=%s,%s' % (unit, default)
        assert lab_dir.lease(taken['lease_dn'])['run'] == taken['holder']['run']
        assert run_module('unit_lock', dict(args, state='released', lease=taken['lease']),
                          env=lab_dir.env)['released'] is True
    finally:
        lab_dir.conn.delete('CN=%s,%s' % (unit, default))
        if not existed:
            lab_dir.conn.delete(default)


def test_a_value_that_is_not_a_lease_fails_closed(lab_dir, container):
    taken = acquire(lab_dir, container)
    acquire(lab_dir, container, state='released', lease=taken['lease'])
    lab_dir.set_value(lease_dn(container), 'maintenance by jdoe, password %s' % lab_dir.password)
    refused = acquire(lab_dir, container)
    assert refused.failed and 'not a pchat.cutover lease' in refused['msg'] and lease_dn(container) in refused['msg']
    assert_no_secret(lab_dir, refused.stdout, refused.stderr)
    assert lab_dir.value(lease_dn(container)).startswith('maintenance')  # left alone


def test_unit_lock_info_says_who_holds_each_unit_and_writes_nothing(lab_dir, container):
    def info(*names):
        result = run_module('unit_lock_info', {'names': list(names), 'container': container}, env=lab_dir.env,
                            check_mode=True)
        assert not result.failed and result['changed'] is False, result
        return result

    free = info(UNIT, 'GC2.contoso.com.')
    states = [(u['unit'], u['state'], u['holder']) for u in free['units']]
    assert states == [(UNIT, 'free', None), ('gc2.contoso.com', 'free', None)]
    assert lab_dir.entry(container, ('1.1',)) is None  # a reader creates nothing, not even the container
    taken = acquire(lab_dir, container)
    held = info(UNIT.upper())['units'][0]
    assert held['state'] == 'held' and held['holder'] == lab_dir.lease(lease_dn(container)) == taken['holder']
    assert held['lease_dn'] == lease_dn(container) and 0 < held['expires_in'] <= LEASE
    time.sleep(LEASE + 1)
    assert info(UNIT)['units'][0]['state'] == 'expired'
    lab_dir.set_value(lease_dn(container), 'maintenance by jdoe, password %s' % lab_dir.password)
    unreadable = info(UNIT)
    assert unreadable['units'][0]['state'] == 'unreadable' and unreadable['units'][0]['holder'] is None
    assert unreadable['summary'] == {'unreadable': 1}
    assert_no_secret(lab_dir, unreadable.stdout, unreadable.stderr)


def test_an_unreachable_directory_fails_closed(lab_dir, container):
    env = dict(lab_dir.env, PCHAT_LDAP_URL='ldaps://127.0.0.5:1', PCHAT_LDAP_TIMEOUT='2')
    result = run_module('unit_lock', lock(container), env=env)
    assert result.failed
    assert 'unit gc.contoso.com: the lease could not be acquired' in result['msg'] and 'cannot reach' in result['msg']
    assert lab_dir.entry(container, ('1.1',)) is None
    assert_no_secret(lab_dir, result.stdout, result.stderr)


# -- the server's atomicity, with the race forced --------------------------------------------------------------
def connect(lab_dir):
    params = dict(ldap_url=lab_dir.env['PCHAT_LDAP_URL'], ldap_bind_dn=lab_dir.env['PCHAT_LDAP_BIND_DN'],
                  ldap_bind_password=lab_dir.password, ldap_ca_file=lab_dir.env['PCHAT_LDAP_CA_FILE'], ldap_validate_certs=True)
    return DirectoryConnection(params)


class ReadThenWait(L.UnitLease):
    """A UnitLease that, after its first read, waits until the other racer has read too: both then write on the
    strength of the same read, the worst interleaving a read-then-write lock can meet."""

    barrier = None

    def __init__(self, *args, **kwargs):
        super(ReadThenWait, self).__init__(*args, **kwargs)
        self.waited = False

    def read(self):
        result = super(ReadThenWait, self).read()
        if not self.waited:
            self.waited = True
            self.barrier.wait(30)
        return result


class ReadThenReplace(ReadThenWait):
    """The same, with a plain replace for every write: what the lease would be without the server's checks."""

    def _add(self, value):
        return self.directory.conn.modify(self.dn, {L.LEASE_ATTRIBUTE: [(ldap3.MODIFY_REPLACE, [value])]})

    def swap(self, old, new):
        return self._add(new)


def forced_race(lab_dir, container, lease_class, prepare):
    """Two racers (hosts ctl-a and ctl-b) each read the lease, wait for the other to have read it, then write:
    ROUNDS times. Returns the winners of each round."""
    barrier = threading.Barrier(2)
    lease_class.barrier = barrier
    directories = [connect(lab_dir), connect(lab_dir)]
    rounds = []
    try:
        for _round in range(ROUNDS):
            prepare()
            outcome = {}

            def race(host, directory):
                try:
                    taken = lease_class(directory, UNIT, container=container, lease_seconds=300, host=host, pid=1,
                                        pid_running=lambda pid: True).acquire()
                    outcome[host] = taken
                except L.LeaseHeld as held:
                    outcome[host] = held
            threads = [threading.Thread(target=race, args=(host, directory))
                       for host, directory in zip(('ctl-a', 'ctl-b'), directories)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert not any(thread.is_alive() for thread in threads)
            barrier.reset()
            rounds.append(outcome)
    finally:
        for directory in directories:
            directory.close()
    return rounds


def winners(outcome):
    return sorted(host for host, result in outcome.items() if isinstance(result, L.Taken))


@pytest.mark.parametrize('start', ['free', 'expired'])
def test_both_racers_read_before_either_writes_and_exactly_one_wins(lab_dir, container, start):
    dn = lease_dn(container)
    expired = L.Lease.new('ctl-gone', 4242, lab_dir.now() - datetime.timedelta(seconds=600), 300).encode()
    assert lab_dir.conn.add(container, ['top', 'container']) and lab_dir.conn.add(dn, ['top', 'container'])

    def prepare():
        lab_dir.conn.modify(dn, {L.LEASE_ATTRIBUTE: [(ldap3.MODIFY_REPLACE, [expired] if start == 'expired' else [])]})
    rounds = forced_race(lab_dir, container, ReadThenWait, prepare)
    assert [len(winners(outcome)) for outcome in rounds] == [1] * ROUNDS
    for outcome in rounds:
        (winner,) = winners(outcome)
        loser = [result for host, result in outcome.items() if host != winner][0]
        assert isinstance(loser, L.LeaseHeld) and loser.details['refused_writes'] == 1  # its write was refused
        assert loser.lease.host == winner
        if start == 'expired':
            assert outcome[winner].previous.host == 'ctl-gone' and outcome[winner].reason == L.EXPIRED
    # the same interleaving without the server's checks: both "win" every round, so the test above can fail
    control = forced_race(lab_dir, container, ReadThenReplace, prepare)
    assert [len(winners(outcome)) for outcome in control] == [2] * ROUNDS
    print('\nforced race from a %s lease: %d rounds, one winner each (a read-then-replace lock: two each)'
          % (start, ROUNDS))


# -- two controllers racing through the module -----------------------------------------------------------------
def race_round(controllers_pair, container):
    """Both controllers run unit_lock at the same instant; their answers."""
    at = time.time() + 0.4
    for controller in controllers_pair:
        controller.send(lock(container), at=at)
    return [controller.receive() for controller in controllers_pair]


def check_round(lab_dir, container, answers, stale=None):
    """Exactly one winner; the loser is refused naming it; the directory names the winner. Returns (winner
    answer, loser answer, whether the two module runs overlapped in time)."""
    won = [a for a in answers if not a['result'].get('failed')]
    lost = [a for a in answers if a['result'].get('failed')]
    assert len(won) == 1 and len(lost) == 1, [a['result'].get('msg') for a in answers]
    winner, loser = won[0], lost[0]
    assert 'is locked' in loser['result']['msg'] and 'on %s since' % winner['host'] in loser['result']['msg']
    assert lab_dir.lease(lease_dn(container)) == winner['result']['holder']
    if stale:
        assert winner['result']['stale_holder']['host'] == stale and winner['result']['takeover'] == 'expired'
        assert any('from pid 4242 on %s' % stale in w for w in warnings_of(winner['result']))
    overlapped = max(a['t0'] for a in answers) < min(a['t1'] for a in answers)
    for answer in answers:
        assert_no_secret(lab_dir, answer['stdout'], answer['stderr'])
    return winner, loser, overlapped


def release_by(controller_of_winner, container):
    answer = controller_of_winner.run(lock(container, state='released'))
    assert answer['result']['released'] is True, answer['result']


def race_many(lab_dir, container, pair, prepare=None, stale=None):
    """Rounds of both controllers running unit_lock at once, each checked by check_round; the winner releases.
    At least ROUNDS rounds, and more (up to MAX_ROUNDS) until COLLISIONS rounds had the loser's write refused by
    the server: rounds where both read the lease before either wrote, in which a read-then-write lock would have
    let both proceed. Returns the tallies.

    Whether a round collides is chance (about one in ten here), so the number of collisions is a figure, never a
    verdict: a test that required one would fail now and then with nothing wrong. That the server refuses the
    second write of such a round is proven deterministically, with the interleaving forced, by
    test_both_racers_read_before_either_writes_and_exactly_one_wins; here every round must have exactly one
    winner, with the two module runs overlapping in time."""
    by_host = dict((c.host, c) for c in pair)
    tally = {'rounds': 0, 'wins': dict((c.host, 0) for c in pair), 'collisions': 0, 'durations': []}
    while tally['rounds'] < MAX_ROUNDS and (tally['rounds'] < ROUNDS or tally['collisions'] < COLLISIONS):
        if prepare:
            prepare()
        answers = race_round(pair, container)
        winner, loser, overlapped = check_round(lab_dir, container, answers, stale=stale)
        assert overlapped  # two module runs at once, not one after the other
        tally['rounds'] += 1
        tally['wins'][winner['host']] += 1
        tally['collisions'] += loser['result']['details']['refused_writes'] > 0
        tally['durations'].append(max(a['t1'] for a in answers) - min(a['t0'] for a in answers))
        release_by(by_host[winner['host']], container)
    return tally


def describe(tally):
    return ('%d rounds, exactly one winner each (%s); in %d both had read before either wrote and the server refused '
            'the loser\'s write; a round took %.2f-%.2f s' % (
                tally['rounds'], tally['wins'], tally['collisions'], min(tally['durations']), max(tally['durations'])))


def test_two_controllers_race_for_a_free_lease(lab_dir, container, controllers):
    tally = race_many(lab_dir, container, [controllers('ctl-a'), controllers('ctl-b')])
    print('\nfree lease: ' + describe(tally))


def test_two_controllers_race_for_an_expired_lease(lab_dir, container, controllers):
    def expired_lease_of_a_gone_run():
        gone = L.Lease.new('ctl-gone', 4242, lab_dir.now() - datetime.timedelta(seconds=60), LEASE)
        if lab_dir.entry(container, ('1.1',)) is None:
            assert lab_dir.conn.add(container, ['top', 'container'])
        lab_dir.set_value(lease_dn(container), gone.encode())
    tally = race_many(lab_dir, container, [controllers('ctl-a'), controllers('ctl-b')],
                      prepare=expired_lease_of_a_gone_run, stale='ctl-gone')
    print('\nexpired lease: ' + describe(tally))


# -- a run killed while it holds the lease ---------------------------------------------------------------------
def start_holding_playbook(lab_dir, tmp_path, container):
    playbook = Playbook(tmp_path, lab_dir.env, UNIT, container, LEASE)
    held = wait_until(lambda: lab_dir.lease(lease_dn(container)), 60, 0.2)
    assert held, playbook.output()[-3000:]
    assert held['pid'] == playbook.proc.pid and held['host'] == socket.gethostname()  # the real ansible-playbook
    # the lock task is over (its module returned) and the run is at work
    assert playbook.at_work(), playbook.output()[-3000:]
    return playbook, held


def test_a_killed_run_is_taken_over_after_expiry_by_another_controller(lab_dir, container, controllers, tmp_path):
    other = controllers('ctl-b')
    playbook, held = start_holding_playbook(lab_dir, tmp_path, container)
    try:
        playbook.kill()
        killed = time.monotonic()
    finally:
        playbook.close()
    early = other.run(lock(container))['result']  # another host cannot see that the holder died: it waits
    assert early.get('failed') and 'pid %d on %s' % (held['pid'], held['host']) in early['msg']

    def taken_over():
        answer = other.run(lock(container))['result']
        return None if answer.get('failed') else answer
    taken = wait_until(taken_over, LEASE + 10, 0.5)
    latency = time.monotonic() - killed
    assert taken, 'not taken over within %d s of the kill' % (LEASE + 10)
    assert taken['stale_holder'] == held and taken['takeover'] == 'expired'
    assert L.parse_time(taken['holder']['started']) >= L.parse_time(held['expires'])  # not before it expired
    warning = ' '.join(warnings_of(taken))
    assert 'took over the lease of unit gc.contoso.com from pid %d on %s (since %s)' % (
        held['pid'], held['host'], held['started']) in warning
    assert latency <= LEASE + 4
    assert_no_secret(lab_dir, playbook.output(), json.dumps(taken))
    print('\nkilled holder: taken over by ctl-b %.1f s after the kill (lease %d s)' % (latency, LEASE))


def test_a_killed_run_is_taken_over_at_once_on_the_same_host(lab_dir, container, tmp_path):
    playbook, held = start_holding_playbook(lab_dir, tmp_path, container)
    playbook.kill()
    killed = time.monotonic()
    playbook.close()
    taken = acquire(lab_dir, container)
    latency = time.monotonic() - killed
    assert not taken.failed, taken
    assert taken['takeover'] == 'dead' and taken['stale_holder']['pid'] == held['pid']
    assert any('from pid %d on %s' % (held['pid'], held['host']) in w and 'no longer running' in w
               for w in warnings_of(taken))
    assert latency < 5
    print('\nkilled holder on the same host: taken over %.1f s after the kill' % latency)


def test_the_playbook_releases_its_lease(lab_dir, container, tmp_path):
    playbook, _held = start_holding_playbook(lab_dir, tmp_path, container)
    try:
        assert playbook.finish() == 0, playbook.output()[-3000:]
    finally:
        playbook.close()
    assert lab_dir.value(lease_dn(container)) is None
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in playbook.output()  # -vvv printed the module arguments
    assert_no_secret(lab_dir, playbook.output())
