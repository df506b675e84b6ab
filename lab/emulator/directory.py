# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's own access to the lab's Samba AD (ldap3, LDAPS with the lab CA, the lab admin account from
``lab-state.json``), and Lync's *view* of AD, which lags LDAP deletes by the ``ad_replication_lag_s`` knob.

Lync reads AD through its own domain controller; a user deleted over LDAP on another one is still seen until the
delete replicates. The lab models that with Samba's tombstones: a principal deleted less than ``lag`` seconds ago
(its tombstone's ``whenChanged``) is still returned, with the attributes Lync last saw (``ad_view`` in the store,
refreshed from every live read and filled at `lab up`). A principal the emulator never saw before its delete has
no lag (see docs/lab-emulator.md).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import datetime
import json
import os
import ssl
import threading
import time
import uuid
from urllib.parse import urlparse

import ldap3
from ldap3.utils.conv import escape_filter_chars

from lab import names
from lab.emulator import store as store_mod

SHOW_DELETED = ('1.2.840.113556.1.4.417', True, None)
DELETED_OBJECTS_DN = 'CN=Deleted Objects,' + names.BASE_DN
SIP = 'msRTCSIP-PrimaryUserAddress'
USER_ATTRIBUTES = ['objectGUID', 'objectSid', 'sAMAccountName', 'userPrincipalName', 'displayName', 'givenName',
                   'sn', 'mail', SIP, 'msRTCSIP-UserEnabled', 'msRTCSIP-PrimaryHomeServer', 'whenCreated',
                   'memberOf']
CONTACT_ATTRIBUTES = ['objectGUID', 'displayName', SIP, 'msRTCSIP-UserEnabled', 'msRTCSIP-PrimaryHomeServer',
                      'msRTCSIP-OwnerUrn']
CONTACT_CLASSES = ['top', 'person', 'organizationalPerson', 'contact']


class DirectoryError(Exception):
    """An LDAP operation failed; the message names it."""


def escape(value):
    return escape_filter_chars(value)


def first(entry, name):
    """The first value of attribute ``name`` of an entry dict (attributes as ldap3 returns them), or None."""
    value = entry['attributes'].get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value if value not in ('', b'') else None


class Principal(object):
    """A user or contact as Lync's cmdlets see it."""

    __slots__ = ('dn', 'kind', 'guid', 'attributes', 'lagged')

    def __init__(self, dn, kind, guid, attributes, lagged=False):
        self.dn = dn
        self.kind = kind
        self.guid = guid
        self.attributes = attributes  # plain JSON-able values
        self.lagged = lagged

    def get(self, name, default=None):
        return self.attributes.get(name, default)

    @property
    def sip(self):
        return self.attributes.get(SIP)

    def to_row(self):
        return (self.guid, self.dn, self.sip, self.kind, json.dumps(self.attributes, sort_keys=True), time.time())

    @classmethod
    def from_entry(cls, entry):
        classes = [c.lower() for c in entry['attributes'].get('objectClass', [])]
        kind = 'contact' if 'contact' in classes else 'user'
        plain = {}
        for key, value in entry['attributes'].items():
            if key in ('objectClass',):
                continue
            if isinstance(value, list):
                value = [_plain(v) for v in value]
                value = value[0] if len(value) == 1 and key not in ('memberOf',) else value
            else:
                value = _plain(value)
            if value in ([], None, ''):
                continue
            plain[key] = value
        guid = plain.get('objectGUID') or ''
        return cls(entry['dn'], kind, guid.strip('{}').lower(), plain)


def _plain(value):
    if isinstance(value, (datetime.datetime,)):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


class Directory(object):
    """LDAP connections to the lab DC, pooled across pipeline threads (an ldap3 connection serves one thread)."""

    def __init__(self, lab_dir):
        with open(os.path.join(lab_dir, 'lab-state.json')) as handle:
            self._password = json.load(handle)['admin_password']
        url, ca_file = _connection_settings(lab_dir)
        parsed = urlparse(url)
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=ca_file)
        self._server = ldap3.Server(parsed.hostname, port=parsed.port or 636, use_ssl=True, tls=tls,
                                    connect_timeout=10)
        self._idle = []
        self._lock = threading.Lock()

    def _new_connection(self):
        return ldap3.Connection(self._server, names.ADMIN_DN, self._password, auto_bind=True, auto_referrals=False,
                                receive_timeout=60, raise_exceptions=False)

    @contextlib.contextmanager
    def connection(self):
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = self._new_connection()
        broken = False
        try:
            yield conn
        except ldap3.core.exceptions.LDAPException:
            broken = True
            raise
        finally:
            if broken or conn.closed:
                try:
                    conn.unbind()
                except Exception:  # pylint: disable=broad-except
                    pass
            else:
                with self._lock:
                    self._idle.append(conn)

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            try:
                conn.unbind()
            except Exception:  # pylint: disable=broad-except
                pass

    # -- reads ------------------------------------------------------------------------------------------------
    def search(self, base, search_filter, attributes, scope=ldap3.SUBTREE, controls=None, limit=None):
        """All entries (dicts with dn and attributes) below ``base``; paged, so large results stream. A pooled
        connection the DC has closed meanwhile (idle, or Samba restarted) is replaced once, as a front end
        reconnects to its domain controller."""
        try:
            return self._search(base, search_filter, attributes, scope, controls, limit)
        except (ldap3.core.exceptions.LDAPSocketOpenError, ldap3.core.exceptions.LDAPSocketReceiveError,
                ldap3.core.exceptions.LDAPSocketSendError, ldap3.core.exceptions.LDAPSessionTerminatedByServerError):
            return self._search(base, search_filter, attributes, scope, controls, limit)

    def _search(self, base, search_filter, attributes, scope, controls, limit):
        found = []
        with self.connection() as conn:
            for entry in conn.extend.standard.paged_search(base, search_filter, search_scope=scope,
                                                           attributes=attributes, controls=controls,
                                                           paged_size=500, generator=True):
                if entry.get('type') != 'searchResEntry':
                    continue
                found.append(entry)
                if limit is not None and len(found) >= limit:
                    break
            if conn.result and conn.result.get('result') not in (0, 32, None):
                raise DirectoryError('LDAP search of %s failed: %s' % (base, conn.result.get('description')))
        return found

    def entry(self, dn, attributes):
        found = self.search(dn, '(objectClass=*)', attributes, scope=ldap3.BASE)
        return found[0] if found else None

    def principals(self, search_filter, base=names.BASE_DN, limit=None):
        """Users and contacts matching ``search_filter`` (in the domain and the configuration partition)."""
        found = []
        attributes = sorted(set(USER_ATTRIBUTES + CONTACT_ATTRIBUTES + ['objectClass']))
        bases = [base] if base != names.BASE_DN else [names.BASE_DN, names.CONFIG_DN]
        for one_base in bases:
            for entry in self.search(one_base, search_filter, attributes, limit=limit):
                found.append(Principal.from_entry(entry))
        return found

    def deleted_since(self, when):
        """GUIDs (lower case, no braces) of objects deleted at or after ``when`` (an aware datetime)."""
        stamp = when.astimezone(datetime.timezone.utc).strftime('%Y%m%d%H%M%S.0Z')
        entries = self.search(DELETED_OBJECTS_DN, '(&(isDeleted=TRUE)(whenChanged>=%s))' % stamp, ['objectGUID'],
                              scope=ldap3.LEVEL, controls=[SHOW_DELETED])
        return [str(first(e, 'objectGUID')).strip('{}').lower() for e in entries if first(e, 'objectGUID')]

    def password_is_right(self, dn, password):
        """Whether ``password`` logs ``dn`` on: a simple bind over LDAPS as that account, on a connection of its own
        (the password is given to the DC and kept nowhere). A disabled account or a wrong password is False."""
        if not password:
            return False
        conn = ldap3.Connection(self._server, dn, password, auto_bind=False, auto_referrals=False, receive_timeout=30,
                                raise_exceptions=False)
        try:
            return bool(conn.bind())
        except ldap3.core.exceptions.LDAPException:
            return False
        finally:
            try:
                conn.unbind()
            except Exception:  # pylint: disable=broad-except
                pass

    # -- writes -----------------------------------------------------------------------------------------------
    def add(self, dn, object_classes, attributes):
        with self.connection() as conn:
            if not conn.add(dn, object_classes, attributes):
                raise DirectoryError('adding %s failed: %s' % (dn, conn.result.get('message') or
                                                               conn.result.get('description')))

    def delete(self, dn):
        with self.connection() as conn:
            if not conn.delete(dn):
                raise DirectoryError('deleting %s failed: %s' % (dn, conn.result.get('description')))


def _connection_settings(lab_dir):
    """LDAP URL and CA file from the lab's connection.json (written by `lab up`), else the lab's defaults."""
    try:
        with open(os.path.join(lab_dir, 'connection.json')) as handle:
            values = json.load(handle)
        return values['PCHAT_LDAP_URL'], values['PCHAT_LDAP_CA_FILE']
    except (OSError, ValueError, KeyError):
        return ('ldaps://%s:%d' % (names.LAB_IP, names.LDAPS_PORT), os.path.join(lab_dir, 'tls', 'ca.pem'))


class LyncView(object):
    """What Lync's cmdlets see of AD: the live directory plus, for ``lag`` seconds, principals deleted over LDAP."""

    def __init__(self, directory, conn, lag):
        self.directory = directory
        self.conn = conn  # a store connection
        self.lag = float(lag or 0)

    def remember(self, principals):
        live = [p for p in principals if p.guid and not p.lagged]
        if live:
            with store_mod.transaction(self.conn):
                self.conn.executemany('INSERT OR REPLACE INTO ad_view (object_guid, dn, sip, kind, attributes, '
                                      'seen_at) VALUES (?, ?, ?, ?, ?, ?)', [p.to_row() for p in live])

    def lagged(self, predicate):
        """Principals deleted within the lag window that Lync still sees and that satisfy ``predicate``."""
        if self.lag <= 0:
            return []
        since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=self.lag)
        guids = self.directory.deleted_since(since)
        found = []
        for guid in guids:
            row = self.conn.execute('SELECT dn, kind, attributes FROM ad_view WHERE object_guid = ?',
                                    (guid,)).fetchone()
            if row is None:
                continue
            principal = Principal(row['dn'], row['kind'], guid, json.loads(row['attributes']), lagged=True)
            if predicate(principal):
                found.append(principal)
        return found

    def find(self, search_filter, predicate, base=names.BASE_DN, limit=None):
        """Live principals matching the LDAP filter, plus lagged ones matching ``predicate`` (the same test in
        Python), remembered for later lag."""
        live = self.directory.principals(search_filter, base=base, limit=limit)
        self.remember(live)
        seen = set(p.guid for p in live)
        return live + [p for p in self.lagged(predicate) if p.guid not in seen]

    def sip_owners(self, sip):
        """Every user or contact that owns ``sip`` (compared without regard to case)."""
        wanted = sip.lower()
        return self.find('(%s=%s)' % (SIP, escape(sip)), lambda p: (p.sip or '').lower() == wanted)


def refresh_view(directory, conn):
    """Fill Lync's view with every SIP-enabled principal (what `lab up` does once the directory is seeded)."""
    view = LyncView(directory, conn, 0)
    view.remember(directory.principals('(%s=*)' % SIP))
