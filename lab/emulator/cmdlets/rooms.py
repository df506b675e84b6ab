# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent Chat rooms and categories of the Lync 2013 pools (the legacy Group Chat pools' data is reachable only
through Export-CsPersistentChatData from their databases, as in Lync)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab.emulator import objects, store as store_mod
from lab.emulator.binding import BOOL, INT, STRING, SWITCH, Enum, Instance, ListModifier, Param
from lab.emulator.cmdlets import cmdlet
from lab.emulator.cmdlets.common import matches, persistent_chat_pools, pool_row
from lab.emulator.cmdlets.filters import compile_filter
from lab.emulator.directory import SIP, escape

ROOM_TYPE_NAMES = ['Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject',
                   'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoom']
CATEGORY_TYPE_NAMES = ['Microsoft.Rtc.Management.PersistentChat.Cmdlets.CategoryObject',
                       'Microsoft.Rtc.Management.PersistentChat.Cmdlets.Category']
PRIVACY = Enum(objects.ROOM_PRIVACY, objects.ROOM_PRIVACIES)
ROOM_TYPE = Enum(objects.ROOM_TYPE, objects.ROOM_TYPES)
INVITATIONS = Enum(objects.ROOM_INVITATIONS, objects.ROOM_INVITATION_VALUES)
MAX_NAME = 256
PRINCIPAL_ROLES = {'Members': 'member', 'Managers': 'manager', 'Presenters': 'presenter'}
CATEGORY_ROLES = {'AllowedMembers': 'allowed', 'DeniedMembers': 'denied', 'Creators': 'creator'}


# -- lookups --------------------------------------------------------------------------------------------------
def chat_pool(ctx, fqdn):
    """The Persistent Chat pool named, or the only one when none is named; terminating error otherwise."""
    if fqdn:
        row = pool_row(ctx.store, fqdn, 'PersistentChatServer')
        if row is None:
            ctx.fail(ctx.cmdlet_error('"%s" is not a Persistent Chat pool of the topology.' % fqdn, 'PoolNotFound',
                                      category='ObjectNotFound', target=fqdn))
        return row
    pools = persistent_chat_pools(ctx.store)
    if len(pools) != 1:
        ctx.fail(ctx.cmdlet_error('There is more than one Persistent Chat pool: give -PersistentChatPoolFqdn.',
                                  'PoolRequired', category='InvalidArgument'))
    return pools[0]


def _split_identity(identity):
    pool, sep, name = identity.partition('\\')
    return (pool, name) if sep else (None, identity)


def find_item(ctx, table, identity):
    """(pool row, item row) of a room or category identity ``pool\\name`` (or a name unique across pools); a
    non-terminating not-found error and (None, None) otherwise."""
    pool_name, name = _split_identity(identity)
    pools = [pool_row(ctx.store, pool_name, 'PersistentChatServer')] if pool_name else persistent_chat_pools(ctx.store)
    hits = []
    for pool in pools:
        if pool is None:
            continue
        row = ctx.store.execute('SELECT * FROM %s WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE' % table,
                                (pool['fqdn'], name)).fetchone()
        if row is not None:
            hits.append((pool, row))
    if len(hits) == 1:
        return hits[0]
    ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % identity, 'Identity',
                               category='ObjectNotFound', target=identity))
    return None, None


def principals_by_id(conn, table, key, ids):
    """{id: {role: [principal, ...]}} for rooms (room_principals) or categories (category_principals)."""
    result = dict((i, {}) for i in ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in conn.execute('SELECT %s AS id, principal, role FROM %s WHERE %s IN (%s) ORDER BY principal'
                                % (key, table, key, ','.join('?' * len(chunk))), chunk):
            result[row['id']].setdefault(row['role'], []).append(row['principal'])
    return result


def _display_names(ctx, sips):
    """SIP URI -> display name for the -AsObject form, one batched LDAP search per 200 URIs."""
    names = {}
    sips = sorted(set(s for s in sips if s.lower().startswith('sip:')))
    for start in range(0, len(sips), 200):
        terms = ''.join('(%s=%s)' % (SIP, escape(s)) for s in sips[start:start + 200])
        for principal in ctx.directory.principals('(|%s)' % terms):
            if principal.sip:
                names[principal.sip.lower()] = principal.get('displayName') or principal.sip
    return names


def _room_objects(ctx, pool_rooms):
    """ChatRoomObjects for [(pool fqdn, room row)], principals read in batches."""
    ids = [room['id'] for _pool, room in pool_rooms]
    if not ids:
        return []
    principals = principals_by_id(ctx.store, 'room_principals', 'room_id', ids)
    categories = dict((r['id'], r['name']) for r in ctx.store.execute(
        'SELECT id, name FROM categories WHERE id IN (SELECT DISTINCT category_id FROM rooms WHERE id IN (%s))'
        % ','.join('?' * len(ids)), ids)) if len(ids) <= 900 else dict(
            (r['id'], r['name']) for r in ctx.store.execute('SELECT id, name FROM categories'))
    if ctx.get('AsObject'):
        every = [p for roles in principals.values() for role in ('manager', 'presenter') for p in roles.get(role, [])]
        shown = _display_names(ctx, every)
        for roles in principals.values():
            for role in ('manager', 'presenter'):
                roles[role] = [shown.get(p.lower(), p) for p in roles.get(role, [])]
    return [objects.chat_room(pool, room, categories.get(room['category_id']), principals[room['id']])
            for pool, room in pool_rooms]


# -- rooms ----------------------------------------------------------------------------------------------------
ROOM_FILTERS = [Param('Addin', sets=['All']), Param('Category', sets=['All']),
                Param('ChatContentExceedsMB', INT, sets=['All']), Param('Disabled', BOOL, sets=['All']),
                Param('Filter', sets=['All']), Param('Invitations', INVITATIONS, sets=['All']),
                Param('Manager', sets=['All']), Param('Member', sets=['All']),
                Param('PersistentChatPoolFqdn', sets=['All']), Param('Privacy', PRIVACY, sets=['All']),
                Param('ResultSize', INT, sets=['All']), Param('SearchDescription', SWITCH, sets=['All']),
                Param('Type', ROOM_TYPE, sets=['All'])]


def _exclusive(ctx, name, others):
    """The reference: -Category cannot be combined with -PersistentChatPoolFqdn, -Filter or -Identity, and so on."""
    if ctx.has(name):
        clash = [o for o in others if ctx.has(o)]
        if clash:
            ctx.fail(ctx.cmdlet_error('You cannot use the %s parameter together with %s.' % (
                name, ', '.join(clash)), 'ParameterConflict', category='InvalidArgument'))


def _room_rows(ctx):
    if ctx.has('Identity'):
        pool, room = find_item(ctx, 'rooms', ctx.get('Identity'))
        return [(pool['fqdn'], room)] if room is not None else []
    _exclusive(ctx, 'Category', ['PersistentChatPoolFqdn', 'Filter'])
    _exclusive(ctx, 'PersistentChatPoolFqdn', ['Filter'])
    sql = 'SELECT r.* FROM rooms r JOIN pools p ON p.fqdn = r.pool_fqdn WHERE p.role = ?'
    args = ['PersistentChatServer']
    if ctx.has('PersistentChatPoolFqdn'):
        chat_pool(ctx, ctx.get('PersistentChatPoolFqdn'))
        sql += ' AND r.pool_fqdn = ?'
        args.append(ctx.get('PersistentChatPoolFqdn'))
    if ctx.has('Category'):
        pool_name, name = _split_identity(ctx.get('Category'))
        sql += ' AND r.category_id IN (SELECT id FROM categories WHERE name = ? COLLATE NOCASE%s)' % (
            ' AND pool_fqdn = ?' if pool_name else '')
        args += [name] + ([pool_name] if pool_name else [])
    for param, column, convert in (('Disabled', 'disabled', int), ('Privacy', 'privacy', str.lower),
                                   ('Type', 'type', str.lower), ('Invitations', 'invitations', str.lower),
                                   ('Addin', 'addin', str)):
        if ctx.has(param):
            sql += ' AND r.%s = ?' % column
            args.append(convert(ctx.get(param)))
    for param, role in (('Manager', 'manager'), ('Member', 'member')):
        if ctx.has(param):
            sql += ' AND r.id IN (SELECT room_id FROM room_principals WHERE role = ? AND principal = ? COLLATE NOCASE)'
            args += [role, ctx.get(param)]
    if ctx.has('ChatContentExceedsMB'):
        sql += ' AND (SELECT TOTAL(LENGTH(body)) FROM messages m WHERE m.room_id = r.id) > ?'
        args.append(ctx.get('ChatContentExceedsMB') * 1024 * 1024)
    rows = [(r['pool_fqdn'], r) for r in ctx.store.execute(sql + ' ORDER BY r.pool_fqdn, r.name', args)]
    if ctx.has('Filter'):
        rows = [(p, r) for p, r in rows if _room_text_matches(ctx, r)]
    if ctx.has('ResultSize'):
        rows = rows[:max(0, ctx.get('ResultSize'))]
    return rows


def _room_text_matches(ctx, room):
    text = ctx.get('Filter')
    if ctx.get('SearchDescription'):
        return text.lower() in room['name'].lower() or text.lower() in room['description'].lower()
    if '-' in text:  # {Name -like "ITChat"}
        obj = objects.chat_room('', room, None, {})
        return compile_filter(ctx, text)(obj)
    return matches(text, room['name'])


@cmdlet('Get-CsPersistentChatRoom', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.GetPersistentChatRoomCmdlet',
        sets=['All', 'Identity'], default_set='All',
        params=[Param('Identity', sets=['Identity'], position=1), Param('AsObject', SWITCH)] + ROOM_FILTERS,
        output='Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject')
def get_room(ctx):
    rows = _room_rows(ctx)
    for start in range(0, len(rows), 500):  # batches keep memory flat for large listings
        for obj in _room_objects(ctx, rows[start:start + 500]):
            ctx.write(obj)


def _category_of(ctx, pool, name):
    row = ctx.store.execute('SELECT * FROM categories WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE',
                            (pool, name)).fetchone()
    if row is None:
        ctx.fail(ctx.cmdlet_error('Category "%s" does not exist in pool %s.' % (name, pool), 'CategoryNotFound',
                                  category='ObjectNotFound', target=name))
    return row


def _check_name(ctx, name, what):
    if len(name) > MAX_NAME:
        ctx.fail(ctx.cmdlet_error('The %s name is longer than %d characters.' % (what, MAX_NAME), 'NameTooLong',
                                  category='InvalidArgument', target=name))


@cmdlet('New-CsPersistentChatRoom', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.NewPersistentChatRoomCmdlet',
        params=[Param('Category', STRING, mandatory=True), Param('Name', STRING, mandatory=True), Param('Addin'),
                Param('Description'), Param('Disabled', BOOL), Param('Invitations', INVITATIONS),
                Param('PersistentChatPoolFqdn'), Param('Privacy', PRIVACY), Param('Type', ROOM_TYPE)],
        output='Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject')
def new_room(ctx):
    pool = chat_pool(ctx, ctx.get('PersistentChatPoolFqdn'))
    name = ctx.get('Name')
    _check_name(ctx, name, 'chat room')
    category = _category_of(ctx, pool['fqdn'], _split_identity(ctx.get('Category'))[1])
    invitations = (ctx.get('Invitations') or 'Inherit').lower()
    if invitations == 'inherit' and not category['invitations']:
        invitations = 'false'
    if ctx.store.execute('SELECT 1 FROM rooms WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE',
                         (pool['fqdn'], name)).fetchone():
        ctx.fail(ctx.cmdlet_error('A chat room named "%s" already exists in pool %s.' % (name, pool['fqdn']),
                                  'RoomExists', category='ResourceExists', target=name))
    with store_mod.transaction(ctx.store):
        room_id = ctx.store.execute(
            'INSERT INTO rooms (pool_fqdn, category_id, name, description, type, privacy, invitations, disabled, '
            'addin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (pool['fqdn'], category['id'], name, ctx.get('Description') or '', (ctx.get('Type') or 'Normal').lower(),
             (ctx.get('Privacy') or 'Closed').lower(), invitations, int(bool(ctx.get('Disabled'))),
             ctx.get('Addin'))).lastrowid
    room = ctx.store.execute('SELECT * FROM rooms WHERE id = ?', (room_id,)).fetchone()
    ctx.write(_room_objects(ctx, [(pool['fqdn'], room)])[0])


def _target(ctx, table):
    identity = ctx.get('Identity') if ctx.has('Identity') else ctx.get('Instance')['Identity']
    return find_item(ctx, table, identity)


def _allowed(ctx, category_id, principals):
    """Principals must lie within the category's allowed members minus its denied members (the reference's rule
    for room members, managers and presenters); a terminating error names the first that does not."""
    lists = principals_by_id(ctx.store, 'category_principals', 'category_id', [category_id])[category_id]
    allowed, denied = lists.get('allowed', []), lists.get('denied', [])
    sips = [p for p in principals if p.lower().startswith('sip:')]
    dns = {}
    if sips:
        for principal in ctx.directory.principals('(|%s)' % ''.join('(%s=%s)' % (SIP, escape(s)) for s in sips)):
            dns[(principal.sip or '').lower()] = principal.dn.lower()

    def within(principal, entries):
        dn = dns.get(principal.lower(), principal.lower())
        return any(e.lower() == principal.lower() or dn.endswith(',' + e.lower()) or dn == e.lower()
                   for e in entries)
    for principal in principals:
        if principal.lower().startswith('sip:') and principal.lower() not in dns:
            ctx.fail(ctx.cmdlet_error('Principal "%s" was not found in Active Directory.' % principal,
                                      'PrincipalNotFound', category='ObjectNotFound', target=principal))
        if not within(principal, allowed) or within(principal, denied):
            ctx.fail(ctx.cmdlet_error('Principal "%s" is not within the allowed members of the room\'s category.'
                                      % principal, 'PrincipalNotAllowed', category='InvalidArgument',
                                      target=principal))


def _apply_modifier(current, change):
    result = list(change['Replace']) if 'Replace' in change else list(current)
    for item in change.get('Add', []):
        if item.lower() not in [r.lower() for r in result]:
            result.append(item)
    removed = [r.lower() for r in change.get('Remove', [])]
    return [r for r in result if r.lower() not in removed]


@cmdlet('Set-CsPersistentChatRoom', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.SetPersistentChatRoomCmdlet',
        sets=['Identity', 'Instance'], default_set='Identity', should_process=True,
        params=[Param('Identity', STRING, sets=['Identity'], mandatory=True, position=1),
                Param('Instance', Instance('ChatRoom', ROOM_TYPE_NAMES), sets=['Instance'], mandatory=True,
                      position=1, pipeline='value'),
                Param('Addin'), Param('AsObject', SWITCH), Param('Category'), Param('Description'),
                Param('Disabled', BOOL), Param('Force', SWITCH), Param('Invitations', INVITATIONS),
                Param('Managers', ListModifier()), Param('Members', ListModifier()), Param('Name'),
                Param('Presenters', ListModifier()), Param('Privacy', PRIVACY), Param('Type', ROOM_TYPE)])
def set_room(ctx):
    pool, room = _target(ctx, 'rooms')
    if room is None:
        return
    changes = {}
    category = ctx.store.execute('SELECT * FROM categories WHERE id = ?', (room['category_id'],)).fetchone()
    if ctx.has('Category'):
        category = _category_of(ctx, pool['fqdn'], _split_identity(ctx.get('Category'))[1])
        changes['category_id'] = category['id']
    if ctx.has('Name'):
        _check_name(ctx, ctx.get('Name'), 'chat room')
        clash = ctx.store.execute('SELECT id FROM rooms WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE AND id != ?',
                                  (pool['fqdn'], ctx.get('Name'), room['id'])).fetchone()
        if clash:
            ctx.fail(ctx.cmdlet_error('A chat room named "%s" already exists in pool %s.' % (
                ctx.get('Name'), pool['fqdn']), 'RoomExists', category='ResourceExists', target=ctx.get('Name')))
        changes['name'] = ctx.get('Name')
    for param, column, convert in (('Description', 'description', str), ('Disabled', 'disabled', int),
                                   ('Privacy', 'privacy', str.lower), ('Type', 'type', str.lower),
                                   ('Invitations', 'invitations', str.lower), ('Addin', 'addin', str)):
        if ctx.has(param):
            changes[column] = convert(ctx.get(param)) if ctx.get(param) is not None else None
    if changes.get('invitations') == 'inherit' and not category['invitations']:
        ctx.fail(ctx.cmdlet_error('Invitations cannot be inherited: category "%s" has invitations turned off.'
                                  % category['name'], 'InvitationsOff', category='InvalidArgument'))
    current = principals_by_id(ctx.store, 'room_principals', 'room_id', [room['id']])[room['id']]
    roles = {}
    for param, role in PRINCIPAL_ROLES.items():
        if ctx.has(param):
            roles[role] = _apply_modifier(current.get(role, []), ctx.get(param))
            added = [p for p in roles[role] if p.lower() not in [c.lower() for c in current.get(role, [])]]
            _allowed(ctx, category['id'], added)
    room_type = changes.get('type', room['type'])
    if roles.get('presenter', current.get('presenter')) and room_type != 'auditorium':
        ctx.fail(ctx.cmdlet_error('Presenters can be set only in an auditorium chat room.', 'PresentersNotAllowed',
                                  category='InvalidArgument'))
    if not ctx.should_process('%s\\%s' % (pool['fqdn'], room['name']), 'Set-CsPersistentChatRoom'):
        return
    with store_mod.transaction(ctx.store):
        for column, value in changes.items():
            ctx.store.execute('UPDATE rooms SET %s = ? WHERE id = ?' % column, (value, room['id']))
        for role, values in roles.items():
            ctx.store.execute('DELETE FROM room_principals WHERE room_id = ? AND role = ?', (room['id'], role))
            ctx.store.executemany('INSERT OR IGNORE INTO room_principals (room_id, principal, role) VALUES (?, ?, ?)',
                                  [(room['id'], p, role) for p in values])


@cmdlet('Remove-CsPersistentChatRoom',
        'Microsoft.Rtc.Management.PersistentChat.Cmdlets.RemovePersistentChatRoomCmdlet',
        sets=['Identity', 'Instance'], default_set='Identity', should_process=True,
        params=[Param('Identity', STRING, sets=['Identity'], mandatory=True, position=1),
                Param('Instance', Instance('ChatRoom', ROOM_TYPE_NAMES), sets=['Instance'], mandatory=True,
                      position=1, pipeline='value'),
                Param('Force', SWITCH)])
def remove_room(ctx):
    pool, room = _target(ctx, 'rooms')
    if room is None:
        return
    if ctx.should_process('%s\\%s' % (pool['fqdn'], room['name']), 'Remove-CsPersistentChatRoom'):
        with store_mod.transaction(ctx.store):
            ctx.store.execute('DELETE FROM messages WHERE room_id = ?', (room['id'],))
            ctx.store.execute('DELETE FROM room_principals WHERE room_id = ?', (room['id'],))
            ctx.store.execute('DELETE FROM rooms WHERE id = ?', (room['id'],))


# -- categories -----------------------------------------------------------------------------------------------
def _category_objects(ctx, pool_categories):
    ids = [c['id'] for _p, c in pool_categories]
    principals = principals_by_id(ctx.store, 'category_principals', 'category_id', ids)
    return [objects.chat_category(pool, row, principals[row['id']]) for pool, row in pool_categories]


@cmdlet('Get-CsPersistentChatCategory',
        'Microsoft.Rtc.Management.PersistentChat.Cmdlets.GetPersistentChatCategoryCmdlet',
        sets=['Identity', 'Pool'], default_set='Pool',
        params=[Param('Identity', STRING, sets=['Identity'], mandatory=True, position=1), Param('AsObject', SWITCH),
                Param('PersistentChatPoolFqdn', sets=['Pool'])],
        output='Microsoft.Rtc.Management.PersistentChat.Cmdlets.CategoryObject')
def get_category(ctx):
    if ctx.has('Identity'):
        pool, row = find_item(ctx, 'categories', ctx.get('Identity'))
        rows = [(pool['fqdn'], row)] if row is not None else []
    else:
        sql = "SELECT c.* FROM categories c JOIN pools p ON p.fqdn = c.pool_fqdn WHERE p.role = 'PersistentChatServer'"
        args = []
        if ctx.has('PersistentChatPoolFqdn'):
            chat_pool(ctx, ctx.get('PersistentChatPoolFqdn'))
            sql += ' AND c.pool_fqdn = ?'
            args.append(ctx.get('PersistentChatPoolFqdn'))
        rows = [(r['pool_fqdn'], r) for r in ctx.store.execute(sql + ' ORDER BY c.pool_fqdn, c.name', args)]
    for obj in _category_objects(ctx, rows):
        ctx.write(obj)


@cmdlet('New-CsPersistentChatCategory',
        'Microsoft.Rtc.Management.PersistentChat.Cmdlets.NewPersistentChatCategoryCmdlet',
        params=[Param('Name', STRING, mandatory=True), Param('Description'), Param('EnableFileUpload', SWITCH),
                Param('EnableInvitations', SWITCH), Param('PersistentChatPoolFqdn'),
                Param('RemoveChatHistory', SWITCH)],
        output='Microsoft.Rtc.Management.PersistentChat.Cmdlets.CategoryObject')
def new_category(ctx):
    pool = chat_pool(ctx, ctx.get('PersistentChatPoolFqdn'))
    name = ctx.get('Name')
    _check_name(ctx, name, 'category')
    if ctx.store.execute('SELECT 1 FROM categories WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE',
                         (pool['fqdn'], name)).fetchone():
        ctx.fail(ctx.cmdlet_error('A category named "%s" already exists in pool %s.' % (name, pool['fqdn']),
                                  'CategoryExists', category='ResourceExists', target=name))
    with store_mod.transaction(ctx.store):
        category_id = ctx.store.execute(
            'INSERT INTO categories (pool_fqdn, parent_id, name, description, invitations, file_upload, chat_history) '
            'VALUES (?, NULL, ?, ?, ?, ?, ?)',
            (pool['fqdn'], name, ctx.get('Description') or '', int(bool(ctx.get('EnableInvitations'))),
             int(bool(ctx.get('EnableFileUpload'))), int(not ctx.get('RemoveChatHistory')))).lastrowid
    row = ctx.store.execute('SELECT * FROM categories WHERE id = ?', (category_id,)).fetchone()
    ctx.write(_category_objects(ctx, [(pool['fqdn'], row)])[0])


@cmdlet('Set-CsPersistentChatCategory',
        'Microsoft.Rtc.Management.PersistentChat.Cmdlets.SetPersistentChatCategoryCmdlet',
        sets=['Identity', 'Instance'], default_set='Identity', should_process=True,
        params=[Param('Identity', STRING, sets=['Identity'], mandatory=True, position=1),
                Param('Instance', Instance('Category', CATEGORY_TYPE_NAMES), sets=['Instance'], mandatory=True,
                      pipeline='value'),
                Param('AllowedMembers', ListModifier()), Param('AsObject', SWITCH), Param('ChatHistory', BOOL),
                Param('Creators', ListModifier()), Param('DeniedMembers', ListModifier()), Param('Description'),
                Param('FileUpload', BOOL), Param('Invitations', BOOL), Param('Name')])
def set_category(ctx):
    pool, row = _target(ctx, 'categories')
    if row is None:
        return
    changes = {}
    if ctx.has('Name'):
        _check_name(ctx, ctx.get('Name'), 'category')
        changes['name'] = ctx.get('Name')
    for param, column, convert in (('Description', 'description', str), ('ChatHistory', 'chat_history', int),
                                   ('FileUpload', 'file_upload', int), ('Invitations', 'invitations', int)):
        if ctx.has(param):
            changes[column] = convert(ctx.get(param))
    current = principals_by_id(ctx.store, 'category_principals', 'category_id', [row['id']])[row['id']]
    roles = dict((role, _apply_modifier(current.get(role, []), ctx.get(param)))
                 for param, role in CATEGORY_ROLES.items() if ctx.has(param))
    if not ctx.should_process('%s\\%s' % (pool['fqdn'], row['name']), 'Set-CsPersistentChatCategory'):
        return
    with store_mod.transaction(ctx.store):
        for column, value in changes.items():
            ctx.store.execute('UPDATE categories SET %s = ? WHERE id = ?' % column, (value, row['id']))
        if changes.get('invitations') == 0:  # rooms of a category without invitations have them off
            ctx.store.execute("UPDATE rooms SET invitations = 'false' WHERE category_id = ?", (row['id'],))
        for role, values in roles.items():
            ctx.store.execute('DELETE FROM category_principals WHERE category_id = ? AND role = ?', (row['id'], role))
            ctx.store.executemany('INSERT OR IGNORE INTO category_principals (category_id, principal, role) '
                                  'VALUES (?, ?, ?)', [(row['id'], p, role) for p in values])


@cmdlet('Remove-CsPersistentChatCategory',
        'Microsoft.Rtc.Management.PersistentChat.Cmdlets.RemovePersistentChatCategoryCmdlet',
        sets=['Identity', 'Instance'], default_set='Identity', should_process=True,
        params=[Param('Identity', STRING, sets=['Identity'], mandatory=True, position=1),
                Param('Instance', Instance('Category', CATEGORY_TYPE_NAMES), sets=['Instance'], mandatory=True,
                      position=1, pipeline='value')])
def remove_category(ctx):
    pool, row = _target(ctx, 'categories')
    if row is None:
        return
    if ctx.store.execute('SELECT 1 FROM rooms WHERE category_id = ?', (row['id'],)).fetchone():
        ctx.fail(ctx.cmdlet_error('Category "%s" still has chat rooms: remove them or move them to another category '
                                  'first.' % row['name'], 'CategoryNotEmpty', category='InvalidOperation',
                                  target=row['name']))
    if ctx.should_process('%s\\%s' % (pool['fqdn'], row['name']), 'Remove-CsPersistentChatCategory'):
        with store_mod.transaction(ctx.store):
            ctx.store.execute('DELETE FROM category_principals WHERE category_id = ?', (row['id'],))
            ctx.store.execute('DELETE FROM categories WHERE id = ?', (row['id'],))
