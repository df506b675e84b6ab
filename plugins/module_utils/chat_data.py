# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data migration's reasoning, with no I/O: reading the room directory of an export, predicting what the
import makes of it on a Persistent Chat pool (Lync's documented conversions), comparing that prediction with what
the pool holds afterwards, and sorting the import's warnings into kinds a user accepts by name.

The export is a zip (``Export-CsPersistentChatData -Level RoomDirectory -AsBytes``). What Microsoft's only public
reader of an export shows (TeamsAdminSamples, PChat2Teams/PChatToTeams.ps1) is all the product relies on:
``AdUsers.xml`` (``User`` with ``principalId``, ``UserPrincipalName``), ``AdGroups.xml`` (``Group`` with
``principalId``), ``ChatRooms.xml`` (``ChatRoom`` with ``isDisabled``, ``Name``, ``Desc``, ``Roles/Principal`` with
``id``, ``isManager``, ``isMember``, ``isCreator``). The rest is read where it is there, in the form the lab's
emulator writes it (assumptions, docs/migration.md): ``ChatCategories.xml`` (the category tree), a room's
``categoryId`` and ``invitations``, a principal's ``uri`` and ``dn``, ``isPresenter``, ``Manifest.xml``. **Fail
soft**: what an export does not show is reported as "not predicted" (``not_predicted``), never a blocker; the
comparison after the import then checks what it can (room names, disabled) against what Get-CsPersistentChatRoom
and Get-CsPersistentChatCategory list, and says what it could not (``not_compared``).

Conversions (the "Migration process - details" page of the Lync Server 2013 docs): categories are flattened to one
level, a sub-category named after its parents joined by ``_``, the root category is not migrated; rooms of a
sub-category are prefixed with their category's flattened name; names over 256 characters (prefixes included)
are not migrated; the root category's managers become managers of every room; a category with invitations off
turns its rooms' invitations off (a warning for each room whose invitations were not off already); federated
users are migrated and lose access; principals that are not in AD are left out ("principal not provisioned", an
error); rooms directly under the root are not migrated (assumption).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import io
import json
import xml.etree.ElementTree as ET
import zipfile

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

SEPARATOR = '_'
MAX_NAME = 256

# The import's warnings, by the stable start of their text (docs/migration.md): the kinds a user accepts by name.
WARNING_KINDS = (
    ('category_flattened', lambda t: t.startswith('Category "') and '" becomes "' in t),
    ('room_renamed', lambda t: t.startswith('Chat room "') and '" becomes "' in t),
    ('root_managers', lambda t: t.startswith("The root category's managers")),
    ('invitations_off', lambda t: 'has invitations turned off' in t),
    ('federated_user', lambda t: t.startswith('Federated user')),
    ('category_managers', lambda t: t.startswith('Managers of category')),
    ('target_running', lambda t: t.startswith('Cannot import into pool')),
)
ACCEPTABLE_KINDS = tuple(kind for kind, _match in WARNING_KINDS if kind != 'target_running') + ('unrecognised',)


def _flag(element, name):
    return (element.get(name) or '').strip().lower() in ('1', 'true')


def _text(element, name):
    child = element.find(name)
    return (child.text or '') if child is not None else ''


def _upn(user):
    """UserPrincipalName as the PChat2Teams sample reads it: a child element or an attribute."""
    return (user.get('UserPrincipalName') or _text(user, 'UserPrincipalName') or '').strip()


# What a prediction leaves out when the export does not show it (docs/migration.md, "Fail soft").
NOT_SHOWN = {
    'categories': 'categories after the import (flattened names, invitations, root managers): the export has no '
                  'category tree the cutover can read (ChatCategories.xml); the target\'s categories are listed '
                  'after the import instead',
    'room_categories': 'the names rooms of sub-categories get (their categories\' prefixes): the export does not say '
                       'which category a room is in; rooms are matched by the name they were exported with',
    'member_uris': 'members, managers and presenters by SIP address: the export names principals by UPN only; '
                   'their number is reported, the pool\'s rooms are not compared member by member',
    'provisioning': 'principals not provisioned in AD and federated users: the export does not say; the -WhatIf '
                    'import reports both (its errors stop the migration)',
    'presenters': 'presenters: the export shows managers, members and creators only',
    'manifest': 'disabled rooms the export left out: the export carries no count of them',
}


def read_room_directory(data):
    """The room directory of an export zip (bytes): {'principals': {id: {'uri', 'dn', 'upn', 'kind'}}, 'categories':
    {id: {...}} or None, 'rooms': [{...}], 'manifest': {...} or None, 'unknown': [keys of NOT_SHOWN]}. A zip whose
    parts are missing or lack attributes is read as far as it goes; only a file that is not a zip or holds XML that
    is not well formed raises PchatError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())

        def parse(name):
            return ET.fromstring(archive.read(name)) if name in names else None
        users, groups, rooms = parse('AdUsers.xml'), parse('AdGroups.xml'), parse('ChatRooms.xml')
        categories, manifest = parse('ChatCategories.xml'), parse('Manifest.xml')
    except (zipfile.BadZipFile, ET.ParseError, KeyError) as exc:
        raise PchatError('the export returned by Export-CsPersistentChatData cannot be read (%s); export again.' % exc)
    unknown = set()
    principals = {}
    for user in (users.iter('User') if users is not None else ()):
        if user.get('uri') is None:
            unknown.add('member_uris')
        if user.get('dn') is None:
            unknown.add('provisioning')
        principals[user.get('principalId')] = {'uri': (user.get('uri') or '').lower(), 'dn': user.get('dn') or '',
                                               'upn': _upn(user).lower(), 'kind': 'user',
                                               'shown': user.get('dn') is not None}
    for group in (groups.iter('Group') if groups is not None else ()):
        if group.get('dn') is None:
            unknown.add('member_uris')
        principals[group.get('principalId')] = {'uri': '', 'dn': group.get('dn') or '', 'upn': '', 'kind': 'group',
                                                'shown': group.get('dn') is not None}
    if users is None or groups is None:
        unknown.update(('member_uris', 'provisioning'))
    tree = None
    if categories is not None:
        tree = {}
        for category in categories.iter('Category'):
            roles = [(p.get('id'), p) for p in category.iter('Principal')]
            tree[category.get('id')] = {
                'id': category.get('id'), 'parent': category.get('parentId') or None,
                'root': _flag(category, 'isRoot'), 'name': _text(category, 'Name'),
                'invitations': category.get('invitations', '1') == '1',
                'managers': [pid for pid, p in roles if _flag(p, 'isManager')]}
    else:
        unknown.add('categories')
    room_list = []
    for room in (rooms.iter('ChatRoom') if rooms is not None else ()):
        roles = [(p.get('id'), p) for p in room.iter('Principal')]
        if room.get('categoryId') is None:
            unknown.add('room_categories')
        if roles and all(p.get('isPresenter') is None for _pid, p in roles):
            unknown.add('presenters')
        room_list.append({'name': _text(room, 'Name'), 'category': room.get('categoryId'),
                          'disabled': _flag(room, 'isDisabled'),
                          'invitations': (room.get('invitations') or 'Inherit').lower() != 'false',
                          'members': [pid for pid, p in roles if _flag(p, 'isMember')],
                          'managers': [pid for pid, p in roles if _flag(p, 'isManager')],
                          'presenters': [pid for pid, p in roles if _flag(p, 'isPresenter')]})
    if manifest is None:
        unknown.add('manifest')
    return {'principals': principals, 'categories': tree, 'rooms': room_list,
            'manifest': dict(manifest.attrib) if manifest is not None else None,
            'unknown': sorted(unknown), 'has_rooms': rooms is not None}


def sip_domain(uri):
    return uri.rpartition('@')[2].lower() if '@' in uri else ''


def _path(tree, category_id):
    """The category's ancestry, root first (cycles and dangling parents stop the walk)."""
    chain, seen = [], set()
    node = tree.get(category_id)
    while node is not None and node['id'] not in seen:
        seen.add(node['id'])
        chain.append(node)
        node = tree.get(node['parent'])
    return list(reversed(chain))


def identity(principal):
    """How a principal is named to Lync's cmdlets: its SIP URI, else its UPN, else its DN ('' when none)."""
    return principal['uri'] or principal['upn'] or principal['dn']


def predict(directory, organisation_domains):
    """What the import makes of a room directory: {'categories': {name: {...}} or None (not predicted), 'rooms':
    {name: {...}}, 'warnings': [(kind, text)], 'errors': [text], 'counts': {...}, 'not_predicted': [text],
    'principals': {'users': [identity of each user member, manager or presenter of a migrated room], 'groups': n,
    'unnamed': n}}. ``organisation_domains``: the SIP domains of the organisation (a principal of another domain is
    a federated user). A room entry's ``members``/``managers``/``presenters`` are None when the export does not name
    principals by SIP address; ``exact`` is False when its name after the import is not known (only the name it was
    exported with)."""
    domains = set(d.lower() for d in organisation_domains)
    tree, principals = directory['categories'], directory['principals']
    unknown = set(directory.get('unknown') or [])
    if tree is None:
        unknown.update(('categories', 'room_categories'))
    names_known = 'member_uris' not in unknown
    provisioning_known = names_known and 'provisioning' not in unknown
    warnings, errors = [], []
    unprovisioned, federated = set(), set()
    members_seen = {'users': set(), 'groups': set(), 'unnamed': set()}

    def note(ids):
        for pid in ids:
            principal = principals.get(pid)
            if principal is None:
                members_seen['unnamed'].add(pid)
            elif principal['kind'] == 'group':
                members_seen['groups'].add(pid)
            elif provisioning_known and not principal['dn']:
                continue  # federated or not provisioned: the import's own warning or error says so
            elif identity(principal):
                members_seen['users'].add(identity(principal).lower())
            else:
                members_seen['unnamed'].add(pid)

    def resolve(ids):
        kept = []
        for pid in ids:
            principal = principals.get(pid)
            if principal is None:
                continue
            name = principal['uri'] or principal['dn']
            if provisioning_known and principal['kind'] == 'user' and not principal['dn']:
                if sip_domain(principal['uri']) in domains:
                    unprovisioned.add(principal['uri'])
                    continue
                federated.add(principal['uri'])
            kept.append(name.lower())
        return kept

    categories, flat, root_managers = None, {}, []
    if 'categories' not in unknown:
        for category in tree.values():
            if category['root']:
                root_managers.extend(resolve(category['managers']) if names_known else [])
                continue
            names = [node['name'] for node in _path(tree, category['id']) if not node['root']]
            name = SEPARATOR.join(names)
            flat[category['id']] = name
            if len(names) > 1:
                warnings.append(('category_flattened', 'Category "%s" becomes "%s"' % (category['name'], name)))
            if category['managers']:
                warnings.append(('category_managers', 'Managers of category "%s" are not migrated'
                                 % category['name']))
        if root_managers:
            warnings.append(('root_managers', "The root category's managers (%s) become managers of every migrated "
                                              'chat room.' % ', '.join(sorted(set(root_managers)))))
        categories = {}
        for category_id, name in flat.items():
            if len(name) > MAX_NAME:
                errors.append('category "%s..." is %d characters long once flattened; Lync allows %d: shorten it '
                              'before the export' % (name[:40], len(name), MAX_NAME))
                continue
            categories[name.lower()] = {'name': name, 'invitations': tree[category_id]['invitations']}
    rooms = {}
    for room in directory['rooms']:
        exact = 'room_categories' not in unknown
        name, category_name = room['name'], None
        if exact:
            category = tree.get(room['category'])
            if category is None or category['root']:
                errors.append('chat room "%s" is directly under the root category, which is not migrated: move it '
                              'into a category before the export' % room['name'])
                continue
            category_name = flat[category['id']]
            if category_name.lower() not in categories:
                errors.append('chat room "%s" is not migrated: its category "%s..." is not' % (room['name'],
                                                                                               category_name[:40]))
                continue
            top_level = tree.get(category['parent']) is None or tree[category['parent']]['root']
            name = room['name'] if top_level else SEPARATOR.join((category_name, room['name']))
            if not top_level:
                warnings.append(('room_renamed', 'Chat room "%s" becomes "%s"' % (room['name'], name)))
        if len(name) > MAX_NAME:  # a name over the limit by itself is over it with any prefix too
            errors.append('chat room "%s..." is %d characters long%s; Lync allows %d: shorten it before the export'
                          % (name[:40], len(name), ' with its category prefix' if name != room['name'] else '',
                             MAX_NAME))
            continue
        if exact and not categories[category_name.lower()]['invitations'] and room['invitations']:
            warnings.append(('invitations_off', 'Category "%s" has invitations turned off, so chat room "%s" gets '
                                                'invitations turned off.' % (category_name, name)))
        note(room['members'] + room['managers'] + room['presenters'])
        entry = {'name': name, 'category': category_name, 'disabled': room['disabled'], 'exact': exact,
                 'member_entries': len(room['members'])}
        if names_known:
            entry.update(members=sorted(set(resolve(room['members']))),
                         managers=sorted(set(resolve(room['managers']) + root_managers)),
                         presenters=None if 'presenters' in unknown else sorted(set(resolve(room['presenters']))))
        else:
            entry.update(members=None, managers=None, presenters=None)
        rooms[name.lower()] = entry
    for uri in sorted(unprovisioned):
        errors.append('principal not provisioned: %s is a member of chat rooms but not in Active Directory; remove it '
                      'from the rooms (legacy Group Chat administration) or restore the account' % uri)
    for uri in sorted(federated):
        warnings.append(('federated_user', 'Federated user "%s" is migrated, but loses access' % uri))
    manifest = directory.get('manifest')
    counts = {'categories': None if categories is None else len(categories), 'rooms': len(rooms),
              'members': sum((len(r['members']) if r['members'] is not None else r['member_entries'])
                             for r in rooms.values()),
              'disabled_rooms_left_out': None if manifest is None else int(manifest.get('disabledRoomsLeftOut') or 0)}
    not_predicted = [NOT_SHOWN[key] for key in sorted(NOT_SHOWN) if key in unknown]
    if not directory.get('has_rooms', True):
        not_predicted.insert(0, 'chat rooms: the export holds no ChatRooms.xml')
    for room in rooms.values():  # what the record keeps: the prediction, not the counting aid
        room.pop('member_entries', None)
    return {'categories': categories, 'rooms': rooms, 'warnings': warnings, 'errors': errors, 'counts': counts,
            'not_predicted': not_predicted,
            'principals': {'users': sorted(members_seen['users']), 'groups': len(members_seen['groups']),
                           'unnamed': len(members_seen['unnamed'])}}


def fingerprint(prediction):
    """A stable digest of a prediction's categories and rooms (what a completed import must leave)."""
    canonical = json.dumps({'categories': prediction['categories'], 'rooms': prediction['rooms']}, sort_keys=True)
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def _match_rooms(expected_rooms, have_rooms):
    """{predicted key: the target room it became, or None}. A room is found by its predicted name first; a room whose
    name is not exact (the export does not say its category) is then found by its exported name, or by a name that
    ends with SEPARATOR + it (the category prefix Lync gives a room of a sub-category). Each target room is the
    match of one predicted room only, and the longest exported names choose first, so that "Builds" cannot take the
    room "Team_Builds" became."""
    matched, taken = {}, set()
    for key in expected_rooms:
        if key in have_rooms:
            matched[key] = have_rooms[key]
            taken.add(key)
    inexact = [key for key, room in expected_rooms.items() if key not in matched and not room.get('exact', True)]
    for key in sorted(inexact, key=lambda k: (-len(expected_rooms[k]['name']), k)):
        suffix = SEPARATOR + expected_rooms[key]['name'].lower()
        for name, candidate in sorted(have_rooms.items()):
            if name not in taken and name.endswith(suffix):
                matched[key] = candidate
                taken.add(name)
                break
    return matched


def compare(expected, rooms, categories):
    """How the pool's rooms and categories (LyncPlatform.rooms/categories) match the prediction (or the record of
    one): {'matches', 'summary', 'missing_categories', 'missing_rooms', 'different', 'not_compared'}. What the
    prediction left out (categories None, a room's members None or its name not exact) is not held against the
    pool: ``not_compared`` says what was not checked."""
    have_categories = set(c['name'].lower() for c in categories)
    have_rooms = dict((r['name'].lower(), r) for r in rooms)
    not_compared = []
    expected_categories = expected.get('categories')
    if expected_categories is None:
        expected_categories = {}
        not_compared.append('categories: not predicted from the export; the pool lists %d' % len(categories))
    missing_categories = sorted(c['name'] for key, c in expected_categories.items() if key not in have_categories)
    missing_rooms, different = [], []
    inexact = members_unknown = 0
    matched = _match_rooms(expected['rooms'], have_rooms)
    for key, room in sorted(expected['rooms'].items()):
        actual = matched.get(key)
        if actual is None:
            missing_rooms.append(room['name'])
            continue
        inexact += not room.get('exact', True)
        problems = []
        if room.get('category') is not None and (actual.get('category') or '').lower() != room['category'].lower():
            problems.append('category %s, not %s' % (actual.get('category'), room['category']))
        for role in ('members', 'managers', 'presenters'):
            if room.get(role) is None:
                members_unknown += role == 'members'
                continue
            lacking = sorted(set(room[role]) - set(p.lower() for p in actual.get(role) or []))
            if lacking:
                problems.append('%d %s missing (%s)' % (len(lacking), role, ', '.join(lacking[:3])))
        if bool(actual.get('disabled')) != bool(room['disabled']):
            problems.append('disabled is %s' % actual.get('disabled'))
        if problems:
            different.append({'room': room['name'], 'problems': problems})
    if inexact:
        not_compared.append('%d rooms were found by the name they were exported with (their category prefix was '
                            'not predicted)' % inexact)
    if members_unknown:
        not_compared.append('members of %d rooms: the export does not name them by SIP address' % members_unknown)
    matches = not (missing_categories or missing_rooms or different)
    summary = '%s and %d of %d rooms present%s' % (
        ('%d of %d categories' % (len(expected_categories) - len(missing_categories), len(expected_categories)))
        if expected.get('categories') is not None else '%d categories (not predicted)' % len(categories),
        len(expected['rooms']) - len(missing_rooms), len(expected['rooms']),
        '' if not different else ', %d rooms differ' % len(different))
    return {'matches': matches, 'summary': summary, 'missing_categories': missing_categories[:50],
            'missing_rooms': missing_rooms[:50], 'different': different[:50], 'not_compared': not_compared}


def classify_warning(text):
    for kind, match in WARNING_KINDS:
        if match(text):
            return kind
    return 'unrecognised'


def describe_kinds(kinds):
    """'warnings accepted: 13 room_renamed, 2 category_flattened' (most first), or 'no warnings'."""
    if not kinds:
        return 'no warnings'
    ordered = sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    return 'warnings accepted: %s' % ', '.join('%d %s' % (count, kind) for kind, count in ordered)


def gate(errors, warnings, accepted):
    """The -WhatIf import's verdict: reasons not to import (every error; every warning whose kind was not accepted
    by name), and the warnings by kind."""
    accepted = set(accepted or [])
    by_kind = {}
    for text in warnings:
        by_kind.setdefault(classify_warning(text), []).append(text)
    reasons = ['error: %s' % error for error in errors]
    for kind, texts in sorted(by_kind.items()):
        if kind not in accepted or kind == 'target_running':
            reasons.append('%d warning(s) of kind %s not accepted (e.g. %s)%s' % (
                len(texts), kind, texts[0][:200],
                '' if kind == 'target_running' else '; accept them with pchat_migration_accept_warnings: [%s] once '
                'you have read them' % kind))
    return reasons, dict((kind, len(texts)) for kind, texts in by_kind.items())
