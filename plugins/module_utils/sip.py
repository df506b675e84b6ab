# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation and normalisation of SIP URIs and FQDNs, shared by the directory and platform layers.

Lync compares SIP addresses case-insensitively and always stores them with the ``sip:`` prefix, so the
canonical form used for comparisons is ``sip:`` + the address in lower case.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

# A DNS label: letters, digits and inner hyphens, at most 63 characters.
_LABEL = r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)'
_FQDN_RE = re.compile(r'^(?=.{1,253}$)' + _LABEL + r'(?:\.' + _LABEL + r')+$')
# The user part Lync accepts: RFC 3261 "unreserved" characters plus a few it allows in practice.
_USER_RE = re.compile(r"^[A-Za-z0-9._%+'~!-]{1,256}$")
MAX_SIP_LENGTH = 454  # msRTCSIP-PrimaryUserAddress rangeUpper


def validate_fqdn(value, what='FQDN'):
    """Return ``value`` in lower case if it is a fully qualified domain name, else raise PchatError."""
    if not isinstance(value, str) or not _FQDN_RE.match(value):
        raise PchatError(
            "%s %r is not a fully qualified domain name; expected something like 'pcpool.contoso.com' "
            "(letters, digits and hyphens in dot-separated labels, at least two labels)." % (what, value))
    return value.lower()


def normalize_sip(value, what='SIP address'):
    """Return the canonical ``sip:user@domain`` (lower case) for ``value``, or raise PchatError.

    The ``sip:`` prefix is required, as New-CsPersistentChatEndpoint requires it.
    """
    if not isinstance(value, str):
        raise PchatError("%s %r is not a string; expected 'sip:user@domain'." % (what, value))
    if len(value) > MAX_SIP_LENGTH:
        raise PchatError("%s of %d characters is too long; Lync allows at most %d." % (what, len(value), MAX_SIP_LENGTH))
    if not value[:4].lower() == 'sip:':
        raise PchatError("%s %r lacks the 'sip:' prefix; write it as 'sip:%s'." % (what, value, value))
    address = value[4:]
    user, sep, domain = address.partition('@')
    if not sep or not _USER_RE.match(user) or not _FQDN_RE.match(domain):
        raise PchatError(
            "%s %r is malformed; expected 'sip:user@domain' with a user part of letters, digits and ._%%+'~!- "
            "and a fully qualified SIP domain." % (what, value))
    return 'sip:' + address.lower()


def sip_equal(left, right):
    """True if two SIP URIs name the same address (case-insensitive, prefix-insensitive)."""
    def canon(value):
        value = (value or '').strip().lower()
        return value if value.startswith('sip:') else 'sip:' + value
    return canon(left) == canon(right)
