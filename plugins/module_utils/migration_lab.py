# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chat data migration inside the lab store: a legacy Group Chat pool's categories, rooms, members and history
copied to a Persistent Chat pool with the conversions Lync's Import-CsPersistentChatData applies.

Resumable and never duplicating: every copied object carries its source's stable key (``source_key``) under a
unique index, structure is written in one transaction, and messages are copied room by room with set-based
``INSERT ... SELECT`` statements that start after the last key already copied, in transactions of at most
``batch_size`` messages. A run killed at any moment and run again copies exactly what is missing. Messages never
pass through Python, so memory stays flat whatever the history size.

Conversions (LYNC-FACTS.md, "Data migration"): the category tree is flattened (the root category is not
migrated; a sub-category's name is prefixed with its parents' names, joined by CATEGORY_SEPARATOR); names may not
exceed 256 characters (such categories and rooms are skipped, with the reason); the root category's managers
become managers of every room; a room in a category with invitations off gets invitations off (a warning); files
are not part of the store, as they are not part of Lync's export.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import time
import zlib

from ansible_collections.pchat.cutover.plugins.module_utils import lab_store
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

KINDS = ('categories', 'rooms', 'members', 'messages')
CATEGORY_SEPARATOR = '_'
MAX_NAME = 256
ROOT_CATEGORY = 'Root'
MAX_LISTED = 1000  # unresolved members and warnings listed in the result; the counts are always complete


def message_checksum(sender, sent_at, body):
    """Per-message CRC; summed per room, an order-independent checksum of the room's history."""
    return zlib.crc32(('%s\x1f%s\x1f%s' % (sender, sent_at, body)).encode('utf-8'))


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class MigrationLock(object):
    """One migration per target pool at a time: a row in ``meta`` naming the holder (host and pid). A holder that
    died (SIGKILL) leaves its row behind; the next run on the same host sees the pid is gone and takes over."""

    def __init__(self, conn, target):
        self.conn = conn
        self.key = 'lock:migration:%s' % target.lower()
        self.holder = '%s:%d' % (socket.gethostname(), os.getpid())

    def __enter__(self):
        with lab_store.transaction(self.conn):
            row = self.conn.execute('SELECT value FROM meta WHERE key = ?', (self.key,)).fetchone()
            if row and row[0] != self.holder:
                host, _sep, pid = row[0].rpartition(':')
                if host != socket.gethostname() or _pid_alive(int(pid)):
                    raise PchatError('another chat_migration (%s) is copying into this pool right now; wait for it to '
                                     'finish (if it is gone, delete the row %r from the meta table of the lab store).'
                                     % (row[0], self.key))
            self.conn.execute('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', (self.key, self.holder))
        return self

    def __exit__(self, *exc):
        with lab_store.transaction(self.conn):
            self.conn.execute('DELETE FROM meta WHERE key = ? AND value = ?', (self.key, self.holder))
        return False


class LabMigration(object):
    """One migration run. ``options``: since (ISO 'YYYY-MM-DDTHH:MM:SSZ' or None), rooms (names or None),
    include_disabled_rooms, batch_size, unresolved_members ('migrate' or 'skip'). ``resolve(uris)`` returns
    {canonical uri: kind} from the directory, or is None when no directory was given."""

    def __init__(self, conn, source, target, options, resolve=None, check_mode=False):
        self.conn = conn
        self.source = source
        self.target = target
        self.options = options
        self.resolve = resolve
        self.check_mode = check_mode
        self.counts = dict((kind, {'migrated': 0, 'already_present': 0, 'skipped': 0}) for kind in KINDS)
        self.skipped = {}  # (kind, reason) -> count
        self.warnings = []
        self.unresolved = {}  # principal -> {'principal', 'kind', 'rooms'}
        self.overwritten = []
        conn.create_function('pchat_crc', 3, message_checksum, deterministic=True)

    # -- bookkeeping --------------------------------------------------------------------------------------
    def skip(self, kind, reason, count=1):
        if count:
            self.counts[kind]['skipped'] += count
            self.skipped[(kind, reason)] = self.skipped.get((kind, reason), 0) + count

    def warn(self, text):
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(text)

    def query(self, sql, args=()):
        return self.conn.execute(sql, args).fetchall()

    def scalar(self, sql, args=()):
        return self.conn.execute(sql, args).fetchone()[0]

    # -- selection ----------------------------------------------------------------------------------------
    def source_categories(self):
        """{id: row} of the source pool's categories, plus their flattened names (None for the root)."""
        rows = dict((r['id'], r) for r in self.query('SELECT * FROM categories WHERE pool_fqdn = ?', (self.source,)))
        flat = {}
        for cid, row in rows.items():
            path = []
            node = row
            while node is not None:
                path.append(node['name'])
                node = rows.get(node['parent_id'])
            path.reverse()
            is_root = row['parent_id'] is None and row['name'] == ROOT_CATEGORY
            if path and path[0] == ROOT_CATEGORY and len(path) > 1:
                path = path[1:]
            flat[cid] = None if is_root else CATEGORY_SEPARATOR.join(path)
        return rows, flat

    def select_rooms(self):
        rooms = self.query('SELECT * FROM rooms WHERE pool_fqdn = ? ORDER BY id', (self.source,))
        wanted = self.options.get('rooms')
        if wanted:
            by_name = dict((r['name'].lower(), r) for r in rooms)
            missing = [name for name in wanted if name.lower() not in by_name]
            if missing:
                raise PchatError('rooms %s do not exist in source pool %r; check the names (they are compared without '
                                 'regard to case).' % (', '.join(repr(m) for m in missing), self.source))
            chosen = set(name.lower() for name in wanted)
        selected = []
        for room in rooms:
            if wanted and room['name'].lower() not in chosen:
                self.skip('rooms', 'not in the rooms filter')
                self.skip_room_contents(room, 'their room is not in the rooms filter')
            elif room['disabled'] and not self.options.get('include_disabled_rooms', True):
                self.skip('rooms', 'disabled (include_disabled_rooms: false)')
                self.skip_room_contents(room, 'their room is disabled (include_disabled_rooms: false)')
            else:
                selected.append(room)
        return selected

    # -- structure ----------------------------------------------------------------------------------------
    def migrate_structure(self, selected, resolved):
        """Categories, rooms and members. Returns [(source room, target room id or None in check mode)]."""
        categories, flat = self.source_categories()
        root_ids = [cid for cid, name in flat.items() if name is None]
        root_managers = sorted(set(r['principal'] for r in self.query(
            "SELECT principal FROM category_principals WHERE role = 'manager' AND category_id IN (%s)"
            % ','.join('?' * len(root_ids)), root_ids))) if root_ids else []
        if root_ids:
            self.skip('categories', 'the root category (Lync 2013 has no category tree; its managers manage every room)',
                      len(root_ids))
        used = set(room['category_id'] for room in selected)
        target_category = {}
        for cid in sorted(categories):
            name = flat[cid]
            if name is None:
                continue
            if self.options.get('rooms') and cid not in used:
                self.skip('categories', 'no room of it is selected')
                continue
            if len(name) > MAX_NAME:
                self.skip('categories', 'flattened name longer than %d characters' % MAX_NAME)
                continue
            target_category[cid] = self.ensure_category(categories[cid], name)
        pairs = []
        for room in selected:
            if room['category_id'] not in target_category:
                self.skip('rooms', 'its category was not migrated')
                self.skip_room_contents(room)
                continue
            if len(room['name']) > MAX_NAME:
                self.skip('rooms', 'name longer than %d characters' % MAX_NAME)
                self.skip_room_contents(room)
                continue
            category = categories[room['category_id']]
            target_id = self.ensure_room(room, target_category[room['category_id']], category)
            self.copy_members(room, target_id, root_managers, resolved)
            pairs.append((room, target_id))
        return pairs

    def ensure_category(self, row, name):
        key = '%s/category/%d' % (self.source, row['id'])
        found = self.conn.execute('SELECT id FROM categories WHERE pool_fqdn = ? AND source_key = ?',
                                  (self.target, key)).fetchone()
        if found:
            self.counts['categories']['already_present'] += 1
            return found[0]
        self.counts['categories']['migrated'] += 1
        if self.check_mode:
            return None
        native = self.conn.execute('SELECT id FROM categories WHERE pool_fqdn = ? AND name = ? AND source_key IS NULL '
                                   'AND parent_id IS NULL', (self.target, name)).fetchone()
        values = (row['description'], row['invitations'], row['file_upload'], row['chat_history'], key)
        if native:
            # Lync's import overwrites an item of the same name created on the target before migration
            self.conn.execute('UPDATE categories SET description = ?, invitations = ?, file_upload = ?, chat_history = ?, '
                              'source_key = ? WHERE id = ?', values + (native[0],))
            self.conn.execute('DELETE FROM category_principals WHERE category_id = ?', (native[0],))
            self.overwritten.append('category %s' % name)
            new_id = native[0]
        else:
            new_id = self.conn.execute(
                'INSERT INTO categories (pool_fqdn, parent_id, name, description, invitations, file_upload, '
                'chat_history, source_key) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)', (self.target, name) + values).lastrowid
        self.conn.execute('INSERT OR IGNORE INTO category_principals (category_id, principal, role) '
                          'SELECT ?, principal, role FROM category_principals WHERE category_id = ?', (new_id, row['id']))
        return new_id

    def ensure_room(self, room, target_category_id, category):
        key = '%s/room/%d' % (self.source, room['id'])
        found = self.conn.execute('SELECT id FROM rooms WHERE pool_fqdn = ? AND source_key = ?',
                                  (self.target, key)).fetchone()
        invitations = room['invitations']
        if not category['invitations'] and invitations != 'false':
            invitations = 'false'
            self.warn('room %r: invitations turned off because its category %r has them off (as Lync\'s import does)'
                      % (room['name'], category['name']))
        if found:
            self.counts['rooms']['already_present'] += 1
            return found[0]
        self.counts['rooms']['migrated'] += 1
        if self.check_mode:
            return None
        values = (target_category_id, room['description'], room['type'], room['privacy'], invitations, room['disabled'], key)
        native = self.conn.execute('SELECT id FROM rooms WHERE pool_fqdn = ? AND name = ? AND source_key IS NULL',
                                   (self.target, room['name'])).fetchone()
        if native:
            self.conn.execute('UPDATE rooms SET category_id = ?, description = ?, type = ?, privacy = ?, invitations = ?, '
                              'disabled = ?, source_key = ? WHERE id = ?', values + (native[0],))
            self.conn.execute('DELETE FROM room_principals WHERE room_id = ?', (native[0],))
            self.overwritten.append('room %s' % room['name'])
            return native[0]
        return self.conn.execute(
            'INSERT INTO rooms (pool_fqdn, name, category_id, description, type, privacy, invitations, disabled, '
            'source_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', (self.target, room['name']) + values).lastrowid

    def skip_room_contents(self, room, reason='their room was skipped'):
        self.skip('members', reason, self.scalar('SELECT COUNT(*) FROM room_principals WHERE room_id = ?', (room['id'],)))
        self.skip('messages', reason, self.scalar('SELECT COUNT(*) FROM messages WHERE room_id = ?', (room['id'],)))

    # -- members ------------------------------------------------------------------------------------------
    def resolve_members(self, selected):
        """{principal: kind} for the SIP principals of the selected rooms (empty without a directory)."""
        if self.resolve is None or not selected:
            return {}
        principals = set()
        for start in range(0, len(selected), 500):
            ids = [room['id'] for room in selected[start:start + 500]]
            principals.update(r[0] for r in self.query(
                "SELECT DISTINCT principal FROM room_principals WHERE principal LIKE 'sip:%%' AND room_id IN (%s)"
                % ','.join('?' * len(ids)), ids))
        return self.resolve(sorted(principals))

    def copy_members(self, room, target_id, root_managers, resolved):
        rows = [(r['principal'], r['role']) for r in self.query(
            'SELECT principal, role FROM room_principals WHERE room_id = ? ORDER BY role, principal', (room['id'],))]
        rows += [(principal, 'manager') for principal in root_managers if (principal, 'manager') not in rows]
        keep = []
        for principal, role in rows:
            kind = resolved.get(principal.lower()) if principal.lower().startswith('sip:') else None
            if kind is not None and kind != 'user':
                entry = self.unresolved.setdefault(principal, {'principal': principal, 'kind': kind, 'rooms': 0})
                entry['rooms'] += 1
                if self.options.get('unresolved_members') == 'skip':
                    self.skip('members', 'not a user in the directory (unresolved_members: skip)')
                    continue
            keep.append((principal, role))
        if target_id is None:  # check mode, room not created yet
            self.counts['members']['migrated'] += len(keep)
            return
        present = set((r[0], r[1]) for r in self.query('SELECT principal, role FROM room_principals WHERE room_id = ?',
                                                       (target_id,)))
        new = [(target_id, p, role) for p, role in keep if (p, role) not in present]
        self.counts['members']['already_present'] += len(keep) - len(new)
        self.counts['members']['migrated'] += len(new)
        if new and not self.check_mode:
            self.conn.executemany('INSERT OR IGNORE INTO room_principals (room_id, principal, role) VALUES (?, ?, ?)', new)

    # -- messages -----------------------------------------------------------------------------------------
    def since_clause(self):
        return (' AND sent_at >= ?', (self.options['since'],)) if self.options.get('since') else ('', ())

    def migrate_messages(self, pairs):
        since_sql, since_args = self.since_clause()
        batch = max(1, int(self.options.get('batch_size') or 5000))
        pending = 0
        if not self.check_mode:
            self.conn.execute('BEGIN IMMEDIATE')
        try:
            for room, target_id in pairs:
                total = self.scalar('SELECT COUNT(*) FROM messages WHERE room_id = ?', (room['id'],))
                wanted = self.scalar('SELECT COUNT(*) FROM messages WHERE room_id = ?' + since_sql, (room['id'],) + since_args)
                self.skip('messages', 'older than since', total - wanted)
                if target_id is None:
                    self.counts['messages']['migrated'] += wanted
                    continue
                present = self.scalar('SELECT COUNT(*) FROM messages WHERE room_id = ? AND source_key IS NOT NULL' + since_sql,
                                      (target_id,) + since_args)
                self.counts['messages']['already_present'] += present
                if self.check_mode:
                    self.counts['messages']['migrated'] += max(0, wanted - present)
                    continue
                while True:
                    last = self.scalar('SELECT MAX(source_key) FROM messages WHERE room_id = ? AND source_key IS NOT NULL',
                                       (target_id,))
                    inserted = self.conn.execute(
                        "INSERT OR IGNORE INTO messages (room_id, sender, sent_at, body, source_key) "
                        "SELECT ?, sender, sent_at, body, printf('%012d', id) FROM messages "
                        "WHERE room_id = ? AND id > ?" + since_sql + " ORDER BY id LIMIT ?",
                        (target_id, room['id'], int(last or 0)) + since_args + (batch,)).rowcount
                    self.counts['messages']['migrated'] += inserted
                    pending += inserted
                    if pending >= batch:  # commit every batch_size messages: that much is redone after a kill
                        self.conn.execute('COMMIT')
                        self.conn.execute('BEGIN IMMEDIATE')
                        pending = 0
                    if inserted < batch:
                        break
                # Rows below the last key are missing only if an earlier run used a later `since`: fill the gap.
                copied = self.scalar('SELECT COUNT(*) FROM messages WHERE room_id = ? AND source_key IS NOT NULL' + since_sql,
                                     (target_id,) + since_args)
                if copied < wanted:
                    inserted = self.conn.execute(
                        "INSERT OR IGNORE INTO messages (room_id, sender, sent_at, body, source_key) "
                        "SELECT ?, s.sender, s.sent_at, s.body, printf('%012d', s.id) FROM messages s "
                        "WHERE s.room_id = ?" + since_sql.replace('sent_at', 's.sent_at') + " AND NOT EXISTS (SELECT 1 FROM "
                        "messages t WHERE t.room_id = ? AND t.source_key = printf('%012d', s.id)) ORDER BY s.id",
                        (target_id, room['id']) + since_args + (target_id,)).rowcount
                    self.counts['messages']['migrated'] += inserted
                    pending += inserted
        except BaseException:
            if not self.check_mode:
                self.conn.execute('ROLLBACK')
            raise
        if not self.check_mode:
            self.conn.execute('COMMIT')

    # -- verification -------------------------------------------------------------------------------------
    def verify(self, pairs):
        """Per room: message count and checksum, source (filtered) vs target (migrated rows). Returns (per-room
        records, mismatches)."""
        since_sql, since_args = self.since_clause()
        records, mismatched = [], []
        for room, target_id in pairs:
            source = self.conn.execute('SELECT COUNT(*), TOTAL(pchat_crc(sender, sent_at, body)) FROM messages '
                                       'WHERE room_id = ?' + since_sql, (room['id'],) + since_args).fetchone()
            target = self.conn.execute('SELECT COUNT(*), TOTAL(pchat_crc(sender, sent_at, body)) FROM messages '
                                       'WHERE room_id = ? AND source_key IS NOT NULL' + since_sql,
                                       (target_id,) + since_args).fetchone()
            record = {'name': room['name'], 'disabled': bool(room['disabled']),
                      'source_messages': source[0], 'source_checksum': '%d' % source[1],
                      'target_messages': target[0], 'target_checksum': '%d' % target[1]}
            records.append(record)
            if tuple(source) != tuple(target):
                mismatched.append({'room': room['name'], 'source_messages': source[0], 'target_messages': target[0],
                                   'checksums_match': source[1] == target[1]})
        return records, mismatched

    # -- the run ------------------------------------------------------------------------------------------
    def run(self):
        started = time.time()
        selected = self.select_rooms()
        resolved = self.resolve_members(selected)  # LDAP look-ups before any write lock is taken
        if self.check_mode:
            pairs = self.migrate_structure(selected, resolved)
            self.migrate_messages(pairs)
            records, mismatched = [], []
        else:
            with MigrationLock(self.conn, self.target):
                with lab_store.transaction(self.conn):
                    pairs = self.migrate_structure(selected, resolved)
                self.migrate_messages(pairs)
                records, mismatched = self.verify(pairs)
        duration = time.time() - started
        migrated = self.counts['messages']['migrated']
        return {
            'counts': self.counts,
            'skipped_reasons': [{'kind': kind, 'reason': reason, 'count': count}
                                for (kind, reason), count in sorted(self.skipped.items())],
            'unresolved_members': sorted(self.unresolved.values(), key=lambda u: u['principal'])[:MAX_LISTED],
            'unresolved_total': len(self.unresolved),
            'conversion_warnings': self.warnings,
            'overwritten': self.overwritten,
            'verification': {'rooms_checked': len(pairs) if not self.check_mode else 0, 'mismatched': mismatched},
            'rooms': records,
            'duration': round(duration, 3),
            'messages_per_second': round(migrated / duration, 1) if duration > 0 else None,
        }
