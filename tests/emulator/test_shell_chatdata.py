# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Export-/Import-CsPersistentChatData: the export file and its levels, the import's conversions, warnings and
errors, -WhatIf, the refusal while the target runs, overwrite on re-import, room-by-room writes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os
import threading
import time
import xml.dom.minidom
import xml.etree.ElementTree as ET
import zipfile

import pytest

from lab import names, topology
from lab.emulator import store as store_mod
from lab.emulator.knobs import Knobs
from lab.inspect import snapshot

from .conftest import fingerprint, set_chat_services, store, zip_path

LEGACY = topology.LEGACY_POOL
TARGET = topology.TARGET_POOL
SOURCE_DB = topology.db_instance(LEGACY)
TARGET_DB = topology.db_instance(TARGET)
ZIP = 'C:\\Windows\\Temp\\gc.zip'
ROOT_MANAGER = names.user_sip(1).lower()


def export(ocs, scratch, windows_path=ZIP, **parameters):
    set_chat_services(scratch, LEGACY, 'Stopped')
    params = dict(DBInstance=SOURCE_DB, DBName=topology.LEGACY_DB)
    if 'AsBytes' not in parameters:
        params['FileName'] = windows_path
    params.update(parameters)
    return ocs.run('Export-CsPersistentChatData', **params)


def import_(ocs, windows_path=ZIP, **parameters):
    params = dict(DBInstance=TARGET_DB, FileName=windows_path, Confirm=False)
    params.update(parameters)
    return ocs.run('Import-CsPersistentChatData', **params)


def pools(scratch):
    return dict((p['fqdn'], p) for p in snapshot(scratch, with_directory=False)['pools'])


def expected_names(pool):
    """Source room name -> the name the import gives it (prefixed with its category's flattened path when that
    category is a sub-category)."""
    parents = dict((c['name'], c['parent']) for c in pool['categories'])
    result = {}
    for room in pool['rooms']:
        path = [room['category']]
        while parents.get(path[0]) not in (None, 'Root'):
            path.insert(0, parents[path[0]])
        result[room['name']] = ('_'.join(path) + '_' + room['name']) if len(path) > 1 else room['name']
    return result


def members(path):
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def room_principals(scratch, pool, room, role):
    conn = store(scratch)
    try:
        return sorted(r[0] for r in conn.execute(
            'SELECT principal FROM room_principals p JOIN rooms r ON r.id = p.room_id WHERE r.pool_fqdn = ? AND '
            'r.name = ? AND p.role = ?', (pool, room, role)))
    finally:
        conn.close()


# -- export ---------------------------------------------------------------------------------------------------
def test_export_writes_the_documented_files(ocs, scratch):
    result = export(ocs, scratch)
    assert result.ok and result.errors == [] and result.warnings == [], result
    local = zip_path(scratch, ZIP)
    assert members(local) == {'Manifest.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml',
                              'ChatCategories.xml', 'ChatRooms.xml', 'ChatContent.csv'}
    with zipfile.ZipFile(local) as archive:
        rooms = ET.fromstring(archive.read('ChatRooms.xml'))
        users = ET.fromstring(archive.read('AdUsers.xml'))
        manifest = ET.fromstring(archive.read('Manifest.xml'))
    source = pools(scratch)[LEGACY]
    disabled = [r for r in source['rooms'] if r['disabled']]
    assert disabled, 'the default data set has disabled rooms'
    exported = [room.findtext('Name') for room in rooms.iter('ChatRoom')]
    assert sorted(exported) == sorted(r['name'] for r in source['rooms'] if not r['disabled'])
    assert manifest.get('disabledRoomsLeftOut') == str(len(disabled))
    # The PChat2Teams sample reads Name, then Desc, then Roles; principals by id from AdUsers.xml.
    first = next(rooms.iter('ChatRoom'))
    assert [child.tag for child in first][:3] == ['Name', 'Desc', 'Roles']
    ids = dict((u.get('principalId'), u.findtext('UserPrincipalName')) for u in users.iter('User'))
    principal = next(first.iter('Principal'))
    assert principal.get('id') in ids and principal.get('isMember') in ('0', '1')
    assert ids[principal.get('id')] is not None


def read_as_pchat2teams(archive):
    """The rooms of an export as Microsoft's PChat2Teams sample (TeamsAdminSamples, PChat2Teams/PChatToTeams.ps1)
    reads them, written anew here from what that script does: users by ``principalId`` with their
    ``UserPrincipalName`` (attribute or child element, as PowerShell's XML adapter shows either); for each
    ``Pool/ChatRooms/ChatRoom``, ``isDisabled``, the first ``Name`` below it, then the node right after ``</Name>``
    if it is ``Desc``, then the node after that if it is ``Roles`` (an XmlReader with default settings: whitespace
    is a node too), whose ``Principal`` elements are managers (``isManager`` or ``isCreator`` = '1') or members.
    Returns [(isDisabled, name, description, managers' UPNs, members' UPNs)]."""
    users = {}
    for user in xml.dom.minidom.parseString(archive.read('AdUsers.xml')).getElementsByTagName('User'):
        upn = user.getAttribute('UserPrincipalName') or ''.join(
            n.firstChild.data for n in user.getElementsByTagName('UserPrincipalName') if n.firstChild)
        users[user.getAttribute('principalId')] = upn
    rooms = []
    for room in xml.dom.minidom.parseString(archive.read('ChatRooms.xml')).getElementsByTagName('ChatRoom'):
        name_node = room.getElementsByTagName('Name')[0]
        name = ''.join(n.data for n in name_node.childNodes)
        node = name_node.nextSibling
        description = None
        if node is not None and node.nodeName == 'Desc':
            description = ''.join(n.data for n in node.childNodes)
            node = node.nextSibling
        managers, members_ = [], []
        if node is not None and node.nodeName == 'Roles':
            for principal in node.getElementsByTagName('Principal'):
                upn = users.get(principal.getAttribute('id'))
                if principal.getAttribute('isManager') == '1' or principal.getAttribute('isCreator') == '1':
                    managers.append(upn)
                elif principal.getAttribute('isMember') == '1':
                    members_.append(upn)
        rooms.append((room.getAttribute('isDisabled'), name, description, sorted(managers), sorted(members_)))
    return rooms


def upn(sip):
    """The UPN of a lab user from its SIP address (the lab's users have both alike); None outside contoso.com."""
    return sip[4:].lower() if sip.lower().endswith('@contoso.com') else None


def test_microsofts_public_reader_of_an_export_reads_every_room_whole(ocs, scratch):
    """What PChat2Teams gets from the lab's export: every exported room with its description and roles (an indented
    ChatRooms.xml reads as rooms without description and roles: the node after </Name> is whitespace)."""
    assert export(ocs, scratch).ok
    with zipfile.ZipFile(zip_path(scratch, ZIP)) as archive:
        read = read_as_pchat2teams(archive)
    conn = store(scratch)
    try:
        expected = {}
        for row in conn.execute('SELECT id, name, description FROM rooms WHERE pool_fqdn = ? AND disabled = 0',
                                (LEGACY,)):
            roles = {}
            for principal, role in conn.execute('SELECT principal, role FROM room_principals WHERE room_id = ?',
                                                (row['id'],)):
                roles.setdefault(principal, set()).add(role)
            local = dict((p, r) for p, r in roles.items() if p.lower().startswith('sip:') and upn(p))
            expected[row['name']] = (row['description'], sorted(upn(p) for p, r in local.items() if 'manager' in r),
                                     sorted(upn(p) for p, r in local.items() if 'manager' not in r and 'member' in r))
    finally:
        conn.close()
    assert sorted(name for _d, name, _desc, _mgr, _mem in read) == sorted(expected)
    for disabled, name, description, managers, members_ in read:
        want_description, want_managers, want_members = expected[name]
        assert disabled == '0' and description == want_description, name
        assert description is not None and (managers or members_), name
        # principals of the lab's own domain that AD knows have their UPN (the others: an empty one)
        assert set(want_managers) <= set(managers) and set(want_members) <= set(members_), name


def test_export_layout_other_names_the_undocumented_parts_otherwise(ocs, scratch):
    """With the ``export_layout`` knob at ``other`` the documented members and attributes are the same and every
    undocumented one has another name (what a client can count on is only the documented part); the lab's own
    import reads that file as it reads its own."""
    data = export(ocs, scratch, AsBytes=None).outputs[0]
    Knobs(scratch).update(export_layout='other')
    other = export(ocs, scratch, AsBytes=None).outputs[0]
    with zipfile.ZipFile(io.BytesIO(data)) as lab_zip, zipfile.ZipFile(io.BytesIO(other)) as other_zip:
        assert set(other_zip.namelist()) == {'ExportInfo.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml',
                                             'Categories.xml', 'ChatRooms.xml', 'Content.csv'}
        assert read_as_pchat2teams(other_zip) == read_as_pchat2teams(lab_zip)
        room = next(ET.fromstring(other_zip.read('ChatRooms.xml')).iter('ChatRoom'))
        assert room.get('isDisabled') == '0' and room.get('categoryId') is None and room.get('category')
        user = next(ET.fromstring(other_zip.read('AdUsers.xml')).iter('User'))
        assert user.get('principalId') and user.get('uri') is None and user.get('sipUri')
    assert export(ocs, scratch).ok  # to a file, still in the other layout
    assert members(zip_path(scratch, ZIP)) == {'ExportInfo.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml',
                                               'Categories.xml', 'ChatRooms.xml', 'Content.csv'}
    result = import_(ocs)
    assert result.ok and result.errors == [], result
    lab = pools(scratch)
    renamed = expected_names(lab[LEGACY])
    by_name = dict((r['name'], r) for r in lab[TARGET]['rooms'])
    for room in lab[LEGACY]['rooms']:
        if not room['disabled']:
            copy = by_name[renamed[room['name']]]
            assert (copy['messages'], copy['checksum']) == (room['messages'], room['checksum']), room['name']


@pytest.mark.parametrize('level,expected', [
    ('User', {'Manifest.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml'}),
    ('Category', {'Manifest.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml', 'ChatCategories.xml'}),
    ('RoomDirectory', {'Manifest.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml', 'ChatCategories.xml',
                       'ChatRooms.xml'}),
    ('Content', {'Manifest.xml', 'ChatCategories.xml', 'ChatRooms.xml', 'ChatContent.csv'}),
])
def test_export_levels(ocs, scratch, level, expected):
    result = export(ocs, scratch, AsBytes=None, Level=level)
    assert result.ok, result
    assert len(result.outputs) == 1 and isinstance(result.outputs[0], bytes)
    assert members(io.BytesIO(result.outputs[0])) == expected


def test_room_directory_as_bytes_has_rooms_with_members_and_managers(ocs, scratch):
    data = export(ocs, scratch, AsBytes=None, Level='RoomDirectory').outputs[0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rooms = ET.fromstring(archive.read('ChatRooms.xml'))
    roles = list(rooms.iter('Principal'))
    assert any(p.get('isManager') == '1' for p in roles) and any(p.get('isMember') == '1' for p in roles)


def test_export_errors(ocs, scratch):
    missing_folder = export(ocs, scratch, windows_path='C:\\NoSuchFolder\\x.zip')
    assert missing_folder.failure.exception_type == 'System.IO.DirectoryNotFoundException'
    assert "Could not find a part of the path 'C:\\NoSuchFolder\\x.zip'." == missing_folder.failure.message
    relative = export(ocs, scratch, windows_path='x.zip')
    assert relative.failure.exception_type == 'System.ArgumentException'
    unknown = ocs.run('Export-CsPersistentChatData', DBInstance='nosql.contoso.com\\x', AsBytes=None)
    assert unknown.failure.error_id.startswith('SqlConnectionFailed,')
    default_name = ocs.run('Export-CsPersistentChatData', DBInstance=SOURCE_DB, AsBytes=None)
    assert default_name.failure.error_id.startswith('SqlDatabaseNotFound,')  # -DBName defaults to mgc
    assert ocs.run('Export-CsPersistentChatData', DBInstance=SOURCE_DB, DBName='GroupChat',
                   AsBytes=False).failure.error_id.startswith('OutputRequired,')


def test_start_date_only_with_room_directory(ocs, scratch):
    refused = export(ocs, scratch, AsBytes=None, StartDate='2026-01-01')
    assert refused.failure.error_id.startswith('StartDateRequiresRoomDirectory,')
    accepted = export(ocs, scratch, AsBytes=None, StartDate='2026-01-01', Level='RoomDirectory')
    assert accepted.ok and any('StartDate' in w for w in accepted.warnings)


def test_export_of_a_running_pool_warns(ocs, scratch):
    result = ocs.run('Export-CsPersistentChatData', DBInstance=SOURCE_DB, DBName='GroupChat', AsBytes=None)
    assert result.ok and 'are running' in result.warnings[0]


def test_export_scope_takes_categories_and_their_sub_categories(ocs, scratch):
    source = pools(scratch)[LEGACY]
    data = export(ocs, scratch, AsBytes=None, Level='RoomDirectory', Scope=['Engineering']).outputs[0]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rooms = [r.findtext('Name') for r in ET.fromstring(archive.read('ChatRooms.xml')).iter('ChatRoom')]
    in_scope = set(c['name'] for c in source['categories'] if c['name'] == 'Engineering' or
                   c['parent'] == 'Engineering')
    assert sorted(rooms) == sorted(r['name'] for r in source['rooms'] if r['category'] in in_scope and
                                   not r['disabled'])


def test_export_hold_points(ocs, scratch):
    Knobs(scratch).update(hold=[{'cmdlet': 'Export-CsPersistentChatData', 'point': 'rooms:3', 'seconds': 0.1}])
    assert export(ocs, scratch).ok
    with open(Knobs(scratch).holds_path) as handle:
        assert '"point": "rooms:3"' in handle.read()


# -- import ---------------------------------------------------------------------------------------------------
def test_round_trip_applies_lyncs_conversions(ocs, scratch):
    assert export(ocs, scratch).ok
    result = import_(ocs, Report='C:\\Windows\\Temp\\import.html')
    assert result.ok and result.errors == [], result
    lab = pools(scratch)
    source, target = lab[LEGACY], lab[TARGET]
    renamed = expected_names(source)
    by_name = dict((r['name'], r) for r in target['rooms'])
    for room in source['rooms']:
        if room['disabled']:
            assert renamed[room['name']] not in by_name
            continue
        copy = by_name[renamed[room['name']]]
        assert (copy['messages'], copy['checksum']) == (room['messages'], room['checksum']), room['name']
    assert all(c['parent'] is None for c in target['categories'])
    assert 'Root' not in [c['name'] for c in target['categories']]
    assert 'Engineering_Support' in [c['name'] for c in target['categories']]  # a flattened sub-category
    assert any(name != renamed_name for name, renamed_name in renamed.items())
    for room in target['rooms']:
        assert ROOT_MANAGER in room_principals(scratch, TARGET, room['name'], 'manager')
    federated = [w for w in result.warnings if w.startswith('Federated user')]
    invitations = [w for w in result.warnings if 'has invitations turned off' in w]
    assert federated and invitations
    assert any('root category' in w for w in result.warnings)
    with open(zip_path(scratch, 'C:\\Windows\\Temp\\import.html'), encoding='utf-8') as handle:
        report = handle.read()
    assert 'Imported' in report and 'Federated user' in report


def test_whatif_import_reports_the_same_warnings_and_changes_nothing(ocs, scratch, ldap):
    assert export(ocs, scratch).ok
    before = fingerprint(scratch, ldap)
    preview = import_(ocs, WhatIf=None)
    assert preview.ok and preview.errors == []
    assert fingerprint(scratch, ldap) == before
    real = import_(ocs)
    assert real.ok
    assert preview.warnings == real.warnings and preview.warnings


def summary(result):
    """The counts of Import's -Verbose summary ("Imported ..." or, under -WhatIf, "Would import ...")."""
    (line,) = [v for v in result.verbose if v.startswith(('Imported ', 'Would import '))]
    return line.split(' ', 2)[2] if line.startswith('Would') else line.split(' ', 1)[1]


def test_whatif_summary_and_errors_predict_the_real_import(ocs, scratch):
    assert export(ocs, scratch).ok
    assert export(ocs, scratch, windows_path='C:\\Windows\\Temp\\content.zip', Level='Content').ok
    for _run in ('into the empty pool', 'over what the first import wrote'):
        preview, real = import_(ocs, WhatIf=None, Verbose=None), import_(ocs, Verbose=None)
        assert summary(preview) == summary(real) and ' 0 messages' not in summary(real), summary(real)
    conn = store(scratch)
    store_mod.wipe_chat_data(conn, TARGET)
    conn.close()
    preview, real = [import_(ocs, windows_path='C:\\Windows\\Temp\\content.zip', Verbose=None, **whatif)
                     for whatif in ({'WhatIf': None}, {})]  # content for rooms that do not exist: RoomNotFound
    assert [e.error_id for e in preview.errors] == [e.error_id for e in real.errors]
    assert real.errors and real.errors[0].error_id.startswith('RoomNotFound,')
    assert summary(preview) == summary(real)


def test_import_refuses_while_the_target_runs(ocs, scratch):
    assert export(ocs, scratch).ok
    set_chat_services(scratch, TARGET, 'Running', sessions=3)
    refused = import_(ocs)
    assert refused.failure.error_id.startswith('PersistentChatServiceRunning,')
    assert 'RTCPCHAT on pc01.contoso.com' in refused.failure.message
    assert pools(scratch)[TARGET]['rooms'] == []
    preview = import_(ocs, WhatIf=None)
    assert preview.ok and any('while its Persistent Chat services are running' in w for w in preview.warnings)


def test_reimport_overwrites_and_never_duplicates(ocs, scratch):
    assert export(ocs, scratch).ok
    assert import_(ocs).ok
    first = pools(scratch)[TARGET]
    again = import_(ocs, Verbose=None)
    assert again.ok and any('overwritten' in v for v in again.verbose)
    assert pools(scratch)[TARGET] == first


def test_items_created_on_the_target_are_overwritten(ocs, scratch):
    assert ocs.run('New-CsPersistentChatCategory', Name='Sales', Description='native', PersistentChatPoolFqdn=TARGET,
                   EnableInvitations=None).ok
    source_room = [r for r in pools(scratch)[LEGACY]['rooms'] if r['category'] == 'Sales' and not r['disabled']][0]
    assert ocs.run('New-CsPersistentChatRoom', Name=source_room['name'], Category='Sales', Description='native',
                   PersistentChatPoolFqdn=TARGET).ok
    assert export(ocs, scratch).ok
    assert import_(ocs).ok
    target = pools(scratch)[TARGET]
    assert [c['name'] for c in target['categories']].count('Sales') == 1
    room = ocs.run('Get-CsPersistentChatRoom', Identity='%s\\%s' % (TARGET, source_room['name'])).outputs[0]
    assert room['Description'] != 'native'
    copy = [r for r in target['rooms'] if r['name'] == source_room['name']][0]
    assert copy['checksum'] == source_room['checksum']


def add_legacy_room(conn, category_path, room_name, members_):
    """A room in a (new) category path under the legacy pool's root, with members and one message."""
    with store_mod.transaction(conn):
        parent = conn.execute("SELECT id FROM categories WHERE pool_fqdn = ? AND parent_id IS NULL",
                              (LEGACY,)).fetchone()[0]
        for name in category_path:
            row = conn.execute('SELECT id FROM categories WHERE pool_fqdn = ? AND parent_id = ? AND name = ?',
                               (LEGACY, parent, name)).fetchone()
            parent = row[0] if row else conn.execute(
                'INSERT INTO categories (pool_fqdn, parent_id, name, invitations) VALUES (?, ?, ?, 1)',
                (LEGACY, parent, name)).lastrowid
        room = conn.execute('INSERT INTO rooms (pool_fqdn, category_id, name) VALUES (?, ?, ?)',
                            (LEGACY, parent, room_name)).lastrowid
        conn.executemany("INSERT INTO room_principals VALUES (?, ?, 'member')", [(room, m) for m in members_])
        conn.execute("INSERT INTO messages (room_id, sender, sent_at, body) VALUES (?, ?, '2026-01-01T00:00:00Z', "
                     "'hello')", (room, members_[0]))


def test_names_over_256_characters_and_unprovisioned_principals(ocs, scratch):
    conn = store(scratch)
    long_category = ['Long' + 'c' * 150, 'Deeper' + 'd' * 110]  # 'Long…_Deeper…' is 268 characters
    add_legacy_room(conn, long_category, 'Lost room', [names.user_sip(3).lower()])
    add_legacy_room(conn, ['Engineering', 'Sub'], 'r' * 250, [names.user_sip(3).lower()])  # 'Engineering_Sub_'+250
    add_legacy_room(conn, ['Engineering'], 'Ghosts', [names.user_sip(4).lower(),
                                                      'sip:former.employee0001@contoso.com'])
    with store_mod.transaction(conn):
        root = conn.execute('SELECT id FROM categories WHERE pool_fqdn = ? AND parent_id IS NULL', (LEGACY,)).fetchone()
        conn.execute('INSERT INTO rooms (pool_fqdn, category_id, name) VALUES (?, ?, ?)', (LEGACY, root[0], 'At root'))
    conn.close()
    assert export(ocs, scratch).ok
    preview = import_(ocs, WhatIf=None)
    reasons = sorted(e.error_id.split(',')[0] for e in preview.errors)
    assert reasons == ['CategoryNameTooLong', 'PrincipalNotProvisioned', 'RoomCategoryNotMigrated',
                       'RoomNameTooLong', 'RoomWithoutCategory'], preview.errors
    assert [e.target for e in preview.errors if e.error_id.startswith('PrincipalNotProvisioned')] == [
        'sip:former.employee0001@contoso.com']
    real = import_(ocs)
    assert sorted(e.error_id.split(',')[0] for e in real.errors) == reasons
    target = [r['name'] for r in pools(scratch)[TARGET]['rooms']]
    assert 'Lost room' not in target and 'At root' not in target and not any(len(n) > 256 for n in target)
    ghosts = 'Engineering_Ghosts' if 'Engineering_Ghosts' in target else 'Ghosts'
    assert room_principals(scratch, TARGET, ghosts, 'member') == [names.user_sip(4).lower()]
    stop = import_(ocs, ErrorAction='Stop')
    assert stop.failure.error_id.startswith('PrincipalNotProvisioned,')


def test_import_from_bytes_and_content_level(ocs, scratch):
    directory = export(ocs, scratch, AsBytes=None, Level='RoomDirectory').outputs[0]
    content = export(ocs, scratch, AsBytes=None, Level='Content').outputs[0]
    early = ocs.run('Import-CsPersistentChatData', DBInstance=TARGET_DB, ByteInput=content, Confirm=False)
    assert early.errors and all(e.error_id.startswith('RoomNotFound,') for e in early.errors)
    assert ocs.run('Import-CsPersistentChatData', DBInstance=TARGET_DB, ByteInput=directory, Confirm=False).ok
    assert all(r['messages'] == 0 for r in pools(scratch)[TARGET]['rooms'])
    assert ocs.run('Import-CsPersistentChatData', DBInstance=TARGET_DB, ByteInput=content, Confirm=False,
                   WarningAction='SilentlyContinue').errors == []
    source = pools(scratch)[LEGACY]
    renamed = expected_names(source)
    by_name = dict((r['name'], r['checksum']) for r in pools(scratch)[TARGET]['rooms'])
    assert all(by_name[renamed[r['name']]] == r['checksum'] for r in source['rooms'] if not r['disabled'])


def test_import_errors(ocs, scratch):
    bad = ocs.run('Import-CsPersistentChatData', DBInstance=TARGET_DB, ByteInput=b'not a zip', Confirm=False)
    assert bad.failure.error_id.startswith('InvalidExportFile,')
    missing = import_(ocs, windows_path='C:\\Windows\\Temp\\none.zip')
    assert missing.failure.exception_type == 'System.IO.FileNotFoundException'
    legacy = ocs.run('Import-CsPersistentChatData', DBInstance=SOURCE_DB, ByteInput=b'x', Confirm=False)
    assert legacy.failure.error_id.startswith('SqlDatabaseNotFound,')  # no Persistent Chat database (mgc) there


def test_import_writes_room_by_room_and_a_reimport_completes_it(ocs, scratch):
    assert export(ocs, scratch).ok
    Knobs(scratch).update(hold=[{'cmdlet': 'Import-CsPersistentChatData', 'point': 'rooms:3', 'seconds': 30,
                                 'times': 1}])
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault('r', import_(ocs)))
    worker.start()
    deadline = time.time() + 20
    holds = Knobs(scratch).holds_path
    while not (os.path.exists(holds) and 'rooms:3' in open(holds).read()) and time.time() < deadline:
        time.sleep(0.05)
    partial = pools(scratch)[TARGET]['rooms']
    assert len(partial) == 3  # three rooms written, each whole, the rest not yet
    ocs.session.stop_requested.set()
    worker.join(40)
    ocs.session.stop_requested.clear()
    assert outcome['r'].failure.error_id == 'PipelineStopped'
    assert len(pools(scratch)[TARGET]['rooms']) == 3
    assert import_(ocs).ok
    source = pools(scratch)[LEGACY]
    renamed = expected_names(source)
    target = dict((r['name'], (r['messages'], r['checksum'])) for r in pools(scratch)[TARGET]['rooms'])
    assert target == dict((renamed[r['name']], (r['messages'], r['checksum'])) for r in source['rooms']
                          if not r['disabled'])


def test_export_of_a_persistent_chat_database_keeps_disabled_rooms(ocs, scratch):
    assert export(ocs, scratch).ok and import_(ocs).ok
    room = pools(scratch)[TARGET]['rooms'][0]['name']
    assert ocs.run('Set-CsPersistentChatRoom', Identity='%s\\%s' % (TARGET, room), Disabled=True, Confirm=False).ok
    backup = ocs.run('Export-CsPersistentChatData', DBInstance=TARGET_DB, AsBytes=None)
    assert backup.ok
    with zipfile.ZipFile(io.BytesIO(backup.outputs[0])) as archive:
        exported = dict((r.findtext('Name'), r.get('isDisabled')) for r in
                        ET.fromstring(archive.read('ChatRooms.xml')).iter('ChatRoom'))
    assert exported[room] == '1' and len(exported) == len(pools(scratch)[TARGET]['rooms'])
