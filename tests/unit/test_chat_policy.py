# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who among the migrated rooms' members can use the new pool: the Persistent Chat policy that manages each (per
user, else site, else global; Get-CsPersistentChatPolicy / Grant-CsPersistentChatPolicy reference), and what
preflight makes of it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils import chat_policy

POOL = 'pcpool.contoso.com'
AS_INSTALLED = [{'identity': 'Global', 'enabled': False}]
LAB = AS_INSTALLED + [{'identity': 'tag:PersistentChatUsers', 'enabled': True}]


def user(sip, policy=None, registrar=None, upn=None):
    return {'sip': sip, 'upn': upn, 'dn': None, 'policy': policy, 'registrar_pool': registrar}


def test_the_managing_policy_per_user_then_site_then_global():
    sites = {'lyncpool.contoso.com': 'site:redmond'}
    with_site = LAB + [{'identity': 'site:Redmond', 'enabled': True}]
    assert chat_policy.managing_policy(user('sip:a', 'PersistentChatUsers'), LAB, {}) == (
        'tag:PersistentChatUsers', True)
    assert chat_policy.managing_policy(user('sip:a'), LAB, {}) == ('Global', False)
    assert chat_policy.managing_policy(user('sip:a', registrar='lyncpool.contoso.com'), with_site, sites) == (
        'site:Redmond', True)  # as the policy list spells it
    assert chat_policy.managing_policy(user('sip:a', registrar='other.contoso.com'), with_site, sites)[1] is None
    assert chat_policy.managing_policy(user('sip:a', 'Gone'), LAB, {}) == ('tag:Gone', None)  # not listed
    assert chat_policy.managing_policy(user('sip:a'), [], {}) == ('Global', False)  # Lync's default


def test_members_without_a_policy_are_named_and_counted():
    users = [user('sip:u%d@contoso.com' % n, None if n % 10 == 0 else 'PersistentChatUsers') for n in range(1, 31)]
    asked = [u['sip'] for u in users] + ['sip:deleted@contoso.com']
    result = chat_policy.assess(asked, users, [], LAB, {}, {'groups': 2}, POOL)
    assert (result['checked'], result['enabled']) == (30, 27) and result['blocker'] is None
    assert result['without'] == ['sip:u10@contoso.com (Global)', 'sip:u20@contoso.com (Global)',
                                 'sip:u30@contoso.com (Global)']
    assert result['not_found'] == ['sip:deleted@contoso.com']
    said = ' '.join(result['warnings'])
    assert '3 of the 30 members' in said and 'sip:u10@contoso.com (Global)' in said and POOL in said
    assert '1 members of the migrated rooms are not Lync-enabled' in said and '2 group or OU members' in said


def test_members_found_by_upn():
    result = chat_policy.assess(['ana@contoso.com'], [user('sip:ana@contoso.com', 'PersistentChatUsers',
                                                           upn='ana@contoso.com')], [], LAB, {}, {}, POOL)
    assert (result['checked'], result['enabled'], result['not_found']) == (1, 1, [])


def test_nobody_could_use_the_pool_is_a_blocker():
    users = [user('sip:a@contoso.com'), user('sip:b@contoso.com')]
    result = chat_policy.assess(['sip:a@contoso.com', 'sip:b@contoso.com'], users, [], LAB, {}, {}, POOL)
    assert 'none of the 2 members' in result['blocker'] and 'Grant-CsPersistentChatPolicy' in result['blocker']
    as_installed = chat_policy.assess([], [], [], AS_INSTALLED, {}, {}, POOL)
    assert 'no Persistent Chat policy enables Persistent Chat' in as_installed['blocker']
    assert chat_policy.assess([], [], [], LAB, {}, {}, POOL)['blocker'] is None


def test_members_beyond_the_bounded_read_are_not_checked_not_guessed():
    asked = ['sip:a@contoso.com', 'sip:b@contoso.com']
    result = chat_policy.assess(asked, [user('sip:a@contoso.com', 'PersistentChatUsers')], ['sip:b@contoso.com'],
                                LAB, {}, {}, POOL)
    assert result['not_checked'] == 1 and result['not_found'] == [] and result['checked'] == 1
    assert any('1 members were not checked' in text for text in result['warnings'])
