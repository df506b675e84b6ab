# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Lync topology, declared once: sites, pools, computers, their Windows services (with the Lync roles
they host), the chat databases, the trusted applications of the legacy Group Chat pools, the file stores, and what
lies outside the Lync topology (the OCS 2007 R2 Group Chat pool, the Group Chat compliance servers, the Group Chat
file repositories).

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
LEGACY_POOL_2 = 'gc2.contoso.com'         # unit 2: OCS 2007 R2 Group Chat (not in the Lync topology)
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


# A Group Chat server runs the Lookup and Channel services; its Web service (file posting) is hosted by IIS, so on
# the server it is IIS's World Wide Web Publishing Service, not a Windows service of its own (docs/lab-emulator.md,
# "Legacy Group Chat servers"). The Compliance service runs on a computer of its own.
IIS_SERVICE = ('W3SVC', 'World Wide Web Publishing Service', (), False)


def _group_chat_services(product, prefix):
    return [('%sGroupChat%s' % (prefix, part), '%s Group Chat %s' % (product, part), (), False)
            for part in ('Lookup', 'Channel')] + [IIS_SERVICE]


def _compliance_services(product, prefix):
    return [('%sGroupChatCompliance' % prefix, '%s Group Chat Compliance' % product, (), False)]


# The Group Chat compliance server of each legacy pool: a computer of its own, outside the Lync topology (the cutover
# is told about it: pchat_legacy_compliance_servers).
COMPLIANCE_SERVERS = {LEGACY_POOL: 'gccomp01.contoso.com', LEGACY_POOL_2: 'gc2comp01.contoso.com'}

# Pools: fqdn, role, kind, product, topology version, site (None: not in the Lync topology, so no topology cmdlet
#        shows it; its computers still answer Windows service control), registrar, pool state,
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
     [('gc01.contoso.com', True, _group_chat_services('Lync Server 2010', 'Lync')),
      ('gc02.contoso.com', True, _group_chat_services('Lync Server 2010', 'Lync'))]),
    # Merge-CsLegacyTopology does not bring OCS 2007 R2 Group Chat into the topology: no site, no trusted application.
    (LEGACY_POOL_2, 'TrustedApplicationPool', 'group_chat_2007r2', 'Office Communications Server 2007 R2 Group Chat',
     4, None, None, None,
     [('gc2-01.contoso.com', True, _group_chat_services('Office Communications Server 2007 R2', 'Ocs'))]),
    # The compliance servers: computers outside the topology (a pool row of their own, with no kind).
    (COMPLIANCE_SERVERS[LEGACY_POOL], 'TrustedApplicationPool', None, 'Lync Server 2010 Group Chat Compliance', 5,
     None, None, None,
     [(COMPLIANCE_SERVERS[LEGACY_POOL], True, _compliance_services('Lync Server 2010', 'Lync'))]),
    (COMPLIANCE_SERVERS[LEGACY_POOL_2], 'TrustedApplicationPool', None,
     'Office Communications Server 2007 R2 Group Chat Compliance', 4, None, None, None,
     [(COMPLIANCE_SERVERS[LEGACY_POOL_2], True,
       _compliance_services('Office Communications Server 2007 R2', 'Ocs'))]),
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


# Trusted applications of the legacy Group Chat pools in the topology (ids are chosen by whoever installed Group
# Chat); the OCS 2007 R2 pool has none (it is not in the Lync topology).
TRUSTED_APPLICATIONS = [
    (LEGACY_POOL, 'urn:application:groupchat', 5041),
]

# File stores of the topology (Get-CsService -FileStore): FQDN of the file server, share name, site, and the
# Persistent Chat pools that use it (their PersistentChatServer service's FileStore property).
FILE_STORE = 'fs01.contoso.com'
FILE_STORES = [(FILE_STORE, 'LyncShare', SITE_REDMOND, (TARGET_POOL, TARGET_POOL_2))]

# Group Chat's own file repositories (where the Web service keeps uploaded files): a setting of Group Chat, not of the
# Lync topology, so a cutover is told where each is (pchat_legacy_file_store). The files in each (relative path,
# size in bytes), written by `lab up` and `lab reset` with fixed contents and times (lab/file_stores.py).
LEGACY_FILE_REPOSITORIES = {LEGACY_POOL: '\\\\gc01.contoso.com\\GroupChatFiles',
                            LEGACY_POOL_2: '\\\\gc2-01.contoso.com\\GroupChatFiles'}
LEGACY_FILES = {
    LEGACY_POOL: [('Engineering\\design-review.docx', 18432), ('Engineering\\build\\release-notes.txt', 2310),
                  ('Engineering\\build\\logo.png', 5120), ('Sales\\pricing-2012.xlsx', 9216),
                  ('Sales\\contacts.csv', 740), ('Support\\runbook.pdf', 30720), ('readme.txt', 96)],
    LEGACY_POOL_2: [('General\\welcome.txt', 120), ('General\\handbook.pdf', 12288),
                    ('Projects\\plan.mpp', 7168)],
}

# What the emulated front end presents itself as (LAB_FRONTEND at `make lab`): the PowerShell module that holds the
# Lync cmdlets is Lync on Lync Server 2013 and SkypeForBusiness on Skype for Business Server 2015.
FRONTENDS = {
    'lync2013': {'product': 'Lync Server 2013', 'module': 'Lync',
                 'module_path': 'C:\\Program Files\\Common Files\\Microsoft Lync Server 2013\\Modules\\Lync\\Lync.psd1'},
    'sfb2015': {'product': 'Skype for Business Server 2015', 'module': 'SkypeForBusiness',
                'module_path': 'C:\\Program Files\\Common Files\\Skype for Business Server 2015\\Modules\\'
                               'SkypeForBusiness\\SkypeForBusiness.psd1'},
}
DEFAULT_FRONTEND = 'lync2013'

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
