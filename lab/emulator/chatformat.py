# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The export file of Export-/Import-CsPersistentChatData: a .zip whose documented members (AdGroups.xml,
AdUsers.xml, AdAffiliations.xml, ChatRooms.xml, as Microsoft's PChat2Teams sample reads them) are written as that
sample reads them, plus what Microsoft does not document, in the lab's own form: Manifest.xml, ChatCategories.xml,
the message content (ChatContent.csv) and the extra attributes (a user's SIP URI and DN, a room's category, type,
privacy...) (docs/lab-emulator.md, "Export format").

What the sample shows: ``Pool/AdUsers/User`` with ``principalId`` and ``UserPrincipalName``; ``Pool/AdGroups/Group``
with ``principalId``; ``Pool/AdAffiliations/User`` with ``id`` and ``Groups/Group/@id``; ``Pool/ChatRooms/ChatRoom``
with ``isDisabled``, then ``Name``, ``Desc`` and ``Roles/Principal`` (``id``, ``isManager``, ``isMember``,
``isCreator`` = '1'). The sample reads a room with an XmlReader that takes the node right after ``</Name>`` as
``Desc`` and the one after that as ``Roles``: a ChatRoom element is therefore written with nothing between them (an
indented file would read as rooms without description and roles).

``layout`` (the ``export_layout`` knob): ``lab`` writes the undocumented parts under the lab's names; ``other``
under other names (``LAYOUTS``), as a real export may hold the same information in a form nobody documented: a
client must then fall back to what the documented part tells. The reader understands both.

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
# The names of what Microsoft does not document, per layout (members by their lab name; attributes by their lab
# name). The documented members and attributes never change.
LAYOUTS = {
    'lab': {},
    'other': {MANIFEST: 'ExportInfo.xml', CATEGORIES: 'Categories.xml', CONTENT: 'Content.csv',
              'uri': 'sipUri', 'dn': 'distinguishedName', 'kind': 'type', 'categoryId': 'category', 'type': 'roomType',
              'privacy': 'visibility', 'invitations': 'invites', 'addin': 'addIn', 'isPresenter': 'isSpeaker',
              'parentId': 'parent', 'isRoot': 'root', 'fileUpload': 'files', 'chatHistory': 'history',
              'isAllowed': 'allowed', 'isDenied': 'denied'},
}
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

    def __init__(self, target, pool, layout='lab'):
        self.zip = zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True)
        self.pool = pool
        self.names = LAYOUTS[layout]

    def name(self, lab_name):
        """What the layout calls a lab-only member or attribute."""
        return self.names.get(lab_name, lab_name)

    def close(self):
        self.zip.close()

    def _xml(self, name, collection, items):
        with self.zip.open(self.name(name), 'w', force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding='utf-8', newline='\n')
            out.write(XML_HEAD + '<Pool%s>\n  <%s>\n' % (_attrs([('name', self.pool)]), collection))
            for item in items:
                out.write(item)
            out.write('  </%s>\n</Pool>\n' % collection)
            out.flush()
            out.detach()

    def manifest(self, values):
        self.zip.writestr(self.name(MANIFEST), XML_HEAD + '<Export%s/>\n' % _attrs(
            [('formatVersion', FORMAT_VERSION)] + list(values)))

    def users(self, users):
        """``users``: (principal id, SIP URI, user principal name or None, DN or None, display name or None)."""
        def items():
            for pid, uri, upn, dn, display in users:
                yield ('    <User%s><UserPrincipalName>%s</UserPrincipalName><DisplayName>%s</DisplayName></User>\n'
                       % (_attrs([('principalId', pid), (self.name('uri'), uri), (self.name('dn'), dn or '')]),
                          escape(upn or ''), escape(display or '')))
        self._xml(USERS, 'AdUsers', items())

    def groups(self, groups):
        """``groups``: (principal id, DN, kind: group, ou or domain)."""
        self._xml(GROUPS, 'AdGroups', ('    <Group%s/>\n' % _attrs(
            [('principalId', pid), (self.name('dn'), dn), (self.name('kind'), kind)]) for pid, dn, kind in groups))

    def affiliations(self, memberships):
        """``memberships``: (user principal id, [group principal ids])."""
        self._xml(AFFILIATIONS, 'AdAffiliations', (
            '    <User%s>\n      <Groups>%s</Groups>\n    </User>\n' % (
                _attrs([('id', uid)]), ''.join('<Group%s/>' % _attrs([('id', g)]) for g in gids))
            for uid, gids in memberships))

    def _roles(self, roles, flags):
        """``roles``: {principal id: set of role names}; ``flags``: role name -> XML attribute (by its lab name)."""
        parts = []
        for pid in sorted(roles):
            parts.append('<Principal%s/>' % _attrs([('id', pid)] + [(self.name(attr), _flag(role in roles[pid]))
                                                                    for role, attr in flags]))
        return ''.join(parts)

    def categories(self, categories):
        """``categories``: dicts with id, parent_id, is_root, name, description, invitations, file_upload,
        chat_history, roles {principal id: {'allowed', 'denied', 'creator', 'manager'}}."""
        flags = [('allowed', 'isAllowed'), ('denied', 'isDenied'), ('creator', 'isCreator'), ('manager', 'isManager')]
        self._xml(CATEGORIES, 'ChatCategories', (
            '    <Category%s><Name>%s</Name><Desc>%s</Desc><Roles>%s</Roles></Category>\n' % (
                _attrs([('id', c['id']), (self.name('parentId'), c['parent_id'] or ''),
                        (self.name('isRoot'), _flag(c['is_root'])),
                        (self.name('invitations'), _flag(c['invitations'])),
                        (self.name('fileUpload'), _flag(c['file_upload'])),
                        (self.name('chatHistory'), _flag(c['chat_history']))]),
                escape(c['name']), escape(c['description'] or ''), self._roles(c['roles'], flags))
            for c in categories))

    def rooms(self, rooms):
        """``rooms``: dicts with id, category_id, name, description, disabled, type, privacy, invitations, addin,
        roles {principal id: {'manager', 'member', 'presenter'}}. Name, Desc and Roles come first, in that order and
        with nothing between them, as the PChat2Teams sample reads them."""
        flags = [('manager', 'isManager'), ('member', 'isMember'), ('creator', 'isCreator'),
                 ('presenter', 'isPresenter')]
        self._xml(ROOMS, 'ChatRooms', (
            '    <ChatRoom%s><Name>%s</Name><Desc>%s</Desc><Roles>%s</Roles></ChatRoom>\n' % (
                _attrs([('isDisabled', _flag(r['disabled'])), ('id', r['id']),
                        (self.name('categoryId'), r['category_id']), (self.name('type'), r['type'].capitalize()),
                        (self.name('privacy'), r['privacy'].capitalize()),
                        (self.name('invitations'), r['invitations'].capitalize()),
                        (self.name('addin'), r['addin'] or '')]),
                escape(r['name']), escape(r['description'] or ''), self._roles(r['roles'], flags))
            for r in rooms))

    def content(self, room_batches, after_room=None):
        """``room_batches``: (room id, rows) in room order, rows being (room id, sender, time, text) tuples (a
        cursor of ``CONTENT_SELECT_SQL``); ``after_room(n)`` is called after the n-th room's rows are written."""
        with self.zip.open(self.name(CONTENT), 'w', force_zip64=True) as raw:
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


def _get(element, lab_name):
    """An attribute the layouts name differently: under its lab name, else its other name."""
    value = element.get(lab_name)
    if value is None:
        value = element.get(LAYOUTS['other'].get(lab_name, lab_name))
    return value


class ExportReader(object):
    """Reads an export zip (a path or a binary file object), in either layout."""

    def __init__(self, source):
        try:
            self.zip = zipfile.ZipFile(source, 'r')
        except (zipfile.BadZipFile, OSError) as exc:
            raise FormatError('not a .zip file (%s)' % exc)
        present = set(self.zip.namelist())
        # member (by its lab name) -> its name in this file
        self.members = {}
        for member in (MANIFEST, USERS, GROUPS, AFFILIATIONS, CATEGORIES, ROOMS, CONTENT):
            for name in (member, LAYOUTS['other'].get(member, member)):
                if name in present:
                    self.members[member] = name
                    break
        if not set(self.members).intersection((USERS, CATEGORIES, ROOMS, CONTENT)):
            raise FormatError('the .zip holds none of %s' % ', '.join((USERS, CATEGORIES, ROOMS, CONTENT)))
        self.manifest = {}
        if MANIFEST in self.members:
            self.manifest = dict(self._root(MANIFEST).attrib)

    def close(self):
        self.zip.close()

    def has(self, member):
        return member in self.members

    def _root(self, member):
        with self.zip.open(self.members[member]) as handle:
            try:
                return ET.parse(handle).getroot()
            except ET.ParseError as exc:
                raise FormatError('%s is not well-formed XML (%s)' % (self.members[member], exc))

    def _items(self, member, tag):
        if member not in self.members:
            return
        with self.zip.open(self.members[member]) as handle:
            try:
                for _event, element in ET.iterparse(handle):
                    if element.tag == tag:
                        yield element
                        element.clear()
            except ET.ParseError as exc:
                raise FormatError('%s is not well-formed XML (%s)' % (self.members[member], exc))

    @staticmethod
    def _roles(element, flags):
        roles = {}
        for principal in element.iter('Principal'):
            roles[principal.get('id')] = set(role for role, attr in flags if _get(principal, attr) == '1')
        return roles

    def users(self):
        return dict((e.get('principalId'), {'uri': _get(e, 'uri'), 'dn': _get(e, 'dn') or None,
                                            'upn': e.findtext('UserPrincipalName') or None})
                    for e in self._items(USERS, 'User'))

    def groups(self):
        return dict((e.get('principalId'), {'dn': _get(e, 'dn'), 'kind': _get(e, 'kind')})
                    for e in self._items(GROUPS, 'Group'))

    def categories(self):
        flags = [('allowed', 'isAllowed'), ('denied', 'isDenied'), ('creator', 'isCreator'), ('manager', 'isManager')]
        return [{'id': e.get('id'), 'parent_id': _get(e, 'parentId') or None, 'is_root': _get(e, 'isRoot') == '1',
                 'name': e.findtext('Name') or '', 'description': e.findtext('Desc') or '',
                 'invitations': _get(e, 'invitations') != '0', 'file_upload': _get(e, 'fileUpload') != '0',
                 'chat_history': _get(e, 'chatHistory') != '0', 'roles': self._roles(e, flags)}
                for e in self._items(CATEGORIES, 'Category')]

    def rooms(self):
        flags = [('manager', 'isManager'), ('member', 'isMember'), ('creator', 'isCreator'),
                 ('presenter', 'isPresenter')]
        for e in self._items(ROOMS, 'ChatRoom'):
            yield {'id': e.get('id'), 'category_id': _get(e, 'categoryId'), 'name': e.findtext('Name') or '',
                   'description': e.findtext('Desc') or '', 'disabled': e.get('isDisabled') == '1',
                   'type': (_get(e, 'type') or 'Normal').lower(), 'privacy': (_get(e, 'privacy') or 'Closed').lower(),
                   'invitations': (_get(e, 'invitations') or 'Inherit').lower(), 'addin': _get(e, 'addin') or None,
                   'roles': self._roles(e, flags)}

    def content(self):
        """(room id, iterator of [room id, sender, time, text] rows) groups in file order. The rows are the csv
        module's own lists and the grouping is itertools' C code: no Python runs per message on the way to
        ``executemany`` (``CONTENT_INSERT_SQL`` ignores the first field)."""
        if CONTENT not in self.members:
            return
        with self.zip.open(self.members[CONTENT]) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding='utf-8', newline=''))
            header = next(reader, None)
            if header != CONTENT_HEADER:
                raise FormatError('%s does not start with the header %s' % (CONTENT, ','.join(CONTENT_HEADER)))
            for room_id, rows in itertools.groupby(reader, key=operator.itemgetter(0)):
                yield room_id, rows


# Insert one content row into room %d (an integer formatted in); ?1, the export's room id, is bound but unused.
CONTENT_INSERT_SQL = 'INSERT INTO messages (room_id, sender, sent_at, body) VALUES (%d, ?2, ?3, ?4)'
