# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Lync topology, declared once: sites, pools, computers, their Windows services (with the Lync roles
they host), the chat databases and the trusted applications of the legacy Group Chat pools.

Service names are undocumented ([?] in LYNC-FACTS.md): the names below are the lab's own, deliberately not the
commonly cited ones, so that the only reliable way to find chat services is the documented one (by role with
Get-CsWindowsService on Lync 2013 servers, by display name on legacy Group Chat servers). docs/lab-emulator.md
lists every choice here as an assumption.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import uuid

from lab import names

SITE_REDMOND = 'site:Redmond'
SITE_BACKCOMPAT = 'site:BackCompatSite'
SITES = [  # identity, display name, numeric site id, kind
    (SITE_REDMOND, 'Redmond', 1, 'central'),
    (SITE_BACKCOMPAT, 'BackCompatSite', 2, 'backcompat'),  # where a merged OCS 2007 R2 topology lives
]

FRONT_END_POOL = 'lyncpool.contoso.com'
LEGACY_POOL = 'gc.contoso.com'            # unit 1: Lync Server 2010 Group Chat
TARGET_POOL = 'pcpool.contoso.com'        # unit 1: Lync Server 2013 Persistent Chat
LEGACY_POOL_2 = 'gc2.contoso.com'         # unit 2: OCS 2007 R2 Group Chat
TARGET_POOL_2 = 'pcpool2.contoso.com'     # unit 2: Lync Server 2013 Persistent Chat
CHAT_POOLS = (LEGACY_POOL, TARGET_POOL, LEGACY_POOL_2, TARGET_POOL_2)

# The role Get-CsWindowsService reports (RoleName) for the Persistent Chat services. Lync 2013 names the server role
# PersistentChatService ("Lync Server 2013 topology changes": "PersistentChatService: Main Persistent Chat Server
# services implemented as a front end role"), while Get-CsService's switch and identities say PersistentChatServer.
# Which one RoleName holds is not documented: the lab takes the role's own name, the one a driver that keys on the
# Get-CsService spelling would miss (docs/lab-emulator.md, assumptions).
PERSISTENT_CHAT_ROLE = 'PersistentChatService'
PERSISTENT_CHAT_DB = 'mgc'                # Lync 2013's Persistent Chat database name
PERSISTENT_CHAT_COMPLIANCE_DB = 'mgccomp'
LEGACY_DB = 'GroupChat'

# Windows services: (name, display name, Lync roles, Lync service?)
WINDOWS_SERVICES = [  # every computer also runs these
    ('WinRM', 'Windows Remote Management (WS-Management)', (), False),
    ('W32Time', 'Windows Time', (), False)]
_LYNC_COMMON = [('RTCCLSAGT', 'Lync Server Centralized Logging Service Agent', (), True),
                ('RTCREPLICA', 'Lync Server Replica Replicator Agent', (), True)]
FRONT_END_SERVICES = [('RTCSRV', 'Lync Server Front-End', ('Registrar', 'UserServer'), True)] + _LYNC_COMMON
CHAT_SERVICE = ('RTCPCHAT', 'Lync Server Persistent Chat', (PERSISTENT_CHAT_ROLE,), True)
CHAT_COMPLIANCE_SERVICE = ('RTCPCHATCOMP', 'Lync Server Persistent Chat Compliance', (PERSISTENT_CHAT_ROLE,), True)


def _group_chat_services(product, prefix, compliance):
    services = [('%sGroupChat%s' % (prefix, part), '%s Group Chat %s' % (product, part), (), False)
                for part in ('Lookup', 'Channel', 'Web')]
    if compliance:
        services.append(('%sGroupChatCompliance' % prefix, '%s Group Chat Compliance' % product, (), False))
    return services


# Pools: fqdn, role, kind, product, topology version, site, registrar, pool state,
#        computers [(fqdn, active, Lync or Group Chat services)]
POOLS = [
    (FRONT_END_POOL, 'FrontEnd', None, 'Lync Server 2013', 6, SITE_REDMOND, None, None,
     [('fe01.contoso.com', True, FRONT_END_SERVICES)]),
    (TARGET_POOL, 'PersistentChatServer', 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 6,
     SITE_REDMOND, FRONT_END_POOL, 'Normal',
     [('pc01.contoso.com', True, [CHAT_SERVICE, CHAT_COMPLIANCE_SERVICE] + _LYNC_COMMON),
      ('pc02.contoso.com', True, [CHAT_SERVICE, CHAT_COMPLIANCE_SERVICE] + _LYNC_COMMON),
      ('pc03.contoso.com', False, [CHAT_SERVICE, CHAT_COMPLIANCE_SERVICE] + _LYNC_COMMON)]),
    (TARGET_POOL_2, 'PersistentChatServer', 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 6,
     SITE_REDMOND, FRONT_END_POOL, 'Normal',
     [('pc2-01.contoso.com', True, [CHAT_SERVICE] + _LYNC_COMMON)]),
    (LEGACY_POOL, 'TrustedApplicationPool', 'group_chat_2010', 'Lync Server 2010 Group Chat', 5,
     SITE_REDMOND, FRONT_END_POOL, None,
     [('gc01.contoso.com', True, _group_chat_services('Lync Server 2010', 'Lync', True)),
      ('gc02.contoso.com', True, _group_chat_services('Lync Server 2010', 'Lync', False))]),
    (LEGACY_POOL_2, 'TrustedApplicationPool', 'group_chat_2007r2', 'Office Communications Server 2007 R2 Group Chat',
     4, SITE_BACKCOMPAT, None, None,
     [('gc2-01.contoso.com', True, _group_chat_services('Office Communications Server 2007 R2', 'Ocs', True))]),
    ('pcsql.contoso.com', 'SqlServer', None, 'SQL Server', 6, SITE_REDMOND, None, None, []),
    ('pcsql2.contoso.com', 'SqlServer', None, 'SQL Server', 6, SITE_REDMOND, None, None, []),
]

# Chat databases: SQL server FQDN, instance, database name, role, the chat pool whose data it holds. The legacy
# Group Chat databases are not part of the Lync 2013 topology (Group Chat had its own installer), so nothing
# in the cmdlets points at them: a cutover must be told where they are.
DATABASES = [
    ('gcsql.contoso.com', 'groupchat', LEGACY_DB, 'GroupChatStore', LEGACY_POOL),
    ('ocssql.contoso.com', 'groupchat', LEGACY_DB, 'GroupChatStore', LEGACY_POOL_2),
    ('pcsql.contoso.com', 'pchat', PERSISTENT_CHAT_DB, 'PersistentChatStore', TARGET_POOL),
    ('pcsql.contoso.com', 'pchat', PERSISTENT_CHAT_COMPLIANCE_DB, 'PersistentChatComplianceStore', TARGET_POOL),
    ('pcsql2.contoso.com', 'pchat', PERSISTENT_CHAT_DB, 'PersistentChatStore', TARGET_POOL_2),
]


def db_instance(pool):
    """``sqlfqdn\\instance`` of a chat pool's chat database (what -DBInstance takes)."""
    for sql, instance, name, role, owner in DATABASES:
        if owner == pool and role in ('GroupChatStore', 'PersistentChatStore'):
            return '%s\\%s' % (sql, instance) if instance else sql
    raise KeyError(pool)


def db_name(pool):
    for _sql, _instance, name, role, owner in DATABASES:
        if owner == pool and role in ('GroupChatStore', 'PersistentChatStore'):
            return name
    raise KeyError(pool)


# Trusted applications of the legacy Group Chat pools (ids are chosen by whoever installed Group Chat).
TRUSTED_APPLICATIONS = [
    (LEGACY_POOL, 'urn:application:groupchat', 5041),
    (LEGACY_POOL_2, 'urn:application:ocsgroupchat', 5041),
]

# Persistent Chat services hold this many client sessions while running (legacy clients reconnect at once), so a
# graceful stop waits for them: see Stop-CsWindowsService -Graceful in docs/lab-emulator.md.
SESSIONS_WHEN_RUNNING = 3

PERSISTENT_CHAT_OWNER_URN = 'urn:application:persistentchat'


def pool_dn(fqdn):
    """The pool's object under CN=Pools (an endpoint contact's msRTCSIP-PrimaryHomeServer)."""
    return 'CN=%s,%s' % (fqdn, names.POOLS_DN)


def automatic_endpoint(pool):
    """(SIP address, display name, contact DN) of the contact Lync creates for a Persistent Chat pool at install."""
    short = pool.split('.', 1)[0]
    guid = str(uuid.uuid5(uuid.NAMESPACE_DNS, 'pchat-endpoint.' + pool)).upper()
    return ('sip:PersistentChatService-%s@%s' % (short, names.DOMAIN),
            'Persistent Chat Service (%s)' % pool,
            'CN={%s},%s' % (guid, names.APPLICATION_CONTACTS_DN))
