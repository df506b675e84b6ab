# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""legacy_endpoint's decisions (EndpointBackend): create, move (remove + new), recreate, remove or nothing; refused
while a user or another contact owns the SIP URI; a preview that sends nothing; the wait for Lync's view of AD on a
clock of its own. Against fakes.py's platform and directory (linked: an endpoint is a contact in AD, as Lync writes
it). The wire is in tests/integration/test_legacy_endpoint.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.endpoint_backend import EndpointBackend
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.tests.unit.fakes import (
    CONTACTS, FakeDirectory, FakeLyncPlatform, endpoint, legacy_pool, persistent_chat_pool,
)

SIP = 'sip:OCSChat@contoso.com'
PC, PC2 = 'pcpool.contoso.com', 'pcpool2.contoso.com'


class Clock(object):
    """time.time and time.sleep of a backend: sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def world():
    """The lab after the delete phase: both Persistent Chat pools and the legacy pool, no owner of the SIP URI."""
    directory = FakeDirectory()
    platform = FakeLyncPlatform([persistent_chat_pool(PC), persistent_chat_pool(PC2, servers=('pc2-01',), inactive=()),
                                 legacy_pool('gc.contoso.com')], directory=directory)
    return platform, directory


def backend(platform, directory, check_mode=False, clock=None, **params):
    params.setdefault('sip_address', SIP)
    params.setdefault('state', 'present')
    if params['state'] == 'present':
        params.setdefault('pool_fqdn', PC)
    params.setdefault('directory_wait', 60)
    clock = clock or Clock()
    return EndpointBackend(platform, directory, params, check_mode, sleep=clock.sleep, clock=clock.time)


def test_created_when_nobody_owns_the_sip_uri(world):
    platform, directory = world
    done = backend(platform, directory, display_name='Group Chat (legacy clients)').run()
    assert platform.changes == [('new_endpoint', SIP, PC, 'Group Chat (legacy clients)')]
    assert done['changed'] is True and done['action'] == 'created'
    assert done['owners_before'] == {'kind': 'none', 'dns': []}
    assert done['endpoint']['pool_fqdn'] == PC and done['endpoint']['dn'].endswith(',' + CONTACTS)
    assert done['summary'] == 'created the endpoint %s on %s' % (SIP, PC)
    assert done['diff'] == {'before': {}, 'after': done['endpoint']} and done['waited_seconds'] == 0
    # the contact Lync wrote owns the URI now; a second run finds the endpoint as wanted
    assert directory.find_sip_owners([SIP])[SIP.lower()]['kind'] == 'contact'
    again = backend(platform, directory, display_name='Group Chat (legacy clients)').run()
    assert again['changed'] is False and again['action'] == 'none' and len(platform.changes) == 1
    assert again['endpoint'] == done['endpoint'] and again['summary'].endswith('as wanted: nothing to change')


def test_a_preview_decides_the_same_and_sends_nothing(world):
    platform, directory = world
    preview = backend(platform, directory, check_mode=True).run()
    assert preview['changed'] is True and preview['action'] == 'created'
    assert preview['endpoint'] == {'sip_address': SIP, 'pool_fqdn': PC, 'display_name': None, 'dn': None}
    assert preview['summary'] == 'would create the endpoint %s on %s' % (SIP, PC)
    assert platform.changes == [] and platform.called('lync_sees_user') == []  # no wait either


def test_moved_to_another_pool_is_remove_then_new_keeping_the_display_name(world):
    platform, directory = world
    old = endpoint(SIP, PC, 'Legacy chat')
    platform = FakeLyncPlatform(list(platform.pools.values()), [old], directory=directory)
    preview = backend(platform, directory, check_mode=True, pool_fqdn=PC2).run()
    assert preview['action'] == 'moved' and preview['endpoint']['pool_fqdn'] == PC2 and platform.changes == []
    assert preview['endpoint']['display_name'] == 'Legacy chat'
    moved = backend(platform, directory, pool_fqdn=PC2).run()
    assert platform.changes == [('remove_endpoint', old['dn']), ('new_endpoint', SIP, PC2, 'Legacy chat')]
    assert moved['endpoint_before'] == old and moved['summary'] == 'moved the endpoint %s on %s' % (SIP, PC2)
    assert [e['pool_fqdn'] for e in platform.endpoints(SIP)] == [PC2]


def test_a_new_display_name_recreates_it_on_the_same_pool(world):
    platform, directory = world
    old = endpoint(SIP, PC, 'Legacy chat')
    platform = FakeLyncPlatform(list(platform.pools.values()), [old], directory=directory)
    done = backend(platform, directory, display_name='Group Chat').run()
    assert done['action'] == 'recreated'
    assert platform.changes == [('remove_endpoint', old['dn']), ('new_endpoint', SIP, PC, 'Group Chat')]


def test_absent_removes_by_dn_then_is_no_change(world):
    platform, directory = world
    old = endpoint(SIP, PC)
    platform = FakeLyncPlatform(list(platform.pools.values()), [old], directory=directory)
    preview = backend(platform, directory, check_mode=True, state='absent').run()
    assert preview['action'] == 'removed' and preview['endpoint'] is None and platform.changes == []
    assert preview['summary'] == 'would remove the endpoint %s' % SIP
    removed = backend(platform, directory, state='absent').run()
    assert platform.changes == [('remove_endpoint', old['dn'])] and removed['diff'] == {'before': old, 'after': {}}
    gone = backend(platform, directory, state='absent').run()
    assert gone['changed'] is False and gone['action'] == 'none' and len(platform.changes) == 1
    assert directory.find_sip_owners([SIP])[SIP.lower()]['kind'] == 'none'


def test_refused_while_the_well_known_user_owns_the_sip_uri(world):
    platform, directory = world
    user = directory.add_user('OCSChat', SIP.lower())
    for check_mode in (True, False):
        with pytest.raises(PchatError) as caught:
            backend(platform, directory, check_mode=check_mode).run()
        assert "'%s' is owned by user %s" % (SIP, user) in caught.value.msg
        assert 'directory_user state=absent' in caught.value.msg
    assert platform.changes == []


def test_refused_while_another_contact_owns_it_even_next_to_the_endpoints_own(world):
    platform, directory = world
    old = endpoint(SIP, PC)
    platform = FakeLyncPlatform(list(platform.pools.values()), [old], directory=directory)
    other = directory.add_contact('CN=Someone else,%s' % CONTACTS, SIP.lower())
    with pytest.raises(PchatError) as caught:
        backend(platform, directory, pool_fqdn=PC2).run()
    assert 'owned by contact %s' % other in caught.value.msg and old['dn'] not in caught.value.msg
    assert platform.changes == []


def test_a_preview_refuses_while_the_user_owns_the_uri_as_a_run_would(world):
    """No option lets a preview assume the owner gone (issue 19): the cutover's plan predicts the recreate instead."""
    platform, directory = world
    user = directory.add_user('OCSChat', SIP.lower())
    for check_mode in (True, False):
        with pytest.raises(PchatError, match='owned by user') as caught:
            backend(platform, directory, check_mode=check_mode).run()
        assert user in caught.value.msg and platform.changes == []


@pytest.mark.parametrize('params, words', [
    ({'pool_fqdn': 'gc.contoso.com'}, 'pool_fqdn gc.contoso.com is a Lync Server 2010 Group Chat pool'),
    ({'pool_fqdn': 'nopool.contoso.com'}, 'pool_fqdn nopool.contoso.com is neither a Persistent Chat pool'),
    ({'pool_fqdn': None}, 'pool_fqdn is required with state: present'),
    ({'display_name': 'x' * 257}, 'display_name must be 1 to 256 characters'),
    ({'display_name': ''}, 'display_name must be 1 to 256 characters'),
    ({'sip_address': 'OCSChat@contoso.com'}, "lacks the 'sip:' prefix"),
])
def test_bad_input_is_refused_before_anything_is_sent(world, params, words):
    platform, directory = world
    with pytest.raises(PchatError) as caught:
        backend(platform, directory, **params).run()
    assert words in caught.value.msg and platform.changes == []


def test_the_creation_waits_until_lyncs_view_of_ad_forgets_the_user(world):
    platform, directory = world
    platform.lag_polls = 3  # the front end's domain controller still has the deleted user for three polls
    clock = Clock()
    done = backend(platform, directory, clock=clock).run()
    assert clock.slept == [5, 5, 5] and done['waited_seconds'] == 15
    assert [c[0] for c in platform.calls[-5:]] == ['lync_sees_user'] * 4 + ['new_endpoint']


def test_the_wait_never_runs_past_directory_wait_and_then_creates_nothing(world):
    platform, directory = world
    platform.lag_polls = 100
    clock = Clock()
    with pytest.raises(PchatError) as caught:
        backend(platform, directory, clock=clock, directory_wait=12).run()
    assert clock.slept == [5, 5, 2]  # the last sleep ends at directory_wait
    assert 'after 12 s the front end lyncfe01.contoso.com still sees a user with %s' % SIP.lower() in caught.value.msg
    assert 'nothing was created' in caught.value.msg and platform.changes == []


def test_a_move_whose_new_endpoint_waits_too_long_has_removed_the_old_one_and_says_so_next_time(world):
    """Remove + new is two calls (Lync has no Set-CsPersistentChatEndpoint): a run that fails between them leaves
    no endpoint, and the next run creates it."""
    platform, directory = world
    old = endpoint(SIP, PC)
    platform = FakeLyncPlatform(list(platform.pools.values()), [old], directory=directory)
    platform.lag_polls = 100
    with pytest.raises(PchatError, match='still sees a user'):
        backend(platform, directory, pool_fqdn=PC2, directory_wait=1).run()
    assert platform.changes == [('remove_endpoint', old['dn'])]
    platform.lag_polls = 0
    assert backend(platform, directory, pool_fqdn=PC2).run()['action'] == 'created'
