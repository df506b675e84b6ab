# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The directory queries of this collection on top of DirectoryConnection: users by attribute, who owns a SIP
URI (batched, or one scan of the SIP-enabled population for large lists), objects by GUID, tombstones.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib

from ansible_collections.pchat.cutover.plugins.module_utils.directory_connection import (
    SHOW_DELETED_OID, DirectoryConnection,
)
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import (
    HOME_SERVER_ATTRIBUTE, SIP_ATTRIBUTE, SIP_ENABLED_ATTRIBUTE, attribute_values, dn_equal, escape_filter_bytes,
    escape_filter_value, first_value, owner_kind,
)
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip

try:
    import ldap3
except ImportError:
    pass  # module_base reports the missing library before any query runs

DEFAULT_SIP_BATCH = 500
SCAN_MIN_URIS = 1000  # below this, OR-filter batches are cheaper than reading all SIP-enabled objects
SCAN_LIMIT_FACTOR = 4


class Directory(DirectoryConnection):
    """A connected directory with the queries the modules need."""

    last_strategy = None  # 'batched' or 'scan': how the last find_sip_owners answered

    def find_users(self, attribute, value, attributes=None):
        """Users (not computers) whose ``attribute`` equals ``value`` (escaped), in the search base."""
        search_filter = '(&(objectCategory=person)(objectClass=user)(%s=%s))' % (attribute, escape_filter_value(value))
        return list(self.search(self.search_base, search_filter, attributes or ['*']))

    # -- SIP owners ----------------------------------------------------------------------------------------
    def find_sip_owners(self, sip_addresses, batch_size=DEFAULT_SIP_BATCH, strategy='auto'):
        """Who owns each SIP URI: {canonical uri: {'kind': none|user|contact|conflict, 'dns': [...],
        'owners': [{'dn', 'kind'}]}}.

        Looks in the domain naming context (users) and the configuration naming context (Lync's application and
        endpoint contacts). Two strategies, both a few dozen searches for 10,000 URIs:

        - batched: ``batch_size`` URIs per search, one OR filter each;
        - scan: for large lists (SCAN_MIN_URIS or more), one paged read of every SIP-enabled object, matched
          here. Directories evaluate an OR filter of hundreds of terms slowly (Samba re-matches every candidate
          against every term), so reading the SIP-enabled population is faster when the list is a sizeable part
          of it. The scan gives up, and the batches run instead, once it has read SCAN_LIMIT_FACTOR times as many
          objects as URIs were asked, so a huge directory never costs more than a bounded detour.

        ``strategy`` ('auto', 'batched' or 'scan') exists for benchmarks and tests. Matching is case-insensitive,
        as AD compares this attribute.
        """
        if strategy not in ('auto', 'batched', 'scan'):
            raise PchatError('unknown SIP look-up strategy %r' % strategy)
        wanted = []
        seen = set()
        for uri in sip_addresses:
            canonical = normalize_sip(uri)
            if canonical not in seen:
                seen.add(canonical)
                wanted.append(canonical)
        bases = [self.search_base]
        config_dn = self.configuration_dn
        if config_dn and not any(dn_equal(config_dn, base) for base in bases):
            bases.append(config_dn)
        found = None
        if strategy == 'scan' or (strategy == 'auto' and len(wanted) >= SCAN_MIN_URIS):
            limit = None if strategy == 'scan' else SCAN_LIMIT_FACTOR * len(wanted)
            found = self._scan_sip_owners(bases, wanted, limit)
        if found is None:
            found = self._batched_sip_owners(bases, wanted, max(1, int(batch_size)))
        result = {}
        for uri in wanted:
            owners = found[uri]
            if not owners:
                kind = 'none'
            elif len(owners) == 1:
                kind = owners[0]['kind']
            else:
                kind = 'conflict'
            result[uri] = {'kind': kind, 'dns': [o['dn'] for o in owners], 'owners': owners}
        return result

    @staticmethod
    def _record_owner(found, entry):
        key = (first_value(entry, SIP_ATTRIBUTE, '') or '').lower()
        if key in found and not any(dn_equal(entry['dn'], o['dn']) for o in found[key]):
            enabled = first_value(entry, SIP_ENABLED_ATTRIBUTE)
            found[key].append({'dn': entry['dn'], 'kind': owner_kind(attribute_values(entry, 'objectClass')),
                               'sip_enabled': None if enabled is None else str(enabled).upper() == 'TRUE',
                               'home_server': first_value(entry, HOME_SERVER_ATTRIBUTE) or None})

    def similar_users(self, sip_address, limit=5):
        """SIP-enabled users whose SIP URI starts like ``sip_address`` (its first three letters, same domain): the
        likely intended owner when nothing carries a URI (a typo)."""
        local, _at, domain = normalize_sip(sip_address)[4:].partition('@')
        pattern = 'sip:%s*@%s' % (escape_filter_value(local[:3]), escape_filter_value(domain))
        found = self.search(self.search_base, '(&(objectClass=user)(%s=%s))' % (SIP_ATTRIBUTE, pattern),
                            [SIP_ATTRIBUTE])
        wanted = sip_address.lower()
        uris = [first_value(entry, SIP_ATTRIBUTE) for entry in found]
        # the closest first: a typo is most likely one letter off the URI meant
        return sorted(uris, key=lambda uri: (-difflib.SequenceMatcher(None, wanted, uri.lower()).ratio(), uri))[:limit]

    def _batched_sip_owners(self, bases, wanted, batch_size):
        found = dict((uri, []) for uri in wanted)
        for start in range(0, len(wanted), batch_size):
            batch = wanted[start:start + batch_size]
            terms = ''.join('(%s=%s)' % (SIP_ATTRIBUTE, escape_filter_value(uri)) for uri in batch)
            search_filter = '(|%s)' % terms if len(batch) > 1 else terms
            for base in bases:
                for entry in self.search(base, search_filter, [SIP_ATTRIBUTE, 'objectClass', SIP_ENABLED_ATTRIBUTE,
                                                               HOME_SERVER_ATTRIBUTE]):
                    self._record_owner(found, entry)
        self.last_strategy = 'batched'
        return found

    def _scan_sip_owners(self, bases, wanted, limit):
        """Owners from one read of all SIP-enabled objects, or None once more than ``limit`` were read.

        Users and other objects are read in separate searches so that no objectClass values need to be
        transferred and decoded (the decoding is most of the client's cost)."""
        found = dict((uri, []) for uri in wanted)
        read = 0
        present = '(%s=*)' % SIP_ATTRIBUTE
        users = '(objectCategory=person)(objectClass=user)(!(objectClass=computer))'
        scans = [(bases[0], '(&%s%s)' % (present, users), 'user'),
                 (bases[0], '(&%s(!(&%s)))' % (present, users), 'contact')]
        scans += [(base, present, 'contact') for base in bases[1:]]
        for base, search_filter, kind in scans:
            for entry in self.search(base, search_filter, [SIP_ATTRIBUTE]):
                read += 1
                if limit is not None and read > limit:
                    return None
                key = (first_value(entry, SIP_ATTRIBUTE, '') or '').lower()
                if key in found and not any(dn_equal(entry['dn'], o['dn']) for o in found[key]):
                    found[key].append({'dn': entry['dn'], 'kind': kind, 'sip_enabled': None, 'home_server': None})
        self.last_strategy = 'scan'
        return found

    def find_by_guid(self, object_guid_bytes):
        """The live object with this objectGUID, or None."""
        search_filter = '(objectGUID=%s)' % escape_filter_bytes(object_guid_bytes)
        for entry in self.search(self.search_base, search_filter, ['objectGUID']):
            return entry
        return None

    def find_tombstone(self, object_guid_bytes):
        """The deleted object with this objectGUID, or None (needs the show-deleted control)."""
        search_filter = '(&(isDeleted=TRUE)(objectGUID=%s))' % escape_filter_bytes(object_guid_bytes)
        for entry in self.search(self.search_base, search_filter, ['*'], controls=[(SHOW_DELETED_OID, True, None)]):
            return entry
        return None

    def reanimate(self, tombstone_dn, new_dn):
        """Bring a tombstone back at ``new_dn`` (AD 'undelete'); the object keeps objectSid and objectGUID."""
        changes = {'isDeleted': [(ldap3.MODIFY_DELETE, [])], 'distinguishedName': [(ldap3.MODIFY_REPLACE, [new_dn])]}
        return self.modify_entry(tombstone_dn, changes, controls=[(SHOW_DELETED_OID, True, None)])
