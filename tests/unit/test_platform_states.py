# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pool and server state derivation, and chat_pool's check-mode prediction."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.platform import pool_state, server_state
from ansible_collections.pchat.cutover.plugins.modules.chat_pool import check_kind, predicted, servers_to_converge


def svc(status, mode='automatic'):
    return {'name': 's', 'display_name': 's', 'status': status, 'start_mode': mode}


def server(fqdn, *services, **kw):
    result = {'fqdn': fqdn, 'active': kw.get('active', True), 'services': list(services)}
    result['state'] = server_state(result)
    return result


@pytest.mark.parametrize('services, state', [
    ([svc('running'), svc('running')], 'started'),
    ([svc('stopped'), svc('stopped', 'manual')], 'stopped'),
    ([svc('stopped', 'disabled'), svc('stopped', 'disabled')], 'disabled'),
    ([svc('stopped', 'disabled'), svc('stopped', 'manual')], 'stopped'),
    ([svc('running'), svc('stopped')], 'partial'),
    ([], 'stopped'),
])
def test_server_state(services, state):
    assert server_state({'services': services}) == state


def test_pool_state_partial_and_standby_servers():
    legacy = {'kind': 'group_chat_2010', 'servers': [server('a', svc('running')), server('b', svc('stopped'))]}
    assert pool_state(legacy) == 'partial'
    chat = {'kind': 'persistent_chat_2013', 'pool_state': 'Normal',
            'servers': [server('a', svc('running')), server('b', svc('stopped'), active=False)]}
    assert pool_state(chat) == 'started'  # the standby server does not count
    chat['pool_state'] = 'FailedOver'
    assert pool_state(chat) == 'partial'


def test_prediction_matches_the_lab_rules():
    pool = {'fqdn': 'gc', 'kind': 'group_chat_2010',
            'servers': [server('a', svc('running')), server('b', svc('stopped', 'disabled'))]}
    pool['state'] = pool_state(pool)
    disabled = predicted(pool, ['a'], 'disabled')
    assert disabled['state'] == 'disabled' and pool['state'] == 'partial'  # the original is untouched
    started = predicted(pool, ['b'], 'started')
    assert started['servers'][1]['services'][0]['start_mode'] == 'automatic' and started['state'] == 'started'
    stopped = predicted(pool, ['a', 'b'], 'stopped')
    assert [s['services'][0]['start_mode'] for s in stopped['servers']] == ['automatic', 'manual']


def test_only_active_servers_are_started():
    pool = {'kind': 'persistent_chat_2013', 'servers': [server('a', svc('stopped')), server('b', svc('stopped'), active=False)]}
    assert [s['fqdn'] for s in servers_to_converge(pool, 'started')] == ['a']
    assert [s['fqdn'] for s in servers_to_converge(pool, 'disabled')] == ['a', 'b']


def test_kind_guard():
    check_kind({'fqdn': 'gc', 'kind': 'group_chat_2007r2'}, 'legacy')
    with pytest.raises(PchatError, match='not persistent_chat_2013'):
        check_kind({'fqdn': 'gc', 'kind': 'group_chat_2010'}, 'persistent_chat_2013')
