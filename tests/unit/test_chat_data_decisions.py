# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_data's decisions that test_chat_data.py does not reach: each of Lync's documented conversions on its own
(flattening, prefixes, the 256-character limit, the root category, invitations, managers, federated and
unprovisioned principals), the comparison's matching and its verdicts, the -WhatIf gate by warning kind (the
emulator's warning texts), and what is not predicted. Pure: the export is a zip built here."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import zipfile

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import chat_data

ANA = '<User principalId="1" uri="sip:ana@contoso.com" dn="CN=Ana,CN=Users,DC=contoso,DC=com"/>'
GONE = '<User principalId="2" uri="sip:gone@contoso.com" dn=""/>'
BOB = '<User principalId="3" uri="sip:bob@fabrikam.com" dn=""/>'
# The -WhatIf import's warnings as the lab's emulator writes them (lab/emulator/cmdlets/chatdata.py)
EMULATOR_WARNINGS = {
    'category_flattened': 'Category "Backend" becomes "Eng_Backend": Persistent Chat Server has one level of '
                          'categories, so sub-categories are prefixed with their parent categories\' names.',
    'room_renamed': 'Chat room "Builds" becomes "Eng_Backend_Builds": rooms of a sub-category are prefixed with their '
                    'parent categories\' names.',
    'root_managers': "The root category's managers (sip:ana@contoso.com) become managers of every migrated chat room.",
    'invitations_off': 'Category "Eng_Backend" has invitations turned off, so chat room "Eng_Backend_Builds" gets '
                       'invitations turned off.',
    'federated_user': 'Federated user "sip:bob@fabrikam.com" is migrated, but Persistent Chat Server does not support '
                      'federation: the user will not be able to access the chat rooms.',
    'category_managers': 'Managers of category "Eng" are not migrated (Persistent Chat categories have no managers; '
                         'only the root category\'s managers become managers of every room).',
    'target_running': 'Cannot import into pool pcpool.contoso.com while its Persistent Chat services are running '
                      '(RTCPCHAT on pc01.contoso.com): stop the Persistent Chat services on every computer of the '
                      'pool first.',
}


def category(cid, name, parent='1', invitations='1', managers=()):
    roles = ''.join('<Principal id="%s" isManager="1"/>' % pid for pid in managers)
    return ('<Category id="%s" parentId="%s" isRoot="0" invitations="%s"><Name>%s</Name><Roles>%s</Roles></Category>'
            % (cid, parent, invitations, name, roles))


def room(name, cid, members=('1',), managers=(), invitations='Inherit', disabled='0'):
    roles = ''.join('<Principal id="%s" isManager="%s" isMember="1" isCreator="0" isPresenter="0"/>'
                    % (pid, '1' if pid in managers else '0') for pid in members)
    return ('<ChatRoom isDisabled="%s" categoryId="%s" invitations="%s"><Name>%s</Name><Desc></Desc><Roles>%s</Roles>'
            '</ChatRoom>' % (disabled, cid, invitations, name, roles))


def predict(categories, rooms, users=(ANA,), root_managers=(), domains=('contoso.com',)):
    root = ''.join('<Principal id="%s" isManager="1"/>' % pid for pid in root_managers)
    parts = {
        'AdUsers.xml': '<Pool><AdUsers>%s</AdUsers></Pool>' % ''.join(users),
        'AdGroups.xml': '<Pool><AdGroups/></Pool>',
        'ChatCategories.xml': '<Pool><ChatCategories><Category id="1" parentId="" isRoot="1"><Name>Root</Name><Roles>'
                              '%s</Roles></Category>%s</ChatCategories></Pool>' % (root, ''.join(categories)),
        'ChatRooms.xml': '<Pool><ChatRooms>%s</ChatRooms></Pool>' % ''.join(rooms),
        'Manifest.xml': '<Export disabledRoomsLeftOut="0"/>'}
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w') as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return chat_data.predict(chat_data.read_room_directory(data.getvalue()), list(domains))


def kinds(predicted):
    return sorted(kind for kind, _text in predicted['warnings'])


# -- the conversions ---------------------------------------------------------------------------------------------
def test_a_top_level_category_keeps_its_name_and_its_rooms_theirs():
    predicted = predict([category('2', 'Eng')], [room('Builds', '2')])
    assert predicted['categories'] == {'eng': {'name': 'Eng', 'invitations': True}}
    assert sorted(predicted['rooms']) == ['builds'] and predicted['rooms']['builds']['category'] == 'Eng'
    assert predicted['warnings'] == [] and predicted['errors'] == [] and predicted['not_predicted'] == []


def test_sub_categories_are_flattened_and_their_rooms_prefixed_at_every_depth():
    predicted = predict([category('2', 'Eng'), category('3', 'Backend', '2'), category('4', 'Db', '3')],
                        [room('Builds', '3'), room('Schema', '4')])
    assert sorted(c['name'] for c in predicted['categories'].values()) == ['Eng', 'Eng_Backend', 'Eng_Backend_Db']
    assert sorted(r['name'] for r in predicted['rooms'].values()) == ['Eng_Backend_Builds', 'Eng_Backend_Db_Schema']
    assert predicted['rooms']['eng_backend_db_schema']['category'] == 'Eng_Backend_Db'
    assert ('room_renamed', 'Chat room "Schema" becomes "Eng_Backend_Db_Schema"') in predicted['warnings']
    assert ('category_flattened', 'Category "Db" becomes "Eng_Backend_Db"') in predicted['warnings']
    assert kinds(predicted) == ['category_flattened'] * 2 + ['room_renamed'] * 2


def test_a_room_directly_under_the_root_is_not_migrated():
    predicted = predict([category('2', 'Eng')], [room('Lobby', '1'), room('Builds', '2')])
    assert sorted(predicted['rooms']) == ['builds']
    assert predicted['errors'] == ['chat room "Lobby" is directly under the root category, which is not migrated: '
                                   'move it into a category before the export']


def test_names_over_256_characters_once_prefixed_are_errors_and_their_rooms_go_with_them():
    long_name = 'C' * 253
    predicted = predict([category('2', 'Eng'), category('3', long_name, '2')],
                        [room('Builds', '3'), room('Docs', '2')])
    assert sorted(predicted['categories']) == ['eng']
    assert predicted['errors'][0].startswith('category "Eng_CCC') and '257 characters long once flattened' in \
        predicted['errors'][0]
    assert predicted['errors'][1].startswith('chat room "Builds" is not migrated: its category "Eng_CCC')
    assert sorted(predicted['rooms']) == ['docs'] and predicted['counts']['rooms'] == 1
    # a room within the limit alone, over it with its prefix
    predicted = predict([category('2', 'Eng'), category('3', 'Backend', '2')], [room('R' * 245, '3')])
    assert predicted['rooms'] == {} and 'characters long with its category prefix' in predicted['errors'][0]
    at_limit = predict([category('2', 'Eng'), category('3', 'Backend', '2')], [room('R' * 244, '3')])
    assert at_limit['errors'] == [] and len(list(at_limit['rooms'].values())[0]['name']) == 256


def test_invitations_off_on_a_category_turn_off_its_rooms_with_a_warning_only_where_they_were_on():
    predicted = predict([category('2', 'Eng', invitations='0')],
                        [room('Open', '2'), room('Closed', '2', invitations='False')])
    assert predicted['categories']['eng']['invitations'] is False
    assert [text for kind, text in predicted['warnings'] if kind == 'invitations_off'] == [
        'Category "Eng" has invitations turned off, so chat room "Open" gets invitations turned off.']


def test_root_managers_manage_every_room_category_managers_are_not_migrated():
    predicted = predict([category('2', 'Eng', managers=('1',)), category('3', 'Ops')],
                        [room('Builds', '2', members=()), room('Pager', '3', members=())], root_managers=('1',))
    assert all(r['managers'] == ['sip:ana@contoso.com'] for r in predicted['rooms'].values())
    assert ('category_managers', 'Managers of category "Eng" are not migrated') in predicted['warnings']
    assert kinds(predicted) == ['category_managers', 'root_managers']


def test_federated_users_are_migrated_with_a_warning_unprovisioned_ones_are_errors():
    predicted = predict([category('2', 'Eng')], [room('Builds', '2', members=('1', '2', '3'))],
                        users=(ANA, GONE, BOB))
    assert predicted['rooms']['builds']['members'] == ['sip:ana@contoso.com', 'sip:bob@fabrikam.com']
    assert predicted['warnings'] == [('federated_user', 'Federated user "sip:bob@fabrikam.com" is migrated, but '
                                                        'loses access')]
    assert len(predicted['errors']) == 1 and predicted['errors'][0].startswith(
        'principal not provisioned: sip:gone@contoso.com is a member of chat rooms but not in Active Directory')
    # the policy check asks only about the provisioned ones
    assert predicted['principals'] == {'users': ['sip:ana@contoso.com'], 'groups': 0, 'unnamed': 0}
    # with fabrikam.com one of the organisation's domains, Bob is not federated but unprovisioned
    inside = predict([category('2', 'Eng')], [room('Builds', '2', members=('1', '3'))], users=(ANA, BOB),
                     domains=('contoso.com', 'FABRIKAM.com'))
    assert kinds(inside) == [] and 'sip:bob@fabrikam.com' in inside['errors'][0]


def test_the_fingerprint_follows_what_the_import_must_leave_only():
    first = predict([category('2', 'Eng')], [room('Builds', '2')])
    same = predict([category('2', 'Eng')], [room('Builds', '2')])
    assert chat_data.fingerprint(first) == chat_data.fingerprint(same)
    assert len(chat_data.fingerprint(first)) == 64
    disabled = predict([category('2', 'Eng')], [room('Builds', '2', disabled='1')])
    assert chat_data.fingerprint(disabled) != chat_data.fingerprint(first)
    same['warnings'].append(('room_renamed', 'x'))  # warnings are not what the import leaves
    assert chat_data.fingerprint(same) == chat_data.fingerprint(first)


# -- what is not predicted ---------------------------------------------------------------------------------------
def test_what_the_export_does_not_show_is_named_not_guessed():
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w') as archive:
        archive.writestr('ChatRooms.xml', '<Pool><ChatRooms>%s</ChatRooms></Pool>' % room('Builds', '2'))
    directory = chat_data.read_room_directory(data.getvalue())
    assert directory['unknown'] == ['categories', 'manifest', 'member_uris', 'provisioning']
    predicted = chat_data.predict(directory, ['contoso.com'])
    assert predicted['not_predicted'] == [chat_data.NOT_SHOWN[key] for key in
                                          ('categories', 'manifest', 'member_uris', 'provisioning', 'room_categories')]
    builds = predicted['rooms']['builds']
    assert builds['exact'] is False and builds['category'] is None and builds['members'] is None
    assert predicted['errors'] == [] and predicted['counts']['members'] == 1  # the member entry, counted
    assert predicted['principals'] == {'users': [], 'groups': 0, 'unnamed': 1}


# -- the comparison ----------------------------------------------------------------------------------------------
def listed(name, category='Eng', members=('sip:ana@contoso.com',), disabled=False):
    return {'name': name, 'category': category, 'disabled': disabled, 'members': list(members), 'managers': [],
            'presenters': []}


def test_the_comparison_names_missing_categories_and_a_room_in_another_category():
    predicted = predict([category('2', 'Eng'), category('3', 'Ops')], [room('Builds', '2')])
    compared = chat_data.compare(predicted, [listed('Builds', category='Ops')], [{'name': 'Ops'}])
    assert compared['matches'] is False and compared['missing_categories'] == ['Eng']
    assert compared['different'] == [{'room': 'Builds', 'problems': ['category Ops, not Eng']}]
    assert compared['summary'] == '1 of 2 categories and 1 of 1 rooms present, 1 rooms differ'
    matched = chat_data.compare(predicted, [listed('BUILDS', category='eng')], [{'name': 'eng'}, {'name': 'OPS'}])
    assert matched['matches'] is True and matched['not_compared'] == []  # names compared as Lync does: any case


def inexact(*names):
    """A prediction from an export that does not say which category a room is in (names not exact)."""
    return {'categories': None, 'rooms': dict((name.lower(), {
        'name': name, 'category': None, 'disabled': False, 'exact': False, 'members': None, 'managers': None,
        'presenters': None}) for name in names)}


def test_inexact_rooms_are_matched_by_their_exported_name_each_target_room_once():
    predicted = inexact('Builds', 'Pager')
    compared = chat_data.compare(predicted, [listed('Eng_Builds'), listed('Pager')], [])
    assert compared['matches'] is True and compared['summary'] == '0 categories (not predicted) and 2 of 2 rooms present'
    assert compared['not_compared'][1] == '2 rooms were found by the name they were exported with (their category ' \
                                          'prefix was not predicted)'
    # one target room is the match of one predicted room only
    twice = chat_data.compare(inexact('Builds', 'x_Builds'), [listed('Eng_x_Builds')], [])
    assert twice['matches'] is False and len(twice['missing_rooms']) == 1
    # an exact prediction is never matched by suffix
    exact = dict(predicted['rooms']['builds'], exact=True)
    assert chat_data.compare({'categories': {}, 'rooms': {'builds': exact}}, [listed('Ops_Builds')], [])[
        'missing_rooms'] == ['Builds']


def test_an_exported_name_that_ends_another_does_not_steal_its_room():
    """The defect this pinned: compare matched inexact rooms greedily in name order, so "Builds" took the room
    "Team_Builds" became and left "Team_Builds" unmatched although every room was there."""
    compared = chat_data.compare(inexact('Builds', 'Team_Builds'), [listed('Eng_Team_Builds'), listed('Ops_Builds')],
                                 [])
    assert compared['matches'] is True, compared
    # a name that merely ends with the exported name, without the category's "_", is another room
    assert chat_data.compare(inexact('Builds'), [listed('Nightbuilds')], [])['missing_rooms'] == ['Builds']
    # an exact name on the pool wins over a prefixed one
    both = chat_data.compare(inexact('Builds'), [listed('Eng_Builds', disabled=True), listed('Builds')], [])
    assert both['matches'] is True, both


# -- the -WhatIf gate --------------------------------------------------------------------------------------------
@pytest.mark.parametrize('kind', sorted(EMULATOR_WARNINGS))
def test_each_warning_of_the_emulator_is_classified_by_its_kind(kind):
    assert chat_data.classify_warning(EMULATOR_WARNINGS[kind]) == kind


def test_a_warning_of_no_known_kind_is_unrecognised_and_acceptable_only_by_that_name():
    text = 'Something Microsoft did not document happened.'
    assert chat_data.classify_warning(text) == 'unrecognised' and 'unrecognised' in chat_data.ACCEPTABLE_KINDS
    assert chat_data.gate([], [text], ['room_renamed'])[0][0].startswith('1 warning(s) of kind unrecognised')
    assert chat_data.gate([], [text], ['unrecognised']) == ([], {'unrecognised': 1})


def test_the_gate_passes_only_warnings_accepted_by_kind_and_never_an_error():
    warnings = [EMULATOR_WARNINGS['room_renamed'], EMULATOR_WARNINGS['room_renamed'],
                EMULATOR_WARNINGS['category_flattened']]
    reasons, by_kind = chat_data.gate([], warnings, ['room_renamed'])
    assert by_kind == {'room_renamed': 2, 'category_flattened': 1}
    assert reasons == ['1 warning(s) of kind category_flattened not accepted (e.g. %s); accept them with '
                       'pchat_migration_accept_warnings: [category_flattened] once you have read them'
                       % EMULATOR_WARNINGS['category_flattened'][:200]]
    assert chat_data.gate([], warnings, ['room_renamed', 'category_flattened']) == ([], by_kind)
    assert chat_data.gate([], [], None) == ([], {})
    reasons, _by_kind = chat_data.gate(['Principal not provisioned: "sip:gone@contoso.com"'], [],
                                       list(chat_data.ACCEPTABLE_KINDS))
    assert reasons == ['error: Principal not provisioned: "sip:gone@contoso.com"']


def test_a_running_target_is_never_accepted():
    assert 'target_running' not in chat_data.ACCEPTABLE_KINDS
    reasons, _by_kind = chat_data.gate([], [EMULATOR_WARNINGS['target_running']], ['target_running'])
    assert len(reasons) == 1 and reasons[0].startswith('1 warning(s) of kind target_running not accepted')
    assert 'accept them with' not in reasons[0]  # no advice to accept what cannot be


def test_accepted_warnings_are_described_most_first():
    assert chat_data.describe_kinds({}) == 'no warnings'
    assert chat_data.describe_kinds({'category_flattened': 2, 'room_renamed': 13, 'federated_user': 2}) == (
        'warnings accepted: 13 room_renamed, 2 category_flattened, 2 federated_user')
