# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m lab inspect``: the truth of the lab as JSON, straight from its store and its directory, for tests,
benchmarks and anyone checking the lab from outside (independent of the collection's code and of the emulator's
cmdlets). Shape (DESIGN.md): ``pools`` (each ``fqdn``, ``kind``, ``state``, ``servers`` with their services,
``categories``, ``rooms`` each with ``name``, ``category``, ``disabled``, ``messages`` and ``checksum``) and
``endpoints``. A legacy pool also has ``compliance_servers`` (its Group Chat compliance server, a computer of its
own) and ``in_topology`` (false for the OCS 2007 R2 pool, which Merge-CsLegacyTopology leaves out)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys

from lab import names, topology
from lab.emulator import store as store_mod

STATUS = {'Running': 'running', 'Stopped': 'stopped', 'StopPending': 'stop_pending'}


def chat_service_rows(conn, pool):
    """The services that decide a chat pool's state: the Persistent Chat role's on a 2013 pool's active servers,
    the Group Chat ones (by display name) on every server of a legacy pool and on its compliance server."""
    if pool['kind'] == 'persistent_chat_2013':
        return conn.execute("SELECT s.* FROM services s JOIN servers v ON v.fqdn = s.server_fqdn WHERE v.pool_fqdn = ? "
                            "AND v.active = 1 AND (',' || s.roles || ',') LIKE ?",
                            (pool['fqdn'], '%,' + topology.PERSISTENT_CHAT_ROLE + ',%')).fetchall()
    pools = [pool['fqdn']] + [server for legacy, server in topology.COMPLIANCE_SERVERS.items()
                              if legacy.lower() == pool['fqdn'].lower()]
    return conn.execute("SELECT s.* FROM services s JOIN servers v ON v.fqdn = s.server_fqdn WHERE v.pool_fqdn IN "
                        "(%s) AND s.display_name LIKE '%%Group Chat%%'" % ','.join('?' * len(pools)),
                        pools).fetchall()


def pool_state(conn, pool):
    """started, stopped, disabled or partial (DESIGN.md's vocabulary)."""
    rows = chat_service_rows(conn, pool)
    if not rows:
        return 'stopped'
    statuses = set(r['status'] for r in rows)
    if statuses == {'Running'}:
        return 'started' if (pool['pool_state'] or 'Normal') == 'Normal' or pool['kind'] != 'persistent_chat_2013' \
            else 'partial'
    if statuses == {'Stopped'}:
        return 'disabled' if all(r['start_mode'] == 'Disabled' for r in rows) else 'stopped'
    return 'partial'


def _servers(conn, pool):
    servers = []
    for server in conn.execute('SELECT * FROM servers WHERE pool_fqdn = ? ORDER BY fqdn', (pool,)):
        services = [{'name': s['name'], 'display_name': s['display_name'], 'status': STATUS[s['status']],
                     'start_mode': s['start_mode'].lower(), 'roles': [r for r in s['roles'].split(',') if r],
                     'lync': bool(s['lync'])}
                    for s in conn.execute('SELECT * FROM services WHERE server_fqdn = ? ORDER BY name',
                                          (server['fqdn'],))]
        servers.append({'fqdn': server['fqdn'], 'active': bool(server['active']), 'services': services})
    return servers


def _categories(conn, pool):
    rows = conn.execute('SELECT id, parent_id, name FROM categories WHERE pool_fqdn = ? ORDER BY name, id',
                        (pool,)).fetchall()
    by_id = dict((r['id'], r['name']) for r in rows)
    return [{'name': r['name'], 'parent': by_id.get(r['parent_id'])} for r in rows]


def _rooms(conn, pool):
    rooms = []
    for room in conn.execute('SELECT r.id, r.name, r.disabled, c.name AS category FROM rooms r JOIN categories c '
                             'ON c.id = r.category_id WHERE r.pool_fqdn = ? ORDER BY r.name', (pool,)):
        count, checksum = store_mod.room_checksum(conn, room['id'])
        rooms.append({'name': room['name'], 'category': room['category'], 'disabled': bool(room['disabled']),
                      'messages': count, 'checksum': checksum})
    return rooms


def endpoints(lab_dir):
    """Persistent Chat endpoint contacts, read from the directory."""
    from lab.emulator.directory import Directory  # pylint: disable=import-outside-toplevel
    directory = Directory(lab_dir)
    try:
        found = directory.principals('(&(objectClass=contact)(msRTCSIP-OwnerUrn=%s))'
                                     % topology.PERSISTENT_CHAT_OWNER_URN, base=names.APPLICATION_CONTACTS_DN)
    finally:
        directory.close()
    pools = dict((topology.pool_dn(fqdn).lower(), fqdn) for fqdn in topology.CHAT_POOLS)
    return sorted(({'sip_address': p.sip, 'display_name': p.get('displayName'), 'dn': p.dn,
                    'pool': pools.get((p.get('msRTCSIP-PrimaryHomeServer') or '').lower())} for p in found),
                  key=lambda e: (e['sip_address'] or '').lower())


def snapshot(lab_dir, with_directory=True):
    conn = store_mod.open_store(os.path.join(lab_dir, 'platform.sqlite'))
    try:
        pools = []
        for pool in conn.execute('SELECT * FROM pools WHERE kind IS NOT NULL ORDER BY fqdn'):
            entry = {'fqdn': pool['fqdn'], 'kind': pool['kind'], 'state': pool_state(conn, pool),
                     'pool_state': pool['pool_state'], 'servers': _servers(conn, pool['fqdn']),
                     'categories': _categories(conn, pool['fqdn']), 'rooms': _rooms(conn, pool['fqdn'])}
            if pool['kind'] != 'persistent_chat_2013':
                compliance = topology.COMPLIANCE_SERVERS.get(pool['fqdn'].lower())
                entry['compliance_servers'] = _servers(conn, compliance) if compliance else []
                entry['in_topology'] = pool['site'] is not None
            pools.append(entry)
    finally:
        conn.close()
    return {'pools': pools, 'endpoints': endpoints(lab_dir) if with_directory else None}


def main(config, out=sys.stdout):
    """Print the snapshot of the lab at ``config.lab_dir``."""
    json.dump(snapshot(config.lab_dir), out, indent=2, sort_keys=False)
    out.write('\n')
    return 0
