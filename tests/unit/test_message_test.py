# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verify's test message: run as the reference says (Registrar pool, a room, users with a policy and credentials),
or "not run" with why. The platform here is a stand-in that records the calls; the real path is
tests/integration/test_info_modules.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import message_test
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

POOL = 'pcpool.contoso.com'
TEST = {'registrar_pool': 'lyncpool.contoso.com', 'sender': 'sip:pctest1@contoso.com',
        'receiver': 'sip:pctest2@contoso.com', 'pool': None, 'room': None, 'sender_username': None,
        'sender_password': None, 'receiver_username': None, 'receiver_password': None}


class Platform(object):
    def __init__(self, room='Lobby', users=('sip:pctest1@contoso.com', 'sip:pctest2@contoso.com'),
                 policy='PersistentChatUsers', result='Success'):
        self.room, self.users, self.policy, self.result = room, users, policy, result
        self.sent = None

    def first_enabled_room(self, pool):
        return self.room

    def lync_users(self, identities):
        return [{'sip': sip, 'upn': None, 'dn': None, 'policy': self.policy, 'registrar_pool': None}
                for sip in identities if sip in self.users], []

    def chat_policies(self):
        return [{'identity': 'Global', 'enabled': False}, {'identity': 'tag:PersistentChatUsers', 'enabled': True}]

    def pool_sites(self, pools):
        return {}

    def message_test(self, registrar, sender, receiver, room_uri=None, credentials=None):
        self.sent = (registrar, sender, receiver, room_uri, credentials)
        return {'result': self.result, 'error': None if self.result == 'Success' else 'refused'}


def test_sent_to_the_registrar_pool_in_a_room_of_the_pool_with_registered_credentials():
    platform = Platform()
    outcome = message_test.run(platform, dict(TEST), POOL, check_mode=False)
    assert outcome['result'] == 'Success' and outcome['credentials'] == 'registered' and outcome['room'] == 'Lobby'
    assert platform.sent == ('lyncpool.contoso.com', 'sip:pctest1@contoso.com', 'sip:pctest2@contoso.com',
                             POOL + '\\Lobby', None)


def test_credentials_given_are_sent_and_a_failure_says_how_the_users_signed_in():
    platform = Platform(result='Failure')
    test = dict(TEST, sender_username='CONTOSO\\pctest1', sender_password='p1', receiver_username='CONTOSO\\pctest2',
                receiver_password='p2', room='Cutover test')
    outcome = message_test.run(platform, test, POOL, check_mode=False)
    assert platform.sent[3:] == (POOL + '\\Cutover test', {'sender': ('CONTOSO\\pctest1', 'p1'),
                                                           'receiver': ('CONTOSO\\pctest2', 'p2')})
    assert outcome['credentials'] == 'given' and 'credentials given' in outcome['hint']
    registered = message_test.run(Platform(result='Failure'), dict(TEST), POOL, check_mode=False)
    assert 'Set-CsTestUserCredential' in registered['hint']


@pytest.mark.parametrize('platform, check_mode, why', [
    (Platform(), True, 'a preview does not send one'),
    (Platform(room=None), False, 'has no enabled chat room'),
    (Platform(users=('sip:pctest1@contoso.com',)), False, 'sip:pctest2@contoso.com is not a Lync-enabled user'),
    (Platform(policy=None), False, 'managed by Persistent Chat policy Global, which does not enable'),
    (Platform(policy='Gone'), False, 'which Get-CsPersistentChatPolicy does not list'),
])
def test_what_the_test_needs_missing_means_not_run_with_why(platform, check_mode, why):
    outcome = message_test.run(platform, dict(TEST), POOL, check_mode=check_mode)
    assert outcome['result'] is None and why in outcome['not_run'] and platform.sent is None


@pytest.mark.parametrize('change, error', [
    ({'sender_username': 'CONTOSO\\pctest1'}, 'sender_password, receiver_username, receiver_password are missing'),
    ({'receiver': 'sip:pctest1@contoso.com'}, 'the same user'),
    ({'registrar_pool': 'not a pool'}, 'message_test.registrar_pool'),
    ({'sender': 'pctest1@contoso.com'}, "lacks the 'sip:' prefix"),
])
def test_bad_input_is_refused_before_anything_is_read(change, error):
    with pytest.raises(PchatError, match=error):
        message_test.validate(dict(TEST, **change))
