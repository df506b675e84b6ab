# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deterministic chat data set for a legacy Group Chat pool in the lab store.

Everything is drawn from one seeded generator in a fixed order, so the same parameters always give the same
categories, rooms, memberships and messages. Messages are generated and inserted in chunks, never held in
memory as a whole: 1,000,000 messages in 2,000 rooms stream through in constant memory.

The default data set lets a whole cutover complete: every member exists in the lab directory, except a few
federated partners (another SIP domain, which Lync's import migrates with a warning); one category has
invitations off (another import warning). Members absent from the directory ("principal not provisioned", an
import error) are drawn only on request (``unknown_member_rate``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import itertools
import random

from lab import names

WORDS = ('release build deploy incident review meeting agenda customer ticket backlog sprint roadmap budget '
         'invoice audit policy server pool migration weekend rollback cutover chat room category lync skype '
         'persistent legacy client endpoint certificate directory sip address status report update question '
         'answer thanks please today tomorrow monday friday done blocked ready ok lunch coffee').split()
TOPICS = ('Engineering', 'Sales', 'Support', 'Finance', 'Operations', 'Marketing', 'Legal', 'HR', 'Projects',
          'Regions', 'Partners', 'Training')
CHUNK = 10000
ROOT_CATEGORY = 'Root'  # Group Chat's root category (not migrated: Lync 2013 has no category tree)
FEDERATED_DOMAIN = 'fabrikam.com'  # a federated partner's SIP domain (not a SIP domain of the lab)


class DataSetParams(object):
    """Sizes of the data set; defaults are the demo-sized lab."""

    def __init__(self, seed=42, rooms=20, messages=2000, users=200, categories=None, disabled_rooms=None,
                 members_per_room=8, unknown_member_rate=0.0, federated_room_rate=0.2, span_days=365,
                 end_date='2026-11-20'):
        self.seed = seed
        self.rooms = rooms
        self.messages = messages
        self.users = max(1, users)
        self.categories = categories if categories is not None else max(2, min(len(TOPICS), rooms // 5 or 1))
        self.disabled_rooms = disabled_rooms if disabled_rooms is not None else rooms // 10
        self.members_per_room = members_per_room
        self.unknown_member_rate = unknown_member_rate
        self.federated_room_rate = federated_room_rate
        self.span_days = span_days
        self.end = datetime.datetime.strptime(end_date, '%Y-%m-%d').replace(tzinfo=datetime.timezone.utc)

    def as_dict(self):
        return {'seed': self.seed, 'rooms': self.rooms, 'messages': self.messages, 'users': self.users,
                'categories': self.categories, 'disabled_rooms': self.disabled_rooms,
                'members_per_room': self.members_per_room, 'unknown_member_rate': self.unknown_member_rate,
                'federated_room_rate': self.federated_room_rate,
                'span_days': self.span_days, 'end_date': self.end.strftime('%Y-%m-%d')}


def _member(rng, params):
    """A room principal: a lab user that exists in AD or, on request, a former employee that does not."""
    if params.unknown_member_rate and rng.random() < params.unknown_member_rate:
        return 'sip:former.employee%04d@%s' % (rng.randrange(1, 1000), names.DOMAIN)
    return names.user_sip(rng.randrange(1, params.users + 1)).lower()


def _categories(conn, pool, rng, params):
    """Group Chat's tree: a root category (its managers manage every room), topic categories under it, and some
    sub-categories under the first two topics. Returns the ids rooms may be placed in (not the root)."""
    root = conn.execute("INSERT INTO categories (pool_fqdn, parent_id, name, description) VALUES (?, NULL, ?, ?)",
                        (pool, ROOT_CATEGORY, 'Root of the Group Chat category tree')).lastrowid
    conn.execute("INSERT INTO category_principals VALUES (?, ?, 'manager')", (root, names.user_sip(1).lower()))
    conn.execute("INSERT INTO category_principals VALUES (?, ?, 'allowed')", (root, names.BASE_DN))
    ids = []
    for index in range(params.categories):
        name = TOPICS[index % len(TOPICS)] + ('' if index < len(TOPICS) else ' %d' % (index // len(TOPICS)))
        parent = root
        if index == 2 or (index > 2 and rng.random() < 0.4):
            parent = ids[0 if index == 2 else rng.randrange(0, 2)]  # under one of the first two topics
        invitations = int(rng.random() > 0.2) if index != 1 else 0  # the second topic always has them off
        cursor = conn.execute(
            'INSERT INTO categories (pool_fqdn, parent_id, name, description, invitations, file_upload, chat_history) '
            'VALUES (?, ?, ?, ?, ?, ?, ?)',
            (pool, parent, name, '%s discussions' % name, invitations, int(rng.random() > 0.3), 1))
        ids.append(cursor.lastrowid)
        conn.execute("INSERT INTO category_principals VALUES (?, ?, 'allowed')", (cursor.lastrowid, names.BASE_DN))
        conn.execute("INSERT INTO category_principals VALUES (?, ?, 'creator')",
                     (cursor.lastrowid, _member(rng, params)))
    return ids


def _rooms(conn, pool, rng, params, category_ids):
    rooms = []
    # The first rooms go one to each category, enabled and inheriting invitations, so every category has a room
    # and the invitations-off category turns one off on import (a conversion warning).
    firsts = min(len(category_ids), params.rooms)
    candidates = range(firsts, params.rooms)
    if len(candidates) < params.disabled_rooms:
        candidates = range(params.rooms)
    disabled = set(rng.sample(candidates, min(params.disabled_rooms, len(candidates))))
    for index in range(params.rooms):
        category = category_ids[index] if index < firsts else category_ids[rng.randrange(len(category_ids))]
        kind = 'auditorium' if rng.random() < 0.1 else 'normal'
        privacy = rng.choice(('open', 'open', 'closed', 'secret'))
        name = '%s room %04d' % (rng.choice(WORDS).capitalize(), index + 1)
        cursor = conn.execute(
            'INSERT INTO rooms (pool_fqdn, category_id, name, description, type, privacy, invitations, disabled) '
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            (pool, category, name, 'Room about %s' % rng.choice(WORDS), kind, privacy,
             'inherit' if index < firsts else rng.choice(('inherit', 'inherit', 'false')), int(index in disabled)))
        room_id = cursor.lastrowid
        members = sorted(set(_member(rng, params) for _draw in range(params.members_per_room)))
        if rng.random() < params.federated_room_rate:
            members.append('sip:partner%03d@%s' % (rng.randrange(1, 100), FEDERATED_DOMAIN))
        roles = [(room_id, member, 'member') for member in members]
        roles.append((room_id, members[0], 'manager'))
        if kind == 'auditorium':
            roles.append((room_id, members[-1], 'presenter'))
        conn.executemany('INSERT OR IGNORE INTO room_principals VALUES (?, ?, ?)', roles)
        rooms.append((room_id, members))
    return rooms


def _messages(rng, params, rooms):
    """Yield message rows in time order; rooms get uneven shares (a few busy rooms, many quiet ones)."""
    weights = [rng.paretovariate(1.5) for _room in rooms]
    start = params.end - datetime.timedelta(days=params.span_days)
    step = params.span_days * 86400.0 / max(1, params.messages)
    picks = rng.choices(range(len(rooms)), weights=weights, k=min(params.messages, CHUNK)) if rooms else []
    for index in range(params.messages):
        if index and index % CHUNK == 0:
            picks = rng.choices(range(len(rooms)), weights=weights, k=min(params.messages - index, CHUNK))
        room_id, members = rooms[picks[index % CHUNK]]
        sent = start + datetime.timedelta(seconds=int(index * step + rng.random() * step))
        body = ' '.join(rng.choice(WORDS) for _word in range(rng.randint(3, 14)))
        yield (room_id, rng.choice(members), sent.strftime('%Y-%m-%dT%H:%M:%SZ'), body.capitalize() + '.')


def generate(conn, pool, params):
    """Fill ``pool``'s chat store (which must be empty) in a few transactions; returns the counts written."""
    rng = random.Random(params.seed)
    conn.execute('BEGIN IMMEDIATE')
    try:
        category_ids = _categories(conn, pool, rng, params)
        rooms = _rooms(conn, pool, rng, params, category_ids) if params.rooms else []
        conn.execute('COMMIT')
    except BaseException:
        conn.execute('ROLLBACK')
        raise
    written = 0
    rows = _messages(rng, params, rooms) if rooms else iter(())
    while True:
        chunk = list(itertools.islice(rows, CHUNK))
        if not chunk:
            break
        conn.execute('BEGIN IMMEDIATE')
        conn.executemany('INSERT INTO messages (room_id, sender, sent_at, body) VALUES (?, ?, ?, ?)', chunk)
        conn.execute('COMMIT')
        written += len(chunk)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('dataset:' || ?, ?)",
                 (pool, repr(sorted(params.as_dict().items()))))
    return {'categories': len(category_ids) + 1, 'rooms': len(rooms), 'messages': written}
