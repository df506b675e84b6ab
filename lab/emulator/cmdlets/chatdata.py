# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Export-CsPersistentChatData and Import-CsPersistentChatData: a pool's chat data, addressed by its database
(-DBInstance sqlfqdn\\instance, -DBName), to and from the export .zip (chatformat.py), with the conversions Lync's
import applies (docs/lab-emulator.md, "Import conversions"; Microsoft's "Migration process - details")."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import datetime
import io
import os
import sqlite3

from lab import topology
from lab.emulator import chatformat, objects, store as store_mod, winpath
from lab.emulator.binding import BYTES, DATETIME, STRING, STRING_LIST, SWITCH, Enum, Param
from lab.emulator.chatformat import CATEGORIES, CONTENT, ROOMS, USERS, FormatError
from lab.emulator.cmdlets import cmdlet
from lab.emulator.cmdlets.common import database, path_error, pool_row, pool_services, write_report
from lab.emulator.cmdlets.endpoints import SIP_DOMAINS
from lab.emulator.directory import SIP, escape

MAX_NAME = 256
SEPARATOR = '_'  # joins flattened category names (Microsoft does not document the separator)
LOOKUP_BATCH = 200


# -- shared ---------------------------------------------------------------------------------------------------
def open_database(ctx, db_instance, db_name):
    """The databases row, or the terminating error SQL Server's client would give."""
    row, instance_known = database(ctx.store, db_instance, db_name)
    if not instance_known:
        ctx.fail(ctx.cmdlet_error(
            'A network-related or instance-specific error occurred while establishing a connection to SQL Server. '
            'The server was not found or was not accessible. Verify that the instance name is correct and that SQL '
            'Server is configured to allow remote connections. (instance "%s")' % db_instance,
            'SqlConnectionFailed', category='ConnectionError', target=db_instance,
            exception_type='System.Data.SqlClient.SqlException'))
    if not ctx.knobs.get('sql_delegation', True):
        # The second hop: the remote session's logon has no credentials to pass on, so SQL Server sees an anonymous
        # logon and refuses it (error 18456). Every SQL instance of the lab is on its own server, as in production.
        ctx.fail(ctx.cmdlet_error(
            "Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'. (instance \"%s\")" % db_instance,
            'SqlLoginFailed', category='AuthenticationError', target=db_instance,
            exception_type='System.Data.SqlClient.SqlException'))
    if row is None:
        ctx.fail(ctx.cmdlet_error('Cannot open database "%s" requested by the login. The login failed. (instance '
                                  '"%s")' % (db_name, db_instance), 'SqlDatabaseNotFound', category='OpenError',
                                  target=db_name, exception_type='System.Data.SqlClient.SqlException'))
    return row


def _running(ctx, pool):
    return [s for s in pool_services(ctx.store, pool) if s['status'] != 'Stopped']


def _describe_running(services):
    return ', '.join('%s on %s' % (s['name'], s['server_fqdn']) for s in services)


def sip_domain(uri):
    return uri.rsplit('@', 1)[-1].lower() if uri and '@' in uri else ''


# -- export ---------------------------------------------------------------------------------------------------
class ExportSelection(object):
    """What one export holds: categories and rooms of the pool in scope, their principals (numbered)."""

    def __init__(self, ctx, pool, legacy):
        self.ctx = ctx
        self.conn = ctx.store
        self.pool = pool
        self.legacy = legacy
        self.categories = [dict(r) for r in self.conn.execute('SELECT * FROM categories WHERE pool_fqdn = ? ORDER '
                                                              'BY id', (pool['fqdn'],))]
        self._scope()
        self.left_out_disabled = 0
        rooms = [dict(r) for r in self.conn.execute('SELECT * FROM rooms WHERE pool_fqdn = ? ORDER BY id',
                                                    (pool['fqdn'],))]
        wanted = set(c['id'] for c in self.categories)
        self.rooms = []
        for room in rooms:
            if room['category_id'] not in wanted:
                continue
            if room['disabled'] and legacy:
                # The migration guide: rooms not to migrate are marked disabled in the legacy admin tool.
                self.left_out_disabled += 1
                continue
            self.rooms.append(room)
        self._principals()

    def _scope(self):
        scope = self.ctx.get('Scope')
        if not scope:
            return
        by_id = dict((c['id'], c) for c in self.categories)
        chosen = set()
        for name in scope:
            hits = [c['id'] for c in self.categories if c['name'].lower() == name.lower()]
            if not hits:
                self.ctx.error(self.ctx.cmdlet_error('Category "%s" was not found in the database.' % name,
                                                     'CategoryNotFound', category='ObjectNotFound', target=name))
            chosen.update(hits)
        changed = True
        while changed:  # a chosen category brings its sub-categories
            changed = False
            for category in self.categories:
                if category['id'] not in chosen and category['parent_id'] in chosen:
                    chosen.add(category['id'])
                    changed = True
        for cid in list(chosen):  # and its ancestors, so that names can still be flattened on import
            parent = by_id[cid]['parent_id']
            while parent is not None and parent not in chosen:
                chosen.add(parent)
                parent = by_id[parent]['parent_id']
        self.categories = [c for c in self.categories if c['id'] in chosen]

    def _principals(self):
        self.room_roles = self._roles('room_principals', 'room_id', [r['id'] for r in self.rooms])
        self.category_roles = self._roles('category_principals', 'category_id', [c['id'] for c in self.categories])
        everything = set()
        for roles in list(self.room_roles.values()) + list(self.category_roles.values()):
            everything.update(roles)
        self.ids = dict((principal, str(index)) for index, principal in enumerate(sorted(everything), 1))

    def _roles(self, table, key, ids):
        roles = dict((i, {}) for i in ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in self.conn.execute('SELECT %s, principal, role FROM %s WHERE %s IN (%s)' % (
                    key, table, key, ','.join('?' * len(chunk))), chunk):
                roles[row[0]].setdefault(row[1], set()).add(row[2])
        return roles

    def numbered(self, roles):
        return dict((self.ids[p], r) for p, r in roles.items())

    def directory_entries(self):
        """(users, groups, affiliations) for the export's principals, with what AD knows of them."""
        sips = sorted(p for p in self.ids if p.lower().startswith('sip:'))
        known = {}
        for start in range(0, len(sips), LOOKUP_BATCH):
            terms = ''.join('(%s=%s)' % (SIP, escape(s)) for s in sips[start:start + LOOKUP_BATCH])
            for principal in self.ctx.directory.principals('(&(objectClass=user)(|%s))' % terms):
                known[(principal.sip or '').lower()] = principal
        users = []
        groups = []
        group_ids = {}
        for principal, pid in sorted(self.ids.items(), key=lambda item: int(item[1])):
            if principal.lower().startswith('sip:'):
                entry = known.get(principal.lower())
                users.append((pid, principal, entry.get('userPrincipalName') if entry else None,
                              entry.dn if entry else None, entry.get('displayName') if entry else None))
            else:
                kind = 'domain' if principal.upper().startswith('DC=') else (
                    'ou' if principal.upper().startswith('OU=') else 'group')
                groups.append((pid, principal, kind))
                group_ids[principal.lower()] = pid
        affiliations = []
        for pid, uri, _upn, _dn, _display in users:
            entry = known.get(uri.lower())
            member_of = entry.get('memberOf') if entry else None
            member_of = member_of if isinstance(member_of, list) else ([member_of] if member_of else [])
            gids = [group_ids[g.lower()] for g in member_of if g.lower() in group_ids]
            if gids:
                affiliations.append((pid, gids))
        return users, groups, affiliations


def _export_target(ctx):
    if ctx.get('AsBytes'):
        return None, io.BytesIO()
    if not ctx.has('FileName'):
        ctx.fail(ctx.cmdlet_error('Give -FileName <full path of the .zip to create> or -AsBytes.', 'OutputRequired',
                                  category='InvalidArgument'))
    try:
        local = winpath.to_local(ctx.lab_dir, ctx.get('FileName'))
    except winpath.PathError as exc:
        ctx.fail(path_error(ctx, exc, ctx.get('FileName')))
    return local, open(local + '.partial', 'wb')


@cmdlet('Export-CsPersistentChatData', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ExportPersistentChatDataCmdlet',
        sets=['AsBytes', 'FileName'],
        params=[Param('DBInstance', STRING, mandatory=True), Param('AsBytes', SWITCH, sets=['AsBytes']),
                Param('DBName'), Param('DisableExportedNodes', SWITCH), Param('FileName', sets=['FileName']),
                Param('Level', Enum(objects.EXPORT_LEVEL, objects.EXPORT_LEVELS)), Param('Report'),
                Param('Scope', STRING_LIST), Param('StartDate', DATETIME)],
        output='System.Byte[] with -AsBytes; otherwise none (the .zip file)')
def export_data(ctx):
    level = ctx.get('Level') or 'All'
    if ctx.has('StartDate') and level != 'RoomDirectory':
        ctx.fail(ctx.cmdlet_error('The StartDate parameter is valid only when Level is RoomDirectory.',
                                  'StartDateRequiresRoomDirectory', category='InvalidArgument'))
    db = open_database(ctx, ctx.get('DBInstance'), ctx.get('DBName') or topology.PERSISTENT_CHAT_DB)
    pool = pool_row(ctx.store, db['pool_fqdn'])
    legacy = db['role'] == 'GroupChatStore'
    if ctx.has('StartDate'):
        ctx.warning('StartDate has no effect at level RoomDirectory, which exports no chat content.')
    running = _running(ctx, pool)
    if running:
        ctx.warning('The chat services of pool %s are running (%s): messages posted after this export are not in '
                    'it. Stop every chat service before exporting.' % (pool['fqdn'], _describe_running(running)))
    local, handle = _export_target(ctx)
    members = chatformat.LEVEL_MEMBERS[level]
    selection = ExportSelection(ctx, pool, legacy)
    messages = 0
    try:
        writer = chatformat.ExportWriter(handle, pool['fqdn'], _layout(ctx))
        writer.manifest([('level', level), ('source', pool['fqdn']), ('sourceKind', pool['kind']),
                         ('database', '%s\\%s' % (db['sql_fqdn'], db['instance'])), ('databaseName', db['name']),
                         ('exportedAt', datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')),
                         ('rooms', len(selection.rooms) if ROOMS in members else 0),
                         ('disabledRoomsLeftOut', selection.left_out_disabled)])
        if USERS in members:
            users, groups, affiliations = selection.directory_entries()
            writer.users(users)
            writer.groups(groups)
            writer.affiliations(affiliations)
        if CATEGORIES in members:
            writer.categories([dict(c, is_root=legacy and c['parent_id'] is None,
                                    roles=selection.numbered(selection.category_roles[c['id']]))
                               for c in selection.categories])
        if ROOMS in members:
            writer.rooms(_room_items(ctx, selection, hold=CONTENT not in members))
        if CONTENT in members:
            messages = _message_count(ctx, selection)
            writer.content(_content(ctx, selection), after_room=lambda n: (
                _progress(ctx, 'Exporting chat content', n, len(selection.rooms)), _after_room(ctx, n)))
        writer.close()
    except BaseException:
        handle.close()
        if local:
            _remove(local + '.partial')
        raise
    if local:
        handle.close()
        os.replace(local + '.partial', local)
    if ctx.get('DisableExportedNodes'):
        # Reported not to disable anything (office-docs-powershell issue 3300): the lab does not either.
        ctx.verbose('DisableExportedNodes: no category or chat room was disabled.')
    ctx.verbose('Exported %d categories, %d chat rooms and %d messages from %s (%d disabled rooms left out).'
                % (len(selection.categories), len(selection.rooms), messages, pool['fqdn'],
                   selection.left_out_disabled))
    if ctx.has('Report'):
        _report(ctx, 'Export-CsPersistentChatData', [
            ('Source', '%s (%s)' % (pool['fqdn'], ctx.get('DBInstance'))), ('Level', level),
            ('Categories', str(len(selection.categories))), ('Chat rooms', str(len(selection.rooms))),
            ('Messages', str(messages)), ('Disabled rooms left out', str(selection.left_out_disabled))])
    if local is None:
        ctx.write(handle.getvalue())


def _layout(ctx):
    """The ``export_layout`` knob: how the undocumented parts of the export are named (chatformat.LAYOUTS)."""
    layout = ctx.knobs.get('export_layout') or 'lab'
    return layout if layout in chatformat.LAYOUTS else 'lab'


def _room_items(ctx, selection, hold):
    total = len(selection.rooms)
    for index, room in enumerate(selection.rooms, 1):
        yield dict(room, roles=selection.numbered(selection.room_roles[room['id']]))
        if hold:
            _progress(ctx, 'Exporting chat rooms', index, total)
            _after_room(ctx, index)


def _progress(ctx, activity, done, total):
    """A progress record after each room (an assumption: what Lync's cmdlets write while they work is not
    documented; docs/lab-emulator.md)."""
    ctx.progress(activity, '%d of %d chat rooms' % (done, total), int(done * 100 / total) if total else -1)


def _content(ctx, selection):
    for room in selection.rooms:
        yield room['id'], ctx.store.execute(chatformat.CONTENT_SELECT_SQL, (room['id'], room['id']))


def _message_count(ctx, selection):
    ids = [room['id'] for room in selection.rooms]
    total = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        total += ctx.store.execute('SELECT COUNT(*) FROM messages WHERE room_id IN (%s)' % ','.join('?' * len(chunk)),
                                   chunk).fetchone()[0]
    return total


def _after_room(ctx, count):
    ctx.hold('rooms:%d' % count)
    ctx.check_stop()


def _drain(rows):
    for _row in rows:
        pass


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _report(ctx, title, lines):
    try:
        write_report(ctx, ctx.get('Report'), title, lines)
    except winpath.PathError as exc:
        ctx.error(path_error(ctx, exc, ctx.get('Report'), 'ReportNotWritten'))


# -- import ---------------------------------------------------------------------------------------------------
class ImportRun(object):
    """One import: resolves principals, converts categories and rooms, and (unless ``apply`` is False, as under
    -WhatIf) writes them room by room, each room in its own transaction."""

    def __init__(self, ctx, reader, pool, apply):
        self.ctx = ctx
        self.conn = ctx.store
        self.reader = reader
        self.pool = pool['fqdn']
        self.apply = apply
        self.content_only = reader.manifest.get('level') == 'Content'
        self.counts = dict(categories=0, categories_overwritten=0, rooms=0, rooms_overwritten=0, rooms_skipped=0,
                           messages=0)
        self.notes = []  # (kind, text) for -Report
        self.not_migrated = set()  # export ids of rooms reported as not migrated (their content is skipped quietly)

    def warn(self, text):
        self.notes.append(('Warning', text))
        self.ctx.warning(text)

    def error(self, text, reason, target=None, category='InvalidData'):
        self.notes.append(('Error', text))
        self.ctx.error(self.ctx.cmdlet_error(text, reason, category=category, target=target))

    # -- principals ---------------------------------------------------------------------------------------
    def resolve_principals(self):
        """principal id -> principal text (SIP URI or DN), None for a principal that is not provisioned."""
        users, groups = self.reader.users(), self.reader.groups()
        view = self.ctx.lync_view()
        local = sorted(set(u['uri'] for u in users.values() if u['uri'] and sip_domain(u['uri']) in SIP_DOMAINS))
        present = set()
        for start in range(0, len(local), LOOKUP_BATCH):
            chunk = local[start:start + LOOKUP_BATCH]
            wanted = set(s.lower() for s in chunk)
            terms = ''.join('(%s=%s)' % (SIP, escape(s)) for s in chunk)
            for principal in view.find('(|%s)' % terms, lambda p: (p.sip or '').lower() in wanted):
                present.add((principal.sip or '').lower())
        mapping = {}
        for pid, user in sorted(users.items(), key=lambda item: item[0]):
            uri = user['uri']
            if not uri:
                continue
            if sip_domain(uri) not in SIP_DOMAINS:
                self.warn('Federated user "%s" is migrated, but Persistent Chat Server does not support federation: '
                          'the user will not be able to access the chat rooms.' % uri)
                mapping[pid] = uri
            elif uri.lower() in present:
                mapping[pid] = uri
            else:
                self.error('Principal not provisioned: "%s" is not available in Active Directory, so it is left out '
                           'of the categories and chat rooms that name it.' % uri, 'PrincipalNotProvisioned',
                           target=uri, category='ObjectNotFound')
                mapping[pid] = None
        for pid, group in groups.items():
            if self.ctx.directory.entry(group['dn'], ['1.1']) is None:
                self.error('Principal not provisioned: "%s" is not available in Active Directory, so it is left out '
                           'of the categories and chat rooms that name it.' % group['dn'], 'PrincipalNotProvisioned',
                           target=group['dn'], category='ObjectNotFound')
                mapping[pid] = None
            else:
                mapping[pid] = group['dn']
        return mapping

    def principals(self, roles, mapping, wanted):
        """[(principal, role)] of the roles in ``wanted`` (a dict export role -> target role)."""
        result = []
        for pid, names_ in sorted(roles.items()):
            principal = mapping.get(pid)
            if principal is None:
                continue
            for role in names_:
                if role in wanted:
                    result.append((principal, wanted[role]))
        return result

    # -- categories ---------------------------------------------------------------------------------------
    def convert_categories(self, mapping):
        """{export category id: (target name or None when not migrated, invitations, depth)} and the root
        managers; writes the categories when applying."""
        categories = self.reader.categories()
        by_id = dict((c['id'], c) for c in categories)
        plan = {}
        root_managers = []
        writes = []
        for category in categories:
            if category['is_root']:
                root_managers += [p for p, _r in self.principals(category['roles'], mapping, {'manager': 'manager'})]
                continue
            path = []
            node = category
            while node is not None and not node['is_root']:
                path.append(node['name'])
                node = by_id.get(node['parent_id'])
            path.reverse()
            name = SEPARATOR.join(path)
            if len(name) > MAX_NAME:
                self.error('Category "%s" cannot be migrated: its flattened name "%s..." is longer than %d characters '
                           'including its parent categories\' names. Shorten the names before exporting.'
                           % (category['name'], name[:60], MAX_NAME), 'CategoryNameTooLong', target=category['name'])
                plan[category['id']] = (None, category['invitations'], len(path))
                continue
            if len(path) > 1:
                self.warn('Category "%s" becomes "%s": Persistent Chat Server has one level of categories, so '
                          'sub-categories are prefixed with their parent categories\' names.'
                          % (category['name'], name))
            managers = self.principals(category['roles'], mapping, {'manager': 'manager'})
            if managers:
                self.warn('Managers of category "%s" are not migrated (Persistent Chat categories have no managers; '
                          'only the root category\'s managers become managers of every room).' % name)
            plan[category['id']] = (name, category['invitations'], len(path))
            writes.append((name, category, self.principals(category['roles'], mapping, {
                'allowed': 'allowed', 'denied': 'denied', 'creator': 'creator'})))
        if root_managers:
            self.warn('The root category\'s managers (%s) become managers of every migrated chat room.'
                      % ', '.join(sorted(set(root_managers))))
        if self.apply and not self.content_only and writes:
            with store_mod.transaction(self.conn):
                for name, category, principals in writes:
                    self._write_category(name, category, principals)
        elif not self.content_only:  # -WhatIf: what _write_category would count
            self.counts['categories'] += len(writes)
            self.counts['categories_overwritten'] += sum(1 for name, _c, _p in writes if self._existing(
                'categories', name))
        return plan, sorted(set(root_managers))

    def _existing(self, table, name):
        """The id of the category or room ``name`` (compared without regard to case) in the target pool, or None."""
        row = self.conn.execute('SELECT id FROM %s WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE' % table,
                                (self.pool, name)).fetchone()
        return row['id'] if row else None

    def _write_category(self, name, category, principals):
        category_id = self._existing('categories', name)
        values = (category['description'], int(category['invitations']), int(category['file_upload']),
                  int(category['chat_history']))
        if category_id is not None:
            self.conn.execute('UPDATE categories SET description = ?, invitations = ?, file_upload = ?, '
                              'chat_history = ?, parent_id = NULL WHERE id = ?', values + (category_id,))
            self.conn.execute('DELETE FROM category_principals WHERE category_id = ?', (category_id,))
            self.counts['categories_overwritten'] += 1
        else:
            category_id = self.conn.execute(
                'INSERT INTO categories (pool_fqdn, parent_id, name, description, invitations, file_upload, '
                'chat_history) VALUES (?, NULL, ?, ?, ?, ?, ?)', (self.pool, name) + values).lastrowid
        self.conn.executemany('INSERT OR IGNORE INTO category_principals (category_id, principal, role) '
                              'VALUES (?, ?, ?)', [(category_id, p, r) for p, r in principals])
        self.counts['categories'] += 1

    # -- rooms --------------------------------------------------------------------------------------------
    def plan_rooms(self, categories, mapping, root_managers):
        planned = []
        for room in self.reader.rooms():
            category = categories.get(room['category_id'])
            if category is None:
                self.error('Chat room "%s" is directly under the root category (or its category is missing) and is '
                           'not migrated: move it to a category before exporting.' % room['name'],
                           'RoomWithoutCategory', target=room['name'])
                self.counts['rooms_skipped'] += 1
                self.not_migrated.add(room['id'])
                continue
            category_name, category_invitations, depth = category
            if category_name is None:
                self.error('Chat room "%s" is not migrated: its category could not be migrated.' % room['name'],
                           'RoomCategoryNotMigrated', target=room['name'])
                self.counts['rooms_skipped'] += 1
                self.not_migrated.add(room['id'])
                continue
            name = room['name']
            if depth > 1:
                name = category_name + SEPARATOR + room['name']
            if len(name) > MAX_NAME:
                self.error('Chat room "%s" is not migrated: its name with its parent categories\' names is longer '
                           'than %d characters. Shorten it before exporting.' % (room['name'], MAX_NAME),
                           'RoomNameTooLong', target=room['name'])
                self.counts['rooms_skipped'] += 1
                self.not_migrated.add(room['id'])
                continue
            if name != room['name']:
                self.warn('Chat room "%s" becomes "%s": rooms of a sub-category are prefixed with their parent '
                          'categories\' names.' % (room['name'], name))
            invitations = room['invitations']
            if not category_invitations and invitations != 'false':
                self.warn('Category "%s" has invitations turned off, so chat room "%s" gets invitations turned off.'
                          % (category_name, name))
                invitations = 'false'
            principals = self.principals(room['roles'], mapping, {'member': 'member', 'manager': 'manager',
                                                                  'presenter': 'presenter'})
            principals += [(p, 'manager') for p in root_managers if (p, 'manager') not in principals]
            planned.append(dict(room, target_name=name, category_name=category_name, invitations=invitations,
                                principals=principals))
        return planned

    def write_rooms(self, planned):
        content = self.reader.content() if self.reader.has(CONTENT) else iter(())
        pending = next(content, None)
        target_ids = {}
        for index, room in enumerate(planned, 1):
            self.ctx.check_stop()
            with store_mod.transaction(self.conn):
                room_id = self._write_room(room)
                if room_id is not None and self.reader.has(CONTENT):
                    self.conn.execute('DELETE FROM messages WHERE room_id = ?', (room_id,))
                if pending is not None and pending[0] == room['id']:
                    if room_id is not None:
                        self._insert_messages(room_id, pending[1])
                    else:
                        _drain(pending[1])
                    pending = next(content, None)
            if room_id is None:
                self.not_migrated.add(room['id'])
                continue
            target_ids[room['id']] = room_id
            _progress(self.ctx, 'Importing chat rooms', index, len(planned))
            self.ctx.hold('rooms:%d' % index)
        while pending is not None:  # content not in room order, or for rooms not in the file
            room_id = target_ids.get(pending[0])
            if room_id is None:
                self._content_without_room(pending)
            else:
                with store_mod.transaction(self.conn):
                    self._insert_messages(room_id, pending[1])
            pending = next(content, None)

    def _content_without_room(self, pending):
        if pending[0] not in self.not_migrated:  # those were reported already
            self.error('Chat content for room id %s has no chat room in the file; it is not imported.' % pending[0],
                       'ContentWithoutRoom', target=pending[0])
        _drain(pending[1])

    def preview_rooms(self, planned):
        """-WhatIf: what ``write_rooms`` would count and report (rooms, overwritten rooms, messages, the errors of
        rooms that cannot be written), writing nothing."""
        importable = set()
        for room in planned:
            existing = self._existing('rooms', room['target_name'])
            if self.content_only:
                if existing is None:
                    self._room_not_found(room)
                    continue
            else:
                self.counts['rooms'] += 1
                self.counts['rooms_overwritten'] += existing is not None
            importable.add(room['id'])
        for pending in self.reader.content() if self.reader.has(CONTENT) else ():
            if pending[0] in importable:
                self.counts['messages'] += sum(1 for _row in pending[1])
            else:
                self._content_without_room(pending)

    def _room_not_found(self, room):
        self.error('Chat room "%s" does not exist in pool %s: import its room directory before its content.'
                   % (room['target_name'], self.pool), 'RoomNotFound', target=room['target_name'],
                   category='ObjectNotFound')
        self.counts['rooms_skipped'] += 1
        self.not_migrated.add(room['id'])

    def _write_room(self, room):
        existing = self._existing('rooms', room['target_name'])
        if self.content_only:
            if existing is None:
                self._room_not_found(room)
                return None
            return existing
        category = self.conn.execute('SELECT id FROM categories WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE',
                                     (self.pool, room['category_name'])).fetchone()
        if category is None:
            self.error('Chat room "%s" is not migrated: category "%s" does not exist in pool %s.' % (
                room['target_name'], room['category_name'], self.pool), 'CategoryNotFound',
                target=room['target_name'], category='ObjectNotFound')
            self.counts['rooms_skipped'] += 1
            return None
        values = (category['id'], room['description'], room['type'], room['privacy'], room['invitations'],
                  int(room['disabled']), room['addin'])
        if existing is not None:
            room_id = existing
            self.conn.execute('UPDATE rooms SET category_id = ?, description = ?, type = ?, privacy = ?, '
                              'invitations = ?, disabled = ?, addin = ? WHERE id = ?', values + (room_id,))
            self.conn.execute('DELETE FROM room_principals WHERE room_id = ?', (room_id,))
            self.counts['rooms_overwritten'] += 1
        else:
            room_id = self.conn.execute(
                'INSERT INTO rooms (pool_fqdn, name, category_id, description, type, privacy, invitations, disabled, '
                'addin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', (self.pool, room['target_name']) + values).lastrowid
        self.conn.executemany('INSERT OR IGNORE INTO room_principals (room_id, principal, role) VALUES (?, ?, ?)',
                              [(room_id, p, r) for p, r in room['principals']])
        self.counts['rooms'] += 1
        return room_id

    def _insert_messages(self, room_id, rows):
        before = self.conn.total_changes
        try:
            self.conn.executemany(chatformat.CONTENT_INSERT_SQL % int(room_id), rows)
        except (sqlite3.ProgrammingError, ValueError, csv.Error) as exc:
            raise FormatError('%s has a malformed row (%s)' % (CONTENT, exc))
        self.counts['messages'] += self.conn.total_changes - before

    def run(self):
        mapping = self.resolve_principals() if self.reader.has(USERS) else {}
        categories, root_managers = self.convert_categories(mapping) if self.reader.has(CATEGORIES) else ({}, [])
        planned = self.plan_rooms(categories, mapping, root_managers) if self.reader.has(ROOMS) else []
        if self.apply:
            self.write_rooms(planned)
        else:
            self.preview_rooms(planned)


@cmdlet('Import-CsPersistentChatData', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ImportPersistentChatDataCmdlet',
        sets=['ByteInput', 'FileName'], should_process=True,
        params=[Param('ByteInput', BYTES, sets=['ByteInput'], mandatory=True, pipeline='value'),
                Param('DBInstance', STRING, mandatory=True), Param('FileName', STRING, sets=['FileName'],
                                                                   mandatory=True),
                Param('Report')], output='None')
def import_data(ctx):
    db = open_database(ctx, ctx.get('DBInstance'), topology.PERSISTENT_CHAT_DB)
    pool = pool_row(ctx.store, db['pool_fqdn'])
    if ctx.has('ByteInput'):
        source = io.BytesIO(ctx.get('ByteInput'))
        label = 'the byte input'
    else:
        try:
            source = winpath.to_local(ctx.lab_dir, ctx.get('FileName'), must_exist=True)
        except winpath.PathError as exc:
            ctx.fail(path_error(ctx, exc, ctx.get('FileName')))
        label = ctx.get('FileName')
    try:
        reader = chatformat.ExportReader(source)
    except FormatError as exc:
        ctx.fail(ctx.cmdlet_error('%s is not a Persistent Chat export: %s.' % (label, exc), 'InvalidExportFile',
                                  category='InvalidData', target=label))
    try:
        apply = ctx.should_process('%s\\%s (pool %s)' % (db['sql_fqdn'], db['instance'], pool['fqdn']),
                                   'Import-CsPersistentChatData')
        running = _running(ctx, pool)
        if running:
            text = ('Cannot import into pool %s while its Persistent Chat services are running (%s): stop the '
                    'Persistent Chat services on every computer of the pool first.' % (
                        pool['fqdn'], _describe_running(running)))
            if apply:
                ctx.fail(ctx.cmdlet_error(text, 'PersistentChatServiceRunning', category='InvalidOperation',
                                          target=pool['fqdn']))
            ctx.warning(text)
        run = ImportRun(ctx, reader, pool, apply)
        try:
            run.run()
        except FormatError as exc:
            ctx.fail(ctx.cmdlet_error('%s is not a valid Persistent Chat export: %s.' % (label, exc),
                                      'InvalidExportFile', category='InvalidData', target=label))
    finally:
        reader.close()
    summary = ('%s %d categories (%d overwritten), %d chat rooms (%d overwritten, %d not migrated) and %d messages '
               'into pool %s.' % ('Imported' if apply else 'Would import', run.counts['categories'],
                                  run.counts['categories_overwritten'], run.counts['rooms'],
                                  run.counts['rooms_overwritten'], run.counts['rooms_skipped'],
                                  run.counts['messages'], pool['fqdn']))
    ctx.verbose(summary)
    if ctx.has('Report'):
        _report(ctx, 'Import-CsPersistentChatData', [('Summary', summary)] + run.notes)
