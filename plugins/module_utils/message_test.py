# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The synthetic message of verify: Test-CsPersistentChatMessage as its reference says it runs, or "not run" with
why, when what it needs is not there (never a pass, never a failure of the cutover for the test's own reasons).

What the reference says it needs: ``-TargetFqdn`` the Registrar pool; two test users that sign in, with their
credentials (``-SenderCredential``/``-ReceiverCredential``, ClientPlatform) or with credentials registered on the
front end with Set-CsTestUserCredential (ServerPlatform); a Persistent Chat policy that gives both access; a chat
room ("calls to this cmdlet will fail if you have not created any chat rooms"). The room is given as
``-ChatRoomUri <pool>\\<room>``, so the pool under test is the one cut over. The test posts two messages in that
room: a preview (check mode) does not send one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils.chat_policy import managing_policy
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, validate_fqdn

CREDENTIAL_OPTIONS = ('sender_username', 'sender_password', 'receiver_username', 'receiver_password')


def validate(test):
    """The message_test option, checked before anything is read: SIP URIs, FQDNs, credentials all or none."""
    validate_fqdn(test['registrar_pool'], 'message_test.registrar_pool')
    for key in ('sender', 'receiver'):
        normalize_sip(test[key], 'message_test.%s' % key)
    if test.get('pool'):
        validate_fqdn(test['pool'], 'message_test.pool')
    given = [key for key in CREDENTIAL_OPTIONS if test.get(key)]
    if given and len(given) != len(CREDENTIAL_OPTIONS):
        raise PchatError('message_test needs all of %s or none of them (none: the credentials registered on the front '
                         'end with Set-CsTestUserCredential are used); %s %s missing.'
                         % (', '.join(CREDENTIAL_OPTIONS), ', '.join(k for k in CREDENTIAL_OPTIONS if k not in given),
                            'is' if len(CREDENTIAL_OPTIONS) - len(given) == 1 else 'are'))
    if test['sender'].lower() == test['receiver'].lower():
        raise PchatError('message_test.sender and message_test.receiver are the same user (%s); the test needs two.'
                         % test['sender'])


def not_run(why):
    return {'not_run': why, 'result': None}


def run(platform, test, pool, check_mode):
    """The outcome for Persistent Chat pool ``pool``: Test-CsPersistentChatMessage's result (``result``, ``error``,
    ``diagnosis``, ``latency_seconds``, ``warnings``, ``room``, ``credentials``: 'given' or 'registered', ``hint``), or
    ``{'not_run': why}``."""
    if check_mode:
        return not_run('a preview does not send one (Test-CsPersistentChatMessage posts two messages in a chat room)')
    room = test.get('room') or platform.first_enabled_room(pool)
    if not room:
        return not_run('%s has no enabled chat room, and Test-CsPersistentChatMessage fails when no room exists; set '
                       'pchat_verify_test_room to a room the test users may post in' % pool)
    sender, receiver = normalize_sip(test['sender']), normalize_sip(test['receiver'])
    users, _rest = platform.lync_users([sender, receiver])
    found = dict((u['sip'], u) for u in users)
    missing = [sip for sip in (sender, receiver) if sip not in found]
    if missing:
        return not_run('%s %s not a Lync-enabled user (Get-CsUser finds none): the test users must be users enabled '
                       'for Lync Server' % (' and '.join(missing), 'is' if len(missing) == 1 else 'are'))
    policies = platform.chat_policies()
    sites = {}
    if any(p['identity'].lower().startswith('site:') for p in policies):
        sites = platform.pool_sites(found[sip]['registrar_pool'] for sip in (sender, receiver)
                                    if not found[sip]['policy'])
    for sip in (sender, receiver):
        policy, allowed = managing_policy(found[sip], policies, sites)
        if allowed is not True:
            return not_run('%s is managed by Persistent Chat policy %s, which %s: the test users need a policy that '
                           'gives them Persistent Chat (Grant-CsPersistentChatPolicy)'
                           % (sip, policy, 'does not enable Persistent Chat' if allowed is False else
                              'Get-CsPersistentChatPolicy does not list'))
    credentials = None
    if test.get('sender_username'):
        credentials = {'sender': (test['sender_username'], test['sender_password']),
                       'receiver': (test['receiver_username'], test['receiver_password'])}
    outcome = platform.message_test(test['registrar_pool'], sender, receiver, room_uri='%s\\%s' % (pool, room),
                                    credentials=credentials)
    outcome.update(room=room, credentials='given' if credentials else 'registered')
    if outcome.get('result') != 'Success':
        outcome['hint'] = ('the test users signed in with the credentials given' if credentials else
                           'the test users signed in with the credentials registered on the front end '
                           '(Set-CsTestUserCredential): check them with Get-CsTestUserCredential -SipAddress')
    return outcome
