# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent Chat rooms and categories of the Lync 2013 pools."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from lab import names, topology

PC = topology.TARGET_POOL
ROOM_TYPE = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject'
USER1, USER2 = names.user_sip(1).lower(), names.user_sip(2).lower()


@pytest.fixture
def category(ocs):
    result = ocs.run('New-CsPersistentChatCategory', Name='Engineering', Description='Eng',
                     PersistentChatPoolFqdn=PC, EnableInvitations=None)
    assert result.ok, result
    assert ocs.run('Set-CsPersistentChatCategory', Identity=PC + '\\Engineering',
                   AllowedMembers={'Add': [names.BASE_DN]}, Confirm=False).ok
    return result.outputs[0]


def test_new_category_object(category):
    assert category.type_names[0] == 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.CategoryObject'
    assert category['Identity'] == PC + '\\Engineering'
    assert category['Invites'] is True and category['FileUpload'] is False and category['ChatHistory'] is True


def test_new_room_and_its_object(ocs, category):
    result = ocs.run('New-CsPersistentChatRoom', Name='Builds', Category='Engineering', PersistentChatPoolFqdn=PC,
                     Type='Auditorium', Description='CI')
    assert result.ok, result
    room = result.outputs[0]
    assert room.type_names[0] == ROOM_TYPE
    assert room['Identity'] == PC + '\\Builds' and room['Category'] == 'Engineering'
    assert room['Privacy'].name == 'Closed' and room['Type'].name == 'Auditorium'
    assert room['Invitations'].name == 'Inherit' and room['Disabled'] is False
    assert room['Members'] == [] and room['Managers'] == [] and room['Presenters'] == []


def test_room_errors(ocs, category):
    assert ocs.run('New-CsPersistentChatRoom', Name='A', Category='Nope', PersistentChatPoolFqdn=PC).failure.error_id \
        .startswith('CategoryNotFound,')
    assert ocs.run('New-CsPersistentChatRoom', Name='A', Category='Engineering', PersistentChatPoolFqdn=PC).ok
    duplicate = ocs.run('New-CsPersistentChatRoom', Name='a', Category='Engineering', PersistentChatPoolFqdn=PC)
    assert duplicate.failure.error_id.startswith('RoomExists,') and duplicate.failure.category == 'ResourceExists'
    assert ocs.run('New-CsPersistentChatRoom', Name='B', Category='Engineering').failure.error_id.startswith(
        'PoolRequired,')  # two Persistent Chat pools: the pool must be named
    assert ocs.run('New-CsPersistentChatRoom', Name='x' * 257, Category='Engineering',
                   PersistentChatPoolFqdn=PC).failure.error_id.startswith('NameTooLong,')
    legacy = ocs.run('Get-CsPersistentChatRoom', PersistentChatPoolFqdn=topology.LEGACY_POOL)
    assert legacy.failure.error_id.startswith('PoolNotFound,')


def test_members_managers_presenters(ocs, category):
    assert ocs.run('New-CsPersistentChatRoom', Name='Stage', Category='Engineering', PersistentChatPoolFqdn=PC,
                   Type='Auditorium').ok
    identity = PC + '\\Stage'
    assert ocs.run('Set-CsPersistentChatRoom', Identity=identity, Members={'Add': [USER1, USER2]},
                   Managers=USER1, Presenters={'Add': USER2}, Confirm=False).ok
    room = ocs.run('Get-CsPersistentChatRoom', Identity=identity).outputs[0]
    assert sorted(room['Members']) == [USER1, USER2] and room['Managers'] == [USER1]
    assert room['Presenters'] == [USER2]
    assert ocs.run('Set-CsPersistentChatRoom', Identity=identity, Members={'Remove': USER2}, Confirm=False).ok
    assert ocs.run('Get-CsPersistentChatRoom', Identity=identity).outputs[0]['Members'] == [USER1]
    shown = ocs.run('Get-CsPersistentChatRoom', Identity=identity, AsObject=None).outputs[0]
    assert shown['Managers'][0] != USER1 and '(00001)' in shown['Managers'][0]  # the display name


def test_principals_must_be_in_ad_and_allowed(ocs, category):
    assert ocs.run('New-CsPersistentChatRoom', Name='Closed', Category='Engineering', PersistentChatPoolFqdn=PC).ok
    identity = PC + '\\Closed'
    unknown = ocs.run('Set-CsPersistentChatRoom', Identity=identity, Members={'Add': 'sip:ghost@contoso.com'},
                      Confirm=False)
    assert unknown.failure.error_id.startswith('PrincipalNotFound,')
    assert ocs.run('Set-CsPersistentChatCategory', Identity=PC + '\\Engineering', DeniedMembers={'Add': USER2},
                   Confirm=False).ok
    denied = ocs.run('Set-CsPersistentChatRoom', Identity=identity, Members={'Add': USER2}, Confirm=False)
    assert denied.failure.error_id.startswith('PrincipalNotAllowed,')
    presenters = ocs.run('Set-CsPersistentChatRoom', Identity=identity, Presenters={'Add': USER1}, Confirm=False)
    assert presenters.failure.error_id.startswith('PresentersNotAllowed,')


def test_invitations_follow_the_category(ocs, category):
    assert ocs.run('New-CsPersistentChatCategory', Name='Quiet', PersistentChatPoolFqdn=PC).ok  # invitations off
    room = ocs.run('New-CsPersistentChatRoom', Name='Hush', Category='Quiet', PersistentChatPoolFqdn=PC).outputs[0]
    assert room['Invitations'].name == 'False'
    refused = ocs.run('Set-CsPersistentChatRoom', Identity=PC + '\\Hush', Invitations='Inherit', Confirm=False)
    assert refused.failure.error_id.startswith('InvitationsOff,')


def test_get_room_filters(ocs, category):
    for name, disabled in (('One', False), ('Two', True), ('Three', False)):
        assert ocs.run('New-CsPersistentChatRoom', Name=name, Category='Engineering', PersistentChatPoolFqdn=PC,
                       Disabled=disabled, Description='about ' + name).ok

    def names_of(result):
        return sorted(o['Name'] for o in result.outputs)
    assert names_of(ocs.run('Get-CsPersistentChatRoom', PersistentChatPoolFqdn=PC)) == ['One', 'Three', 'Two']
    assert names_of(ocs.run('Get-CsPersistentChatRoom', Disabled=True)) == ['Two']
    assert names_of(ocs.run('Get-CsPersistentChatRoom', Category='Engineering')) == ['One', 'Three', 'Two']
    assert names_of(ocs.run('Get-CsPersistentChatRoom', Filter='T*')) == ['Three', 'Two']
    assert names_of(ocs.run('Get-CsPersistentChatRoom', Filter='{Name -like "O*"}')) == ['One']
    assert names_of(ocs.run('Get-CsPersistentChatRoom', Filter='about tw', SearchDescription=None)) == ['Two']
    assert len(ocs.run('Get-CsPersistentChatRoom', ResultSize=2).outputs) == 2
    assert ocs.run('Get-CsPersistentChatRoom', Identity='One').outputs[0]['Identity'] == PC + '\\One'
    conflict = ocs.run('Get-CsPersistentChatRoom', Category='Engineering', PersistentChatPoolFqdn=PC)
    assert conflict.failure.error_id.startswith('ParameterConflict,')


def test_rename_remove_room_and_category(ocs, category):
    assert ocs.run('New-CsPersistentChatRoom', Name='Old', Category='Engineering', PersistentChatPoolFqdn=PC).ok
    assert ocs.run('Set-CsPersistentChatRoom', Identity=PC + '\\Old', Name='New', Confirm=False).ok
    assert ocs.run('Get-CsPersistentChatRoom', Identity=PC + '\\New').outputs
    refused = ocs.run('Remove-CsPersistentChatCategory', Identity=PC + '\\Engineering', Confirm=False)
    assert refused.failure.error_id.startswith('CategoryNotEmpty,')
    assert ocs.run('Remove-CsPersistentChatRoom', Identity=PC + '\\New', Confirm=False).ok
    assert ocs.run('Remove-CsPersistentChatCategory', Identity=PC + '\\Engineering', Confirm=False).ok
    assert ocs.run('Get-CsPersistentChatCategory', PersistentChatPoolFqdn=PC).outputs == []
    gone = ocs.run('Get-CsPersistentChatCategory', Identity=PC + '\\Engineering')
    assert gone.errors[0].category == 'ObjectNotFound'


def test_categories_of_a_pool(ocs, category):
    assert [o['Name'] for o in ocs.run('Get-CsPersistentChatCategory', PersistentChatPoolFqdn=PC).outputs] == [
        'Engineering']
    assert ocs.run('Get-CsPersistentChatCategory', PersistentChatPoolFqdn=topology.TARGET_POOL_2).outputs == []
    assert ocs.run('Get-CsPersistentChatCategory', Identity=PC + '\\Engineering').outputs[0]['AllowedMembers'] == [
        names.BASE_DN]
