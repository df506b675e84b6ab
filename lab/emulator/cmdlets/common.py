# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers the cmdlet modules share: wildcards, pools and computers of the topology, identities, -Report files."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import html
import os
import re

from lab import topology
from lab.emulator import winpath

LOCAL_COMPUTER = 'fe01.contoso.com'  # the front end whose remote session the emulator is


def wildcard(pattern):
    """A PowerShell wildcard (``*``, ``?``, ``[abc]``) as a compiled, case-insensitive, whole-string regex."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == '*':
            out.append('.*')
        elif char == '?':
            out.append('.')
        elif char == '[':
            end = pattern.find(']', index + 1)
            if end > index:
                out.append('[%s]' % re.escape(pattern[index + 1:end]).replace('\\-', '-'))
                index = end
            else:
                out.append(re.escape(char))
        elif char == '`' and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile('^%s$' % ''.join(out), re.IGNORECASE | re.DOTALL)


def has_wildcard(text):
    return any(c in (text or '') for c in '*?[')


def matches(pattern, text):
    return bool(wildcard(pattern).match(text or ''))


def pool_row(conn, fqdn, role=None):
    row = conn.execute('SELECT * FROM pools WHERE fqdn = ?', (fqdn,)).fetchone()
    if row is None or (role and row['role'] != role):
        return None
    return row


def persistent_chat_pools(conn):
    return conn.execute("SELECT * FROM pools WHERE role = 'PersistentChatServer' ORDER BY fqdn").fetchall()


def strip_prefix(identity, prefix):
    """'PersistentChatServer:pc.contoso.com' -> 'pc.contoso.com' (the prefix compared without regard to case)."""
    if identity and identity.lower().startswith(prefix.lower() + ':'):
        return identity[len(prefix) + 1:]
    return identity


def resolve_computer(conn, name):
    """The topology row of a computer given by FQDN or host name, or None."""
    if not name or name == '.' or name.lower() == 'localhost':
        name = LOCAL_COMPUTER
    row = conn.execute('SELECT * FROM servers WHERE fqdn = ?', (name,)).fetchone()
    if row is None and '.' not in name:
        rows = conn.execute('SELECT * FROM servers WHERE fqdn LIKE ?', (name + '.%',)).fetchall()
        row = rows[0] if len(rows) == 1 else None
    return row


def services_of(conn, server, lync_only=False):
    sql = 'SELECT * FROM services WHERE server_fqdn = ?' + (' AND lync = 1' if lync_only else '') + ' ORDER BY name'
    return conn.execute(sql, (server,)).fetchall()


def chat_services(conn, pool):
    """Every Persistent Chat service (role PersistentChatServer) on every computer of ``pool``."""
    return conn.execute("SELECT s.*, v.active FROM services s JOIN servers v ON v.fqdn = s.server_fqdn "
                        "WHERE v.pool_fqdn = ? AND (',' || s.roles || ',') LIKE ? ORDER BY s.server_fqdn, s.name",
                        (pool, '%,' + topology.PERSISTENT_CHAT_ROLE + ',%')).fetchall()


def legacy_chat_services(conn, pool):
    """The Group Chat services of a legacy pool's computers (their display names say Group Chat)."""
    return conn.execute("SELECT s.*, v.active FROM services s JOIN servers v ON v.fqdn = s.server_fqdn "
                        "WHERE v.pool_fqdn = ? AND s.display_name LIKE '%Group Chat%' ORDER BY s.server_fqdn, "
                        "s.name", (pool,)).fetchall()


def pool_services(conn, pool_row_):
    """The chat services that decide whether a chat pool is running."""
    if pool_row_['role'] == 'PersistentChatServer':
        return chat_services(conn, pool_row_['fqdn'])
    return legacy_chat_services(conn, pool_row_['fqdn'])


def database(conn, db_instance, db_name):
    """The databases row for ``-DBInstance`` (``sqlfqdn`` or ``sqlfqdn\\instance``) and ``-DBName``; None when no
    such database exists on that instance (``instance_known`` tells whether the instance exists at all)."""
    sql_fqdn, _sep, instance = (db_instance or '').strip().partition('\\')
    rows = conn.execute('SELECT * FROM databases WHERE sql_fqdn = ? AND instance = ?',
                        (sql_fqdn, instance)).fetchall()
    for row in rows:
        if row['name'].lower() == (db_name or '').lower():
            return row, True
    return None, bool(rows)


def write_report(ctx, path, title, lines):
    """An HTML report at Windows ``path`` (-Report); its folder must exist."""
    local = winpath.to_local(ctx.lab_dir, path)
    body = ''.join('<tr><td>%s</td><td>%s</td></tr>\n' % (html.escape(kind), html.escape(text))
                   for kind, text in lines)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')
    with open(local, 'w', encoding='utf-8') as handle:
        handle.write('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title></head><body>\n'
                     '<h1>%s</h1><p>%s</p>\n<table border="1"><tr><th>Kind</th><th>Details</th></tr>\n%s'
                     '</table></body></html>\n' % (html.escape(title), html.escape(title), stamp, body))
    return local


def path_error(ctx, exc, path, reason='PathNotFound'):
    """A terminating error for a Windows path the cmdlet cannot use."""
    category = 'ObjectNotFound' if 'NotFound' in exc.kind else 'InvalidArgument'
    namespace = 'System.' if exc.kind in ('ArgumentException', 'UnauthorizedAccessException') else 'System.IO.'
    return ctx.cmdlet_error(str(exc), reason, category=category, target=path, exception_type=namespace + exc.kind)


def ensure_dir(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
