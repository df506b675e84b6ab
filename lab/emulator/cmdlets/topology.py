# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Topology cmdlets: Get-CsService, Get-CsPool, Get-CsComputer, Get-CsSite, the trusted application cmdlets
(which describe the legacy Group Chat pools), and the Persistent Chat pool state and active servers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab import topology
from lab.emulator import objects, store as store_mod
from lab.emulator.binding import SWITCH, Enum, Instance, ListModifier, Param, Strings
from lab.emulator.cmdlets import cmdlet
from lab.emulator.cmdlets.common import LOCAL_COMPUTER, matches, pool_row, strip_prefix

XDS = 'Microsoft.Rtc.Management.Xds'
# Get-CsService switches (one set each, as the reference documents) -> the Role of the objects they return.
SERVICE_SWITCHES = [
    ('ApplicationDatabase', 'ApplicationDatabase', ()), ('ApplicationServer', 'ApplicationServer', ()),
    ('ArchivingDatabase', 'ArchivingDatabase', ()), ('ArchivingServer', 'ArchivingServer', ()),
    ('CentralManagement', 'CentralManagement', ()), ('CentralManagementDatabase', 'CentralManagementDatabase', ()),
    ('ConferencingServer', 'ConferencingServer', ('ConferenceServer',)), ('Director', 'Director', ()),
    ('EdgeServer', 'EdgeServer', ()), ('FileStore', 'FileStore', ()), ('ManagementServer', 'ManagementServer', ()),
    ('MediationServer', 'MediationServer', ()), ('MonitoringServer', 'MonitoringServer', ()),
    ('MonitoringDatabase', 'MonitoringDatabase', ()), ('PstnGateway', 'PstnGateway', ()),
    ('Registrar', 'Registrar', ()), ('TrustedApplicationPool', 'TrustedApplicationPool', ('ExternalServer',)),
    ('UserDatabase', 'UserDatabase', ()), ('UserServer', 'UserServer', ()), ('WebServer', 'WebServer', ()),
    ('BackupServer', 'BackupServer', ()), ('LegalInterceptServer', 'LegalInterceptServer', ()),
    ('PersistentChatComplianceDatabase', 'PersistentChatComplianceStore', ()),
    ('PersistentChatDatabase', 'PersistentChatStore', ()),
    ('PersistentChatServer', 'PersistentChatServer', ()), ('WacServer', 'WacServer', ()),
]
SWITCH_SET = {'ConferencingServer': 'ConferenceServer'}  # the reference names that set differently


def _site(conn, identity):
    return conn.execute('SELECT * FROM sites WHERE identity = ?', (identity,)).fetchone()


def topology_pools(conn):
    """The pools of the Lync topology: those with a site (a pool without one, the OCS 2007 R2 Group Chat pool or a
    Group Chat compliance server, is outside it: Merge-CsLegacyTopology does not bring Group Chat in)."""
    return conn.execute('SELECT * FROM pools WHERE site IS NOT NULL ORDER BY fqdn').fetchall()


def file_store_of(pool_fqdn):
    """The Identity of the file store a Persistent Chat pool uses (its FileStore property), or None."""
    for server, _share, _site, pools in topology.FILE_STORES:
        if pool_fqdn.lower() in [p.lower() for p in pools]:
            return 'FileStore:%s' % server
    return None


def service_objects(conn):
    """Every Get-CsService object of the topology, in a stable order."""
    result = []
    counters = {}
    sites = dict((r['identity'], r['site_id']) for r in conn.execute('SELECT * FROM sites'))

    def make(type_suffix, role, pool, props, service_id_role=None, dependents=()):
        key = (pool['site'], service_id_role or role)
        counters[key] = counters.get(key, 0) + 1
        identity = '%s:%s' % (role, pool['fqdn'])
        result.append((role, pool['fqdn'], objects.service(
            type_suffix, identity, props, role, pool['fqdn'], pool['site'], sites.get(pool['site'], 1),
            pool['topology_version'], counters[key], dependents, service_id_role)))

    pools = topology_pools(conn)
    chat_pools = [p for p in pools if p['role'] == 'PersistentChatServer']
    for pool in pools:
        fqdn = pool['fqdn']
        if pool['role'] == 'FrontEnd':
            dependents = ['PersistentChatServer:%s' % p['fqdn'] for p in chat_pools if p['registrar'] == fqdn]
            make('Registrar', 'Registrar', pool, [('UserServer', 'UserServer:' + fqdn),
                                                  ('WebServer', 'WebServer:' + fqdn), ('SipServerTlsPort', 5061)],
                 dependents=dependents)
            make('UserServer', 'UserServer', pool, [('Registrar', 'Registrar:' + fqdn)])
            make('WebServer', 'WebServer', pool, [('Registrar', 'Registrar:' + fqdn)])
        elif pool['role'] == 'PersistentChatServer':
            databases = conn.execute('SELECT * FROM databases WHERE pool_fqdn = ?', (fqdn,)).fetchall()
            store = [d for d in databases if d['role'] == 'PersistentChatStore']
            compliance = [d for d in databases if d['role'] == 'PersistentChatComplianceStore']
            servers = conn.execute('SELECT fqdn, active FROM servers WHERE pool_fqdn = ? ORDER BY fqdn',
                                   (fqdn,)).fetchall()
            make('PersistentChatServer', 'PersistentChatServer', pool, [
                ('Registrar', 'Registrar:%s' % pool['registrar'] if pool['registrar'] else None),
                ('FileStore', file_store_of(fqdn)),
                ('PersistentChatDatabase', 'PersistentChatStore:%s' % store[0]['sql_fqdn'] if store else None),
                ('PersistentChatComplianceDatabase',
                 'PersistentChatComplianceStore:%s' % compliance[0]['sql_fqdn'] if compliance else None),
                ('MirrorPersistentChatDatabase', None),
                ('BackupPersistentChatDatabase', None),
                ('MtlsPort', 5041),  # no `Port` (issue 18's review of the reference; docs/lab-emulator.md)
                ('DisplayName', fqdn),
                ('ActiveServers', [s['fqdn'] for s in servers if s['active']]),
                ('InactiveServers', [s['fqdn'] for s in servers if not s['active']]),
            ], dependents=['Registrar:%s' % pool['registrar']] if pool['registrar'] else [])
        elif pool['role'] == 'TrustedApplicationPool':
            make('ExternalServer', 'TrustedApplicationPool', pool, [
                ('Registrar', 'Registrar:%s' % pool['registrar'] if pool['registrar'] else None),
                ('FileStore', None), ('ThrottleAsServer', True), ('TreatAsAuthenticated', True),
                ('OutboundOnly', False), ('RequiresReplication', True)], service_id_role='ExternalServer')
        elif pool['role'] == 'SqlServer':
            for row in conn.execute('SELECT * FROM databases WHERE sql_fqdn = ? ORDER BY role DESC', (fqdn,)):
                make(row['role'], row['role'], pool, [('SqlInstanceName', row['instance'] or None)],
                     dependents=['PersistentChatServer:%s' % row['pool_fqdn']])
    for server, share, site, users in topology.FILE_STORES:
        # A file store is a pool of its own in the topology (its FQDN is the file server's): ShareName, UncPath and
        # IsDfsShare (assumption, docs/lab-emulator.md), used by the Persistent Chat pools that name it.
        store_pool = {'fqdn': server, 'site': site, 'topology_version': 6}
        make('FileStore', 'FileStore', store_pool,
             [('ShareName', share), ('UncPath', '\\\\%s\\%s' % (server, share)), ('IsDfsShare', False)],
             dependents=['PersistentChatServer:%s' % pool for pool in users])
    return result


@cmdlet('Get-CsService', 'Microsoft.Rtc.Management.Xds.GetServiceCmdlet',
        sets=['Identity', 'Filter'] + [SWITCH_SET.get(n, n) for n, _r, _a in SERVICE_SWITCHES], default_set='Identity',
        params=[Param('Identity', sets=['Identity'], position=2), Param('Filter', sets=['Filter']),
                Param('PoolFqdn')] + [Param(n, SWITCH, sets=[SWITCH_SET.get(n, n)], aliases=a)
                                      for n, _r, a in SERVICE_SWITCHES],
        output='Microsoft.Rtc.Management.Xds.Display<Role> (e.g. DisplayPersistentChatServer)')
def get_service(ctx):
    role = None
    for name, object_role, _aliases in SERVICE_SWITCHES:
        if ctx.get(name):
            role = object_role
    found = []
    for object_role, pool, obj in service_objects(ctx.store):
        if role and object_role != role:
            continue
        if ctx.has('PoolFqdn') and pool.lower() != ctx.get('PoolFqdn').lower():
            continue
        if ctx.has('Identity') and obj['Identity'].lower() != ctx.get('Identity').lower():
            continue
        if ctx.has('Filter') and not matches(ctx.get('Filter'), obj['Identity']):
            continue
        found.append(obj)
    if ctx.has('Identity') and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))
    for obj in found:
        ctx.write(obj)


@cmdlet('Get-CsPool', 'Microsoft.Rtc.Management.Deploy.Cmdlets.GetPoolCmdlet', sets=['Identity', 'Filter'],
        default_set='Identity',
        params=[Param('Identity', sets=['Identity'], position=2), Param('Filter', sets=['Filter']), Param('Site')],
        output='Microsoft.Rtc.Management.Deploy.Internal.Cluster')
def get_pool(ctx):
    services = service_objects(ctx.store)
    site_filter = ctx.get('Site')
    any_found = False
    for pool in topology_pools(ctx.store):
        fqdn = pool['fqdn']
        if ctx.has('Identity') and fqdn.lower() != ctx.get('Identity').lower():
            continue
        if ctx.has('Filter') and not matches(ctx.get('Filter'), fqdn):
            continue
        if site_filter:
            site = _site(ctx.store, pool['site'])
            if site is None or site['name'].lower() != site_filter.lower():
                continue
        computers = [r['fqdn'] for r in ctx.store.execute('SELECT fqdn FROM servers WHERE pool_fqdn = ? ORDER BY '
                                                          'fqdn', (fqdn,))]
        if pool['role'] == 'SqlServer':
            computers = [fqdn]
        any_found = True
        ctx.write(objects.cluster(fqdn, [o['Identity'] for _r, p, o in services if p.lower() == fqdn.lower()],
                                  computers, pool['site']))
    if ctx.has('Identity') and not any_found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))


def _computers(ctx, roles, type_builder):
    pool_filter = ctx.get('Pool')
    rows = ctx.store.execute('SELECT v.fqdn, v.pool_fqdn FROM servers v JOIN pools p ON p.fqdn = v.pool_fqdn '
                             'WHERE p.site IS NOT NULL AND p.role IN (%s) ORDER BY v.fqdn' % ','.join('?' * len(roles)),
                             roles).fetchall()
    if pool_filter and not any(r['pool_fqdn'].lower() == pool_filter.lower() for r in rows):
        ctx.error(ctx.cmdlet_error('Cannot find pool "%s" in the topology.' % pool_filter, 'PoolNotFound',
                                   category='ObjectNotFound', target=pool_filter))
        return
    found = False
    for row in rows:
        if pool_filter and row['pool_fqdn'].lower() != pool_filter.lower():
            continue
        if ctx.has('Identity') and row['fqdn'].lower() != ctx.get('Identity').lower():
            continue
        if ctx.has('Filter') and not matches(ctx.get('Filter'), row['fqdn']):
            continue
        if ctx.get('Local') and row['fqdn'].lower() != LOCAL_COMPUTER:
            continue
        found = True
        ctx.write(type_builder(row['fqdn'], row['pool_fqdn']))
    if ctx.has('Identity') and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))


COMPUTER_PARAMS = [Param('Identity', sets=['Identity'], position=2), Param('Filter', sets=['Filter']),
                   Param('Pool'), Param('Local', SWITCH)]


@cmdlet('Get-CsComputer', 'Microsoft.Rtc.Management.Deploy.Cmdlets.GetComputerCmdlet', sets=['Identity', 'Filter'],
        default_set='Identity', params=COMPUTER_PARAMS, output='Microsoft.Rtc.Management.Deploy.Internal.Machine')
def get_computer(ctx):
    # Computers that run Lync Server roles; trusted application computers are Get-CsTrustedApplicationComputer's.
    _computers(ctx, ['FrontEnd', 'PersistentChatServer'], objects.machine)


@cmdlet('Get-CsTrustedApplicationComputer', 'Microsoft.Rtc.Management.Xds.GetTrustedApplicationComputerCmdlet',
        sets=['Identity', 'Filter'], default_set='Identity', params=COMPUTER_PARAMS,
        output='Microsoft.Rtc.Management.Xds.DisplayComputer')
def get_trusted_application_computer(ctx):
    _computers(ctx, ['TrustedApplicationPool'], objects.display_computer)


@cmdlet('Get-CsSite', 'Microsoft.Rtc.Management.Deploy.Cmdlets.GetSiteCmdlet', sets=['Identity', 'Filter'],
        default_set='Identity', params=[Param('Identity', sets=['Identity'], position=2),
                                        Param('Filter', sets=['Filter'])],
        output='Microsoft.Rtc.Management.Deploy.Internal.Site+CentralSite (or +BackCompatSite)')
def get_site(ctx):
    for row in ctx.store.execute('SELECT * FROM sites ORDER BY site_id'):
        identity = ctx.get('Identity')
        if identity and identity.lower() not in (row['identity'].lower(), row['name'].lower()):
            continue
        if ctx.has('Filter') and not matches(ctx.get('Filter'), row['identity']):
            continue
        pools = [p['fqdn'] for p in ctx.store.execute('SELECT fqdn FROM pools WHERE site = ? ORDER BY fqdn',
                                                      (row['identity'],))]
        ctx.write(objects.site_object(dict(row, pools=pools)))


@cmdlet('Get-CsTrustedApplicationPool', 'Microsoft.Rtc.Management.Xds.GetTrustedApplicationPoolCmdlet',
        sets=['Identity', 'Filter'], default_set='Identity',
        params=[Param('Identity', sets=['Identity'], position=2), Param('Filter', sets=['Filter']),
                Param('PoolFqdn')], output='Microsoft.Rtc.Management.Xds.DisplayExternalServer')
def get_trusted_application_pool(ctx):
    wanted = strip_prefix(ctx.get('Identity'), 'TrustedApplicationPool')
    found = False
    for role, pool, obj in service_objects(ctx.store):
        if role != 'TrustedApplicationPool':
            continue
        if wanted and pool.lower() != wanted.lower():
            continue
        if ctx.has('PoolFqdn') and pool.lower() != ctx.get('PoolFqdn').lower():
            continue
        if ctx.has('Filter') and not matches(ctx.get('Filter'), obj['Identity']):
            continue
        found = True
        ctx.write(obj)
    if wanted and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))


def _application_id(text):
    return text if text.lower().startswith('urn:application:') else 'urn:application:' + text


@cmdlet('Get-CsTrustedApplication', 'Microsoft.Rtc.Management.Xds.GetTrustedApplicationCmdlet',
        sets=['Identity', 'Filter', 'ParentAndRelativeKey'], default_set='Identity',
        params=[Param('Identity', sets=['Identity'], position=2), Param('Filter', sets=['Filter']),
                Param('ApplicationId', sets=['ParentAndRelativeKey']),
                Param('TrustedApplicationPoolFqdn', sets=['ParentAndRelativeKey'])],
        output='Microsoft.Rtc.Management.Xds.DisplayTrustedApplication')
def get_trusted_application(ctx):
    wanted_pool, wanted_app = None, None
    if ctx.has('Identity'):
        wanted_pool, _sep, app = ctx.get('Identity').partition('/')
        wanted_app = _application_id(app) if app else None
    if ctx.has('TrustedApplicationPoolFqdn'):
        wanted_pool = ctx.get('TrustedApplicationPoolFqdn')
    if ctx.has('ApplicationId'):
        wanted_app = _application_id(ctx.get('ApplicationId'))
    found = False
    for row in ctx.store.execute('SELECT * FROM trusted_applications ORDER BY pool_fqdn, application_id'):
        if wanted_pool and row['pool_fqdn'].lower() != wanted_pool.lower():
            continue
        if wanted_app and row['application_id'].lower() != wanted_app.lower():
            continue
        identity = '%s/%s' % (row['pool_fqdn'], row['application_id'])
        if ctx.has('Filter') and not matches(ctx.get('Filter'), identity):
            continue
        computers = [r['fqdn'] for r in ctx.store.execute('SELECT fqdn FROM servers WHERE pool_fqdn = ? ORDER BY '
                                                          'fqdn', (row['pool_fqdn'],))]
        found = True
        ctx.write(objects.trusted_application(row['pool_fqdn'], row['application_id'], row['port'], computers))
    if ctx.has('Identity') and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))


# -- Persistent Chat pool state and active servers ------------------------------------------------------------
def chat_pool_from_identity(ctx, identity):
    """The Persistent Chat pool row named by ``PersistentChatServer:<fqdn>`` (or the bare FQDN), or a terminating
    error: the reference gives no default for these cmdlets, so the lab refuses to guess (assumption)."""
    if not identity:
        ctx.fail(ctx.cmdlet_error('Give the Identity of a Persistent Chat pool: PersistentChatServer:<pool FQDN>.',
                                  'IdentityRequired', category='InvalidArgument'))
    row = pool_row(ctx.store, strip_prefix(identity, 'PersistentChatServer'), 'PersistentChatServer')
    if row is None:
        ctx.fail(ctx.cmdlet_error('Management object not found for identity "%s".' % identity, 'Identity',
                                  category='ObjectNotFound', target=identity))
    return row


@cmdlet('Get-CsPersistentChatState', 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.'
        'GetPersistentChatStateCmdlet', sets=['Filter', 'Identity'], default_set='Identity',
        params=[Param('Filter', sets=['Filter']), Param('Identity', sets=['Identity'], position=2),
                Param('LocalStore', SWITCH)],
        output='Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState')
def get_persistent_chat_state(ctx):
    found = False
    for pool in ctx.store.execute("SELECT * FROM pools WHERE role = 'PersistentChatServer' ORDER BY fqdn"):
        identity = 'PersistentChatServer:%s' % pool['fqdn']
        if ctx.has('Identity') and identity.lower() != ctx.get('Identity').lower() \
                and pool['fqdn'].lower() != ctx.get('Identity').lower():
            continue
        if ctx.has('Filter') and not (matches(ctx.get('Filter'), identity) or matches(ctx.get('Filter'),
                                                                                      pool['fqdn'])):
            continue
        found = True
        ctx.write(objects.persistent_chat_state(pool['fqdn'], pool['pool_state'] or 'Normal'))
    if ctx.has('Identity') and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))


STATE_TYPE = 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState'


@cmdlet('Set-CsPersistentChatState', 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.'
        'SetPersistentChatStateCmdlet', sets=['Identity', 'Instance'], default_set='Identity', should_process=True,
        params=[Param('Identity', sets=['Identity'], position=2), Param('Instance', Instance('PSObject', [STATE_TYPE]),
                                                                        sets=['Instance'], pipeline='value'),
                Param('Force', SWITCH), Param('PoolState', Enum(objects.POOL_STATE, objects.POOL_STATES))])
def set_persistent_chat_state(ctx):
    identity = ctx.get('Identity') or (ctx.get('Instance')['Identity'] if ctx.has('Instance') else None)
    pool = chat_pool_from_identity(ctx, identity)
    if not ctx.has('PoolState'):
        return
    if ctx.should_process('PersistentChatServer:%s' % pool['fqdn'], 'Set-CsPersistentChatState'):
        with store_mod.transaction(ctx.store):
            ctx.store.execute('UPDATE pools SET pool_state = ? WHERE fqdn = ?', (ctx.get('PoolState'), pool['fqdn']))


MAX_ACTIVE_SERVERS = 4


@cmdlet('Set-CsPersistentChatActiveServer', 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.'
        'SetPersistentChatActiveServerCmdlet', sets=['Explicit', 'Swap'], should_process=True,
        params=[Param('Identity', position=2),
                Param('ActiveServers', ListModifier(Strings('Microsoft.Rtc.Management.Deploy.Fqdn'),
                                                    'System.Management.Automation.PSListModifier`1'
                                                    '[Microsoft.Rtc.Management.Deploy.Fqdn]'),
                      sets=['Explicit'], mandatory=True),
                Param('Swap', SWITCH, sets=['Swap'], mandatory=True), Param('Force', SWITCH)])
def set_persistent_chat_active_server(ctx):
    pool = chat_pool_from_identity(ctx, ctx.get('Identity'))
    servers = dict((r['fqdn'].lower(), r) for r in ctx.store.execute('SELECT * FROM servers WHERE pool_fqdn = ?',
                                                                     (pool['fqdn'],)))
    active = set(name for name, row in servers.items() if row['active'])
    if ctx.get('Swap'):
        wanted = set(servers) - active
    else:
        change = ctx.get('ActiveServers')
        wanted = set(active)
        if 'Replace' in change:
            wanted = set(s.lower() for s in change['Replace'])
        wanted |= set(s.lower() for s in change.get('Add', []))
        wanted -= set(s.lower() for s in change.get('Remove', []))
        strangers = sorted(wanted - set(servers))
        if strangers:
            ctx.fail(ctx.cmdlet_error('Server(s) %s are not computers of pool %s.' % (', '.join(strangers),
                                                                                      pool['fqdn']),
                                      'ServerNotInPool', category='InvalidArgument', target=strangers[0]))
    if len(wanted) > MAX_ACTIVE_SERVERS:
        ctx.fail(ctx.cmdlet_error('A Persistent Chat pool can have at most %d active servers.' % MAX_ACTIVE_SERVERS,
                                  'TooManyActiveServers', category='InvalidArgument'))
    if ctx.should_process('PersistentChatServer:%s' % pool['fqdn'], 'Set-CsPersistentChatActiveServer'):
        with store_mod.transaction(ctx.store):
            for name, row in servers.items():
                ctx.store.execute('UPDATE servers SET active = ? WHERE fqdn = ?', (int(name in wanted), row['fqdn']))
