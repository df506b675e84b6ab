# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A user posts a message in a chat room of the lab, as a chat client would: ``python -m lab post <pool> <room>
<sender sip> <text>``. Only a started pool takes posts (a client cannot reach a pool whose chat services are down),
into a room that exists and is not disabled, from a member, manager or presenter of the room, or anyone in an open
room. The reliability suite posts after the cutover started the Persistent Chat pool, then checks the message is
still there once every earlier writer is gone (docs/reliability.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from lab import inspect
from lab.emulator import store as store_mod


class PostRefused(Exception):
    """The post a client could not make, and why."""


def post(config, pool_fqdn, room_name, sender, text):
    """Append the message; returns its id. Raises PostRefused."""
    conn = store_mod.open_store(config.platform_db)
    try:
        pool = conn.execute('SELECT * FROM pools WHERE fqdn = ? COLLATE NOCASE', (pool_fqdn,)).fetchone()
        if pool is None:
            raise PostRefused('no pool %s' % pool_fqdn)
        state = inspect.pool_state(conn, pool)
        if state != 'started':
            raise PostRefused('pool %s is %s: a client cannot post there' % (pool_fqdn, state))
        room = conn.execute('SELECT * FROM rooms WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE',
                            (pool['fqdn'], room_name)).fetchone()
        if room is None or room['disabled']:
            raise PostRefused('no enabled room %r on %s' % (room_name, pool_fqdn))
        allowed = room['privacy'] == 'open' or conn.execute(
            'SELECT 1 FROM room_principals WHERE room_id = ? AND principal = ? COLLATE NOCASE',
            (room['id'], sender)).fetchone()
        if not allowed:
            raise PostRefused('%s is not a member of %r' % (sender, room_name))
        sent_at = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
        with store_mod.transaction(conn):
            return conn.execute('INSERT INTO messages (room_id, sender, sent_at, body) VALUES (?, ?, ?, ?)',
                                (room['id'], sender, sent_at, text)).lastrowid
    finally:
        conn.close()


def members(config, pool_fqdn, room_name):
    """The SIP URIs of a room's members, managers and presenters."""
    conn = store_mod.open_store(config.platform_db)
    try:
        rows = conn.execute("SELECT DISTINCT p.principal FROM room_principals p JOIN rooms r ON r.id = p.room_id "
                            "WHERE r.pool_fqdn = ? COLLATE NOCASE AND r.name = ? COLLATE NOCASE "
                            "AND p.principal LIKE 'sip:%' ORDER BY p.principal", (pool_fqdn, room_name)).fetchall()
        return [row[0] for row in rows]
    finally:
        conn.close()


def messages(config, pool_fqdn, room_name, sender=None):
    """The messages of a room (each sender, sent_at, body), oldest first."""
    conn = store_mod.open_store(config.platform_db)
    try:
        rows = conn.execute('SELECT m.sender, m.sent_at, m.body FROM messages m JOIN rooms r ON r.id = m.room_id '
                            'WHERE r.pool_fqdn = ? COLLATE NOCASE AND r.name = ? COLLATE NOCASE '
                            'AND (? IS NULL OR m.sender = ? COLLATE NOCASE) ORDER BY m.id',
                            (pool_fqdn, room_name, sender, sender)).fetchall()
        return [dict(row) for row in rows]
    finally:
        conn.close()
