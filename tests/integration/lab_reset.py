# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Put the running lab back as `lab up` left it, fast (a few tens of ms), between tests that change it.

Until the lab has a ``python -m lab reset`` of its own, this is the integration suite's reset. It uses only the
lab's own code (lab/), never the collection's:

* **pristine copy** (``capture``, once per lab folder): the lab store is copied with SQLite's backup API to
  ``$LAB_DIR/pristine/platform.sqlite`` right after `lab up`, and the DNs of the endpoint contacts then present
  (each Persistent Chat pool's automatic endpoint) are listed beside it. The backup API reads one consistent
  snapshot, and the emulator opens the store per pipeline and closes it when the pipeline ends, so between
  module runs it holds no transaction. A copy taken from a lab that earlier runs changed is refused.
* **restore**: the knobs back to their defaults; the store overwritten from the pristine copy with the backup
  API (it takes the store's write lock, so it waits for a pipeline that might still run instead of tearing
  it); the directory: every endpoint contact that was not there at capture deleted, the well-known users
  ``sip:OCSChat@contoso.com`` / ``sip:OCSChat2@contoso.com`` re-added (or their seeded attributes put back) as
  lab/seed_directory.py seeds them, and every seeded lab user (``OU=Lab Users``, as many as at capture) that a
  test deleted added again with its seeded attributes; then Lync's view of AD (``ad_view``, used by the AD-lag knob) rebuilt from
  the live directory, so a user deleted and re-added by a test is not "still seen" under its old objectGUID.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import random
import sqlite3

import ldap3

from lab import names, seed_directory, topology
from lab.config import LabConfig
from lab.emulator import store as store_mod
from lab.emulator.directory import Directory, refresh_view
from lab.emulator.knobs import Knobs

WELL_KNOWN = (
    (names.WELL_KNOWN_DN, seed_directory.well_known_attributes()),
    (names.WELL_KNOWN_2_DN, seed_directory.well_known_attributes(names.WELL_KNOWN_2_SAM, names.WELL_KNOWN_2_SIP,
                                                                 'OCS 2007 R2 Group Chat')),
)
USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user']


class LabNotPristine(Exception):
    """The lab was changed before its pristine copy could be taken."""


def _copy_sqlite(source_path, target_path):
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


class LabReset(object):
    def __init__(self, lab_dir):
        self.lab_dir = lab_dir
        self.store_path = os.path.join(lab_dir, 'platform.sqlite')
        self.folder = os.path.join(lab_dir, 'pristine')
        self.pristine_store = os.path.join(self.folder, 'platform.sqlite')
        self.contacts_file = os.path.join(self.folder, 'contacts.json')
        self._directory = None

    @property
    def directory(self):
        if self._directory is None:
            self._directory = Directory(self.lab_dir)
        return self._directory

    def close(self):
        if self._directory is not None:
            self._directory.close()
            self._directory = None

    # -- capture -----------------------------------------------------------------------------------------------
    def capture(self):
        """Take the pristine copy unless this lab folder has one (a later session on the same lab reuses it)."""
        if os.path.exists(self.contacts_file):
            return
        self._require_pristine()
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        _copy_sqlite(self.store_path, self.pristine_store)
        with open(self.contacts_file, 'w') as handle:
            json.dump({'contacts': self._contact_dns(), 'lab_users': len(self._lab_user_dns())}, handle)

    def _require_pristine(self):
        conn = store_mod.connect(self.store_path)
        try:
            rooms = conn.execute('SELECT COUNT(*) FROM rooms r JOIN pools p ON p.fqdn = r.pool_fqdn '
                                 "WHERE p.kind = 'persistent_chat_2013'").fetchone()[0]
            legacy_not_running = conn.execute(
                "SELECT COUNT(*) FROM services s JOIN servers v ON v.fqdn = s.server_fqdn JOIN pools p ON "
                "p.fqdn = v.pool_fqdn WHERE p.kind LIKE 'group_chat%' AND s.status != 'Running'").fetchone()[0]
        finally:
            conn.close()
        automatic = set(topology.automatic_endpoint(fqdn)[2].lower()
                        for fqdn in (topology.TARGET_POOL, topology.TARGET_POOL_2))
        extra = sorted(set(self._contact_dns()) - automatic)
        missing_users = max(0, LabConfig().users - len(self._lab_user_dns()))
        wrong = [text for text, bad in (('%d rooms on Persistent Chat pools' % rooms, rooms),
                                        ('%d seeded lab users missing' % missing_users, missing_users),
                                        ('%d legacy services not running' % legacy_not_running, legacy_not_running),
                                        ('extra endpoints %s' % extra, extra)) if bad]
        if wrong:
            raise LabNotPristine('the lab at %s is not as `lab up` leaves it (%s): the integration suite needs a fresh '
                                 'lab (`python -m lab down`, then `up`)' % (self.lab_dir, '; '.join(wrong)))

    def _lab_user_dns(self):
        entries = self.directory.search(names.USERS_OU_DN, '(objectClass=user)', ['1.1'], scope=ldap3.LEVEL)
        return set(entry['dn'].lower() for entry in entries)

    def _contact_dns(self):
        return sorted(p.dn.lower() for p in self.directory.principals('(objectClass=contact)',
                                                                      base=names.APPLICATION_CONTACTS_DN))

    # -- restore -----------------------------------------------------------------------------------------------
    def restore(self):
        Knobs(self.lab_dir).reset()
        _copy_sqlite(self.pristine_store, self.store_path)
        self._restore_directory()
        conn = store_mod.open_store(self.store_path)
        try:
            with store_mod.transaction(conn):
                conn.execute('DELETE FROM ad_view')
            refresh_view(self.directory, conn)
        finally:
            conn.close()

    def _restore_directory(self):
        with open(self.contacts_file) as handle:
            captured = json.load(handle)
        keep = set(captured['contacts'])
        for dn in self._contact_dns():
            if dn not in keep:
                self.directory.delete(dn)
        present = self._lab_user_dns()
        rng = random.Random(LabConfig().seed)  # the seeded names: user N's depend on the draws before it
        with self.directory.connection() as conn:
            for index in range(1, captured['lab_users'] + 1):
                attributes = seed_directory.user_attributes(index, rng)
                if names.user_dn(index).lower() not in present:
                    assert conn.add(names.user_dn(index), USER_CLASSES, attributes), conn.result
            for dn, attributes in WELL_KNOWN:
                if not conn.search(dn, '(objectClass=user)', search_scope=ldap3.BASE, attributes=list(attributes)):
                    assert conn.add(dn, USER_CLASSES, attributes), conn.result
                    continue
                have = conn.response[0]['raw_attributes']
                changes = dict((name, [(ldap3.MODIFY_REPLACE, [str(value)])]) for name, value in attributes.items()
                               if [v.decode('utf-8') for v in have.get(name, [])] != [str(value)])
                if changes:
                    assert conn.modify(dn, changes), conn.result
