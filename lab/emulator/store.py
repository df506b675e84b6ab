# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab store: one SQLite file holding what Lync holds (topology, services, chat databases), see docs/lab-store.md.

The schema is versioned (``meta.schema_version``); ``open_store`` creates a new store or upgrades an older one step
by step inside a transaction, and refuses a store newer than this code. Writers use ``transaction`` (BEGIN
IMMEDIATE ... COMMIT), so a process killed at any moment leaves each write wholly done or not done.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sqlite3
import zlib

SCHEMA_VERSION = 3


class StoreError(Exception):
    """The store is missing, unusable or newer than this code."""


# Version 1 (the first lab, written by plugins/module_utils/lab_store.py before the store moved here).
SCHEMA_V1 = '''
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pools (
    fqdn TEXT PRIMARY KEY COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('group_chat_2007r2', 'group_chat_2010', 'persistent_chat_2013')),
    version TEXT NOT NULL,
    pool_state TEXT CHECK (pool_state IN ('Normal', 'FailedOver')),
    dn TEXT
);
CREATE TABLE servers (
    fqdn TEXT PRIMARY KEY COLLATE NOCASE,
    pool_fqdn TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE services (
    server_fqdn TEXT NOT NULL REFERENCES servers (fqdn) COLLATE NOCASE,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'stopped')),
    start_mode TEXT NOT NULL CHECK (start_mode IN ('automatic', 'manual', 'disabled')),
    PRIMARY KEY (server_fqdn, name)
);
CREATE TABLE endpoints (
    sip_address TEXT PRIMARY KEY,
    pool_fqdn TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    display_name TEXT,
    contact_dn TEXT NOT NULL,
    object_guid TEXT NOT NULL
);
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    pool_fqdn TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    parent_id INTEGER REFERENCES categories (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    invitations INTEGER NOT NULL DEFAULT 1,
    file_upload INTEGER NOT NULL DEFAULT 1,
    chat_history INTEGER NOT NULL DEFAULT 1,
    source_key TEXT,
    UNIQUE (pool_fqdn, parent_id, name)
);
CREATE UNIQUE INDEX categories_source ON categories (pool_fqdn, source_key) WHERE source_key IS NOT NULL;
CREATE TABLE category_principals (
    category_id INTEGER NOT NULL REFERENCES categories (id),
    principal TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('allowed', 'denied', 'creator', 'manager')),
    PRIMARY KEY (category_id, principal, role)
);
CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    pool_fqdn TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'normal' CHECK (type IN ('normal', 'auditorium')),
    privacy TEXT NOT NULL DEFAULT 'open' CHECK (privacy IN ('open', 'closed', 'secret')),
    invitations TEXT NOT NULL DEFAULT 'inherit' CHECK (invitations IN ('inherit', 'false')),
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    source_key TEXT,
    UNIQUE (pool_fqdn, name)
);
CREATE UNIQUE INDEX rooms_source ON rooms (pool_fqdn, source_key) WHERE source_key IS NOT NULL;
CREATE TABLE room_principals (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    principal TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('member', 'manager', 'presenter')),
    PRIMARY KEY (room_id, principal, role)
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    sender TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    body TEXT NOT NULL,
    source_key TEXT
);
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_source ON messages (room_id, source_key) WHERE source_key IS NOT NULL
'''

# Version 2: the Lync emulator's topology (sites, every pool with its role, SQL stores, trusted applications),
# services with their Lync roles, and Lync's replicated view of AD. Pools and services are rebuilt: pools gain
# non-chat roles (front end, SQL store) and services use Windows' own status and start-mode names.
SCHEMA_V2 = '''
CREATE TABLE sites (
    identity TEXT PRIMARY KEY COLLATE NOCASE,      -- 'site:Redmond'
    name     TEXT NOT NULL,                        -- the display name, what Get-CsPool -Site takes
    site_id  INTEGER NOT NULL,                     -- the numeric SiteId prefix of service ids ('1-...')
    kind     TEXT NOT NULL CHECK (kind IN ('central', 'backcompat'))
);
CREATE TABLE pools_v2 (
    fqdn             TEXT PRIMARY KEY COLLATE NOCASE,
    role             TEXT NOT NULL CHECK (role IN ('FrontEnd', 'PersistentChatServer', 'TrustedApplicationPool',
                                                   'SqlServer')),
    kind             TEXT CHECK (kind IN ('group_chat_2007r2', 'group_chat_2010', 'persistent_chat_2013')),
    version          TEXT NOT NULL,                -- product, e.g. 'Lync Server 2013 Persistent Chat'
    topology_version INTEGER NOT NULL DEFAULT 6,   -- the Version property of its topology objects
    site             TEXT REFERENCES sites (identity) COLLATE NOCASE,
    registrar        TEXT COLLATE NOCASE,          -- the registrar pool it depends on
    pool_state       TEXT CHECK (pool_state IN ('Normal', 'FailedOver')),
    dn               TEXT                          -- its object under CN=Pools in AD (chat pools)
);
INSERT INTO pools_v2 (fqdn, role, kind, version, topology_version, pool_state, dn)
    SELECT fqdn, CASE kind WHEN 'persistent_chat_2013' THEN 'PersistentChatServer' ELSE 'TrustedApplicationPool' END,
           kind, version, CASE kind WHEN 'persistent_chat_2013' THEN 6 ELSE 5 END, pool_state, dn FROM pools;
DROP TABLE pools;
ALTER TABLE pools_v2 RENAME TO pools;
DROP TABLE services;
CREATE TABLE services (
    server_fqdn   TEXT NOT NULL REFERENCES servers (fqdn) COLLATE NOCASE,
    name          TEXT NOT NULL COLLATE NOCASE,     -- the Windows service name
    display_name  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('Running', 'Stopped', 'StopPending')),
    start_mode    TEXT NOT NULL CHECK (start_mode IN ('Automatic', 'Manual', 'Disabled')),
    roles         TEXT NOT NULL DEFAULT '',        -- Lync roles it hosts (NTService.RoleName), comma-separated
    lync          INTEGER NOT NULL DEFAULT 0,      -- 1: a Lync Server service (Get-/Start-/Stop-CsWindowsService)
    open_sessions INTEGER NOT NULL DEFAULT 0,      -- client sessions a graceful stop waits for
    PRIMARY KEY (server_fqdn, name)
);
CREATE TABLE databases (
    id       INTEGER PRIMARY KEY,
    sql_fqdn TEXT NOT NULL COLLATE NOCASE,
    instance TEXT NOT NULL COLLATE NOCASE,         -- '' for the default instance
    name     TEXT NOT NULL COLLATE NOCASE,         -- 'mgc' for Persistent Chat
    role     TEXT NOT NULL CHECK (role IN ('PersistentChatStore', 'PersistentChatComplianceStore', 'GroupChatStore')),
    pool_fqdn TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,   -- the chat pool whose data it holds
    UNIQUE (sql_fqdn, instance, name)
);
CREATE TABLE trusted_applications (
    pool_fqdn      TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    application_id TEXT NOT NULL COLLATE NOCASE,   -- 'urn:application:...'
    port           INTEGER NOT NULL,
    PRIMARY KEY (pool_fqdn, application_id)
);
CREATE TABLE ad_view (
    object_guid TEXT PRIMARY KEY,                  -- Lync's replicated view of SIP principals, for the AD lag knob
    dn          TEXT NOT NULL,
    sip         TEXT COLLATE NOCASE,
    kind        TEXT NOT NULL CHECK (kind IN ('user', 'contact')),
    attributes  TEXT NOT NULL,                     -- JSON of the attributes Lync's cmdlets show
    seen_at     REAL NOT NULL
);
CREATE INDEX ad_view_sip ON ad_view (sip);
ALTER TABLE rooms ADD COLUMN addin TEXT
'''

# Version 3: Persistent Chat policies (Get-CsPersistentChatPolicy), the per-user policy each user is assigned
# (Get-CsUser's PersistentChatPolicy), and the test users registered with Set-CsTestUserCredential.
SCHEMA_V3 = '''
CREATE TABLE chat_policies (
    identity    TEXT PRIMARY KEY COLLATE NOCASE,   -- 'Global', 'site:Redmond' or 'tag:<name>'
    description TEXT,
    enable_persistent_chat INTEGER NOT NULL DEFAULT 0 CHECK (enable_persistent_chat IN (0, 1))
);
CREATE TABLE user_policies (
    sip         TEXT NOT NULL COLLATE NOCASE,      -- the user's SIP address
    policy_type TEXT NOT NULL CHECK (policy_type IN ('PersistentChatPolicy')),
    policy_name TEXT NOT NULL COLLATE NOCASE,      -- the per-user policy's name (its identity without 'tag:')
    PRIMARY KEY (sip, policy_type)
);
CREATE TABLE test_user_credentials (
    sip        TEXT PRIMARY KEY COLLATE NOCASE,    -- the test user's SIP address
    account_dn TEXT NOT NULL                       -- the account the credential names (no secret is kept)
)
'''

MIGRATIONS = {1: SCHEMA_V1, 2: SCHEMA_V2, 3: SCHEMA_V3}  # version -> DDL that brings version-1 to version


def connect(path):
    """A connection with the settings every user of the store needs (explicit transactions, see transaction)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute('PRAGMA foreign_keys = ON')
    conn.execute('PRAGMA busy_timeout = 30000')
    # WAL with synchronous NORMAL: a commit survives the process being killed (what the lab's kill tests do),
    # without an fsync per commit (an import commits once per room).
    conn.execute('PRAGMA synchronous = NORMAL')
    conn.create_function('pchat_crc', 3, message_checksum, deterministic=True)
    return conn


class transaction(object):  # pylint: disable=invalid-name
    """``with transaction(conn):`` - BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any exception."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute('BEGIN IMMEDIATE')
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute('ROLLBACK' if exc_type else 'COMMIT')
        return False


def schema_version(conn):
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0]) if row else 0


def _statements(ddl):
    return [statement for statement in ddl.split(';') if statement.strip()]


def open_store(path, create=False):
    """Open the store at ``path`` (creating it if ``create``), upgraded to SCHEMA_VERSION."""
    if not create and not os.path.isfile(path):
        raise StoreError('the lab store %r does not exist; bring the lab up with `make lab`' % path)
    try:
        conn = connect(path)
        conn.execute('PRAGMA journal_mode = WAL')
        version = schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError('%r is not a usable lab store (%s); recreate the lab with `make lab-down lab`' % (path, exc))
    if version > SCHEMA_VERSION:
        raise StoreError('the lab store %r has schema version %d, newer than this code understands (%d)'
                         % (path, version, SCHEMA_VERSION))
    if version < SCHEMA_VERSION:
        # Rebuilding a table that others reference needs foreign keys off, which SQLite only allows outside a
        # transaction; the upgrade itself is one transaction, checked before it commits.
        conn.execute('PRAGMA foreign_keys = OFF')
        try:
            with transaction(conn):
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in _statements(MIGRATIONS[step]):
                        conn.execute(statement)
                broken = conn.execute('PRAGMA foreign_key_check').fetchall()
                if broken:
                    raise StoreError('upgrading %r left %d dangling references' % (path, len(broken)))
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
        finally:
            conn.execute('PRAGMA foreign_keys = ON')
    return conn


def message_checksum(sender, sent_at, body):
    """Per-message CRC over sender, time and text only; summed per room it is an order-independent checksum of
    the room's history that survives a migration (which changes ids, rooms and keys, never these three)."""
    return zlib.crc32(('%s\x1f%s\x1f%s' % (sender, sent_at, body)).encode('utf-8'))


def room_checksum(conn, room_id):
    """(message count, checksum text) of one room."""
    count, total = conn.execute('SELECT COUNT(*), TOTAL(pchat_crc(sender, sent_at, body)) FROM messages '
                                'WHERE room_id = ?', (room_id,)).fetchone()
    return count, '%d' % total


def wipe_chat_data(conn, pool):
    """Delete a pool's categories, rooms, members and messages in one transaction."""
    with transaction(conn):
        conn.execute('DELETE FROM messages WHERE room_id IN (SELECT id FROM rooms WHERE pool_fqdn = ?)', (pool,))
        conn.execute('DELETE FROM room_principals WHERE room_id IN (SELECT id FROM rooms WHERE pool_fqdn = ?)',
                     (pool,))
        conn.execute('DELETE FROM rooms WHERE pool_fqdn = ?', (pool,))
        conn.execute('DELETE FROM category_principals WHERE category_id IN '
                     '(SELECT id FROM categories WHERE pool_fqdn = ?)', (pool,))
        conn.execute('UPDATE categories SET parent_id = NULL WHERE pool_fqdn = ?', (pool,))
        conn.execute('DELETE FROM categories WHERE pool_fqdn = ?', (pool,))
