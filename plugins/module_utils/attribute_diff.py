# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic for declarative attribute management: normalising wanted values, comparing them with what the
directory holds, and producing LDAP modify operations plus a before/after diff. No LDAP here, so it is unit
tested directly.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.sip import sip_equal

MODIFY_REPLACE = 'MODIFY_REPLACE'  # ldap3's constant values, so this module needs no ldap3 import
MODIFY_DELETE = 'MODIFY_DELETE'

_NAME_RE = re.compile(r'^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$')

# Attributes the ``attributes`` option may not set: they have their own options or belong to the directory.
RESERVED = frozenset(name.lower() for name in (
    'objectClass', 'distinguishedName', 'cn', 'name', 'objectGUID', 'objectSid', 'unicodePwd', 'userPassword',
    'memberOf', 'msRTCSIP-PrimaryUserAddress', 'msRTCSIP-UserEnabled', 'sAMAccountName',
))

# Compared without regard to case, as the directory compares them (SIP URIs are compared as SIP URIs).
CASE_INSENSITIVE = frozenset(name.lower() for name in ('msRTCSIP-UserEnabled',))
SIP_VALUED = frozenset(name.lower() for name in ('msRTCSIP-PrimaryUserAddress',))


def ldap_text(value):
    """The LDAP string form of a YAML value: booleans as TRUE/FALSE (AD's Boolean syntax), numbers as digits."""
    if isinstance(value, bool):
        return 'TRUE' if value else 'FALSE'
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, bytes):
        return value.decode('utf-8')
    return str(value)


def normalize_wanted(attributes):
    """{name: [text values]} from the ``attributes`` option; ``None`` or ``[]`` means 'remove it'."""
    wanted = {}
    for name, value in (attributes or {}).items():
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise PchatError('attribute name %r is not a valid LDAP attribute name (letters, digits and hyphens, '
                             'starting with a letter, or an OID).' % (name,))
        if name.lower() in RESERVED:
            raise PchatError('attribute %r cannot be set through attributes; use the module option for it '
                             '(sip_address, sip_enabled, sam_account_name, name, path) or leave it to the '
                             'directory.' % name)
        if value is None:
            values = []
        elif isinstance(value, (list, tuple)):
            values = [ldap_text(v) for v in value if v is not None]
        else:
            values = [ldap_text(value)]
        wanted[name] = values
    return wanted


def _current(current, name):
    for key, values in current.items():
        if key.lower() == name.lower():
            if not isinstance(values, list):
                values = [values]
            return [ldap_text(v) for v in values]
    return []


def values_equal(name, have, want):
    """Multi-valued attributes are sets in LDAP: compare without order."""
    lname = name.lower()
    if len(have) != len(want):
        return False
    if lname in SIP_VALUED:
        return all(sip_equal(a, b) for a, b in zip(sorted(v.lower() for v in have), sorted(v.lower() for v in want)))
    if lname in CASE_INSENSITIVE:
        return sorted(v.lower() for v in have) == sorted(v.lower() for v in want)
    return sorted(have) == sorted(want)


def plan_changes(current, wanted):
    """Compare ``current`` ({name: values} as read) with ``wanted``.

    Returns (changes, before, after): ``changes`` maps attribute name to (operation, values) for ldap3
    (operation is MODIFY_REPLACE or MODIFY_DELETE); ``before``/``after`` hold the compared attributes for diff.
    """
    changes = {}
    before = {}
    after = {}
    for name in sorted(wanted, key=str.lower):
        want = wanted[name]
        have = _current(current, name)
        before[name] = _shown(have)
        after[name] = _shown(want)
        if values_equal(name, have, want):
            continue
        if want:
            changes[name] = (MODIFY_REPLACE, want)
        elif have:
            changes[name] = (MODIFY_DELETE, [])
    return changes, before, after


def _shown(values):
    """Single values shown as scalars in diffs, absent ones as None."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)
