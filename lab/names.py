# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names of everything the lab seeds, for the lab itself, the data-set generator, tests and benchmarks."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

DOMAIN = 'contoso.com'
REALM = 'CONTOSO.COM'
NETBIOS = 'CONTOSO'
DC_HOST = 'dc01'
BASE_DN = 'DC=contoso,DC=com'
CONFIG_DN = 'CN=Configuration,' + BASE_DN
SCHEMA_DN = 'CN=Schema,' + CONFIG_DN
ADMIN_DN = 'CN=Administrator,CN=Users,' + BASE_DN
DC_DN = 'CN=DC01,OU=Domain Controllers,' + BASE_DN
DOMAIN_ADMINS_DN = 'CN=Domain Admins,CN=Users,' + BASE_DN
RTC_SERVICE_DN = 'CN=RTC Service,CN=Services,' + CONFIG_DN
APPLICATION_CONTACTS_DN = 'CN=Application Contacts,' + RTC_SERVICE_DN
POOLS_DN = 'CN=Pools,' + RTC_SERVICE_DN
USERS_OU_DN = 'OU=Lab Users,' + BASE_DN

WELL_KNOWN_SAM = 'OCSChat'
WELL_KNOWN_SIP = 'sip:OCSChat@contoso.com'
WELL_KNOWN_DN = 'CN=OCSChat,CN=Users,' + BASE_DN

# The second cutover unit (an OCS 2007 R2 Group Chat pool with its own well-known user), so the lab inventory
# shows two units cut over in parallel.
WELL_KNOWN_2_SAM = 'OCSChat2'
WELL_KNOWN_2_SIP = 'sip:OCSChat2@contoso.com'
WELL_KNOWN_2_DN = 'CN=OCSChat2,CN=Users,' + BASE_DN

# The Lync front end the emulator stands in for, and the lab's Lync administrator: a real AD user, whom the
# emulator authenticates over NTLM or Kerberos (the Kerberos principal lyncadmin@CONTOSO.COM).
FRONT_END_FQDN = 'lyncfe01.' + DOMAIN
# Its computer account, whose keys the emulator's Kerberos acceptor holds (lab/kerberos.py).
FRONT_END_SAM = 'LYNCFE01$'
FRONT_END_DN = 'CN=LYNCFE01,CN=Computers,' + BASE_DN
LYNC_ADMIN_SAM = 'lyncadmin'
LYNC_ADMIN_DN = 'CN=Lync Administrator,CN=Users,' + BASE_DN
LYNC_ADMIN_USERNAME = NETBIOS + '\\' + LYNC_ADMIN_SAM  # what PCHAT_PSRP_USERNAME names

LDAPS_PORT = 636
LDAP_PORT = 389
KDC_PORT = 88  # and kpasswd on 464
# The loopback address the lab listens on (Samba and the Lync emulator). Another address of 127.0.0.0/8
# (LAB_IP=127.0.0.2) lets a second lab run beside the first, each with its own LAB_DIR.
LAB_IP = os.environ.get('LAB_IP') or '127.0.0.1'


def user_sam(index):
    """sAMAccountName of lab user number ``index`` (1-based)."""
    return 'labuser%05d' % index


def user_sip(index):
    """SIP URI of lab user number ``index`` (1-based), as stored in msRTCSIP-PrimaryUserAddress."""
    return 'sip:%s@%s' % (user_sam(index), DOMAIN)


def user_dn(index):
    """DN of lab user number ``index`` (1-based)."""
    return 'CN=Lab User %05d,%s' % (index, USERS_OU_DN)


# Two test users for Test-CsPersistentChatMessage, as an admin sets them up before the weekend: enabled accounts with
# a password (lab-state.json ``test_user_password``), SIP-enabled, managed by the lab's Persistent Chat policy and
# registered with Set-CsTestUserCredential (docs/lab.md). The lab users of USERS_OU_DN never log on.
TEST_USERS = [('pctest%d' % n, 'sip:pctest%d@%s' % (n, DOMAIN), 'CN=Persistent Chat Test %d,CN=Users,%s' % (
    n, BASE_DN)) for n in (1, 2)]
# The lab's Persistent Chat policies: Lync's global policy (Persistent Chat off, as installed) and a per-user policy
# that turns it on, assigned to the lab users but every tenth (docs/lab-emulator.md, "Persistent Chat policies").
CHAT_POLICY_NAME = 'PersistentChatUsers'
CHAT_POLICY_SKIPPED_EVERY = 10


def user_has_chat_policy(index):
    """Whether lab user ``index`` is assigned the lab's Persistent Chat policy (every tenth is not)."""
    return index % CHAT_POLICY_SKIPPED_EVERY != 0
