# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_pool's decisions (pool_backend): which services of which servers change, in which order, what the run says,
and that a preview sends nothing; against the in-memory platform of fakes.py. The wire is in
tests/integration/test_chat_pool.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.pool_backend import PoolBackend, service_change
from ansible_collections.pchat.cutover.tests.unit.fakes import (
    FakeLyncPlatform, legacy_pool, persistent_chat_pool, windows_service,
)

PC, GC = 'pcpool.contoso.com', 'gc.contoso.com'


def run(platform, check_mode=False, **params):
    return PoolBackend(platform, params, check_mode).run()


@pytest.mark.parametrize('status, mode, wanted, change', [
    ('running', 'automatic', 'started', (None, None)),
    ('stopped', 'manual', 'started', ('running', None)),
    ('stopped', 'disabled', 'started', ('running', 'automatic')),  # a disabled service cannot start
    ('stop_pending', None, 'started', ('running', None)),
    ('running', None, 'stopped', ('stopped', None)),  # a Lync service's unreadable start mode is left alone
    ('stopped', 'automatic', 'stopped', (None, None)),
    ('stopped', 'disabled', 'stopped', (None, 'manual')),  # stopped, no longer kept from starting
    ('stop_pending', 'automatic', 'stopped', ('stopped', None)),
    ('running', 'automatic', 'disabled', ('stopped', 'disabled')),
    ('stopped', 'manual', 'disabled', (None, 'disabled')),
    ('stopped', 'disabled', 'disabled', (None, None)),
    ('running', None, 'disabled', ('stopped', None)),
])
def test_one_rule_per_service(status, mode, wanted, change):
    found = service_change(windows_service('LyncGroupChatChannel', 'Channel', status, mode), wanted)
    assert (found['status'], found['start_mode']) == change


def test_a_persistent_chat_pool_is_stopped_on_every_server_inactive_ones_included():
    platform = FakeLyncPlatform([persistent_chat_pool(PC)])
    done = run(platform, fqdn=PC, state='stopped')
    assert platform.changes == [('stop_chat_service', server, name)
                                for server in ('pc01.contoso.com', 'pc02.contoso.com', 'pc03.contoso.com')
                                for name in ('RTCPCHAT', 'RTCPCHATCOMP')]
    assert done['changed'] is True and done['changed_servers'] == ['pc01.contoso.com', 'pc02.contoso.com',
                                                                   'pc03.contoso.com']
    assert done['pool']['state'] == 'stopped' and done['diff'] == {'before': {'state': 'started'},
                                                                   'after': {'state': 'stopped'}}
    assert done['actions'][0] == 'stop RTCPCHAT on pc01.contoso.com'
    assert done['summary'].startswith('made 6 service change(s) on %s, leaving it stopped: stop RTCPCHAT on '
                                      'pc01.contoso.com; ' % PC) and done['summary'].endswith(' and 3 more')
    assert platform.pools[PC]['state'] == 'stopped'  # what the fake platform holds now
    again = run(platform, fqdn=PC, state='stopped')
    assert again['changed'] is False and again['actions'] == [] and len(platform.changes) == 6
    assert again['summary'] == '%s is stopped already: nothing to change' % PC


def test_a_preview_says_the_same_and_sends_nothing():
    platform = FakeLyncPlatform([persistent_chat_pool(PC, status={'pc02': 'stopped'})])
    preview = run(platform, check_mode=True, fqdn=PC, state='started')
    assert platform.changes == [] and platform.pools[PC]['state'] == 'partial'
    assert preview['changed'] is True and preview['changed_servers'] == ['pc02.contoso.com']
    assert preview['actions'] == ['start RTCPCHAT on pc02.contoso.com', 'start RTCPCHATCOMP on pc02.contoso.com']
    assert preview['pool']['state'] == 'started'  # the pool as the run would leave it
    assert preview['summary'].startswith('would make 2 service change(s)')
    done = run(platform, fqdn=PC, state='started')
    assert [c[1:] for c in platform.changes] == [('pc02.contoso.com', 'RTCPCHAT'), ('pc02.contoso.com', 'RTCPCHATCOMP')]
    assert done['actions'] == preview['actions']


def test_a_legacy_pool_is_disabled_group_chat_servers_first_compliance_server_last_web_service_with_them():
    platform = FakeLyncPlatform([legacy_pool(GC)])
    done = run(platform, fqdn=GC, state='disabled', kind='legacy')
    order = [(server, name) for _m, server, name, _s, _mode in platform.changes]
    assert order == [('gc01.contoso.com', 'LyncGroupChatChannel'), ('gc01.contoso.com', 'LyncGroupChatLookup'),
                     ('gc01.contoso.com', 'W3SVC'), ('gc02.contoso.com', 'LyncGroupChatChannel'),
                     ('gc02.contoso.com', 'LyncGroupChatLookup'), ('gc02.contoso.com', 'W3SVC'),
                     ('gccomp01.contoso.com', 'LyncGroupChatCompliance')]
    assert set((c[0], c[3], c[4]) for c in platform.changes) == {('set_legacy_service', 'stopped', 'disabled')}
    assert done['pool']['state'] == 'disabled' and platform.pools[GC]['state'] == 'disabled'
    assert done['actions'][0] == 'stop LyncGroupChatChannel on gc01.contoso.com (start mode disabled)'
    # started again: the compliance server first, each start mode made automatic before the start
    run(platform, fqdn=GC, state='started')
    started = platform.changes[7:]
    assert started[0] == ('set_legacy_service', 'gccomp01.contoso.com', 'LyncGroupChatCompliance', 'running',
                          'automatic')
    assert len(started) == 7 and platform.pools[GC]['state'] == 'started'


def test_the_web_service_is_left_alone_when_the_pool_says_leave():
    platform = FakeLyncPlatform([legacy_pool(GC, web_service='leave')])
    run(platform, fqdn=GC, state='stopped')
    touched = [c[2] for c in platform.changes]
    assert 'W3SVC' not in touched and len(touched) == 5


def test_stopped_after_disabled_only_lifts_the_start_mode():
    platform = FakeLyncPlatform([legacy_pool(GC, status='stopped', start_mode='disabled')])
    done = run(platform, fqdn=GC, state='stopped')
    assert set((c[3], c[4]) for c in platform.changes) == {(None, 'manual')}
    assert done['actions'][0] == 'set start mode of LyncGroupChatChannel on gc01.contoso.com (start mode manual)'


@pytest.mark.parametrize('pool, params, words', [
    (persistent_chat_pool(PC), dict(fqdn=PC, state='disabled'), 'started or stopped, not disabled'),
    (persistent_chat_pool(PC, pool_state='FailedOver'), dict(fqdn=PC, state='started'),
     'pool state FailedOver (a disaster-recovery fail-over)'),
    (persistent_chat_pool(PC), dict(fqdn=PC, state='stopped', kind='legacy'),
     'is a persistent_chat_2013 pool, not legacy as kind says'),
    (legacy_pool(GC), dict(fqdn=GC, state='started', kind='persistent_chat_2013'), 'not persistent_chat_2013'),
    (persistent_chat_pool(PC), dict(fqdn='nopool.contoso.com', state='started'), 'pool nopool.contoso.com was not '
     'found on lyncfe01.contoso.com'),
])
def test_refusals_name_the_pool_and_change_nothing(pool, params, words):
    platform = FakeLyncPlatform([pool])
    with pytest.raises(PchatError) as caught:
        run(platform, **params)
    assert words in caught.value.msg
    assert platform.changes == []


def test_a_failed_over_pool_can_still_be_stopped():
    platform = FakeLyncPlatform([persistent_chat_pool(PC, pool_state='FailedOver')])
    assert run(platform, fqdn=PC, state='stopped')['changed'] is True
    assert len(platform.changes) == 6


def test_a_legacy_pool_read_through_ocspowershell_is_not_changed_blind():
    platform = FakeLyncPlatform([legacy_pool(GC, on_winrm=False)], on_winrm=False)
    with pytest.raises(PchatError) as caught:
        run(platform, fqdn=GC, state='disabled')
    assert 'changing the state of Group Chat pool %s needs Windows service control' % GC in caught.value.msg
    assert 'set psrp_path to wsman' in caught.value.msg and platform.changes == []
