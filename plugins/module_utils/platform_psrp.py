# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``psrp`` driver: the Lync Server Management Shell over PowerShell remoting (pypsrp).

Every remote call goes through one seam, ``PsrpPlatform.run(pipeline)``: a pipeline is a list of
``(cmdlet, {parameter: value})`` stages that pypsrp sends as cmdlet commands with named parameters
(``PowerShell.add_cmdlet(...).add_parameter(...)``). No value is ever formatted into script text, and the
driver sends no script at all. A parameter value of ``None`` is a switch (pypsrp's convention). Reads end in
``ConvertTo-Json -Depth 4 -Compress`` and are parsed here, so property names, not PowerShell formatting, are
what the driver depends on; docs/psrp.md lists each invocation and each property name assumed.

This driver has not been run against a live Lync server; it is tested on the exact invocations it sends and on
parsing output shaped as the cmdlets' documentation shows.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import traceback

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.platform import Platform, pool_state, server_state
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, sip_equal, validate_fqdn

try:
    import requests.exceptions
    from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError
    from pypsrp.powershell import PowerShell, RunspacePool
    from pypsrp.wsman import WSMan
except ImportError:
    PYPSRP_IMPORT_ERROR = traceback.format_exc()
else:
    PYPSRP_IMPORT_ERROR = None

LYNC_MODULE = 'Lync'
CHAT_SERVICE = 'RTCCHAT'  # the Persistent Chat service; see docs/psrp.md (name as commonly cited, unconfirmed)
# Display-name pattern (a Get-Service -DisplayName wildcard) of the legacy Group Chat services: Lookup, Channel,
# Web and Compliance. Their service names are not documented, so they are found by display name at run time.
LEGACY_SERVICE_DISPLAY_NAMES = ['*Group Chat*']
# A trusted application pool is a legacy Group Chat pool when one of its trusted applications has an
# ApplicationId matching this (Group Chat 2010 is installed as a trusted application; its id is chosen by the admin).
LEGACY_APPLICATION_ID = re.compile(r'chat', re.IGNORECASE)
JSON_DEPTH = 4
MAX_RESULT_SIZE = 2147483647  # Get-CsPersistentChatRoom -ResultSize upper bound: never a silently capped list

PERSISTENT_CHAT_VERSION = 'Lync Server 2013 Persistent Chat'
LEGACY_VERSION = 'Lync Server 2010 Group Chat'

# ServiceControllerStatus and ServiceStartMode as ConvertTo-Json writes enums in Windows PowerShell (numbers).
_RUNNING = 4
_START_MODES = {0: 'automatic', 1: 'automatic', 2: 'automatic', 3: 'manual', 4: 'disabled'}
_POOL_STATES = {0: 'Normal', 1: 'FailedOver'}
# An error of Get-CsPersistentChatEndpoint -Identity that means "no such endpoint".
_NOT_FOUND = re.compile(r'not found|cannot be found|could not be found|does not exist|no .* found', re.IGNORECASE)
_OBJECT_NOT_FOUND_CATEGORY = 13  # System.Management.Automation.ErrorCategory.ObjectNotFound
_SECRET_PARAMETER = re.compile(r'password|credential', re.IGNORECASE)


def _ps_value(value):
    """A parameter value as it would be typed, for messages only (never sent)."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return ' $true' if value else ' $false'
    if isinstance(value, (list, tuple)):
        return ' ' + ','.join(_ps_value(v).strip() for v in value)
    if isinstance(value, int):
        return ' %d' % value
    return " '%s'" % str(value).replace("'", "''")


def describe_pipeline(pipeline):
    """``Cmdlet -Name 'value' | Next -Switch`` for messages; secret-looking parameters are masked."""
    stages = []
    for command, parameters in pipeline:
        text = command
        for name, value in (parameters or {}).items():
            shown = ' ********' if _SECRET_PARAMETER.search(name) else _ps_value(value)
            text += ' -%s%s' % (name, shown)
        stages.append(text)
    return ' | '.join(stages)


def parse_json_output(output):
    """The objects ConvertTo-Json wrote: one object, an array, or nothing (no input) all give a list."""
    text = ''.join(str(item) for item in (output or []) if item is not None).strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PchatError('could not parse the JSON the remote shell returned (%s); first 200 characters: %r'
                         % (exc, text[:200]))
    if data is None:
        return []
    if isinstance(data, list):
        return [item for item in data if item is not None]
    return [data]


def _first(obj, *names):
    """The first of ``names`` that ``obj`` has with a value (property names compared case-insensitively)."""
    if not isinstance(obj, dict):
        return None
    lowered = dict((k.lower(), v) for k, v in obj.items())
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, '', [], {}):
            return value
    return None


def _as_text(value, *names):
    """A string from a value that ConvertTo-Json may have written as a string or as an object with properties."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _as_text(_first(value, *(names or ('Fqdn', 'Value', 'Identity', 'Name'))))
    return str(value)


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _strip_prefix(identity, prefix):
    """'PersistentChatServer:pc.contoso.com' -> 'pc.contoso.com'."""
    if identity and identity.lower().startswith(prefix.lower() + ':'):
        return identity[len(prefix) + 1:]
    return identity


def _fqdn_list(value):
    """Server FQDNs from a collection property (strings, or objects with Fqdn/Identity)."""
    result = []
    for item in _as_list(value):
        text = _as_text(item, 'Fqdn', 'Identity', 'Value', 'Name')
        if text:
            result.append(text.lower())
    return result


def service_status(value):
    """'running' or 'stopped' from a Status written as a string ('Running') or as the enum's number (4)."""
    if isinstance(value, str):
        return 'running' if value.strip().lower() == 'running' else 'stopped'
    return 'running' if value == _RUNNING else 'stopped'


def start_mode(value):
    """'automatic', 'manual', 'disabled', or None when the shell did not report it (see docs/psrp.md)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _START_MODES.get(value)
    text = str(value).strip().lower()
    if text in ('auto', 'automatic', 'boot', 'system'):
        return 'automatic'
    if text in ('manual', 'disabled'):
        return text
    return None


def parse_pool_state(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _POOL_STATES.get(value)
    if isinstance(value, str) and value:
        for known in _POOL_STATES.values():
            if value.strip().lower() == known.lower():
                return known
        return value
    return None


def _looks_like_dn(value):
    return isinstance(value, str) and value[:3].upper() == 'CN=' and ',' in value


def parse_endpoint(obj):
    """An endpoint dict from an OCSPersistentChatContact as ConvertTo-Json writes it (property names assumed,
    see docs/psrp.md). ``pool_fqdn`` is None when no property names the pool by FQDN."""
    sip = _as_text(_first(obj, 'SipAddress', 'SipUri', 'PrimaryUserAddress'))
    if sip and not sip.lower().startswith('sip:'):
        sip = 'sip:' + sip
    dn = _as_text(_first(obj, 'DistinguishedName'))
    if not dn:
        identity = _first(obj, 'Identity')
        dn = identity if isinstance(identity, str) else _as_text(identity, 'DistinguishedName')
    if not _looks_like_dn(dn):
        dn = None
    pool = None
    for name in ('PersistentChatPoolFqdn', 'PoolFqdn', 'RegistrarPool', 'HomeServer', 'PrimaryHomeServer'):
        candidate = _as_text(_first(obj, name), 'Fqdn', 'PoolFqdn', 'Identity', 'Value')
        if candidate and not _looks_like_dn(candidate):
            candidate = _strip_prefix(_strip_prefix(candidate, 'PersistentChatServer'), 'UserServer')
            pool = candidate.lower()
            break
    return {'sip_address': sip, 'pool_fqdn': pool,
            'display_name': _as_text(_first(obj, 'DisplayName')), 'dn': dn}


class PsrpTransport(object):
    """pypsrp underneath the seam: one runspace pool (one runspace, so an imported module stays loaded), one
    PowerShell pipeline per call. ``run`` returns (output objects, error dicts); failures to connect or to
    authenticate raise PchatError naming the endpoint and what to check."""

    def __init__(self, host, port, username=None, password=None, auth='negotiate', ssl=True, cert_validation=True):
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.auth = auth
        self.ssl = ssl
        self.cert_validation = cert_validation
        self.pool = None

    @property
    def endpoint(self):
        return '%s://%s:%d/wsman' % ('https' if self.ssl else 'http', self.host, self.port)

    def _scrub(self, text):
        text = str(text)
        if self.password:
            text = text.replace(self.password, '********')
        return text

    def _connection_error(self, exc):
        what = self._scrub(exc) or exc.__class__.__name__
        if isinstance(exc, AuthenticationError) or (isinstance(exc, WinRMTransportError) and getattr(exc, 'code', None) == 401):
            hint = ('authentication as %r with psrp_auth=%s was refused; check psrp_username (DOMAIN\\user or '
                    'user@domain), psrp_password and psrp_auth' % (self.username, self.auth))
        elif isinstance(exc, requests.exceptions.SSLError):
            hint = ('the TLS handshake failed; check the WinRM HTTPS listener certificate (its name must match '
                    'psrp_host and its CA must be trusted on the controller) or, in a throw-away lab only, '
                    'psrp_cert_validation=false')
        elif isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            hint = ('the WinRM endpoint cannot be reached; check psrp_host, psrp_port and psrp_ssl, that a WinRM '
                    'listener runs there (winrm quickconfig / Enable-PSRemoting) and that no firewall blocks the port')
        elif isinstance(exc, ImportError):
            hint = ('psrp_auth=%s needs an extra library on the controller (credssp: pip install requests-credssp; '
                    'kerberos: pip install pypsrp[kerberos])' % self.auth)
        else:
            hint = 'check psrp_host, psrp_port, psrp_ssl, psrp_auth and the WinRM configuration of the server'
        return PchatError('PowerShell remoting to %s (host %s, port %d) failed: %s. Error: %s'
                          % (self.endpoint, self.host, self.port, hint, what),
                          details={'host': self.host, 'port': self.port, 'error_type': exc.__class__.__name__})

    def _open(self):
        try:
            wsman = WSMan(self.host, port=self.port, username=self.username, password=self.password, ssl=self.ssl,
                          auth=self.auth, cert_validation=self.cert_validation)
            pool = RunspacePool(wsman)
            pool.open()
        except (WinRMError, requests.exceptions.RequestException, ImportError, ValueError, OSError) as exc:
            raise self._connection_error(exc)
        self.pool = pool

    def build(self, pool, pipeline):
        """The pypsrp PowerShell object for ``pipeline`` (no network: invoke() is what sends it)."""
        ps = PowerShell(pool)
        for command, parameters in pipeline:
            ps.add_cmdlet(command)
            for name, value in (parameters or {}).items():
                ps.add_parameter(name, value)
        return ps

    def run(self, pipeline):
        if self.pool is None:
            self._open()
        ps = self.build(self.pool, pipeline)
        try:
            output = ps.invoke()
        except (WinRMError, requests.exceptions.RequestException, OSError) as exc:
            raise self._connection_error(exc)
        errors = [self._error_dict(record) for record in ps.streams.error]
        if ps.had_errors and not errors:
            errors.append({'message': 'the pipeline failed without an error record', 'category': None, 'fq_error': None})
        return output, errors

    def _error_dict(self, record):
        # ErrorRecord: ToString is the error text; ErrorDetails, when set, replaces it as in PowerShell.
        text = getattr(record, 'details_message', None) or str(record)
        if not text or text == 'None':
            text = str(getattr(record, 'exception', None) or getattr(record, 'message', None) or 'unknown error')
        return {'message': self._scrub(text), 'category': getattr(record, 'category', None),
                'fq_error': getattr(record, 'fq_error', None)}

    def close(self):
        if self.pool is not None:
            pool, self.pool = self.pool, None
            try:
                pool.close()
            except (WinRMError, requests.exceptions.RequestException, OSError):
                pass  # the session is being discarded; a failed close must not hide the real result


class PsrpPlatform(Platform):
    """Lync Server 2013 (and its view of Lync 2010 Group Chat) through the Lync Server Management Shell."""

    name = 'psrp'

    def __init__(self, params, transport=None):
        params = params or {}
        self.host = params.get('psrp_host')
        if not self.host:
            raise PchatError('driver=psrp needs psrp_host (or the PCHAT_PSRP_HOST variable): a Lync Server 2013 '
                             'server with the Lync Server Management Shell, reachable over WinRM.')
        ssl = params.get('psrp_ssl')
        ssl = True if ssl is None else bool(ssl)
        self.port = params.get('psrp_port') or (5986 if ssl else 5985)
        if transport is None:
            if PYPSRP_IMPORT_ERROR:
                raise PchatError('driver=psrp needs the Python library pypsrp on the controller: pip install pypsrp '
                                 '(or install the collection requirements.txt).', details=PYPSRP_IMPORT_ERROR)
            auth = params.get('psrp_auth') or 'negotiate'
            if auth == 'certificate':
                raise PchatError('psrp_auth=certificate needs a client certificate and key, which the platform '
                                 'options do not carry; use negotiate, kerberos, ntlm or credssp.')
            cert_validation = params.get('psrp_cert_validation')
            transport = PsrpTransport(self.host, self.port, username=params.get('psrp_username'),
                                      password=params.get('psrp_password'), auth=auth, ssl=ssl,
                                      cert_validation=True if cert_validation is None else bool(cert_validation))
        self.transport = transport
        self._session_ready = False

    # -- the seam ----------------------------------------------------------------------------------------
    def run(self, pipeline, allow_error=None):
        """Run one pipeline of (cmdlet, parameters) stages and return its raw output. Errors written by the
        cmdlets raise PchatError, unless ``allow_error(errors)`` says they are expected."""
        if not self._session_ready:
            self._session_ready = True  # set first: a failed import is reported once, not before every call
            self._call([('Import-Module', {'Name': LYNC_MODULE})],
                       hint='psrp_host must be a server with the Lync Server 2013 Management Shell installed')
        return self._call(pipeline, allow_error=allow_error)

    def _call(self, pipeline, hint=None, allow_error=None):
        output, errors = self.transport.run(pipeline)
        if errors and not (allow_error and allow_error(errors)):
            text = '; '.join(e.get('message') or 'unknown error' for e in errors)
            hint = hint or ('check the values named and that the connecting account is in CsAdministrator '
                            '(CsPersistentChatAdministrator for chat data)')
            command, parameters = pipeline[0]
            raise PchatError('%s failed on %s: %s (%s).' % (describe_pipeline(pipeline), self.host, text, hint),
                             details={'host': self.host, 'command': command,
                                      'parameters': dict((k, '********' if _SECRET_PARAMETER.search(k) else v)
                                                         for k, v in (parameters or {}).items()),
                                      'errors': errors})
        return output

    def query(self, command, parameters=None, select=None, allow_error=None):
        """Objects from one cmdlet (optionally narrowed by Select-Object -Property), read as JSON."""
        pipeline = [(command, dict(parameters or {}))]
        if select:
            pipeline.append(('Select-Object', {'Property': list(select)}))
        pipeline.append(('ConvertTo-Json', {'Depth': JSON_DEPTH, 'Compress': None}))
        return parse_json_output(self.run(pipeline, allow_error=allow_error))

    def execute(self, pipeline):
        """A pipeline run for its effect; its output is ignored."""
        self.run(pipeline)

    # -- pools -------------------------------------------------------------------------------------------
    def get_pools(self):
        pools = [self._persistent_chat_pool(service) for service in self.query('Get-CsService', {'PersistentChatServer': None})]
        pools.extend(self._legacy_pool(fqdn) for fqdn in self._legacy_pool_fqdns())
        return sorted(pools, key=lambda p: p['fqdn'])

    def _persistent_chat_pool_fqdns(self):
        return [self._service_pool_fqdn(s) for s in self.query('Get-CsService', {'PersistentChatServer': None})]

    @staticmethod
    def _service_pool_fqdn(service):
        fqdn = _as_text(_first(service, 'PoolFqdn'))
        if not fqdn:
            fqdn = _strip_prefix(_as_text(_first(service, 'Identity')), 'PersistentChatServer')
        if not fqdn:
            raise PchatError('Get-CsService -PersistentChatServer returned an object with neither PoolFqdn nor '
                             'Identity: %r' % (service,))
        return fqdn.lower()

    def _persistent_chat_pool(self, service):
        fqdn = self._service_pool_fqdn(service)
        computers = [_as_text(_first(c, 'Fqdn', 'Identity')) for c in self.query('Get-CsComputer', {'Pool': fqdn})]
        computers = [c.lower() for c in computers if c]
        # ActiveServers names the servers that accept connections; if the property is missing, all count as active.
        active_value = _first(service, 'ActiveServers')
        active = _fqdn_list(active_value) if active_value is not None else None
        for name in (active or []) + _fqdn_list(_first(service, 'InactiveServers')):
            if name not in computers:
                computers.append(name)
        servers = []
        for computer in sorted(computers):
            server = {'fqdn': computer, 'active': active is None or computer in active,
                      'services': self._chat_services(computer)}
            server['state'] = server_state(server)
            servers.append(server)
        states = self.query('Get-CsPersistentChatState', {'Identity': 'PersistentChatServer:' + fqdn})
        pool = {'fqdn': fqdn, 'kind': 'persistent_chat_2013', 'version': PERSISTENT_CHAT_VERSION,
                'pool_state': parse_pool_state(_first(states[0], 'PoolState')) if states else None,
                'servers': servers, 'counts': self._counts(fqdn)}
        pool['state'] = pool_state(pool)
        return pool

    def _counts(self, fqdn):
        categories = self.query('Get-CsPersistentChatCategory', {'PersistentChatPoolFqdn': fqdn})
        rooms = self.query('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': fqdn, 'ResultSize': MAX_RESULT_SIZE})
        # Members as the lab counts them: every room role assignment (members, managers, presenters).
        members = sum(len(_as_list(_first(room, role))) for room in rooms for role in ('Members', 'Managers', 'Presenters'))
        return {'categories': len(categories), 'rooms': len(rooms), 'members': members, 'messages': None}

    def _chat_services(self, computer):
        """The Persistent Chat service of one server: status from Get-CsWindowsService, start mode from
        Get-Service (StartType; None where the shell's .NET does not report it)."""
        found = self.query('Get-CsWindowsService', {'Name': CHAT_SERVICE, 'ComputerName': computer})
        if not found:
            return []
        windows = self.query('Get-Service', {'ComputerName': computer, 'Name': CHAT_SERVICE},
                             select=['Name', 'DisplayName', 'Status', 'StartType'])
        mode = start_mode(_first(windows[0], 'StartType')) if windows else None
        return [{'name': _as_text(_first(found[0], 'Name')) or CHAT_SERVICE,
                 'display_name': _as_text(_first(found[0], 'DisplayName')),
                 'status': service_status(_first(found[0], 'Status')), 'start_mode': mode}]

    def _legacy_pool_fqdns(self):
        fqdns = set()
        for application in self.query('Get-CsTrustedApplication'):
            application_id = _as_text(_first(application, 'ApplicationId')) or ''
            identity = _as_text(_first(application, 'Identity')) or ''
            if not LEGACY_APPLICATION_ID.search(application_id or identity.partition('/')[2]):
                continue
            pool = _as_text(_first(application, 'TrustedApplicationPoolFqdn')) or identity.partition('/')[0]
            if pool:
                fqdns.add(_strip_prefix(pool, 'TrustedApplicationPool').lower())
        return sorted(fqdns)

    def _legacy_pool(self, fqdn):
        computers = [_as_text(_first(c, 'Fqdn', 'Identity')) for c in self.query('Get-CsTrustedApplicationComputer', {'Pool': fqdn})]
        servers = []
        for computer in sorted(c.lower() for c in computers if c):
            server = {'fqdn': computer, 'active': True, 'services': self._legacy_services(computer)}
            server['state'] = server_state(server)
            servers.append(server)
        pool = {'fqdn': fqdn, 'kind': 'group_chat_2010', 'version': LEGACY_VERSION, 'pool_state': None,
                'servers': servers, 'counts': {'categories': None, 'rooms': None, 'members': None, 'messages': None}}
        pool['state'] = pool_state(pool)
        return pool

    def _legacy_services(self, computer):
        found = self.query('Get-Service', {'ComputerName': computer, 'DisplayName': list(LEGACY_SERVICE_DISPLAY_NAMES)},
                           select=['Name', 'DisplayName', 'Status', 'StartType'])
        services = [{'name': _as_text(_first(s, 'Name')), 'display_name': _as_text(_first(s, 'DisplayName')),
                     'status': service_status(_first(s, 'Status')), 'start_mode': start_mode(_first(s, 'StartType'))}
                    for s in found]
        return sorted((s for s in services if s['name']), key=lambda s: s['name'].lower())

    # -- server state ------------------------------------------------------------------------------------
    def set_server_state(self, pool, server_fqdn, state):
        if state not in ('started', 'stopped', 'disabled'):
            raise PchatError('unknown server state %r; use started, stopped or disabled.' % (state,))
        server_fqdn = validate_fqdn(server_fqdn, 'server')
        known = [s['fqdn'].lower() for s in pool.get('servers') or []]
        if known and server_fqdn not in known:
            raise PchatError('server %r is not in pool %r (its servers: %s).' % (server_fqdn, pool['fqdn'], ', '.join(known)))
        if pool.get('kind') == 'persistent_chat_2013':
            services = self._chat_services(server_fqdn)
            if not services:
                raise PchatError('Get-CsWindowsService found no %s service on %s (pool %s); is Persistent Chat '
                                 'installed there?' % (CHAT_SERVICE, server_fqdn, pool['fqdn']))
            start = ('Start-CsWindowsService', {'Name': CHAT_SERVICE, 'ComputerName': server_fqdn})
            stop = ('Stop-CsWindowsService', {'Name': CHAT_SERVICE, 'ComputerName': server_fqdn, 'Graceful': None})
            self._converge(server_fqdn, services[0], state, [start], [stop])
            return
        services = self._legacy_services(server_fqdn)
        if not services:
            raise PchatError('no Group Chat service (display name like %s) found on %s (pool %s); check the server '
                             'name and that Group Chat is installed there.'
                             % (' or '.join(LEGACY_SERVICE_DISPLAY_NAMES), server_fqdn, pool['fqdn']))
        for service in services:
            # Stop-Service and Start-Service have no -ComputerName: pipe the remote service object to them.
            lookup = ('Get-Service', {'ComputerName': server_fqdn, 'Name': service['name']})
            self._converge(server_fqdn, service, state, [lookup, ('Start-Service', {})],
                           [lookup, ('Stop-Service', {'Force': None})])

    def _converge(self, server_fqdn, service, state, start_pipeline, stop_pipeline):
        """Start or stop one service and set its start mode, doing only what differs from now."""
        def set_mode(mode):
            self.execute([('Set-Service', {'ComputerName': server_fqdn, 'Name': service['name'], 'StartupType': mode})])

        running = service['status'] == 'running'
        if state == 'started':
            if service['start_mode'] == 'disabled':
                set_mode('Automatic')  # a disabled service cannot start
            if not running:
                self.execute(start_pipeline)
            return
        if running:
            self.execute(stop_pipeline)
        if state == 'disabled' and service['start_mode'] != 'disabled':
            set_mode('Disabled')
        elif state == 'stopped' and service['start_mode'] == 'disabled':
            set_mode('Manual')  # stopped but not kept from starting, as the lab driver does

    # -- endpoints ---------------------------------------------------------------------------------------
    def get_endpoints(self, sip_address=None):
        if sip_address:
            normalize_sip(sip_address)
            found = self.query('Get-CsPersistentChatEndpoint', {'Identity': sip_address}, allow_error=_all_not_found)
        else:
            found = self.query('Get-CsPersistentChatEndpoint')
        endpoints = [parse_endpoint(obj) for obj in found]
        endpoints = [e for e in endpoints if e['sip_address'] and (not sip_address or sip_equal(e['sip_address'], sip_address))]
        if any(e['pool_fqdn'] is None for e in endpoints):
            self._fill_pools(endpoints)
        return sorted(endpoints, key=lambda e: e['sip_address'].lower())

    def _fill_pools(self, endpoints):
        """Where the endpoint object names no pool, ask each Persistent Chat pool for its endpoints."""
        for fqdn in self._persistent_chat_pool_fqdns():
            members = [parse_endpoint(o) for o in self.query('Get-CsPersistentChatEndpoint', {'PersistentChatPoolFqdn': fqdn})]
            for endpoint in endpoints:
                if endpoint['pool_fqdn'] is None and any(sip_equal(m['sip_address'], endpoint['sip_address']) for m in members):
                    endpoint['pool_fqdn'] = fqdn

    def new_endpoint(self, sip_address, pool_fqdn, display_name=None):
        normalize_sip(sip_address)
        pool_fqdn = validate_fqdn(pool_fqdn, 'Persistent Chat pool')
        parameters = {'SipAddress': sip_address, 'PersistentChatPoolFqdn': pool_fqdn}
        if display_name is not None:
            parameters['DisplayName'] = display_name
        parameters['PassThru'] = None
        created = [parse_endpoint(o) for o in self.query('New-CsPersistentChatEndpoint', parameters)]
        created = [e for e in created if e['sip_address']]
        if not created:
            created = self.get_endpoints(sip_address)
        if not created:
            raise PchatError('New-CsPersistentChatEndpoint -SipAddress %r reported no error but the endpoint cannot '
                             'be read back; check Get-CsPersistentChatEndpoint -Identity %r on %s (AD replication?).'
                             % (sip_address, sip_address, self.host))
        endpoint = created[0]
        if endpoint['pool_fqdn'] is None:
            endpoint['pool_fqdn'] = pool_fqdn  # created on that pool a moment ago
        return endpoint

    def remove_endpoint(self, endpoint):
        sip_address = endpoint['sip_address'] if isinstance(endpoint, dict) else endpoint
        normalize_sip(sip_address)
        self.execute([('Remove-CsPersistentChatEndpoint', {'Identity': sip_address, 'Force': None})])

    def close(self):
        self.transport.close()


def _all_not_found(errors):
    """True when every error says the identity was not found (Get- with -Identity of an absent object)."""
    for error in errors:
        fq_error = error.get('fq_error') or ''
        if not (error.get('category') == _OBJECT_NOT_FOUND_CATEGORY or 'notfound' in fq_error.lower()
                or _NOT_FOUND.search(error.get('message') or '')):
            return False
    return True
