# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The export file of Export-/Import-CsPersistentChatData: a .zip whose documented members (AdGroups.xml,
AdUsers.xml, AdAffiliations.xml, ChatRooms.xml, as Microsoft's PChat2Teams sample reads them) are written as that
sample expects, plus the lab's own members for what Microsoft does not document: Manifest.xml, ChatCategories.xml
and the message content, ChatContent.csv (docs/lab-emulator.md, "Export format").

Writing and reading stream: content rows go from a cursor into the zip and from the zip into the store without
ever being held as a whole, so memory stays flat for 1,000,000 messages.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import io
import itertools
import operator
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape, quoteattr

FORMAT_VERSION = '1'
MANIFEST, USERS, GROUPS, AFFILIATIONS = 'Manifest.xml', 'AdUsers.xml', 'AdGroups.xml', 'AdAffiliations.xml'
CATEGORIES, ROOMS, CONTENT = 'ChatCategories.xml', 'ChatRooms.xml', 'ChatContent.csv'
CONTENT_HEADER = ['roomId', 'sender', 'time', 'text']
# What each -Level exports (the reference names the levels; what each holds is the lab's choice).
LEVEL_MEMBERS = {
    'All': (USERS, GROUPS, AFFILIATIONS, CATEGORIES, ROOMS, CONTENT),
    'User': (USERS, GROUPS, AFFILIATIONS),
    'Category': (USERS, GROUPS, AFFILIATIONS, CATEGORIES),
    'RoomDirectory': (USERS, GROUPS, AFFILIATIONS, CATEGORIES, ROOMS),
    'Content': (CATEGORIES, ROOMS, CONTENT),
}
XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


# The content rows of one room, as export writes them: the csv module takes them straight from the cursor, so no
# Python runs per message on the way out (``?`` is the room's id).
CONTENT_SELECT_SQL = 'SELECT ?, sender, sent_at, body FROM messages WHERE room_id = ? ORDER BY id'


class FormatError(Exception):
    """The file is not an export the import understands."""


def _attrs(values):
    return ''.join(' %s=%s' % (k, quoteattr('' if v is None else str(v))) for k, v in values)


def _flag(value):
    return '1' if value else '0'


class ExportWriter(object):
    """Writes one export zip to ``target`` (a path or a binary file object)."""

    def __init__(self, target, pool):
        self.zip = zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True)
        self.pool = pool

    def close(self):
        self.zip.close()

    def _xml(self, name, collection, items):
        with self.zip.open(name, 'w', force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding='utf-8', newline='\n')
            out.write(XML_HEAD + '<Pool%s>\n  <%s>\n' % (_attrs([('name', self.pool)]), collection))
            for item in items:
                out.write(item)
            out.write('  </%s>\n</Pool>\n' % collection)
            out.flush()
            out.detach()

    def manifest(self, values):
        self.zip.writestr(MANIFEST, XML_HEAD + '<Export%s/>\n' % _attrs([('formatVersion', FORMAT_VERSION)] +
                                                                        list(values)))

    def users(self, users):
        """``users``: (principal id, SIP URI, user principal name or None, DN or None, display name or None)."""
        def items():
            for pid, uri, upn, dn, display in users:
                yield ('    <User%s>\n      <UserPrincipalName>%s</UserPrincipalName>\n'
                       '      <DisplayName>%s</DisplayName>\n    </User>\n'
                       % (_attrs([('principalId', pid), ('uri', uri), ('dn', dn or '')]), escape(upn or ''),
                          escape(display or '')))
        self._xml(USERS, 'AdUsers', items())

    def groups(self, groups):
        """``groups``: (principal id, DN, kind: group, ou or domain)."""
        self._xml(GROUPS, 'AdGroups', ('    <Group%s/>\n' % _attrs([('principalId', pid), ('dn', dn), ('kind', kind)])
                                       for pid, dn, kind in groups))

    def affiliations(self, memberships):
        """``memberships``: (user principal id, [group principal ids])."""
        self._xml(AFFILIATIONS, 'AdAffiliations', (
            '    <User%s>\n      <Groups>%s</Groups>\n    </User>\n' % (
                _attrs([('id', uid)]), ''.join('<Group%s/>' % _attrs([('id', g)]) for g in gids))
            for uid, gids in memberships))

    @staticmethod
    def _roles(roles, flags):
        """``roles``: {principal id: set of role names}; ``flags``: role name -> XML attribute."""
        parts = []
        for pid in sorted(roles):
            parts.append('<Principal%s/>' % _attrs([('id', pid)] + [(attr, _flag(role in roles[pid]))
                                                                    for role, attr in flags]))
        return ''.join(parts)

    def categories(self, categories):
        """``categories``: dicts with id, parent_id, is_root, name, description, invitations, file_upload,
        chat_history, roles {principal id: {'allowed', 'denied', 'creator', 'manager'}}."""
        flags = [('allowed', 'isAllowed'), ('denied', 'isDenied'), ('creator', 'isCreator'), ('manager', 'isManager')]
        self._xml(CATEGORIES, 'ChatCategories', (
            '    <Category%s>\n      <Name>%s</Name>\n      <Desc>%s</Desc>\n      <Roles>%s</Roles>\n'
            '    </Category>\n' % (
                _attrs([('id', c['id']), ('parentId', c['parent_id'] or ''), ('isRoot', _flag(c['is_root'])),
                        ('invitations', _flag(c['invitations'])), ('fileUpload', _flag(c['file_upload'])),
                        ('chatHistory', _flag(c['chat_history']))]),
                escape(c['name']), escape(c['description'] or ''), self._roles(c['roles'], flags))
            for c in categories))

    def rooms(self, rooms):
        """``rooms``: dicts with id, category_id, name, description, disabled, type, privacy, invitations, addin,
        roles {principal id: {'manager', 'member', 'presenter'}}. Name, Desc and Roles come first, in that order,
        as the PChat2Teams sample reads them."""
        flags = [('manager', 'isManager'), ('member', 'isMember'), ('creator', 'isCreator'),
                 ('presenter', 'isPresenter')]
        self._xml(ROOMS, 'ChatRooms', (
            '    <ChatRoom%s>\n      <Name>%s</Name>\n      <Desc>%s</Desc>\n      <Roles>%s</Roles>\n'
            '    </ChatRoom>\n' % (
                _attrs([('isDisabled', _flag(r['disabled'])), ('id', r['id']), ('categoryId', r['category_id']),
                        ('type', r['type'].capitalize()), ('privacy', r['privacy'].capitalize()),
                        ('invitations', r['invitations'].capitalize()), ('addin', r['addin'] or '')]),
                escape(r['name']), escape(r['description'] or ''), self._roles(r['roles'], flags))
            for r in rooms))

    def content(self, room_batches, after_room=None):
        """``room_batches``: (room id, rows) in room order, rows being (room id, sender, time, text) tuples (a
        cursor of ``CONTENT_SELECT_SQL``); ``after_room(n)`` is called after the n-th room's rows are written."""
        with self.zip.open(CONTENT, 'w', force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding='utf-8', newline='')
            writer = csv.writer(out, lineterminator='\r\n')
            writer.writerow(CONTENT_HEADER)
            for index, (_room_id, rows) in enumerate(room_batches, 1):
                writer.writerows(rows)
                if after_room:
                    out.flush()
                    after_room(index)
            out.flush()
            out.detach()


class ExportReader(object):
    """Reads an export zip (a path or a binary file object)."""

    def __init__(self, source):
        try:
            self.zip = zipfile.ZipFile(source, 'r')
        except (zipfile.BadZipFile, OSError) as exc:
            raise FormatError('not a .zip file (%s)' % exc)
        self.members = set(self.zip.namelist())
        if not self.members.intersection((USERS, CATEGORIES, ROOMS, CONTENT)):
            raise FormatError('the .zip holds none of %s' % ', '.join((USERS, CATEGORIES, ROOMS, CONTENT)))
        self.manifest = {}
        if MANIFEST in self.members:
            self.manifest = dict(self._root(MANIFEST).attrib)

    def close(self):
        self.zip.close()

    def has(self, member):
        return member in self.members

    def _root(self, member):
        with self.zip.open(member) as handle:
            try:
                return ET.parse(handle).getroot()
            except ET.ParseError as exc:
                raise FormatError('%s is not well-formed XML (%s)' % (member, exc))

    def _items(self, member, tag):
        if member not in self.members:
            return
        with self.zip.open(member) as handle:
            try:
                for _event, element in ET.iterparse(handle):
                    if element.tag == tag:
                        yield element
                        element.clear()
            except ET.ParseError as exc:
                raise FormatError('%s is not well-formed XML (%s)' % (member, exc))

    @staticmethod
    def _roles(element, flags):
        roles = {}
        for principal in element.iter('Principal'):
            roles[principal.get('id')] = set(role for role, attr in flags if principal.get(attr) == '1')
        return roles

    def users(self):
        return dict((e.get('principalId'), {'uri': e.get('uri'), 'dn': e.get('dn') or None,
                                            'upn': e.findtext('UserPrincipalName') or None})
                    for e in self._items(USERS, 'User'))

    def groups(self):
        return dict((e.get('principalId'), {'dn': e.get('dn'), 'kind': e.get('kind')})
                    for e in self._items(GROUPS, 'Group'))

    def categories(self):
        flags = [('allowed', 'isAllowed'), ('denied', 'isDenied'), ('creator', 'isCreator'), ('manager', 'isManager')]
        return [{'id': e.get('id'), 'parent_id': e.get('parentId') or None, 'is_root': e.get('isRoot') == '1',
                 'name': e.findtext('Name') or '', 'description': e.findtext('Desc') or '',
                 'invitations': e.get('invitations') != '0', 'file_upload': e.get('fileUpload') != '0',
                 'chat_history': e.get('chatHistory') != '0', 'roles': self._roles(e, flags)}
                for e in self._items(CATEGORIES, 'Category')]

    def rooms(self):
        flags = [('manager', 'isManager'), ('member', 'isMember'), ('creator', 'isCreator'),
                 ('presenter', 'isPresenter')]
        for e in self._items(ROOMS, 'ChatRoom'):
            yield {'id': e.get('id'), 'category_id': e.get('categoryId'), 'name': e.findtext('Name') or '',
                   'description': e.findtext('Desc') or '', 'disabled': e.get('isDisabled') == '1',
                   'type': (e.get('type') or 'Normal').lower(), 'privacy': (e.get('privacy') or 'Closed').lower(),
                   'invitations': (e.get('invitations') or 'Inherit').lower(), 'addin': e.get('addin') or None,
                   'roles': self._roles(e, flags)}

    def content(self):
        """(room id, iterator of [room id, sender, time, text] rows) groups in file order. The rows are the csv
        module's own lists and the grouping is itertools' C code: no Python runs per message on the way to
        ``executemany`` (``CONTENT_INSERT_SQL`` ignores the first field)."""
        if CONTENT not in self.members:
            return
        with self.zip.open(CONTENT) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding='utf-8', newline=''))
            header = next(reader, None)
            if header != CONTENT_HEADER:
                raise FormatError('%s does not start with the header %s' % (CONTENT, ','.join(CONTENT_HEADER)))
            for room_id, rows in itertools.groupby(reader, key=operator.itemgetter(0)):
                yield room_id, rows


# Insert one content row into room %d (an integer formatted in); ?1, the export's room id, is bound but unused.
CONTENT_INSERT_SQL = 'INSERT INTO messages (room_id, sender, sent_at, body) VALUES (%d, ?2, ?3, ?4)'
