# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Lync schema attributes the lab adds to Samba's AD schema, and the containers Lync uses.

Names and syntaxes follow Lync Server's schema reference ("Schema attributes and descriptions"). Lync's own
attributeIDs were not found in the references available to us, so the lab uses a private arc of the form
Microsoft's oidgen produces (1.2.840.113556.1.8000.2554.*). Nothing reads the OIDs: clients use the names.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ldap3
import ldap3.core.exceptions

from lab import names

OID_ARC = '1.2.840.113556.1.8000.2554.52011.36221.18214.40011.'

# (lDAPDisplayName, OID suffix, attributeSyntax, oMSyntax, single-valued, searchFlags, rangeUpper)
# searchFlags 1 = indexed: the batched SIP look-ups filter on msRTCSIP-PrimaryUserAddress.
ATTRIBUTES = [
    ('msRTCSIP-PrimaryUserAddress', 1, '2.5.5.12', 64, True, 1, 454),
    ('msRTCSIP-UserEnabled', 2, '2.5.5.8', 1, True, 0, None),
    ('msRTCSIP-PrimaryHomeServer', 3, '2.5.5.1', 127, True, 1, None),
    ('msRTCSIP-OwnerUrn', 4, '2.5.5.12', 64, True, 0, 1024),
    ('msRTCSIP-ApplicationDestination', 5, '2.5.5.12', 64, True, 0, 1024),
    ('msRTCSIP-OptionFlags', 6, '2.5.5.9', 2, True, 0, None),
    ('msRTCSIP-Line', 7, '2.5.5.12', 64, True, 0, 1024),
    ('msRTCSIP-DeploymentLocator', 8, '2.5.5.12', 64, True, 0, 1024),
]
# Lync makes these attributes optional on users and contacts (mayContain of the classes).
CLASSES = ['User', 'Contact']


def exists(conn, dn):
    """True if ``dn`` exists (the lab's connections raise on errors, so noSuchObject means no)."""
    try:
        return bool(conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['1.1']))
    except ldap3.core.exceptions.LDAPNoSuchObjectResult:
        return False


def _attribute_dn(name):
    return 'CN=%s,%s' % (name, names.SCHEMA_DN)


def extend(conn):
    """Add the attributes and attach them to user and contact; idempotent."""
    added = 0
    for name, suffix, syntax, om_syntax, single, search_flags, range_upper in ATTRIBUTES:
        if exists(conn, _attribute_dn(name)):
            continue
        attrs = {
            'lDAPDisplayName': name,
            'attributeID': OID_ARC + str(suffix),
            'attributeSyntax': syntax,
            'oMSyntax': om_syntax,
            'isSingleValued': 'TRUE' if single else 'FALSE',
            'searchFlags': search_flags,
        }
        if om_syntax == 127:
            # DN syntax: the object(DS-DN) oMObjectClass, 1.3.12.2.1011.28.0.714 in BER.
            attrs['oMObjectClass'] = b'\x2b\x0c\x02\x87\x73\x1c\x00\x85\x4a'
        if range_upper:
            attrs['rangeUpper'] = range_upper
        conn.add(_attribute_dn(name), ['top', 'attributeSchema'], attrs)
        added += 1
    if added:
        conn.modify('', {'schemaUpdateNow': [(ldap3.MODIFY_ADD, ['1'])]})
    for cls in CLASSES:
        dn = 'CN=%s,%s' % (cls, names.SCHEMA_DN)
        conn.search(dn, '(objectClass=classSchema)', search_scope=ldap3.BASE, attributes=['mayContain'])
        present = {value.lower() for value in conn.entries[0].mayContain.values} if conn.entries else set()
        missing = [attribute[0] for attribute in ATTRIBUTES if attribute[0].lower() not in present]
        if missing:
            conn.modify(dn, {'mayContain': [(ldap3.MODIFY_ADD, missing)]})
    if added:
        conn.modify('', {'schemaUpdateNow': [(ldap3.MODIFY_ADD, ['1'])]})
    return added


def ensure_containers(conn):
    """CN=RTC Service under CN=Services, with Application Contacts and Pools below it."""
    for dn in (names.RTC_SERVICE_DN, names.APPLICATION_CONTACTS_DN, names.POOLS_DN):
        if not exists(conn, dn):
            conn.add(dn, ['top', 'container'])
