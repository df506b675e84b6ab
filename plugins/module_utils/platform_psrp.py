# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``psrp`` driver: the Lync Server Management Shell over PowerShell remoting (pypsrp).

Every remote call goes through one seam, ``PsrpPlatform.run(pipeline)``: a pipeline is a list of
``(cmdlet, {parameter: value})`` stages that pypsrp sends as cmdlet commands with named parameters
(``PowerShell.add_cmdlet(...).add_parameter(...)``). No value is ever formatted into script text, and the
driver sends no script at all. A parameter value of ``None`` is a switch (pypsrp's convention). Reads end in
``ConvertTo-Json -Depth 4 -Compress`` and are parsed here, so property names, not PowerShell formatting, are
what the driver depends on; docs/psrp.md lists each invocation and each property name assumed. The transport
also returns the warning stream, which the data-migration operations (Export-/Import-CsPersistentChatData) report.

This driver has not been run against a live Lync server; it is tested on the exact invocations it sends and on
parsing output shaped as the cmdlets' documentation shows.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
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

# Data migration (Export-/Import-CsPersistentChatData).
EXPORT_CMDLET = 'Export-CsPersistentChatData'
IMPORT_CMDLET = 'Import-CsPersistentChatData'
MAX_LISTED_ERRORS = 20  # error records quoted in a data-migration failure message (all are in details)
# A named SQL Server instance: at most 16 characters, a letter or underscore first, then letters, digits, _ $ #.
_SQL_INSTANCE = re.compile(r'^[A-Za-z_][A-Za-z0-9_$#]{0,15}$')
# An absolute path on the (Windows) psrp host: drive letter or UNC share.
_WINDOWS_ABSOLUTE = re.compile(r'^(?:[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/][^\\/]+[\\/])')
_WINDOWS_BAD_PATH_CHARACTERS = re.compile(r'[<>"|?*\x00-\x1f]')
_CONTROL_CHARACTERS = re.compile(r'[\x00-\x1f\x7f]')
# ISO 8601 as accepted for ``since``: a date, optionally a time (T or space), optionally Z or an offset.
_ISO_DATETIME = re.compile(r'^(\d{4})-(\d{2})-(\d{2})'
                           r'(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?'
                           r'(Z|[+-]\d{2}:?\d{2})?)?$')


def _ps_value(value):
    """A parameter value as it would be typed, for messages only (never sent)."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return ':$true' if value else ':$false'  # -Switch:$false, the form that also suits switch parameters
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


def validate_db_instance(value, what='DBInstance'):
    """``sqlserver.fqdn`` or ``sqlserver.fqdn\\instance``, the form -DBInstance of Export-/Import-CsPersistentChatData
    takes. Returns it with the FQDN in lower case (the instance name as given), or raises PchatError."""
    expected = ("expected the SQL Server's FQDN, optionally followed by a backslash and the named instance, "
                "like 'gcsql.contoso.com\\gcinstance' or 'gcsql.contoso.com' (default instance)")
    if not isinstance(value, str) or not value:
        raise PchatError('%s %r is empty; %s.' % (what, value, expected))
    host, sep, instance = value.partition('\\')
    try:
        fqdn = validate_fqdn(host, what)
    except PchatError:
        fqdn = None
    if fqdn is None:
        raise PchatError('%s %r: %r is not a fully qualified domain name; %s.' % (what, value, host, expected))
    if sep and not _SQL_INSTANCE.match(instance):
        raise PchatError('%s %r: %r is not a SQL Server instance name (at most 16 characters: a letter or _ first, '
                         'then letters, digits, _, $ or #); %s.' % (what, value, instance, expected))
    return fqdn + sep + instance


def validate_db_name(value, what='DBName'):
    """A SQL database name for -DBName: a non-empty string of at most 128 characters without control characters."""
    if not isinstance(value, str) or not value or len(value) > 128 or _CONTROL_CHARACTERS.search(value):
        raise PchatError('%s %r is not a SQL database name (1 to 128 characters, no control characters).' % (what, value))
    return value


def validate_zip_path(value, what='file_name'):
    """The full path of a .zip file on the psrp host (drive letter or UNC), returned untouched, or PchatError."""
    example = 'like C:\\PchatMigration\\groupchat.zip'
    if not isinstance(value, str) or not value.strip():
        raise PchatError('%s %r is empty; expected the full path of a .zip file on the psrp host, %s.' % (what, value, example))
    if _WINDOWS_BAD_PATH_CHARACTERS.search(value):
        raise PchatError('%s %r contains a character Windows does not allow in a path (< > " | ? * or a control '
                         'character); expected a path %s.' % (what, value, example))
    if not _WINDOWS_ABSOLUTE.match(value):
        raise PchatError('%s %r is not an absolute path on the psrp host (a relative path would resolve against the '
                         "remote session's working folder); give a drive or UNC path, %s." % (what, value, example))
    if not value.lower().endswith('.zip'):
        raise PchatError('%s %r does not end in .zip; Export-CsPersistentChatData writes a .zip file and '
                         'Import-CsPersistentChatData reads one (%s).' % (what, value, example))
    return value


def ps_datetime(value, what='since'):
    """The text sent for a [DateTime] parameter such as -StartDate: ISO 8601 ``yyyy-MM-ddTHH:mm:ss``, with
    ``.ffffff`` when there are microseconds and ``+hh:mm`` when the value has an offset.

    pypsrp 0.9 cannot send a DateTime (a Python datetime goes as its str(), and a tagged ``<DT>`` is written empty),
    so the value travels as a string parameter value, and PowerShell's parameter binder converts it to [DateTime];
    that conversion uses the invariant culture, for which this form is unambiguous. A date means its midnight.
    Without an offset the time is read as the psrp host's local time; with one (``Z`` included) it is converted to
    that local time.

    ``value`` is a ``datetime.date``, a ``datetime.datetime`` or an ISO 8601 string (``2012-03-01``,
    ``2012-03-01T08:30``, ``2012-03-01 08:30:00Z``, ``2012-03-01T08:30:00+02:00``); anything else is a PchatError.
    """
    if isinstance(value, datetime.datetime):
        parts = (value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)
        offset = value.utcoffset()
        offset = None if offset is None else int(offset.total_seconds()) // 60
    elif isinstance(value, datetime.date):
        parts, offset = (value.year, value.month, value.day, 0, 0, 0, 0), None
    elif isinstance(value, str):
        parts, offset = _parse_iso_datetime(value.strip(), what)
    else:
        raise PchatError('%s %r is neither a date, a datetime nor an ISO 8601 string like 2012-03-01 or '
                         '2012-03-01T08:30:00.' % (what, value))
    text = '%04d-%02d-%02dT%02d:%02d:%02d' % parts[:6]
    if parts[6]:
        text += '.%06d' % parts[6]
    if offset is not None:
        text += '%s%02d:%02d' % ('-' if offset < 0 else '+', abs(offset) // 60, abs(offset) % 60)
    return text


def _parse_iso_datetime(text, what):
    match = _ISO_DATETIME.match(text)
    invalid = PchatError('%s %r is not an ISO 8601 date or date and time; write it like 2012-03-01, '
                         '2012-03-01T08:30:00 or 2012-03-01T08:30:00+02:00.' % (what, text))
    if not match:
        raise invalid
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    parts = (int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
             int((fraction or '').ljust(6, '0')))
    try:
        valid = datetime.datetime(*parts) is not None
    except ValueError:
        valid = False
    if not valid:
        raise invalid
    offset = None
    if zone == 'Z':
        offset = 0
    elif zone:
        digits = zone[1:].replace(':', '')
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise invalid
        offset = (hours * 60 + minutes) * (-1 if zone[0] == '-' else 1)
    return parts, offset


class PsrpTransport(object):
    """pypsrp underneath the seam: one runspace pool (one runspace, so an imported module stays loaded), one
    PowerShell pipeline per call. ``run`` returns (output objects, error dicts, warning texts); failures to
    connect or to authenticate raise PchatError naming the endpoint and what to check."""

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
        warnings = [self._scrub(getattr(record, 'message', None) or record) for record in ps.streams.warning]
        return output, errors, warnings

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
        self._ensure_session()
        return self._call(pipeline, allow_error=allow_error)

    def run_streams(self, pipeline):
        """Run one pipeline and return (output, error dicts, warning texts) without raising on cmdlet errors:
        for the callers that report the error and warning streams themselves (the data migration)."""
        self._ensure_session()
        return self._transport_run(pipeline)

    def _ensure_session(self):
        if not self._session_ready:
            self._session_ready = True  # set first: a failed import is reported once, not before every call
            self._call([('Import-Module', {'Name': LYNC_MODULE})],
                       hint='psrp_host must be a server with the Lync Server 2013 Management Shell installed')

    def _transport_run(self, pipeline):
        """The transport's (output, errors, warnings); a transport that returns only (output, errors) has no warnings."""
        result = self.transport.run(pipeline)
        warnings = list(result[2]) if len(result) > 2 else []
        return result[0], result[1], warnings

    def _call(self, pipeline, hint=None, allow_error=None):
        output, errors, unused_warnings = self._transport_run(pipeline)
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
        counts = self._room_counts(fqdn)
        return {'categories': counts['categories'], 'rooms': counts['rooms'], 'members': counts['members'], 'messages': None}

    def _room_counts(self, fqdn):
        categories = self.query('Get-CsPersistentChatCategory', {'PersistentChatPoolFqdn': fqdn})
        rooms = self.query('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': fqdn, 'ResultSize': MAX_RESULT_SIZE})
        # Members as the lab counts them: every room role assignment (members, managers, presenters).
        members = sum(len(_as_list(_first(room, role))) for room in rooms for role in ('Members', 'Managers', 'Presenters'))
        # Disabled rooms from each room's Disabled property (assumed name, the parameter of Set-CsPersistentChatRoom);
        # None when rooms were returned and none carries the property.
        flags = [_disabled_flag(room) for room in rooms]
        known = [flag for flag in flags if flag is not None]
        disabled = sum(1 for flag in known if flag) if known or not rooms else None
        return {'categories': len(categories), 'rooms': len(rooms), 'disabled_rooms': disabled, 'members': members}

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

    # -- data migration ----------------------------------------------------------------------------------
    def export_chat_data(self, db_instance, file_name, since=None, db_name=None):
        """Export a chat database to a .zip file on the psrp host:
        ``Export-CsPersistentChatData -DBInstance <db_instance> -FileName <file_name> [-DBName <db_name>]
        [-StartDate <since>]``, Level left at its default (All).

        ``db_instance`` is the SQL Server of the database to export (for the cutover: the Group Chat 2010
        database), ``sqlserver.fqdn`` or ``sqlserver.fqdn\\instance``; ``db_name`` names the database when it is
        not the default. ``file_name`` is the full path of the .zip file on the psrp host. ``since`` (a date, a
        datetime or an ISO 8601 string) becomes -StartDate as ISO 8601 text (see ``ps_datetime``).
        Everything is validated before anything is sent. Returns {'command', 'parameters' (what was sent),
        'invocation' (the same as typed), 'warnings' (the warning stream)}; errors raise PchatError listing
        the error records."""
        parameters = {'DBInstance': validate_db_instance(db_instance), 'FileName': validate_zip_path(file_name)}
        if db_name is not None:
            parameters['DBName'] = validate_db_name(db_name)
        if since is not None:
            parameters['StartDate'] = ps_datetime(since)
        pipeline = [(EXPORT_CMDLET, parameters)]
        unused_output, errors, warnings = self.run_streams(pipeline)
        if errors:
            raise self._migration_error(
                pipeline, errors, warnings,
                'Nothing was imported. Check that %s is the SQL Server (and instance) of the database to export%s, '
                'that the connecting account can read that database, and that the folder of %s exists on %s and the '
                'account may write there.' % (parameters['DBInstance'], ' (database %s)' % db_name if db_name else '',
                                              file_name, self.host))
        return self._migration_result(pipeline, warnings)

    def import_chat_data(self, db_instance, file_name, what_if=False):
        """Import a .zip written by Export-CsPersistentChatData into a Persistent Chat database:
        ``Import-CsPersistentChatData -DBInstance <db_instance> -FileName <file_name> [-WhatIf] -Confirm:$false``.

        ``db_instance`` is the SQL Server (and instance) of the Persistent Chat database; ``file_name`` the full
        path of the .zip on the psrp host. ``what_if=True`` adds -WhatIf: the cmdlet reports the conversions it
        would make as warnings and changes nothing, which is the gate before the real import. -Confirm is sent
        as the value False (``-Confirm:$false``) so that no confirmation prompt can stop a session that has no
        one to answer it. Returns {'warnings', 'what_if', 'command', 'parameters', 'invocation'}. Errors raise
        PchatError naming the cmdlet and listing the error records (the first 20; all are in details)."""
        parameters = {'DBInstance': validate_db_instance(db_instance), 'FileName': validate_zip_path(file_name)}
        if what_if:
            parameters['WhatIf'] = None
        parameters['Confirm'] = False
        pipeline = [(IMPORT_CMDLET, parameters)]
        unused_output, errors, warnings = self.run_streams(pipeline)
        if errors:
            if what_if:
                outcome = ('This was the -WhatIf run: the real import was not run and nothing was written to %s. Fix '
                           'what the errors name (e.g. principals not provisioned in AD) and run the -WhatIf import '
                           'again.' % parameters['DBInstance'])
            else:
                outcome = ('The real import may have written part of the data to %s: compare Get-CsPersistentChatRoom '
                           'and Get-CsPersistentChatCategory counts with those taken before, and restore the '
                           'Persistent Chat database from its backup before importing again.' % parameters['DBInstance'])
            raise self._migration_error(pipeline, errors, warnings, outcome)
        result = self._migration_result(pipeline, warnings)
        result['what_if'] = bool(what_if)
        return result

    def room_counts(self, pool_fqdn):
        """Categories and rooms of a Persistent Chat pool, read with Get-CsPersistentChatCategory and
        Get-CsPersistentChatRoom -PersistentChatPoolFqdn: {'categories': n, 'rooms': n, 'disabled_rooms': n or
        None, 'members': n}. No cmdlet counts messages; the caller compares these before and after an import."""
        return self._room_counts(validate_fqdn(pool_fqdn, 'Persistent Chat pool'))

    def room_details(self, fqdn):
        """Each room of a Persistent Chat pool as {'name', 'disabled', 'messages': None, 'checksum': None}, from
        Get-CsPersistentChatRoom (no cmdlet counts or checksums a room's messages)."""
        rooms = self.query('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': validate_fqdn(fqdn, 'pool'),
                                                        'ResultSize': MAX_RESULT_SIZE})
        return sorted(({'name': _as_text(room, 'Name'), 'disabled': _disabled_flag(room), 'messages': None,
                        'checksum': None} for room in rooms), key=lambda room: (room['name'] or '').lower())

    @staticmethod
    def _migration_result(pipeline, warnings):
        command, parameters = pipeline[0]
        return {'command': command, 'invocation': describe_pipeline(pipeline), 'warnings': list(warnings),
                'parameters': dict((k, '********' if _SECRET_PARAMETER.search(k) else v) for k, v in parameters.items())}

    def _migration_error(self, pipeline, errors, warnings, outcome):
        command, parameters = pipeline[0]
        shown = errors[:MAX_LISTED_ERRORS]
        listed = '; '.join('%d) %s' % (number, error.get('message') or 'unknown error')
                           for number, error in enumerate(shown, 1))
        if len(errors) > len(shown):
            listed += '; ... (the first %d of %d error records; all are in details)' % (len(shown), len(errors))
        return PchatError('%s failed on %s with %d error record(s): %s. %s (%s needs CsPersistentChatAdministrator '
                          'and SQL access of the connecting account to the database.)'
                          % (describe_pipeline(pipeline), self.host, len(errors), listed, outcome, command),
                          details={'host': self.host, 'command': command,
                                   'parameters': self._migration_result(pipeline, warnings)['parameters'],
                                   'error_count': len(errors), 'errors': errors, 'warnings': list(warnings)})

    def close(self):
        self.transport.close()


def _disabled_flag(room):
    """A room's Disabled property as True/False, or None when the object has none."""
    for key, value in (room.items() if isinstance(room, dict) else ()):
        if key.lower() == 'disabled':
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ('true', 'false'):
                return value.strip().lower() == 'true'
    return None


def _all_not_found(errors):
    """True when every error says the identity was not found (Get- with -Identity of an absent object)."""
    for error in errors:
        fq_error = error.get('fq_error') or ''
        if not (error.get('category') == _OBJECT_NOT_FOUND_CATEGORY or 'notfound' in fq_error.lower()
                or _NOT_FOUND.search(error.get('message') or '')):
            return False
    return True
