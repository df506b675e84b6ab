# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data migration's reasoning, with no I/O: reading the room directory of an export, predicting what the
import makes of it on a Persistent Chat pool (Lync's documented conversions), comparing that prediction with what
the pool holds afterwards, and sorting the import's warnings into kinds a user accepts by name.

The export is a zip (``Export-CsPersistentChatData -Level RoomDirectory -AsBytes``) holding ``AdUsers.xml``,
``AdGroups.xml``, ``ChatRooms.xml`` (documented members, as Microsoft's PChat2Teams sample reads them) and
``ChatCategories.xml`` / ``Manifest.xml`` (not documented: assumptions listed in docs/migration.md).

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
ROOM_MEMBERS = ('AdUsers.xml', 'AdGroups.xml', 'ChatRooms.xml')

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
    return element.get(name) == '1'


def _text(element, name):
    child = element.find(name)
    return (child.text or '') if child is not None else ''


def read_room_directory(data):
    """The room directory of an export zip (bytes): {'principals': {id: {'uri', 'dn', 'kind'}}, 'categories':
    {id: {...}}, 'rooms': [{...}], 'manifest': {...}}. Raises PchatError for anything else."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        missing = [name for name in ROOM_MEMBERS if name not in names]
        if missing:
            raise PchatError('the export holds no %s: it is not a room directory export (Export-CsPersistentChatData '
                             '-Level RoomDirectory).' % ', '.join(missing))

        def parse(name):
            return ET.fromstring(archive.read(name)) if name in names else None
        users, groups, rooms = parse('AdUsers.xml'), parse('AdGroups.xml'), parse('ChatRooms.xml')
        categories, manifest = parse('ChatCategories.xml'), parse('Manifest.xml')
    except (zipfile.BadZipFile, ET.ParseError, KeyError) as exc:
        raise PchatError('the export returned by Export-CsPersistentChatData cannot be read (%s); export again.' % exc)
    principals = {}
    for user in users.iter('User'):
        principals[user.get('principalId')] = {'uri': (user.get('uri') or '').lower(), 'dn': user.get('dn') or '',
                                               'kind': 'user'}
    for group in groups.iter('Group'):
        principals[group.get('principalId')] = {'uri': '', 'dn': group.get('dn') or '', 'kind': 'group'}
    tree = {}
    for category in (categories.iter('Category') if categories is not None else ()):
        roles = [(p.get('id'), p) for p in category.iter('Principal')]
        tree[category.get('id')] = {
            'id': category.get('id'), 'parent': category.get('parentId') or None, 'root': _flag(category, 'isRoot'),
            'name': _text(category, 'Name'), 'invitations': category.get('invitations', '1') == '1',
            'managers': [pid for pid, p in roles if _flag(p, 'isManager')]}
    room_list = []
    for room in rooms.iter('ChatRoom'):
        roles = [(p.get('id'), p) for p in room.iter('Principal')]
        room_list.append({'name': _text(room, 'Name'), 'category': room.get('categoryId'),
                          'disabled': _flag(room, 'isDisabled'),
                          'invitations': (room.get('invitations') or 'Inherit').lower() != 'false',
                          'members': [pid for pid, p in roles if _flag(p, 'isMember')],
                          'managers': [pid for pid, p in roles if _flag(p, 'isManager')],
                          'presenters': [pid for pid, p in roles if _flag(p, 'isPresenter')]})
    return {'principals': principals, 'categories': tree, 'rooms': room_list,
            'manifest': dict(manifest.attrib) if manifest is not None else {}}


def _domain(uri):
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


def predict(directory, organisation_domains):
    """What the import makes of a room directory: {'categories': {name: {...}}, 'rooms': {name: {...}},
    'warnings': [(kind, text)], 'errors': [text], 'counts': {...}}. ``organisation_domains``: the SIP domains of
    the organisation (a principal of another domain is a federated user)."""
    domains = set(d.lower() for d in organisation_domains)
    tree, principals = directory['categories'], directory['principals']
    warnings, errors = [], []
    unprovisioned, federated = set(), set()

    def resolve(ids):
        kept = []
        for pid in ids:
            principal = principals.get(pid)
            if principal is None:
                continue
            name = principal['uri'] or principal['dn']
            if principal['kind'] == 'user' and not principal['dn']:
                if _domain(principal['uri']) in domains:
                    unprovisioned.add(principal['uri'])
                    continue
                federated.add(principal['uri'])
            kept.append(name.lower())
        return kept

    root_managers = []
    flat = {}
    for category in tree.values():
        if category['root']:
            root_managers.extend(resolve(category['managers']))
            continue
        names = [node['name'] for node in _path(tree, category['id']) if not node['root']]
        name = SEPARATOR.join(names)
        flat[category['id']] = name
        if len(names) > 1:
            warnings.append(('category_flattened', 'Category "%s" becomes "%s"' % (category['name'], name)))
        if category['managers']:
            warnings.append(('category_managers', 'Managers of category "%s" are not migrated' % category['name']))
    if root_managers:
        warnings.append(('root_managers', "The root category's managers (%s) become managers of every migrated chat "
                                          'room.' % ', '.join(sorted(set(root_managers)))))
    categories = {}
    for category_id, name in flat.items():
        if len(name) > MAX_NAME:
            errors.append('category "%s..." is %d characters long once flattened; Lync allows %d: shorten it before '
                          'the export' % (name[:40], len(name), MAX_NAME))
            continue
        categories[name.lower()] = {'name': name, 'invitations': tree[category_id]['invitations']}
    rooms = {}
    for room in directory['rooms']:
        category = tree.get(room['category'])
        if category is None or category['root']:
            errors.append('chat room "%s" is directly under the root category, which is not migrated: move it into a '
                          'category before the export' % room['name'])
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
        if len(name) > MAX_NAME:
            errors.append('chat room "%s..." is %d characters long with its category prefix; Lync allows %d: '
                          'shorten it before the export' % (name[:40], len(name), MAX_NAME))
            continue
        if not categories[category_name.lower()]['invitations'] and room['invitations']:
            warnings.append(('invitations_off', 'Category "%s" has invitations turned off, so chat room "%s" gets '
                                                'invitations turned off.' % (category_name, name)))
        rooms[name.lower()] = {'name': name, 'category': category_name, 'disabled': room['disabled'],
                               'members': sorted(set(resolve(room['members']))),
                               'managers': sorted(set(resolve(room['managers']) + root_managers)),
                               'presenters': sorted(set(resolve(room['presenters'])))}
    for uri in sorted(unprovisioned):
        errors.append('principal not provisioned: %s is a member of chat rooms but not in Active Directory; remove it '
                      'from the rooms (legacy Group Chat administration) or restore the account' % uri)
    for uri in sorted(federated):
        warnings.append(('federated_user', 'Federated user "%s" is migrated, but loses access' % uri))
    counts = {'categories': len(categories), 'rooms': len(rooms),
              'members': sum(len(r['members']) for r in rooms.values()),
              'disabled_rooms_left_out': int(directory['manifest'].get('disabledRoomsLeftOut') or 0)}
    return {'categories': categories, 'rooms': rooms, 'warnings': warnings, 'errors': errors, 'counts': counts}


def fingerprint(prediction):
    """A stable digest of a prediction's categories and rooms (what a completed import must leave)."""
    canonical = json.dumps({'categories': prediction['categories'], 'rooms': prediction['rooms']}, sort_keys=True)
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def compare(expected, rooms, categories):
    """How the pool's rooms and categories (LyncPlatform.rooms/categories) match the prediction (or the record of
    one): {'matches', 'summary', 'missing_categories', 'missing_rooms', 'different'}."""
    have_categories = set(c['name'].lower() for c in categories)
    have_rooms = dict((r['name'].lower(), r) for r in rooms)
    missing_categories = sorted(c['name'] for key, c in expected['categories'].items() if key not in have_categories)
    missing_rooms, different = [], []
    for key, room in sorted(expected['rooms'].items()):
        actual = have_rooms.get(key)
        if actual is None:
            missing_rooms.append(room['name'])
            continue
        problems = []
        if (actual.get('category') or '').lower() != room['category'].lower():
            problems.append('category %s, not %s' % (actual.get('category'), room['category']))
        for role in ('members', 'managers', 'presenters'):
            lacking = sorted(set(room[role]) - set(p.lower() for p in actual.get(role) or []))
            if lacking:
                problems.append('%d %s missing (%s)' % (len(lacking), role, ', '.join(lacking[:3])))
        if bool(actual.get('disabled')) != bool(room['disabled']):
            problems.append('disabled is %s' % actual.get('disabled'))
        if problems:
            different.append({'room': room['name'], 'problems': problems})
    matches = not (missing_categories or missing_rooms or different)
    summary = '%d of %d categories and %d of %d rooms present%s' % (
        len(expected['categories']) - len(missing_categories), len(expected['categories']),
        len(expected['rooms']) - len(missing_rooms), len(expected['rooms']),
        '' if not different else ', %d rooms differ' % len(different))
    return {'matches': matches, 'summary': summary, 'missing_categories': missing_categories[:50],
            'missing_rooms': missing_rooms[:50], 'different': different[:50]}


def classify_warning(text):
    for kind, match in WARNING_KINDS:
        if match(text):
            return kind
    return 'unrecognised'


def describe_kinds(kinds):
    """'warnings accepted: 13 room_renamed, 2 category_flattened' (most first), or 'no warnings'."""
    if not kinds:
        return 'no warnings'
    return 'warnings accepted: %s' % ', '.join('%d %s' % (count, kind) for kind, count in
                                                sorted(kinds.items(), key=lambda item: (-item[1], item[0])))


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
