# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kerberos failures in words: what went wrong and what fixes it, for the directory's SASL/GSSAPI bind and for
PowerShell remoting with ``psrp_auth: kerberos``.

Both go through MIT krb5 (python-gssapi; pyspnego on top of it for pypsrp), whose messages are stable English texts
("Server not found in Kerberos database", "Clock skew too great", ...): they are matched here, most specific
first (a missing ticket, an unreachable KDC and a missing realm all share the major status "No credentials were
supplied"). The client's Kerberos settings come from the environment only: ``KRB5_CONFIG`` (krb5.conf),
``KRB5CCNAME`` (the ticket cache) and ``KRB5_CLIENT_KTNAME`` (a client keytab MIT krb5 gets tickets from by
itself); messages name them (paths, never a secret).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

ENVIRONMENT = ('KRB5_CONFIG', 'KRB5CCNAME', 'KRB5_CLIENT_KTNAME')


def settings_in_use():
    """The client's Kerberos settings as this process sees them, for messages: ``KRB5_CONFIG=... ...``."""
    shown = ['%s=%s' % (name, os.environ[name]) for name in ENVIRONMENT if os.environ.get(name)]
    return ', '.join(shown) if shown else 'no KRB5_CONFIG, KRB5CCNAME or KRB5_CLIENT_KTNAME set (system defaults)'


def _who(principal):
    return principal or 'the default principal of the ticket cache'


# (kind, patterns any of which identifies it (regular expressions on the lower-cased text), hint). Hints take
# {service} (the SPN asked for) and {who} (the client).
_RULES = (
    ('clock_skew', ('clock skew too great',),
     'the clocks of this controller and the domain differ by more than the realm allows (5 minutes by default): '
     'synchronise this controller with the domain controllers (NTP), then get a new ticket (a ticket cache keeps '
     'the time offset it was filled with)'),
    ('service_unknown', ('server not found in kerberos database', 's_principal_unknown'),
     'the KDC knows no service principal {service}: connect by a name the server\'s account has an SPN for '
     '(usually its FQDN; not a DNS alias or an IP address unless such an SPN is registered), or register the SPN '
     '(setspn -S {service} <the server\'s computer account>). Which name is asked for also depends on krb5.conf\'s '
     'rdns and dns_canonicalize_hostname'),
    ('kdc_unreachable', ('cannot contact any kdc', 'cannot find kdc for realm', 'cannot resolve network address for kdc',
                         'unable to reach any kdc'),
     'no KDC of the realm answered: check the realm\'s kdc entries in krb5.conf (KRB5_CONFIG) or its DNS SRV '
     'records (_kerberos._tcp.<realm>), and that port 88 of the domain controllers is reachable from this '
     'controller'),
    ('no_realm', ('does not specify default realm', 'cannot determine realm'),
     'no Kerberos realm is configured: set KRB5_CONFIG to a krb5.conf whose [libdefaults] default_realm and '
     '[realms] name the domain and its KDCs'),
    ('client_unknown', (r"client\b[^,]*not found in kerberos database", 'c_principal_unknown'),
     'the KDC knows no principal {who}: name the account as user@REALM (its sAMAccountName and the realm in '
     'capitals), not DOMAIN\\user'),
    ('expired', ('ticket expired', 'credentials have expired', 'ticket has expired'),
     'the ticket of {who} has expired: get a new one (kinit), or set KRB5_CLIENT_KTNAME to a client keytab so that '
     'tickets are renewed without a password'),
    ('bad_key', ('preauthentication failed', 'password incorrect', 'decrypt integrity check failed',
                 'key version number for principal in key table is incorrect', 'key version is not available'),
     'the key of {who} was refused: the keytab is out of date (the account\'s password changed since it was '
     'exported: export a new one) or the password is wrong'),
    ('no_keytab_entry', ('key table entry not found', 'keytab', 'no key table entry'),
     'the client keytab (KRB5_CLIENT_KTNAME) has no key for {who}: export one for that principal, or point '
     'KRB5_CLIENT_KTNAME at the right file'),
    ('no_ticket', ('no kerberos credentials available', 'no credentials cache found', "can't find client principal",
                   'credentials cache file', 'no credentials were supplied', 'matching credential not found'),
     'there is no Kerberos ticket for {who}: get one without typing a password with `kinit -k -t <keytab> '
     '<user@REALM>` (into KRB5CCNAME), or set KRB5_CLIENT_KTNAME to a client keytab and every run gets its own'),
)


def classify(text):
    """The kind of a Kerberos failure from its message (``other`` if none matches)."""
    lowered = str(text).lower()
    for kind, patterns, _hint in _RULES:
        if any(re.search(pattern, lowered) for pattern in patterns):
            return kind
    return 'other'


def describe(text, service, principal=None):
    """``(kind, hint)``: what the failure ``text`` means for a client ``principal`` asking for ``service``."""
    kind = classify(text)
    for rule_kind, _texts, hint in _RULES:
        if rule_kind == kind:
            return kind, hint.format(service=service, who=_who(principal))
    return kind, ('Kerberos authentication to {service} as {who} failed: check the ticket (klist), krb5.conf and '
                  'that the service principal exists'.format(service=service, who=_who(principal)))
