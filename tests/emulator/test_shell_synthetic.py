# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-CsPersistentChatMessage and the user cmdlets it relies on."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from lab import names, topology

from .conftest import set_chat_services

PC = topology.TARGET_POOL
SENDER, RECEIVER = names.user_sip(1), names.user_sip(2)


def ready(ocs, scratch):
    """A started pool with a room and the legacy endpoint."""
    set_chat_services(scratch, PC, 'Running', sessions=3)
    assert ocs.run('New-CsPersistentChatCategory', Name='General', PersistentChatPoolFqdn=PC).ok
    assert ocs.run('New-CsPersistentChatRoom', Name='Lobby', Category='General', PersistentChatPoolFqdn=PC).ok


def message_test(ocs, **extra):
    params = dict(TargetFqdn=PC, SenderSipAddress=SENDER, ReceiverSipAddress=RECEIVER)
    params.update(extra)
    result = ocs.run('Test-CsPersistentChatMessage', **params)
    assert result.ok and len(result.outputs) == 1, result
    return result


def test_success(ocs, scratch):
    ready(ocs, scratch)
    result = message_test(ocs)
    output = result.outputs[0]
    assert output.type_names[0] == 'Microsoft.Rtc.SyntheticTransactions.TaskOutput'
    assert output['Result'].name == 'Success' and output['TargetFqdn'] == PC and output['Error'] is None
    assert result.warnings == []
    assert message_test(ocs, TargetFqdn=topology.FRONT_END_POOL, ChatRoomUri=PC + '\\Lobby').outputs[0][
        'Result'].name == 'Success'


@pytest.mark.parametrize('breakage,expected', [
    ('stopped', 'not running'),
    ('failed_over', 'FailedOver'),
    ('unknown_user', 'is not a user enabled'),
    ('no_room', 'no enabled chat room'),
    ('conflict', 'is also owned by'),
])
def test_failures_say_what_is_wrong(ocs, scratch, breakage, expected):
    ready(ocs, scratch)
    extra = {}
    if breakage == 'stopped':
        set_chat_services(scratch, PC, 'Stopped')
    elif breakage == 'failed_over':
        assert ocs.run('Set-CsPersistentChatState', Identity='PersistentChatServer:' + PC, PoolState='FailedOver',
                       Confirm=False).ok
    elif breakage == 'unknown_user':
        extra['ReceiverSipAddress'] = 'sip:nobody@contoso.com'
    elif breakage == 'no_room':
        assert ocs.run('Set-CsPersistentChatRoom', Identity=PC + '\\Lobby', Disabled=True, Confirm=False).ok
    result = message_test(ocs, **extra) if breakage != 'conflict' else _conflict(ocs, scratch)
    output = result.outputs[0]
    assert output['Result'].name == 'Failure'
    assert expected in output['Error'] and output['Diagnosis']
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


def test_registrar_with_several_chat_pools_needs_a_room(ocs, scratch):
    ready(ocs, scratch)
    result = message_test(ocs, TargetFqdn=topology.FRONT_END_POOL)
    assert result.outputs[0]['Result'].name == 'Failure' and 'ChatRoomUri' in result.outputs[0]['Diagnosis']


def test_get_cs_user_and_ad_user(ocs):
    users = ocs.run('Get-CsUser', Identity=SENDER).outputs
    assert users[0].type_names[0] == 'Microsoft.Rtc.Management.ADConnect.Schema.ADUser'
    assert users[0]['SipAddress'] == SENDER and users[0]['Enabled'] is True
    by_upn = ocs.run('Get-CsAdUser', Identity='labuser00002@contoso.com').outputs
    assert by_upn[0].type_names[0] == 'Microsoft.Rtc.Management.ADConnect.Schema.CSADUser'
    assert by_upn[0]['SipAddress'] == RECEIVER
    assert ocs.run('Get-CsAdUser', Identity='CONTOSO\\labuser00002').outputs[0]['SipAddress'] == RECEIVER
    assert len(ocs.run('Get-CsAdUser', OU=names.USERS_OU_DN, ResultSize=5).outputs) == 5
    filtered = ocs.run('Get-CsAdUser', Filter='{SipAddress -like "sip:labuser0000*"}').outputs
    assert len(filtered) == 9
    assert ocs.run('Get-CsAdUser', Filter='Enabled -gt 3').failure.error_id.startswith('FilterNotSupported,')
    assert ocs.run('Get-CsAdUser', Identity='Nobody At All').errors[0].category == 'ObjectNotFound'
