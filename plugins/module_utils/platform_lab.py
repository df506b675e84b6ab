# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``lab`` driver: the embedded stand-in for Lync (SQLite store, lab_store.py) plus the lab's Samba AD.

As in Lync, a Persistent Chat endpoint *is* an AD contact under CN=Application Contacts (Get-CsPersistentChatEndpoint
reads AD), so the directory is the source of truth for endpoints and the store's ``endpoints`` table is a record
of them, written after the contact. Who owns a SIP URI is therefore always answered by the real directory.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import uuid

from ansible_collections.pchat.cutover.plugins.module_utils import lab_store
from ansible_collections.pchat.cutover.plugins.module_utils.directory import (
    SIP_ATTRIBUTE, dn_equal, escape_filter_value, first_value,
)
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.migration_lab import message_checksum
from ansible_collections.pchat.cutover.plugins.module_utils.platform import Platform, pool_state, server_state
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip

OWNER_URN = 'urn:application:persistentchat'
CONTACT_CLASSES = ['top', 'person', 'organizationalPerson', 'contact']
APPLICATION_CONTACTS_RDN = 'CN=Application Contacts,CN=RTC Service,CN=Services'
POOL_QUERY = 'SELECT fqdn, kind, version, pool_state, dn FROM pools'
ENDPOINT_ATTRIBUTES = [SIP_ATTRIBUTE, 'displayName', 'msRTCSIP-PrimaryHomeServer', 'msRTCSIP-OwnerUrn']


class LabPlatform(Platform):
    name = 'lab'

    def __init__(self, params, directory=None):
        self.path = params.get('lab_path')
        self.conn = lab_store.open_store(self.path)
        self.directory = directory

    def close(self):
        self.conn.close()

    # -- pools -------------------------------------------------------------------------------------------
    def get_pools(self):
        return [self._pool(row) for row in self.conn.execute(POOL_QUERY + ' ORDER BY fqdn').fetchall()]

    def get_pool(self, fqdn):
        """One pool read directly: the generic get_pools-and-filter would count every pool's messages."""
        row = self.conn.execute(POOL_QUERY + ' WHERE fqdn = ?', (fqdn,)).fetchone()  # fqdn compares NOCASE
        return self._pool(row) if row else None

    def _pool(self, row):
        pool = {'fqdn': row['fqdn'], 'kind': row['kind'], 'version': row['version'],
                'pool_state': row['pool_state'], 'dn': row['dn'], 'servers': []}
        for srow in self.conn.execute('SELECT fqdn, active FROM servers WHERE pool_fqdn = ? ORDER BY fqdn',
                                      (row['fqdn'],)):
            services = [dict(name=s['name'], display_name=s['display_name'], status=s['status'],
                             start_mode=s['start_mode'])
                        for s in self.conn.execute('SELECT name, display_name, status, start_mode FROM services '
                                                   'WHERE server_fqdn = ? ORDER BY name', (srow['fqdn'],))]
            server = {'fqdn': srow['fqdn'], 'active': bool(srow['active']), 'services': services}
            server['state'] = server_state(server)
            pool['servers'].append(server)
        pool['state'] = pool_state(pool)
        pool['counts'] = self.counts(row['fqdn'])
        return pool

    def counts(self, fqdn):
        """Categories, rooms, members (room role assignments: members, managers, presenters) and messages."""
        def one(sql):
            return self.conn.execute(sql, (fqdn,)).fetchone()[0]
        return {
            'categories': one('SELECT COUNT(*) FROM categories WHERE pool_fqdn = ?'),
            'rooms': one('SELECT COUNT(*) FROM rooms WHERE pool_fqdn = ?'),
            'members': one('SELECT COUNT(*) FROM room_principals p JOIN rooms r ON r.id = p.room_id WHERE r.pool_fqdn = ?'),
            'messages': one('SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = ?'),
        }

    def room_details(self, fqdn):
        """Each room of the pool with its message count and content checksum (the same per-message CRC sum
        chat_migration verifies with), sorted by name."""
        self.conn.create_function('pchat_crc', 3, message_checksum, deterministic=True)
        rows = self.conn.execute(
            'SELECT r.name, r.disabled, (SELECT COUNT(*) FROM messages m WHERE m.room_id = r.id), '
            '(SELECT TOTAL(pchat_crc(m.sender, m.sent_at, m.body)) FROM messages m WHERE m.room_id = r.id) '
            'FROM rooms r WHERE r.pool_fqdn = ? ORDER BY r.name', (fqdn,)).fetchall()
        return [{'name': r[0], 'disabled': bool(r[1]), 'messages': r[2], 'checksum': '%d' % r[3]} for r in rows]

    def set_server_state(self, pool, server_fqdn, state):
        # One transaction per server: a kill leaves each server wholly before or after.
        if state == 'started':
            sql = ("UPDATE services SET status = 'running', start_mode = CASE start_mode WHEN 'disabled' "
                   "THEN 'automatic' ELSE start_mode END WHERE server_fqdn = ?")
        elif state == 'stopped':
            sql = ("UPDATE services SET status = 'stopped', start_mode = CASE start_mode WHEN 'disabled' "
                   "THEN 'manual' ELSE start_mode END WHERE server_fqdn = ?")
        elif state == 'disabled':
            sql = "UPDATE services SET status = 'stopped', start_mode = 'disabled' WHERE server_fqdn = ?"
        else:
            raise PchatError('unknown server state %r' % state)
        with lab_store.transaction(self.conn):
            updated = self.conn.execute(sql, (server_fqdn,)).rowcount
        if not updated:
            raise PchatError('server %r of pool %r has no services in the lab store.' % (server_fqdn, pool['fqdn']))

    # -- endpoints ---------------------------------------------------------------------------------------
    def _need_directory(self):
        if self.directory is None:
            raise PchatError('the lab driver keeps Persistent Chat endpoints in the lab directory, so it needs the '
                             'directory connection options (ldap_url, bind_dn, bind_password, ca_file, or the '
                             'PCHAT_* variables of .lab/connection.env).')
        return self.directory

    def _contacts_dn(self):
        return '%s,%s' % (APPLICATION_CONTACTS_RDN, self._need_directory().configuration_dn)

    def _pool_by_dn(self, dn):
        for row in self.conn.execute('SELECT fqdn, dn FROM pools WHERE dn IS NOT NULL'):
            if dn and dn_equal(row['dn'], dn):
                return row['fqdn']
        return None

    def get_endpoints(self, sip_address=None):
        directory = self._need_directory()
        search_filter = '(&(objectClass=contact)(msRTCSIP-OwnerUrn=%s)' % OWNER_URN
        if sip_address:
            search_filter += '(%s=%s)' % (SIP_ATTRIBUTE, escape_filter_value(normalize_sip(sip_address)))
        search_filter += ')'
        endpoints = []
        for entry in directory.search(self._contacts_dn(), search_filter, ENDPOINT_ATTRIBUTES, scope='onelevel'):
            home = first_value(entry, 'msRTCSIP-PrimaryHomeServer')
            endpoints.append({
                'sip_address': first_value(entry, SIP_ATTRIBUTE),
                'pool_fqdn': self._pool_by_dn(home),
                'display_name': first_value(entry, 'displayName'),
                'dn': entry['dn'],
            })
        return sorted(endpoints, key=lambda e: (e['sip_address'] or '').lower())

    def new_endpoint(self, sip_address, pool_fqdn, display_name=None):
        directory = self._need_directory()
        row = self.conn.execute('SELECT fqdn, kind, dn FROM pools WHERE fqdn = ?', (pool_fqdn,)).fetchone()
        if row is None or row['kind'] != 'persistent_chat_2013' or not row['dn']:
            raise PchatError('%r is not a Persistent Chat pool of the lab; New-CsPersistentChatEndpoint needs one.'
                             % pool_fqdn)
        guid = str(uuid.uuid4()).upper()
        dn = 'CN={%s},%s' % (guid, self._contacts_dn())
        attributes = {
            SIP_ATTRIBUTE: sip_address,
            'msRTCSIP-UserEnabled': 'TRUE',
            'msRTCSIP-PrimaryHomeServer': row['dn'],
            'msRTCSIP-OwnerUrn': OWNER_URN,
            'displayName': display_name or sip_address[4:],
        }
        directory.add_entry(dn, CONTACT_CLASSES, attributes)
        with lab_store.transaction(self.conn):
            self.conn.execute('INSERT OR REPLACE INTO endpoints (sip_address, pool_fqdn, display_name, contact_dn, '
                              'object_guid) VALUES (?, ?, ?, ?, ?)',
                              (normalize_sip(sip_address), row['fqdn'], attributes['displayName'], dn, guid))
        return {'sip_address': sip_address, 'pool_fqdn': row['fqdn'], 'display_name': attributes['displayName'],
                'dn': dn}

    def remove_endpoint(self, endpoint):
        directory = self._need_directory()
        if endpoint.get('dn'):
            directory.delete_entry(endpoint['dn'])
        with lab_store.transaction(self.conn):
            self.conn.execute('DELETE FROM endpoints WHERE sip_address = ?', (normalize_sip(endpoint['sip_address']),))
