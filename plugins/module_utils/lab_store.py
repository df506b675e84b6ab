# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab platform store: one SQLite file holding what Lync holds (see docs/lab-store.md).

The schema is versioned (``meta.schema_version``); ``open_store`` creates a new store or upgrades an older one
step by step inside a transaction, and refuses a store newer than this code. Every write the lab driver makes
is one transaction, so a process killed at any moment leaves the store as before or after the write.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sqlite3

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

SCHEMA_VERSION = 1

# Version 1. Names follow Lync's (categories, rooms, managers/members/presenters); values are lower case.
SCHEMA_V1 = '''
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE pools (
    fqdn       TEXT PRIMARY KEY COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('group_chat_2007r2', 'group_chat_2010', 'persistent_chat_2013')),
    version    TEXT NOT NULL,
    pool_state TEXT CHECK (pool_state IN ('Normal', 'FailedOver')),  -- Persistent Chat only, NULL for legacy
    dn         TEXT                                                 -- the pool's object under CN=Pools in AD
);
CREATE TABLE servers (
    fqdn      TEXT PRIMARY KEY COLLATE NOCASE,
    pool_fqdn TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE services (
    server_fqdn  TEXT NOT NULL REFERENCES servers (fqdn) COLLATE NOCASE,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'stopped')),
    start_mode   TEXT NOT NULL CHECK (start_mode IN ('automatic', 'manual', 'disabled')),
    PRIMARY KEY (server_fqdn, name)
);
CREATE TABLE endpoints (
    sip_address  TEXT PRIMARY KEY,                 -- canonical: sip:user@domain in lower case
    pool_fqdn    TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    display_name TEXT,
    contact_dn   TEXT NOT NULL,                    -- the AD contact Lync (and the lab) writes
    object_guid  TEXT NOT NULL
);
CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    pool_fqdn   TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    parent_id   INTEGER REFERENCES categories (id),  -- legacy Group Chat nests categories, 2013 does not
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    invitations INTEGER NOT NULL DEFAULT 1,
    file_upload INTEGER NOT NULL DEFAULT 1,
    chat_history INTEGER NOT NULL DEFAULT 1,
    source_key  TEXT,                               -- set on migrated copies: the source object's stable key
    UNIQUE (pool_fqdn, parent_id, name)
);
CREATE UNIQUE INDEX categories_source ON categories (pool_fqdn, source_key) WHERE source_key IS NOT NULL;
CREATE TABLE category_principals (
    category_id INTEGER NOT NULL REFERENCES categories (id),
    principal   TEXT NOT NULL,                      -- SIP URI, or an OU/group DN
    role        TEXT NOT NULL CHECK (role IN ('allowed', 'denied', 'creator', 'manager')),
    PRIMARY KEY (category_id, principal, role)
);
CREATE TABLE rooms (
    id          INTEGER PRIMARY KEY,
    pool_fqdn   TEXT NOT NULL REFERENCES pools (fqdn) COLLATE NOCASE,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL DEFAULT 'normal' CHECK (type IN ('normal', 'auditorium')),
    privacy     TEXT NOT NULL DEFAULT 'open' CHECK (privacy IN ('open', 'closed', 'secret')),
    invitations TEXT NOT NULL DEFAULT 'inherit' CHECK (invitations IN ('inherit', 'false')),
    disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    source_key  TEXT,
    UNIQUE (pool_fqdn, name)
);
CREATE UNIQUE INDEX rooms_source ON rooms (pool_fqdn, source_key) WHERE source_key IS NOT NULL;
CREATE TABLE room_principals (
    room_id   INTEGER NOT NULL REFERENCES rooms (id),
    principal TEXT NOT NULL,                        -- SIP URI (lower case), or an OU/group DN
    role      TEXT NOT NULL CHECK (role IN ('member', 'manager', 'presenter')),
    PRIMARY KEY (room_id, principal, role)
);
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    room_id    INTEGER NOT NULL REFERENCES rooms (id),
    sender     TEXT NOT NULL,
    sent_at    TEXT NOT NULL,                       -- ISO 8601 UTC, 'YYYY-MM-DDTHH:MM:SSZ'
    body       TEXT NOT NULL,
    source_key TEXT                                 -- set on migrated copies
);
CREATE INDEX messages_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_source ON messages (room_id, source_key) WHERE source_key IS NOT NULL;
'''

MIGRATIONS = {1: SCHEMA_V1}  # version -> DDL that brings version-1 to version


def connect(path):
    """A connection with the settings every user of the store needs."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)  # explicit BEGIN/COMMIT, see transaction()
    conn.row_factory = sqlite3.Row
    conn.execute('PRAGMA foreign_keys = ON')
    conn.execute('PRAGMA busy_timeout = 30000')
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


def open_store(path, create=False):
    """Open the store at ``path`` (creating it if ``create``), upgraded to SCHEMA_VERSION."""
    if not path:
        raise PchatError('no lab store given: set lab_path (or PCHAT_LAB_PATH, which `make lab` writes to '
                         '.lab/connection.env).')
    if not create and not os.path.isfile(path):
        raise PchatError('the lab store %r does not exist; bring the lab up with `make lab`, or fix lab_path.' % path)
    try:
        conn = connect(path)
        conn.execute('PRAGMA journal_mode = WAL')
        version = schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise PchatError('%r is not a usable lab store (%s); recreate the lab with `make lab-down lab`.' % (path, exc))
    if version > SCHEMA_VERSION:
        raise PchatError('the lab store %r has schema version %d, newer than this collection understands (%d); '
                         'upgrade pchat.cutover.' % (path, version, SCHEMA_VERSION))
    if version < SCHEMA_VERSION:
        with transaction(conn):
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step].split(';'):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                         (str(SCHEMA_VERSION),))
    return conn
