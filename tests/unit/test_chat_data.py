# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The export's room directory, the prediction and the comparison, fail soft: an export that shows only what
Microsoft's PChat2Teams sample reads (AdUsers principalId/UserPrincipalName, AdGroups principalId, ChatRooms
isDisabled/Name/Desc/Roles) is predicted as far as it goes, never blocked for what it does not show."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import zipfile

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import chat_data
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

USERS_LAB = ('<Pool><AdUsers>'
             '<User principalId="1" uri="sip:ana@contoso.com" dn="CN=Ana,DC=contoso,DC=com">'
             '<UserPrincipalName>ana@contoso.com</UserPrincipalName></User>'
             '<User principalId="2" uri="sip:gone@contoso.com" dn=""><UserPrincipalName></UserPrincipalName></User>'
             '<User principalId="3" uri="sip:bob@fabrikam.com" dn=""><UserPrincipalName></UserPrincipalName></User>'
             '</AdUsers></Pool>')
USERS_DOCUMENTED = ('<Pool><AdUsers><User principalId="1"><UserPrincipalName>ana@contoso.com</UserPrincipalName></User>'
                    '<User principalId="2" UserPrincipalName="gone@contoso.com"/></AdUsers></Pool>')
GROUPS_LAB = '<Pool><AdGroups><Group principalId="9" dn="OU=Eng,DC=contoso,DC=com" kind="ou"/></AdGroups></Pool>'
GROUPS_DOCUMENTED = '<Pool><AdGroups><Group principalId="9"/></AdGroups></Pool>'
CATEGORIES = ('<Pool><ChatCategories>'
              '<Category id="1" parentId="" isRoot="1"><Name>Root</Name><Roles>'
              '<Principal id="1" isManager="1"/></Roles></Category>'
              '<Category id="2" parentId="1" isRoot="0" invitations="1"><Name>Eng</Name></Category>'
              '<Category id="3" parentId="2" isRoot="0" invitations="0"><Name>Backend</Name></Category>'
              '</ChatCategories></Pool>')


def rooms(lab=True):
    extra = (lambda cid: ' categoryId="%s" invitations="Inherit"' % cid) if lab else (lambda cid: '')
    presenter = ' isPresenter="0"' if lab else ''
    return ('<Pool><ChatRooms>'
            '<ChatRoom isDisabled="0"%s><Name>Builds</Name><Desc>b</Desc><Roles>'
            '<Principal id="1" isManager="0" isMember="1" isCreator="0"%s/>'
            '<Principal id="2" isManager="0" isMember="1" isCreator="0"%s/></Roles></ChatRoom>'
            '<ChatRoom isDisabled="1"%s><Name>Old</Name><Desc></Desc><Roles>'
            '<Principal id="1" isManager="1" isMember="1" isCreator="0"%s/></Roles></ChatRoom>'
            '</ChatRooms></Pool>' % (extra('3'), presenter, presenter, extra('2'), presenter))


def export(**members):
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w') as archive:
        for name, text in members.items():
            archive.writestr(name.replace('_', '.'), text)
    return data.getvalue()


def lab_export():
    return export(AdUsers_xml=USERS_LAB, AdGroups_xml=GROUPS_LAB, ChatRooms_xml=rooms(),
                  ChatCategories_xml=CATEGORIES, Manifest_xml='<Export disabledRoomsLeftOut="2"/>')


def documented_export():
    return export(AdUsers_xml=USERS_DOCUMENTED, AdGroups_xml=GROUPS_DOCUMENTED, ChatRooms_xml=rooms(lab=False))


def test_the_labs_export_is_predicted_with_lyncs_conversions():
    predicted = chat_data.predict(chat_data.read_room_directory(lab_export()), ['contoso.com'])
    assert predicted['not_predicted'] == []
    assert sorted(predicted['categories']) == ['eng', 'eng_backend']
    assert sorted(predicted['rooms']) == ['eng_backend_builds', 'old']
    builds = predicted['rooms']['eng_backend_builds']
    assert builds['exact'] and builds['members'] == ['sip:ana@contoso.com'] and builds['managers'] == [
        'sip:ana@contoso.com']  # the root category's manager
    assert any(text.startswith('principal not provisioned: sip:gone@contoso.com') for text in predicted['errors'])
    kinds = set(kind for kind, _text in predicted['warnings'])
    assert {'category_flattened', 'room_renamed', 'root_managers', 'invitations_off'} <= kinds
    assert predicted['counts'] == {'categories': 2, 'rooms': 2, 'members': 2, 'disabled_rooms_left_out': 2}
    # members for the policy check: not the unprovisioned or federated ones (the import's error and warning say so)
    assert predicted['principals'] == {'users': ['sip:ana@contoso.com'], 'groups': 0, 'unnamed': 0}


def test_an_export_with_only_what_microsofts_reader_shows_is_predicted_as_far_as_it_goes():
    directory = chat_data.read_room_directory(documented_export())
    assert directory['categories'] is None and directory['manifest'] is None
    predicted = chat_data.predict(directory, [])
    assert predicted['errors'] == [] and predicted['warnings'] == []  # nothing invented from what is not shown
    assert predicted['categories'] is None and predicted['counts']['categories'] is None
    assert sorted(predicted['rooms']) == ['builds', 'old']
    builds = predicted['rooms']['builds']
    assert builds['exact'] is False and builds['members'] is None and builds['disabled'] is False
    assert predicted['rooms']['old']['disabled'] is True
    assert predicted['counts']['rooms'] == 2 and predicted['counts']['members'] == 3  # member entries, counted
    assert predicted['counts']['disabled_rooms_left_out'] is None
    said = ' '.join(predicted['not_predicted'])
    for part in ('categories after the import', 'which category a room is in', 'by UPN only',
                 'principals not provisioned', 'presenters', 'disabled rooms the export left out'):
        assert part in said, part
    # the members are named by their UPN, for the policy check
    assert predicted['principals']['users'] == ['ana@contoso.com', 'gone@contoso.com']


def test_missing_members_are_not_predicted_and_a_broken_zip_is_an_error():
    predicted = chat_data.predict(chat_data.read_room_directory(export(AdUsers_xml=USERS_DOCUMENTED)), [])
    assert predicted['rooms'] == {} and predicted['not_predicted'][0].startswith('chat rooms: the export holds no')
    with pytest.raises(PchatError, match='cannot be read'):
        chat_data.read_room_directory(b'not a zip')
    with pytest.raises(PchatError, match='cannot be read'):
        chat_data.read_room_directory(export(ChatRooms_xml='<Pool><ChatRooms>'))


def test_a_room_name_over_256_characters_is_an_error_even_without_categories():
    long_rooms = rooms(lab=False).replace('<Name>Builds</Name>', '<Name>%s</Name>' % ('x' * 257))
    predicted = chat_data.predict(chat_data.read_room_directory(export(ChatRooms_xml=long_rooms)), [])
    assert len(predicted['errors']) == 1 and '257 characters long' in predicted['errors'][0]


def test_the_comparison_falls_back_to_what_the_cmdlets_list():
    predicted = chat_data.predict(chat_data.read_room_directory(documented_export()), [])
    listed_rooms = [{'name': 'Eng_Backend_Builds', 'category': 'Eng_Backend', 'disabled': False, 'members': []},
                    {'name': 'Old', 'category': 'Eng', 'disabled': True, 'members': []}]
    listed_categories = [{'name': 'Eng'}, {'name': 'Eng_Backend'}]
    compared = chat_data.compare(predicted, listed_rooms, listed_categories)
    assert compared['matches'] is True, compared
    assert compared['summary'] == '2 categories (not predicted) and 2 of 2 rooms present'
    assert any('found by the name they were exported with' in text for text in compared['not_compared'])
    assert any('members of 2 rooms' in text for text in compared['not_compared'])
    missing = chat_data.compare(predicted, listed_rooms[1:], listed_categories)
    assert missing['matches'] is False and missing['missing_rooms'] == ['Builds']
    disabled = chat_data.compare(predicted, [dict(listed_rooms[0]), dict(listed_rooms[1], disabled=False)],
                                 listed_categories)
    assert disabled['different'] == [{'room': 'Old', 'problems': ['disabled is False']}]


def test_the_comparison_of_a_full_prediction_checks_members():
    predicted = chat_data.predict(chat_data.read_room_directory(lab_export()), ['contoso.com'])
    listed = [{'name': 'Eng_Backend_Builds', 'category': 'Eng_Backend', 'disabled': False, 'members': [],
               'managers': ['sip:ana@contoso.com'], 'presenters': []},
              {'name': 'Old', 'category': 'Eng', 'disabled': True, 'members': ['sip:ana@contoso.com'],
               'managers': ['sip:ana@contoso.com'], 'presenters': []}]
    compared = chat_data.compare(predicted, listed, [{'name': 'Eng'}, {'name': 'Eng_Backend'}])
    assert compared['not_compared'] == []
    assert compared['different'] == [{'room': 'Eng_Backend_Builds',
                                      'problems': ['1 members missing (sip:ana@contoso.com)']}]
