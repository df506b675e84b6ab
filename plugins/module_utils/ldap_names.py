# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LDAP text: escaping filter values and RDN values, parsing and comparing DNs, reading entry attributes.

Pure functions, no connection: every value put into a filter or a DN goes through here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

try:
    from ldap3.utils.conv import escape_filter_chars
    from ldap3.utils.dn import parse_dn
except ImportError:
    LDAP3_IMPORT_ERROR = traceback.format_exc()
else:
    LDAP3_IMPORT_ERROR = None

SIP_ATTRIBUTE = 'msRTCSIP-PrimaryUserAddress'
SIP_ENABLED_ATTRIBUTE = 'msRTCSIP-UserEnabled'
HOME_SERVER_ATTRIBUTE = 'msRTCSIP-PrimaryHomeServer'  # DN of the pool (registrar) a Lync-enabled user is homed on


def escape_filter_bytes(value):
    """Escape raw bytes (an objectGUID) for a filter: every byte as \\xx."""
    return escape_filter_chars(value)


def escape_filter_value(value):
    """Escape ``*``, ``(``, ``)``, ``\\`` and NUL so a value can only ever match itself."""
    return escape_filter_chars(value)


def escape_dn_value(value):
    """Escape an RDN value (RFC 4514): ``,``, ``+``, ``"``, ``\\``, ``<``, ``>``, ``;``, ``=``, leading ``#``
    or space, trailing space."""
    out = []
    for index, char in enumerate(value):
        if char in ',+"\\<>;=' or (index == 0 and char in '# ') or (index == len(value) - 1 and char == ' '):
            out.append('\\' + char)
        elif char == '\x00':
            out.append('\\00')
        else:
            out.append(char)
    return ''.join(out)


def validate_dn(value, what='DN'):
    """Raise PchatError unless ``value`` parses as an LDAP DN; return it unchanged."""
    try:
        parts = parse_dn(value, escape=False, strip=True)
    except Exception as exc:  # ldap3 raises LDAPInvalidDnError, sometimes other errors on odd input
        raise PchatError('%s %r is not a valid distinguished name (%s); write it like '
                         "'CN=Jane Doe,OU=Staff,DC=contoso,DC=com', escaping ',' '+' '=' '\\' '<' '>' ';' "
                         "'\"' in values with a backslash." % (what, value, exc))
    if not parts:
        raise PchatError('%s is empty; give a distinguished name.' % what)
    return value


def parent_dn(dn):
    """The DN without its first RDN; commas escaped with a backslash do not separate RDNs."""
    index = 0
    while index < len(dn):
        if dn[index] == '\\':
            index += 2
            continue
        if dn[index] == ',':
            return dn[index + 1:].strip()
        index += 1
    return ''


def dn_equal(left, right):
    """AD compares DNs case-insensitively and ignores spaces around separators."""
    def canon(dn):
        try:
            return tuple((attr.lower(), val.lower()) for attr, val, _sep in parse_dn(dn, escape=False, strip=True))
        except Exception:  # pylint: disable=broad-except
            return (dn or '').lower()
    return canon(left) == canon(right)


def first_value(entry, name, default=None):
    """The first value of attribute ``name`` (case-insensitive) in an entry's attribute dict."""
    for key, values in entry.get('attributes', {}).items():
        if key.lower() == name.lower():
            if isinstance(values, list):
                return values[0] if values else default
            return values
    return default


def attribute_values(entry, name):
    for key, values in entry.get('attributes', {}).items():
        if key.lower() == name.lower():
            return values if isinstance(values, list) else [values]
    return []


def owner_kind(object_classes):
    """user for users (not computers), contact for contacts and other SIP-enabled objects."""
    classes = {value.lower() for value in object_classes}
    if 'computer' in classes:
        return 'contact'
    if 'user' in classes or 'inetorgperson' in classes:
        return 'user'
    return 'contact'
