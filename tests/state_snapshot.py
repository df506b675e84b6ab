# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fingerprint of the whole lab state, read without the collection's code: every directory object's DN and
uSNChanged (any write to AD changes one) and every row of every table of the lab store.

    .venv/bin/python tests/state_snapshot.py [LAB_DIR]   # prints JSON
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import sqlite3
import ssl
import sys

import ldap3

IGNORED_META = ('lock:',)  # lock rows are held only while a run is in progress


def directory_fingerprint(connection):
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=connection['PCHAT_CA_FILE'])
    server = ldap3.Server('127.0.0.1', port=636, use_ssl=True, tls=tls)
    conn = ldap3.Connection(server, connection['PCHAT_BIND_DN'], connection['PCHAT_BIND_PASSWORD'], auto_bind=True)
    entries = []
    for base in ('DC=contoso,DC=com', 'CN=Configuration,DC=contoso,DC=com'):
        for entry in conn.extend.standard.paged_search(base, '(objectClass=*)', attributes=['uSNChanged'],
                                                       paged_size=1000, generator=True):
            if entry.get('type') == 'searchResEntry':
                entries.append('%s|%s' % (entry['dn'].lower(), entry['attributes'].get('uSNChanged')))
    conn.unbind()
    entries.sort()
    return len(entries), hashlib.sha256('\n'.join(entries).encode()).hexdigest()


def store_fingerprint(path):
    conn = sqlite3.connect(path)
    digest = hashlib.sha256()
    rows = 0
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in conn.execute('SELECT * FROM "%s" ORDER BY 1, 2' % table):
            if table == 'meta' and str(row[0]).startswith(IGNORED_META):
                continue
            digest.update(repr(row).encode())
            rows += 1
    conn.close()
    return rows, digest.hexdigest()


def snapshot(lab_dir):
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        connection = json.load(handle)
    ldap_count, ldap_digest = directory_fingerprint(connection)
    store_rows, store_digest = store_fingerprint(connection['PCHAT_LAB_PATH'])
    return {'ldap_objects': ldap_count, 'ldap_digest': ldap_digest, 'store_rows': store_rows, 'store_digest': store_digest}


if __name__ == '__main__':
    print(json.dumps(snapshot(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.lab'))))
