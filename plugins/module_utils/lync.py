# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chat platform, as the modules see it: pools, their servers and services, Persistent Chat endpoints, rooms,
Lync's view of AD users, and the data-migration cmdlets, all through one LyncSession (one runspace pool).

Only documented cmdlets are sent (docs/psrp.md lists each, with what is documented and what is assumed):
topology (Get-CsService, Get-CsTrustedApplicationPool, Get-CsTrustedApplicationComputer, Get-CsSite), Lync
services (Get-/Start-/Stop-CsWindowsService, never -Graceful), the Windows service control of the legacy Group
Chat servers (Get-WmiObject Win32_Service, Set-Service: WinRM path only), Persistent Chat objects
(Get-CsPersistentChatState, -Room, -Category, -Endpoint, New-/Remove-CsPersistentChatEndpoint), Get-CsAdUser,
Export-/Import-CsPersistentChatData and Test-CsPersistentChatMessage. Every changing cmdlet is sent with
``-Confirm:$false``: a remote session has no one to answer a prompt.

Shapes returned (plain dicts, what the modules return):

pool:
    {'fqdn', 'kind': 'group_chat_2010' | 'group_chat_2007r2' | 'persistent_chat_2013', 'version',
     'state': 'started' | 'stopped' | 'disabled' | 'partial' | 'unknown' (a legacy pool read through
     OcsPowershell, which cannot read Windows services), 'pool_state': 'Normal' | 'FailedOver' | None,
     'servers': [server], 'counts': {'categories', 'rooms', 'members', 'messages'} (None where no cmdlet tells)}
    a legacy pool also: 'in_topology' (False: an OCS 2007 R2 pool named by the inventory, legacy_pools),
    'web_service': {'host': 'IIS', 'service': 'W3SVC', 'policy': 'stop' | 'leave', 'summary'}
server:
    {'fqdn', 'active': bool, 'state', 'services': [{'name', 'display_name', 'roles', 'status': 'running' |
     'stopped' | 'stop_pending', 'start_mode': 'automatic' | 'manual' | 'disabled' | None}]}
    a legacy server also: 'role': 'group_chat' | 'compliance', 'web_service': the W3SVC service or None (with
    web_service policy stop it is one of 'services' too: stopped and started with them)
endpoint:
    {'sip_address', 'pool_fqdn', 'display_name', 'dn'}
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils import legacy_topology
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import escape_filter_value
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_objects import objects
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_session import Credential, LyncSession, describe_call
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, sip_equal, validate_fqdn

PERSISTENT_CHAT = 'persistent_chat_2013'
LEGACY_2010 = 'group_chat_2010'
LEGACY_2007R2 = 'group_chat_2007r2'
VERSIONS = {PERSISTENT_CHAT: 'Lync Server 2013 Persistent Chat', LEGACY_2010: 'Lync Server 2010 Group Chat',
            LEGACY_2007R2: 'Office Communications Server 2007 R2 Group Chat'}
# The role Get-CsWindowsService reports for the Persistent Chat services (chat and compliance): services are found
# by role, never by a hard-coded name. Which name RoleName holds is not documented: Get-CsService's switch and
# identities say PersistentChatServer, Lync 2013's topology names the role PersistentChatService ("Lync Server 2013
# topology changes"); either is taken (docs/psrp.md, first real run).
CHAT_ROLE = 'PersistentChatServer'
CHAT_ROLES = ('persistentchatserver', 'persistentchatservice')
# Legacy Group Chat servers run Lookup and Channel services whose names are undocumented: they are found by display
# name, or by the names the inventory gives (legacy_topology.service_filter); the Web service is IIS's W3SVC.
LEGACY_DISPLAY_NAME_WQL = legacy_topology.DISPLAY_NAME_WQL
MAX_RESULT_SIZE = 2147483647  # -ResultSize: never a silently capped listing
# SQL Server's message (error 18456) when a logon reaches it without credentials: the classic second-hop failure of
# a remote session that cannot delegate (Microsoft: "Making the second hop in PowerShell Remoting").
SECOND_HOP_MARK = "Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'"
# Users read per Get-CsUser -LdapFilter (an OR of their identities), and at most this many pipelines per run:
# the policy check of preflight stays a bounded cost whatever the number of members (docs/migration.md).
USERS_PER_FILTER = 200
MAX_USER_PIPELINES = 5
WMI_START_MODES = {'auto': 'automatic', 'automatic': 'automatic', 'manual': 'manual', 'disabled': 'disabled',
                   'boot': 'automatic', 'system': 'automatic'}
STATUS_TEXT = {'running': 'running', 'stopped': 'stopped', 'stop pending': 'stop_pending',
               'stoppending': 'stop_pending', 'start pending': 'start_pending', 'startpending': 'start_pending'}


def status_text(value):
    return STATUS_TEXT.get((value or '').strip().lower(), (value or 'unknown').strip().lower())


def known_status(value, source, computer, name):
    """A service's status as a word the driver decides on, or an error naming the service: a status that cannot be
    read is never taken for running or stopped."""
    status = status_text(value)
    if status not in STATUS_TEXT.values():
        raise PchatError('%s on %s returned the service %s with status %r, which the driver cannot judge (Running, '
                         'Stopped, Start Pending or Stop Pending), so nothing was changed. Check the service on %s.'
                         % (source, computer, name, value, computer))
    return status


def server_state(services):
    """A server's state from its services: started (all running), disabled (all stopped and kept from starting),
    stopped (all stopped), partial (anything else, a service stopping included). A server without the services
    is not 'stopped': callers refuse it before asking."""
    running = [s['status'] == 'running' for s in services]
    if running and all(running):
        return 'started'
    if running and not any(running) and all(s['status'] == 'stopped' for s in services):
        return 'disabled' if all(s['start_mode'] == 'disabled' for s in services) else 'stopped'
    return 'partial'


def pool_state(pool):
    """A pool's state: its deciding servers' common state (Persistent Chat: the active servers; 'started' also
    needs pool state Normal), 'partial' when they differ."""
    servers = pool['servers']
    if pool['kind'] == PERSISTENT_CHAT:
        servers = [s for s in servers if s['active']]
    states = set(s['state'] for s in servers)
    if len(states) != 1:
        return 'partial' if states else 'stopped'
    state = states.pop()
    if state == 'started' and pool['kind'] == PERSISTENT_CHAT and pool.get('pool_state') != 'Normal':
        return 'partial'
    return state


READ_VERBS = ('get',)
# Cmdlets that read or copy data without changing what the reads show (the export writes a file on the front end).
# (remove-item: of the rehearsal's scratch file only)
NON_CHANGING = ('export-cspersistentchatdata', 'test-cspersistentchatmessage', 'test-path', 'remove-item')


def _read_key(cmdlet, parameters):
    """The cache key of a read (the cmdlet and its parameters), None for anything else."""
    if cmdlet.split('-', 1)[0].lower() not in READ_VERBS:
        return None
    return cmdlet.lower(), repr(sorted((name.lower(), repr(value)) for name, value in (parameters or {}).items()))


def _is_preview(cmdlet, parameters):
    """A call that changes nothing the reads show: -WhatIf, or an export."""
    return 'WhatIf' in (parameters or {}) or cmdlet.lower() in NON_CHANGING


def _filter_value(value, what):
    """A value put into a -Filter expression between double quotes: one that holds a quote or a backtick cannot be
    (the filter is the cmdlet's to parse, never script; such a value is refused, not escaped)."""
    if any(char in value for char in '"`$'):
        raise PchatError('%s %r cannot be looked up: it holds a character (" ` $) a Lync -Filter cannot quote.'
                         % (what, value))
    return value


def _names_pool(props, fqdn):
    """Whether a Get-CsTrustedApplicationPool object is the pool ``fqdn`` (its PoolFqdn, or its identity
    ``TrustedApplicationPool:<fqdn>``)."""
    identity = (props.text('Identity') or '').lower()
    return (props.text('PoolFqdn') or '').lower() == fqdn or identity.partition(':')[2] == fqdn


class LyncPlatform(object):
    """The Lync front end behind one LyncSession. Every method raises PchatError naming the object and the fix."""

    def __init__(self, params, stop_reason=None):
        self.session = LyncSession(params, stop_reason=stop_reason)
        # legacy pools the topology does not describe (whole, or their compliance server and Web service)
        self.legacy = legacy_topology.definitions(params.get('legacy_pools'))
        self._pc_services = None
        self._site_kinds = {}
        self._reads = {}  # what each read (Get-*) returned since the last change: no listing is fetched twice

    @property
    def host(self):
        return self.session.host

    @property
    def pipelines(self):
        return self.session.pipelines

    def close(self):
        self.session.close()

    # -- calls -----------------------------------------------------------------------------------------
    def send(self, cmdlet, parameters=None, lync=True, fresh=False, watch=None):
        """Run a cmdlet and return its CallResult, errors included (the caller judges them). With ``watch`` it runs
        as a long cmdlet (psrp_session.call_long: watched while it works, stopped when the run stops).

        A read (``Get-*``) asked again with the same parameters returns what it returned before, unless a changing
        cmdlet ran in between or ``fresh`` (a poll for a change made elsewhere): one module run never fetches a
        listing twice, and always reads again after it changed something. Errors other than 'not found' are never
        kept: such a read is sent again."""
        key = _read_key(cmdlet, parameters)
        if key is not None and not fresh and key in self._reads:
            return self._reads[key]
        if key is None and not _is_preview(cmdlet, parameters):
            self._reads.clear()
        if watch is not None:
            result = self.session.call_long(cmdlet, parameters, watch=watch)
        else:
            result = self.session.call(cmdlet, parameters, lync=lync)
        if key is not None and not result.errors:
            self._reads[key] = result
        return result

    def call(self, cmdlet, parameters=None, lync=True, fresh=False):
        """``send``, then error records raise PchatError naming the call. No decision rests on an error's identity
        (Microsoft documents none): an absent object is one a listing or a filter does not return."""
        result = self.send(cmdlet, parameters, lync=lync, fresh=fresh)
        if result.errors:
            raise self.call_error(cmdlet, parameters, result)
        return result

    def call_error(self, cmdlet, parameters, result, advice=''):
        if not advice and result.errors:  # a SQL instance the remote session cannot reach: say what to set
            advice = self.second_hop_advice(result.errors[0]['message'], (parameters or {}).get('DBInstance')) or ''
        listed = '; '.join('%s%s' % (e['message'], ' [%s]' % e['error_id'] if e['error_id'] else '')
                           for e in result.errors[:10])
        more = ' (%d more in details)' % (len(result.errors) - 10) if len(result.errors) > 10 else ''
        return PchatError('%s failed on %s: %s%s.%s' % (describe_call(cmdlet, parameters), self.host, listed, more,
                                                        (' ' + advice) if advice else ''),
                          details={'errors': result.errors, 'warnings': result.warnings})

    def require_winrm(self, what):
        """Windows service control of Group Chat servers exists only on the WinRM path."""
        if not self.session.on_winrm:
            raise PchatError('%s needs Windows service control on the Group Chat servers (Get-WmiObject, Set-Service), '
                             'which Lync\'s OcsPowershell endpoint does not offer; set psrp_path to wsman (WinRM) for '
                             'this step. Nothing was changed.' % what)

    # -- pools -----------------------------------------------------------------------------------------
    def persistent_chat_services(self):
        """Get-CsService -PersistentChatServer, once per run: {pool fqdn: Props}."""
        if self._pc_services is None:
            found = objects(self.call('Get-CsService', {'PersistentChatServer': None}), 'Persistent Chat service')
            self._pc_services = dict((props.required_text('PoolFqdn').lower(), props) for props in found)
        return self._pc_services

    def pool(self, fqdn, rooms=False):
        """The pool dict for ``fqdn`` (a Persistent Chat pool or a legacy Group Chat pool), or None."""
        fqdn = validate_fqdn(fqdn, 'pool')
        service = self.persistent_chat_services().get(fqdn)
        if service is not None:
            return self._persistent_chat_pool(fqdn, service, rooms)
        # Listed and compared (an identity that names nothing is an error whose identity Microsoft does not document)
        found = [props for props in objects(self.call('Get-CsTrustedApplicationPool'), 'trusted application pool')
                 if _names_pool(props, fqdn)]
        definition = self.legacy.get(fqdn) or legacy_topology.default_definition(fqdn)
        if found:
            # A Group Chat pool in the topology is Lync Server 2010 Group Chat: OCS 2007 R2 Group Chat is never merged.
            computers = [props.required_text('Identity').lower() for props in objects(
                self.call('Get-CsTrustedApplicationComputer', {'Pool': fqdn}), 'trusted application computer')]
            if not computers:
                raise PchatError('trusted application pool %s has no computers (Get-CsTrustedApplicationComputer -Pool '
                                 '%s); a Group Chat pool has at least one Group Chat server.' % (fqdn, fqdn))
            legacy_topology.check_topology_servers(fqdn, computers, definition)
            return self._legacy_pool(fqdn, computers, LEGACY_2010, definition, in_topology=True)
        if definition['servers']:
            return self._legacy_pool(fqdn, definition['servers'], definition['kind'], definition, in_topology=False)
        return None

    def require_pool(self, fqdn, kinds, what):
        pool = self.pool(fqdn)
        if pool is None:
            raise PchatError('%s %s is neither a Persistent Chat pool (Get-CsService -PersistentChatServer) nor a '
                             'Group Chat trusted application pool (Get-CsTrustedApplicationPool) on %s; check the '
                             'FQDN. %s' % (what, fqdn, self.host, legacy_topology.NOT_IN_TOPOLOGY_HINT))
        if pool['kind'] not in kinds:
            raise PchatError('%s %s is a %s pool; a %s pool is needed here.'
                             % (what, fqdn, VERSIONS[pool['kind']], ' or '.join(VERSIONS[k] for k in kinds)))
        return pool

    def _persistent_chat_pool(self, fqdn, service, rooms):
        active = [s.lower() for s in service.texts('ActiveServers')]
        inactive = [s.lower() for s in service.texts('InactiveServers')]
        servers = []
        for computer in sorted(set(active + inactive)):
            services = self.chat_services(computer)
            if not services:
                raise PchatError('Get-CsWindowsService -ComputerName %s lists no service with the %s role, although '
                                 'the computer belongs to Persistent Chat pool %s; check that Persistent Chat is '
                                 'installed there (Lync Server Deployment Wizard).' % (computer, CHAT_ROLE, fqdn))
            servers.append({'fqdn': computer, 'active': computer in active, 'services': services,
                            'state': server_state(services)})
        state = objects(self.call('Get-CsPersistentChatState', {'Identity': 'PersistentChatServer:%s' % fqdn}),
                        'Persistent Chat state')
        if not state or not state[0].text('PoolState'):
            raise PchatError('Get-CsPersistentChatState -Identity PersistentChatServer:%s returned %s on %s; the '
                             'cutover starts a Persistent Chat pool only in pool state Normal, so it cannot judge this '
                             'one. Run Get-CsPersistentChatState on the front end and check the pool (nothing was '
                             'changed).' % (fqdn, 'no PoolState' if state else 'nothing', self.host))
        room_list = self.rooms(fqdn)
        categories = self.categories(fqdn)
        pool = {'fqdn': fqdn, 'kind': PERSISTENT_CHAT, 'version': VERSIONS[PERSISTENT_CHAT], 'servers': servers,
                'pool_state': state[0].text('PoolState'),
                'counts': {'categories': len(categories), 'rooms': len(room_list),
                           'members': sum(len(r['members']) for r in room_list), 'messages': None}}
        pool['state'] = pool_state(pool)
        if rooms:
            pool['rooms'] = room_list
            pool['categories'] = categories
        return pool

    def _legacy_pool(self, fqdn, computers, kind, definition, in_topology):
        """A legacy Group Chat pool: its Group Chat servers (from the topology, or the inventory for a pool outside
        it), its compliance servers (the inventory's), their Group Chat services and the IIS-hosted Web service."""
        pool = {'fqdn': fqdn, 'kind': kind, 'version': VERSIONS[kind], 'pool_state': None, 'in_topology': in_topology,
                'counts': {'categories': None, 'rooms': None, 'members': None, 'messages': None},
                'web_service': {'host': 'IIS', 'service': legacy_topology.IIS_SERVICE,
                                'policy': definition['web_service']}}
        roles = [(c, legacy_topology.GROUP_CHAT_ROLE) for c in sorted(computers)] + \
            [(c, legacy_topology.COMPLIANCE_ROLE) for c in definition['compliance_servers']]
        if not self.session.on_winrm:
            # Lync's own endpoint cannot read Windows services: the state is unknown, never guessed.
            pool['servers'] = [{'fqdn': c, 'active': True, 'role': role, 'services': [], 'state': 'unknown',
                                'web_service': None} for c, role in roles]
            pool['state'] = 'unknown'
            pool['web_service']['summary'] = legacy_topology.web_service_summary(pool)
            return pool
        servers = []
        seen = []
        for computer, role in roles:
            services, web = self.legacy_services(computer, definition['service_names'])
            seen.extend(s['name'] for s in services)
            if not services:
                named = ('named in pchat_legacy_compliance_servers' if role == legacy_topology.COMPLIANCE_ROLE else
                         'a computer of Group Chat pool %s' % fqdn)
                raise PchatError('no Group Chat service (%s) on %s, %s: it is not a Group Chat server, or the '
                                 'services cannot be read from %s. A server whose services cannot be found is not '
                                 'taken for stopped.'
                                 % (('named ' + ', '.join(definition['service_names'])) if definition['service_names']
                                    else 'display name like "Group Chat"', computer, named, self.host))
            if role == legacy_topology.COMPLIANCE_ROLE:
                web = None  # the compliance server hosts no Web service
            managed = list(services) + ([web] if web and definition['web_service'] == 'stop' else [])
            servers.append({'fqdn': computer, 'active': True, 'role': role, 'services': managed,
                            'state': server_state(managed), 'web_service': web})
        missing = legacy_topology.missing_service_names(definition, seen)
        if missing:
            raise PchatError('the Group Chat service(s) %s named in pchat_legacy_service_names are on none of the '
                             'servers of %s (%s); a misspelt name would leave a service running. Nothing was changed.'
                             % (', '.join(missing), fqdn, ', '.join(c for c, _r in roles)))
        pool['servers'] = servers
        pool['state'] = pool_state(pool)
        pool['web_service']['summary'] = legacy_topology.web_service_summary(pool)
        return pool

    # -- services --------------------------------------------------------------------------------------
    def chat_services(self, computer):
        """The Persistent Chat services of a Lync 2013 computer (role PersistentChatServer)."""
        found = objects(self.call('Get-CsWindowsService', {'ComputerName': computer, 'ExcludeActivityLevel': None}),
                        'Lync service', 'Microsoft.Rtc.Management.Deployment.Core.NTService')
        services = []
        for props in found:
            if not props.has('RoleName'):
                raise PchatError('Get-CsWindowsService -ComputerName %s returned the service %s without a RoleName '
                                 'property: the Persistent Chat services are found by their role, so they cannot be '
                                 'told apart from the others (nothing was changed). Is %s a Lync Server 2013 front '
                                 'end?' % (computer, props.text('Name') or props.types[:1], self.host))
            roles = props.texts('RoleName')
            if any(r.lower() in CHAT_ROLES for r in roles):
                name = props.required_text('Name')
                services.append({'name': name, 'display_name': props.text('DisplayName'), 'roles': roles,
                                 'status': known_status(props.text('Status'), 'Get-CsWindowsService', computer, name),
                                 'start_mode': None})
        return sorted(services, key=lambda s: s['name'].lower())

    def legacy_services(self, computer, service_names=()):
        """The Group Chat services of a legacy server, with state and start mode, and IIS's W3SVC (which hosts the
        Group Chat Web service) or None, from one WMI query."""
        found = objects(self.call('Get-WmiObject', {'Class': 'Win32_Service', 'ComputerName': computer,
                                                    'Filter': legacy_topology.service_filter(service_names)},
                                  lync=False), 'Win32_Service')
        services = []
        web = None
        for props in found:
            name = props.required_text('Name')
            mode = (props.text('StartMode') or '').strip().lower()
            if mode not in WMI_START_MODES:
                # A start mode that cannot be read would be left alone: the pool stopped but not kept from starting.
                raise PchatError('Get-WmiObject Win32_Service -ComputerName %s returned the Group Chat service %s with '
                                 'StartMode %r; the driver needs Auto, Manual or Disabled to keep the pool from '
                                 'starting again, so nothing was changed. Check WMI on %s (Get-WmiObject '
                                 'Win32_Service -Filter "Name = \'%s\'").'
                                 % (computer, name, props.text('StartMode'), computer, name))
            service = {'name': name, 'display_name': props.text('DisplayName'), 'roles': [],
                       'status': known_status(props.text('State'), 'Get-WmiObject Win32_Service', computer, name),
                       'start_mode': WMI_START_MODES[mode]}
            if name.upper() == legacy_topology.IIS_SERVICE:
                web = dict(service, roles=['IIS: Group Chat Web service'])
            else:
                services.append(service)
        return sorted(services, key=lambda s: s['name'].lower()), web

    def start_chat_service(self, computer, service):
        self.call('Start-CsWindowsService', {'Name': service['name'], 'ComputerName': computer, 'Confirm': False})

    def stop_chat_service(self, computer, service):
        # Never -Graceful: it waits for every chat session to end, which in a maintenance window can outlast any
        # timeout (LYNC-FACTS).
        self.call('Stop-CsWindowsService', {'Name': service['name'], 'ComputerName': computer, 'Confirm': False})

    def set_legacy_service(self, computer, service, status=None, start_mode=None):
        """Set-Service on a Group Chat server: its status (Running/Stopped) and/or its start mode."""
        self.require_winrm('changing the Group Chat services of %s' % computer)
        parameters = {'ComputerName': computer, 'Name': service['name']}
        if start_mode:
            parameters['StartupType'] = {'automatic': 'Automatic', 'manual': 'Manual', 'disabled': 'Disabled'}[start_mode]
        if status:
            parameters['Status'] = {'running': 'Running', 'stopped': 'Stopped'}[status]
        parameters['Confirm'] = False
        self.call('Set-Service', parameters, lync=False)

    # -- rooms and categories --------------------------------------------------------------------------
    def rooms(self, pool_fqdn):
        """Every room of a Persistent Chat pool: name, category, disabled, members, managers, presenters."""
        found = objects(self.call('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': pool_fqdn,
                                                               'ResultSize': MAX_RESULT_SIZE}),
                        'chat room', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject')
        return sorted(({'name': p.required_text('Name'), 'category': p.text('Category'),
                        'disabled': bool(p.flag('Disabled')), 'members': sorted(m.lower() for m in p.texts('Members')),
                        'managers': sorted(m.lower() for m in p.texts('Managers')),
                        'presenters': sorted(m.lower() for m in p.texts('Presenters'))} for p in found),
                      key=lambda room: room['name'].lower())

    def categories(self, pool_fqdn):
        found = objects(self.call('Get-CsPersistentChatCategory', {'PersistentChatPoolFqdn': pool_fqdn}),
                        'chat category', 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.CategoryObject')
        # Invites [ref Get-CsPersistentChatCategory, example 3]
        return sorted(({'name': p.required_text('Name'), 'invitations': p.flag('Invites')} for p in found),
                      key=lambda category: category['name'].lower())

    # -- endpoints -------------------------------------------------------------------------------------
    def endpoints(self, sip_address=None, pool_fqdn=None):
        """Persistent Chat endpoints (all, one SIP URI's, or one pool's), each with the pool it is homed on.
        No endpoint property names the pool's FQDN, so the pool comes from the documented
        ``-PersistentChatPoolFqdn`` listing of each Persistent Chat pool."""
        if sip_address:
            normalize_sip(sip_address)
            # Every endpoint, compared by SIP address (few exist: one per pool and the legacy ones); an identity that
            # names nothing is an error whose identity Microsoft does not document.
            result = self.call('Get-CsPersistentChatEndpoint')
            found = [self._endpoint(p) for p in objects(result, 'Persistent Chat endpoint')]
            found = [e for e in found if sip_equal(e['sip_address'], sip_address)]
            found = list(dict((e['dn'].lower(), e) for e in found).values())  # an object listed twice is one endpoint
        else:
            found = None
        pools = [validate_fqdn(pool_fqdn, 'pool_fqdn')] if pool_fqdn else sorted(self.persistent_chat_services())
        homed = {}
        for fqdn in pools:
            listing = objects(self.call('Get-CsPersistentChatEndpoint', {'PersistentChatPoolFqdn': fqdn}),
                              'Persistent Chat endpoint')
            for props in listing:
                endpoint = self._endpoint(props)
                endpoint['pool_fqdn'] = fqdn
                homed[endpoint['dn'].lower()] = endpoint
            if found is not None and all(e['dn'].lower() in homed for e in found):
                break
        if found is None:
            return sorted(homed.values(), key=lambda e: e['sip_address'].lower())
        for endpoint in found:
            endpoint['pool_fqdn'] = homed.get(endpoint['dn'].lower(), {}).get('pool_fqdn')
        if pool_fqdn:
            found = [e for e in found if e['pool_fqdn']]
        return found

    @staticmethod
    def _endpoint(props):
        sip = props.required_text('SipAddress')
        return {'sip_address': sip if sip.lower().startswith('sip:') else 'sip:' + sip,
                'display_name': props.text('DisplayName'),
                'dn': props.text('DistinguishedName') or props.required_text('Identity'), 'pool_fqdn': None}

    def new_endpoint(self, sip_address, pool_fqdn, display_name=None):
        parameters = {'SipAddress': sip_address, 'PersistentChatPoolFqdn': pool_fqdn}
        if display_name:
            parameters['DisplayName'] = display_name
        parameters.update(PassThru=None, Confirm=False)
        created = [self._endpoint(p) for p in objects(self.call('New-CsPersistentChatEndpoint', parameters),
                                                      'Persistent Chat endpoint')]
        if not created:
            raise PchatError('New-CsPersistentChatEndpoint -SipAddress %s reported no error but returned no endpoint; '
                             'check Get-CsPersistentChatEndpoint -Identity %s on %s.' % (sip_address, sip_address,
                                                                                         self.host))
        created[0]['pool_fqdn'] = pool_fqdn
        return created[0]

    def remove_endpoint(self, endpoint):
        # By DN: the one object we read, never another that shares a display name.
        self.call('Remove-CsPersistentChatEndpoint', {'Identity': endpoint['dn'], 'Confirm': False})

    # -- users -----------------------------------------------------------------------------------------
    def lync_sees_user(self, sip_address):
        """Whether Lync's view of AD (the front end's domain controller) still has a user with this SIP URI: a filter
        on the Lync attribute [ref Get-CsAdUser -Filter], so that "none" is an empty answer, not an error."""
        sip = _filter_value(normalize_sip(sip_address), 'SIP address')
        result = self.call('Get-CsAdUser', {'Filter': 'SipAddress -eq "%s"' % sip}, fresh=True)
        return any(sip_equal(props.text('SipAddress') or '', sip) for props in objects(result, 'Lync user'))

    # -- chat data -------------------------------------------------------------------------------------
    def chat_database(self, pool_fqdn):
        """``-DBInstance`` of a Persistent Chat pool's database, from the topology: the pool's
        PersistentChatDatabase service (``PersistentChatStore:<sql fqdn>``) and that service's SqlInstanceName."""
        service = self.persistent_chat_services().get(pool_fqdn.lower())
        if service is None:
            raise PchatError('%s is not a Persistent Chat pool (Get-CsService -PersistentChatServer); its database '
                             'cannot be found.' % pool_fqdn)
        store = service.text('PersistentChatDatabase')
        if not store:
            raise PchatError('Persistent Chat pool %s names no PersistentChatDatabase in the topology; set the '
                             'target database instance explicitly.' % pool_fqdn)
        found = objects(self.call('Get-CsService', {'Identity': store}), 'Persistent Chat database service')
        if not found:
            raise PchatError('Get-CsService -Identity %s returned nothing; set the target database instance '
                             'explicitly.' % store)
        sql = found[0].required_text('PoolFqdn')
        instance = found[0].text('SqlInstanceName')
        return '%s\\%s' % (sql, instance) if instance else sql

    def export_room_directory(self, db_instance, db_name=None, scope=None):
        """The room directory of a chat database (categories, rooms, members; no content) as zip bytes:
        ``Export-CsPersistentChatData -Level RoomDirectory -AsBytes``. Reads only."""
        parameters = {'DBInstance': db_instance, 'Level': 'RoomDirectory', 'AsBytes': None}
        if db_name:
            parameters['DBName'] = db_name
        if scope:
            parameters['Scope'] = list(scope)
        result = self.call('Export-CsPersistentChatData', parameters)
        chunks = [item for item in result.output if isinstance(item, (bytes, bytearray))]
        if len(chunks) != 1:
            raise PchatError('%s returned %d byte arrays where one export was expected.'
                             % (describe_call('Export-CsPersistentChatData', parameters), len(chunks)))
        return bytes(chunks[0]), result.warnings

    def export_to_file(self, db_instance, db_name, file_name, report=None, scope=None, watch=None):
        """A full export of a chat database to a .zip on the front end (a long cmdlet: watched, stoppable); returns
        the warnings."""
        parameters = {'DBInstance': db_instance, 'FileName': file_name}
        if db_name:
            parameters['DBName'] = db_name
        if scope:
            parameters['Scope'] = list(scope)
        if report:
            parameters['Report'] = report
        result = self.send('Export-CsPersistentChatData', parameters, watch=watch)
        if result.errors:
            advice = self.second_hop_advice(result.errors[0]['message'], db_instance)
            if not advice and any('path' in e['message'].lower() for e in result.errors):
                folder = file_name.rsplit('\\', 1)[0]
                advice = ('The folder %s must exist on %s and %s must be able to write there: create it, or set '
                          'export_dir (pchat_migration_export_dir) to one that does. Nothing was exported.'
                          % (folder, self.host, self.session.username))
            raise self.call_error('Export-CsPersistentChatData', parameters, result, advice=advice or '')
        return result.warnings

    def import_file(self, db_instance, file_name, what_if, report=None, watch=None):
        """``Import-CsPersistentChatData -DBInstance -FileName [-WhatIf] [-Report] -Confirm:$false`` (a long cmdlet:
        watched, stoppable): returns the CallResult (errors included: the caller judges them, the -WhatIf run is a
        gate), except that a SQL instance the remote session cannot reach fails here, saying what to set."""
        parameters = {'DBInstance': db_instance, 'FileName': file_name}
        if report:
            parameters['Report'] = report
        if what_if:
            parameters['WhatIf'] = None
        parameters['Confirm'] = False
        result = self.send('Import-CsPersistentChatData', parameters, watch=watch)
        advice = self.second_hop_advice(result.errors[0]['message'], db_instance) if result.errors else None
        if advice:
            raise self.call_error('Import-CsPersistentChatData', parameters, result, advice=advice)
        return result

    def second_hop_advice(self, message, db_instance=None):
        """What to do when SQL Server refused the remote session's logon: the front end reached the SQL instance
        with no credentials of the caller (the second hop of PowerShell remoting), or None for any other error."""
        if SECOND_HOP_MARK.lower() not in (message or '').lower():
            return None
        return ('The front end %s reached the SQL instance %s without your credentials: the "second hop" of '
                'PowerShell remoting (a remote session with psrp_auth=%s cannot pass them on). Either use CredSSP - on '
                'the front end Enable-WSManCredSSP -Role Server, then pchat_psrp_auth: credssp - or allow Kerberos '
                'constrained delegation: psrp_auth kerberos (or negotiate resolving to Kerberos: psrp_host a name with '
                'an SPN, not an IP address), and in AD let the front end\'s computer account (%s$) delegate to the SQL '
                'service (Set-ADComputer -Identity <front end> -Add @{\'msDS-AllowedToDelegateTo\'='
                '\'MSSQLSvc/<sql fqdn>:<port>\'} with "Use any authentication protocol", or resource-based: '
                'Set-ADComputer -Identity <sql server> -PrincipalsAllowedToDelegateToAccount <front end>). Microsoft: '
                'https://learn.microsoft.com/powershell/scripting/security/remoting/ps-remoting-second-hop'
                % (self.host, db_instance or 'of the chat database', self.session.auth, self.host.split('.')[0].upper()))

    def remove_file(self, file_name):
        """Remove a scratch file on the front end (Remove-Item, on the WinRM path only; Lync's own endpoint offers
        no file cmdlet, and the file is then left for the next rehearsal to overwrite). True when removed."""
        if not self.session.on_winrm:
            return False
        result = self.send('Remove-Item', {'LiteralPath': file_name, 'Force': None, 'Confirm': False}, lync=False)
        return not result.errors

    def first_enabled_room(self, pool_fqdn):
        """The name of an enabled chat room of a Persistent Chat pool, or None: from the pool's listing when this
        run read it, else one room asked for with ``-Disabled $false -ResultSize 1`` [ref Get-CsPersistentChatRoom]."""
        listed = self._reads.get(_read_key('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': pool_fqdn,
                                                                        'ResultSize': MAX_RESULT_SIZE}))
        if listed is not None:
            names = sorted(room['name'] for room in self.rooms(pool_fqdn) if not room['disabled'])
            return names[0] if names else None
        found = objects(self.call('Get-CsPersistentChatRoom', {
            'PersistentChatPoolFqdn': pool_fqdn, 'Disabled': False, 'ResultSize': 1}), 'chat room',
            'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject')
        return found[0].required_text('Name') if found else None

    def message_test(self, registrar_pool, sender, receiver, room_uri=None, credentials=None):
        """Test-CsPersistentChatMessage (a synthetic transaction) [ref]: ``-TargetFqdn`` the Registrar pool,
        ``-ChatRoomUri <pool>\\<room>`` the room (so the pool under test is the one meant), the two test users, and,
        with ``credentials`` ({'sender': (user, password), 'receiver': ...}), their PSCredentials (ClientPlatform);
        without, the users' credentials registered on the front end with Set-CsTestUserCredential (ServerPlatform).
        Returns result, latency (seconds), error, diagnosis and the warnings it wrote."""
        parameters = {'TargetFqdn': registrar_pool, 'SenderSipAddress': sender, 'ReceiverSipAddress': receiver}
        if room_uri:
            parameters['ChatRoomUri'] = room_uri
        if credentials:
            parameters['SenderCredential'] = Credential(*credentials['sender'])
            parameters['ReceiverCredential'] = Credential(*credentials['receiver'])
        result = self.send('Test-CsPersistentChatMessage', parameters)
        if result.errors and not result.output:
            raise self.call_error('Test-CsPersistentChatMessage', parameters, result)
        found = objects(result, 'synthetic transaction result', 'Microsoft.Rtc.SyntheticTransactions.TaskOutput')
        if not found:
            raise PchatError('Test-CsPersistentChatMessage -TargetFqdn %s returned no result.' % registrar_pool)
        props = found[0]
        return {'result': props.text('Result'), 'latency_seconds': timespan_seconds(props.text('Latency')),
                'error': props.text('Error'), 'diagnosis': props.text('Diagnosis'), 'warnings': result.warnings}

    # -- Persistent Chat policies ----------------------------------------------------------------------
    def chat_policies(self):
        """Every Persistent Chat policy [ref Get-CsPersistentChatPolicy]: [{'identity', 'enabled'}] (enabled None
        when EnablePersistentChat cannot be read)."""
        found = objects(self.call('Get-CsPersistentChatPolicy'), 'Persistent Chat policy')
        return [{'identity': p.required_text('Identity'), 'enabled': p.flag('EnablePersistentChat')} for p in found]

    def lync_users(self, identities):
        """Lync's view of the users named by ``identities`` (SIP URIs, UPNs or DNs), read with Get-CsUser
        -LdapFilter [ref: an LDAP filter without its outer parentheses], USERS_PER_FILTER at a time and at most
        MAX_USER_PIPELINES pipelines: (users, identities not read). Each user: {'sip', 'upn', 'dn', 'policy' (the
        per-user PersistentChatPolicy, None when none is assigned), 'registrar_pool'}."""
        terms = []
        for identity in identities:
            text = (identity or '').strip()
            if text.lower().startswith('sip:'):
                terms.append((identity, 'msRTCSIP-PrimaryUserAddress', text))
            elif '=' in text and ',' in text:
                terms.append((identity, 'distinguishedName', text))
            elif '@' in text:
                terms.append((identity, 'userPrincipalName', text))
        read = terms[:USERS_PER_FILTER * MAX_USER_PIPELINES]
        users = []
        for start in range(0, len(read), USERS_PER_FILTER):
            chunk = read[start:start + USERS_PER_FILTER]
            parts = ['(%s=%s)' % (attribute, escape_filter_value(value)) for _i, attribute, value in chunk]
            ldap_filter = ('|' + ''.join(parts)) if len(parts) > 1 else parts[0][1:-1]
            for props in objects(self.call('Get-CsUser', {'LdapFilter': ldap_filter}), 'Lync user',
                                 'Microsoft.Rtc.Management.ADConnect.Schema.ADUser'):
                users.append({'sip': (props.text('SipAddress') or '').lower(), 'upn': props.text('UserPrincipalName'),
                              'dn': props.text('DistinguishedName'),
                              'policy': props.text('PersistentChatPolicy') or None,
                              'registrar_pool': (props.text('RegistrarPool') or '').lower() or None})
        return users, [identity for identity, _a, _v in terms[len(read):]]

    def pool_sites(self, pools):
        """{registrar pool: its site identity} from Get-CsPool -Identity, once per pool [ref Get-CsPool]."""
        sites = {}
        for fqdn in sorted(set(p for p in pools if p)):
            found = objects(self.call('Get-CsPool', {'Identity': fqdn}), 'pool')
            sites[fqdn] = (found[0].text('Site') or '').lower() or None if found else None
        return sites

    # -- the front end's files -------------------------------------------------------------------------
    def file_exists(self, windows_path):
        """Whether a file exists on the front end (``Test-Path -Path <file> -PathType Leaf``, Windows PowerShell's
        own command: WinRM path only); None where it cannot be told (OcsPowershell offers no Test-Path)."""
        if not self.session.on_winrm:
            return None
        result = self.call('Test-Path', {'Path': windows_path, 'PathType': 'Leaf'}, lync=False)
        answers = [item for item in result.output if isinstance(item, bool)]
        return answers[0] if len(answers) == 1 else None


def timespan_seconds(text):
    """Seconds from a TimeSpan's text ('[d.]hh:mm:ss[.fffffff]', what remoting sends one level down), or None."""
    if not text:
        return None
    first_dot, first_colon = text.find('.'), text.find(':')
    days, _dot, clock = text.partition('.') if -1 < first_dot < first_colon else ('', '', text)
    try:
        hours, minutes, seconds = clock.split(':')
        return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except ValueError:
        return None
