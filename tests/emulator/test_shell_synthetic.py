# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-CsPersistentChatMessage, the users and policies it relies on (Get-CsUser, Get-CsPersistentChatPolicy) and
Set-CsTestUserCredential: each rule of the reference (docs/lab-emulator.md, "Test-CsPersistentChatMessage")."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from lab import names, topology
from lab.emulator import store as store_mod
from lab.emulator.api import PSObj
from lab.emulator.cmdlets import policies

from .conftest import set_chat_services, store

PC = topology.TARGET_POOL
REGISTRAR = topology.FRONT_END_POOL
(SENDER_SAM, SENDER, SENDER_DN), (RECEIVER_SAM, RECEIVER, RECEIVER_DN) = names.TEST_USERS
ROOM = PC + '\\Lobby'


def ready(ocs, scratch):
    """A started pool with a room and the legacy endpoint."""
    set_chat_services(scratch, PC, 'Running', sessions=3)
    assert ocs.run('New-CsPersistentChatCategory', Name='General', PersistentChatPoolFqdn=PC).ok
    assert ocs.run('New-CsPersistentChatRoom', Name='Lobby', Category='General', PersistentChatPoolFqdn=PC).ok


def user_password(scratch):
    with open(os.path.join(scratch, 'lab-state.json')) as handle:
        return json.load(handle)['test_user_password']


def credential(user_name, password):
    """A PSCredential as the transport hands one to the shell (its SecureString decrypted)."""
    return PSObj(['System.Management.Automation.PSCredential'], [('UserName', user_name), ('Password', password)],
                 'System.Management.Automation.PSCredential')


def message_test(ocs, **extra):
    params = dict(TargetFqdn=REGISTRAR, ChatRoomUri=ROOM, SenderSipAddress=SENDER, ReceiverSipAddress=RECEIVER)
    params.update(extra)
    result = ocs.run('Test-CsPersistentChatMessage', **dict((k, v) for k, v in params.items() if v is not Ellipsis))
    assert result.ok and len(result.outputs) == 1, result
    return result


def sql(scratch, statement, *args):
    conn = store(scratch)
    try:
        with store_mod.transaction(conn):
            conn.execute(statement, args)
    finally:
        conn.close()


def test_success_with_registered_test_users(ocs, scratch):
    """ServerPlatform: the registrar pool, the room, and test users registered with Set-CsTestUserCredential."""
    ready(ocs, scratch)
    result = message_test(ocs)
    output = result.outputs[0]
    assert output.type_names[0] == 'Microsoft.Rtc.SyntheticTransactions.TaskOutput'
    assert output['Result'].name == 'Success' and output['TargetFqdn'] == REGISTRAR and output['Error'] is None
    assert result.warnings == []


def test_success_with_credentials(ocs, scratch):
    """ClientPlatform: each credential names the account of its SIP address, in any of the documented forms."""
    ready(ocs, scratch)
    sql(scratch, 'DELETE FROM test_user_credentials')  # not needed when the credentials are given
    password = user_password(scratch)
    result = message_test(ocs, SenderCredential=credential('CONTOSO\\' + SENDER_SAM, password),
                          ReceiverCredential=credential(RECEIVER_SAM + '@contoso.com', password))
    assert result.outputs[0]['Result'].name == 'Success', result.outputs[0]['Error']


@pytest.mark.parametrize('breakage,expected', [
    ('target_is_the_chat_pool', 'is not a Registrar pool'),
    ('stopped', 'not running'),
    ('failed_over', 'FailedOver'),
    ('unknown_user', 'is not a user enabled'),
    ('not_registered', 'No test user credential is registered'),
    ('wrong_password', 'password of CONTOSO\\pctest2 is wrong'),
    ('another_account', 'which is not the account of'),
    ('no_policy', 'which does not enable Persistent Chat'),
    ('global_only', 'is managed by Persistent Chat policy Global'),
    ('no_room', 'Chat room "%s" was not found or is disabled' % ROOM),
    ('no_room_at_all', 'no enabled chat room'),
    ('conflict', 'is also owned by'),
    ('several_pools', 'serves 2 Persistent Chat pools'),
])
def test_failures_say_what_is_wrong(ocs, scratch, breakage, expected):
    ready(ocs, scratch)
    extra = {}
    if breakage == 'target_is_the_chat_pool':  # "FQDN of the Registrar pool to be tested" [ref]
        extra['TargetFqdn'] = PC
    elif breakage == 'stopped':
        set_chat_services(scratch, PC, 'Stopped')
    elif breakage == 'failed_over':
        assert ocs.run('Set-CsPersistentChatState', Identity='PersistentChatServer:' + PC, PoolState='FailedOver',
                       Confirm=False).ok
    elif breakage == 'unknown_user':
        extra['ReceiverSipAddress'] = 'sip:nobody@contoso.com'
    elif breakage == 'not_registered':  # a Lync-enabled user, but no Set-CsTestUserCredential for it
        extra['ReceiverSipAddress'] = names.user_sip(1)
    elif breakage == 'wrong_password':
        password = user_password(scratch)
        extra.update(SenderCredential=credential('CONTOSO\\' + SENDER_SAM, password),
                     ReceiverCredential=credential('CONTOSO\\' + RECEIVER_SAM, password + 'x'))
    elif breakage == 'another_account':  # "must reference the same user account" [ref]
        password = user_password(scratch)
        extra.update(SenderCredential=credential('CONTOSO\\' + RECEIVER_SAM, password),
                     ReceiverCredential=credential('CONTOSO\\' + RECEIVER_SAM, password))
    elif breakage == 'no_policy':  # the per-user policy assigned turns Persistent Chat off
        sql(scratch, 'INSERT INTO chat_policies VALUES (?, NULL, 0)', 'tag:NoChat')
        sql(scratch, "UPDATE user_policies SET policy_name = 'NoChat' WHERE sip = ?", RECEIVER)
    elif breakage == 'global_only':  # no per-user policy: the global one, off as installed [ref]
        sql(scratch, 'DELETE FROM user_policies WHERE sip = ?', SENDER)
    elif breakage == 'no_room':
        assert ocs.run('Set-CsPersistentChatRoom', Identity=ROOM, Disabled=True, Confirm=False).ok
    elif breakage == 'no_room_at_all':  # "will fail if you have not created any chat rooms" [ref]
        assert ocs.run('Set-CsPersistentChatRoom', Identity=ROOM, Disabled=True, Confirm=False).ok
        sql(scratch, "UPDATE pools SET registrar = NULL WHERE fqdn = ?", topology.TARGET_POOL_2)
        extra['ChatRoomUri'] = Ellipsis
    elif breakage == 'several_pools':
        extra['ChatRoomUri'] = Ellipsis
    result = message_test(ocs, **extra) if breakage != 'conflict' else _conflict(ocs, scratch)
    output = result.outputs[0]
    assert output['Result'].name == 'Failure', output['Result']
    assert expected in output['Error'] and output['Diagnosis'], output['Error']
    assert result.warnings and expected in result.warnings[0]


def _conflict(ocs, scratch):
    """An endpoint of the pool whose URI the well-known user still owns (written over LDAP, as a stale or careless
    one would be): a legacy client of that URI would not reliably reach the pool."""
    from lab.emulator.directory import CONTACT_CLASSES, Directory
    directory = Directory(scratch)
    dn = 'CN={00000000-0000-0000-0000-0000000000AA},' + names.APPLICATION_CONTACTS_DN
    directory.add(dn, CONTACT_CLASSES, {
        'msRTCSIP-PrimaryUserAddress': names.WELL_KNOWN_SIP, 'msRTCSIP-UserEnabled': 'TRUE',
        'msRTCSIP-PrimaryHomeServer': topology.pool_dn(PC), 'msRTCSIP-OwnerUrn': topology.PERSISTENT_CHAT_OWNER_URN,
        'displayName': 'stale legacy endpoint'})
    directory.close()
    return message_test(ocs)


def test_force_hides_the_warning_not_the_failure(ocs, scratch):
    result = message_test(ocs, Force=None)  # nothing is ready: the pool is stopped
    assert result.outputs[0]['Result'].name == 'Failure' and result.warnings == []


def test_the_client_platform_needs_both_credentials(ocs, scratch):
    """-SenderCredential without -ReceiverCredential binds to no set: the reference makes both mandatory there."""
    ready(ocs, scratch)
    result = ocs.run('Test-CsPersistentChatMessage', TargetFqdn=REGISTRAR, ChatRoomUri=ROOM,
                     SenderSipAddress=SENDER, ReceiverSipAddress=RECEIVER,
                     SenderCredential=credential('CONTOSO\\' + SENDER_SAM, user_password(scratch)))
    assert result.failure.error_id.startswith('MissingMandatoryParameter,'), result


def test_set_cs_test_user_credential_registers_a_user_after_checking_its_password(ocs, scratch):
    ready(ocs, scratch)
    sql(scratch, 'DELETE FROM test_user_credentials')
    assert 'No test user credential' in message_test(ocs).outputs[0]['Error']
    password = user_password(scratch)
    wrong = ocs.run('Set-CsTestUserCredential', SipAddress=SENDER, UserName='CONTOSO\\' + SENDER_SAM,
                    Password=password + 'x', Confirm=False)
    assert wrong.failure.error_id.startswith('InvalidCredential,') and password not in str(wrong.failure)
    assert ocs.run('Set-CsTestUserCredential', SipAddress=SENDER, UserName='CONTOSO\\' + SENDER_SAM,
                   Password=password, Confirm=False).ok
    assert ocs.run('Set-CsTestUserCredential', SipAddress=RECEIVER, Confirm=False,
                   Credential=credential('Persistent Chat Test 2', password)).ok  # a display name names it too
    assert message_test(ocs).outputs[0]['Result'].name == 'Success'
    unknown = ocs.run('Set-CsTestUserCredential', SipAddress='sip:nobody@contoso.com', UserName='x', Password='y',
                      Confirm=False)
    assert unknown.failure.error_id.startswith('UserNotFound,')


def test_get_cs_persistent_chat_policy(ocs):
    (everyone,) = ocs.run('Get-CsPersistentChatPolicy', Identity='global').outputs
    assert everyone.type_names[0] == 'Microsoft.Rtc.Management.WritableConfig.Policy.PersistentChat.PersistentChatPolicy'
    assert list(everyone.properties) == ['Identity', 'Description', 'EnablePersistentChat']
    assert everyone['Identity'] == 'Global' and everyone['EnablePersistentChat'] is False  # off, as installed [ref]
    listed = ocs.run('Get-CsPersistentChatPolicy').outputs
    assert [p['Identity'] for p in listed] == ['Global', 'tag:' + names.CHAT_POLICY_NAME]
    assert listed[1]['EnablePersistentChat'] is True
    # a bare name is a per-user policy ("-Identity RedmondPersistentChatPolicy" [ref])
    assert ocs.run('Get-CsPersistentChatPolicy', Identity=names.CHAT_POLICY_NAME).outputs[0]['Identity'] == listed[1][
        'Identity']
    assert [p['Identity'] for p in ocs.run('Get-CsPersistentChatPolicy', Filter='tag:*').outputs] == [
        listed[1]['Identity']]
    missing = ocs.run('Get-CsPersistentChatPolicy', Identity='site:Nowhere')
    assert missing.ok and missing.outputs == [] and missing.errors[0].category == 'ObjectNotFound'


def test_get_cs_user_shows_the_per_user_policy(ocs):
    (with_policy,) = ocs.run('Get-CsUser', Identity=names.user_sip(1)).outputs
    # lab users are homed on the front-end pool (msRTCSIP-PrimaryHomeServer), as Enable-CsUser leaves them
    assert with_policy['PersistentChatPolicy'] == names.CHAT_POLICY_NAME
    assert with_policy['RegistrarPool'] == 'lyncpool.contoso.com'
    (without,) = ocs.run('Get-CsUser', Identity=names.user_sip(10)).outputs  # every tenth lab user has none
    assert without['PersistentChatPolicy'] is None
    unassigned = ocs.run('Get-CsUser', OU=names.USERS_OU_DN, Filter='{PersistentChatPolicy -eq $Null}').outputs
    assert len(unassigned) == len([i for i in range(1, 201) if not names.user_has_chat_policy(i)]) == 20
    assigned = ocs.run('Get-CsUser', Filter='{PersistentChatPolicy -eq "%s"}' % names.CHAT_POLICY_NAME).outputs
    assert len(assigned) == 182  # the lab users but every tenth, and the two test users


@pytest.mark.parametrize('ldap_filter', [
    '|(msRTCSIP-PrimaryUserAddress=sip:labuser00003@contoso.com)(userPrincipalName=labuser00004@contoso.com)',
    '(|(msRTCSIP-PrimaryUserAddress=sip:labuser00003@contoso.com)(userPrincipalName=labuser00004@contoso.com))',
])
def test_get_cs_user_ldap_filter_with_or_without_outer_parentheses(ocs, ldap_filter):
    """The reference writes LDAP filters without their outer parentheses ("|(Title=Supervisor)(Title=Manager)")."""
    found = ocs.run('Get-CsUser', LdapFilter=ldap_filter).outputs
    assert sorted(u['SipAddress'] for u in found) == [names.user_sip(3), names.user_sip(4)]
    (one,) = ocs.run('Get-CsUser', LdapFilter='userPrincipalName=labuser00005@contoso.com').outputs
    assert one['SipAddress'] == names.user_sip(5)


class _User(object):
    def __init__(self, sip, home=None):
        self.sip = sip
        self.attributes = {'msRTCSIP-PrimaryHomeServer': home}

    def get(self, name, default=None):
        return self.attributes.get(name) or default


def test_the_policy_that_manages_a_user(scratch):
    """Per-user policy, else the site policy of the user's Registrar pool's site, else the global policy [ref]."""
    conn = store(scratch)
    try:
        homed = _User('sip:someone@contoso.com', topology.pool_dn(REGISTRAR))
        assert policies.effective_policy(conn, homed) == ('Global', False)
        with store_mod.transaction(conn):
            conn.execute("INSERT INTO chat_policies VALUES ('site:Redmond', NULL, 1)")
        assert policies.effective_policy(conn, homed) == ('site:Redmond', True)
        assert policies.effective_policy(conn, _User('sip:someone@contoso.com')) == ('Global', False)
        assert policies.effective_policy(conn, _User(names.user_sip(1), topology.pool_dn(REGISTRAR))) == (
            'tag:' + names.CHAT_POLICY_NAME, True)
    finally:
        conn.close()


def test_get_cs_user_and_ad_user(ocs):
    users = ocs.run('Get-CsUser', Identity=SENDER).outputs
    assert users[0].type_names[0] == 'Microsoft.Rtc.Management.ADConnect.Schema.ADUser'
    assert users[0]['SipAddress'] == SENDER and users[0]['Enabled'] is True
    by_upn = ocs.run('Get-CsAdUser', Identity='labuser00002@contoso.com').outputs
    assert by_upn[0].type_names[0] == 'Microsoft.Rtc.Management.ADConnect.Schema.CSADUser'
    assert by_upn[0]['SipAddress'] == names.user_sip(2)
    assert 'PersistentChatPolicy' not in by_upn[0].properties  # Get-CsAdUser shows generic AD attributes [ref]
    assert ocs.run('Get-CsAdUser', Identity='CONTOSO\\labuser00002').outputs[0]['SipAddress'] == names.user_sip(2)
    assert len(ocs.run('Get-CsAdUser', OU=names.USERS_OU_DN, ResultSize=5).outputs) == 5
    filtered = ocs.run('Get-CsAdUser', Filter='{SipAddress -like "sip:labuser0000*"}').outputs
    assert len(filtered) == 9
    assert ocs.run('Get-CsAdUser', Filter='Enabled -gt 3').failure.error_id.startswith('FilterNotSupported,')
    assert ocs.run('Get-CsAdUser', Identity='Nobody At All').errors[0].category == 'ObjectNotFound'
