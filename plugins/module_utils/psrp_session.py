# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell-remoting session to a Lync front end (pypsrp): one runspace pool per module run, one pipeline
per cmdlet call, nothing but cmdlets with named parameters (never script text, so no value is ever parsed as
code), and the module holding the Lync cmdlets (``Lync`` on Lync Server 2013, ``SkypeForBusiness`` on Skype for
Business Server 2015) loaded on the WinRM path before the first Lync cmdlet.

``LyncSession.call(cmdlet, parameters)`` returns a CallResult: the deserialised output objects exactly as pypsrp
gives them (read with psrp_objects), the error records and the warnings. Connection and authentication failures
raise PchatError naming the endpoint and what to check; errors of the cmdlet itself are the caller's to judge.

``psrp_auth: kerberos`` needs no password: pypsrp (pyspnego on python-gssapi, MIT krb5) takes the ticket from the
cache (``KRB5CCNAME``) or MIT krb5 gets one from a client keytab (``KRB5_CLIENT_KTNAME``); ``psrp_username``, if set,
picks the principal (``user@REALM``). pypsrp asks for the service principal ``host/<psrp_host>``. A password, if
given, is used by pyspnego to get a ticket in memory.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time
import traceback

from ansible_collections.pchat.cutover.plugins.module_utils import kerberos
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_objects import Props

try:
    import requests.exceptions
    from pypsrp.complex_objects import PSCredential
    from pypsrp.exceptions import AuthenticationError, WinRMError, WinRMTransportError
    from pypsrp.complex_objects import PSInvocationState
    from pypsrp.exceptions import WSManFaultError
    from pypsrp.powershell import PowerShell, RunspacePool
    from pypsrp.shell import SignalCode
    from pypsrp.wsman import SelectorSet, WSMan
    from spnego.exceptions import SpnegoError
except ImportError:
    PYPSRP_IMPORT_ERROR = traceback.format_exc()
else:
    PYPSRP_IMPORT_ERROR = None

# What a Kerberos failure surfaces as: pyspnego's errors, or python-gssapi's when pyspnego lets one through.
KERBEROS_ERRORS = ()
if PYPSRP_IMPORT_ERROR is None:
    KERBEROS_ERRORS = (SpnegoError,)
    try:
        import gssapi.exceptions
        KERBEROS_ERRORS += (gssapi.exceptions.GSSError,)
    except ImportError:
        pass
# What opening a pool and running a pipeline raise when the connection or the logon fails (built once, as tuples).
OPEN_ERRORS = ()
CALL_ERRORS = ()
if PYPSRP_IMPORT_ERROR is None:
    CALL_ERRORS = (WinRMError, requests.exceptions.RequestException, OSError) + KERBEROS_ERRORS
    OPEN_ERRORS = CALL_ERRORS + (ImportError, ValueError)
# psrp_auth=credssp: requests-credssp (pypsrp[credssp]) raises its own error when the front end refuses CredSSP.
CREDSSP_ERRORS = ()
try:
    from requests_credssp.exceptions import AuthenticationException as CredSSPAuthenticationError
    CREDSSP_ERRORS = (CredSSPAuthenticationError,)
    OPEN_ERRORS += CREDSSP_ERRORS
except ImportError:
    pass
CREDSSP_DOC = 'https://learn.microsoft.com/powershell/module/microsoft.wsman.management/enable-wsmancredssp'
KERBEROS_SERVICE = 'host'  # the SPN service pypsrp asks for (its negotiate_service default)

LYNC_MODULE = 'Lync'
# The module that holds the cmdlets: Lync on Lync Server 2013, SkypeForBusiness on Skype for Business Server 2015
# (the cmdlet reference's module name; "Skype for Business Server Management Shell"). One Import-Module asks for
# both: the one installed is loaded (its PSModuleInfo comes back with -PassThru), the other is a non-terminating
# "module not found" that is not read: the decision rests on what was loaded, not on an error's wording.
LYNC_MODULES = (LYNC_MODULE, 'SkypeForBusiness')
WSMAN_PATH = 'wsman'
POWERSHELL_RESOURCE = 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell'  # the shells pypsrp opens
SHELL_NOT_FOUND = 2150858843  # 0x8033805B, WinRM's fault for an unknown ShellId (pypsrp's is_alive() reads it so too)
STOP_SECONDS = 120  # how long a stopped cmdlet may take to end before its runspace pool is closed under it
# Names of parameters whose values are never shown (messages show parameter names and values otherwise).
SECRET_WORDS = ('password', 'credential', 'secret')


# System.Management.Automation.ErrorCategory, by value (MS-PSRP sends the number).
ERROR_CATEGORIES = ('NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument',
                    'InvalidData', 'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError',
                    'NotImplemented', 'NotInstalled', 'ObjectNotFound', 'OperationStopped', 'OperationTimeout',
                    'SyntaxError', 'ParserError', 'PermissionDenied', 'ResourceBusy', 'ResourceExists',
                    'ResourceUnavailable', 'ReadError', 'WriteError', 'FromStdErr', 'SecurityError', 'ProtocolError',
                    'ConnectionError', 'AuthenticationError', 'LimitsExceeded', 'QuotaExceeded', 'NotEnabled')


def error_category(value):
    """The ErrorCategory name for its number (or the text as given)."""
    if isinstance(value, int) and 0 <= value < len(ERROR_CATEGORIES):
        return ERROR_CATEGORIES[value]
    return None if value is None else str(value)


def _is_secret(name):
    return any(word in name.lower() for word in SECRET_WORDS)


def describe_call(cmdlet, parameters):
    """``Cmdlet -Name 'value' -Switch -Flag:$false`` as a person would type it, for messages only (never sent);
    secret-looking parameters are masked, long values shortened."""
    text = [cmdlet]
    for name, value in (parameters or {}).items():
        if value is None:
            text.append('-%s' % name)
        elif isinstance(value, bool):
            text.append('-%s:$%s' % (name, 'true' if value else 'false'))
        elif _is_secret(name):
            text.append('-%s ********' % name)
        elif isinstance(value, bytes):
            text.append('-%s <%d bytes>' % (name, len(value)))
        elif isinstance(value, (list, tuple)):
            text.append('-%s %s' % (name, ','.join("'%s'" % str(item).replace("'", "''") for item in value)))
        elif isinstance(value, int):
            text.append('-%s %d' % (name, value))
        else:
            shown = str(value)
            shown = shown if len(shown) <= 200 else shown[:200] + '...'
            text.append("-%s '%s'" % (name, shown.replace("'", "''")))
    return ' '.join(text)


class Stopped(PchatError):
    """A long cmdlet was stopped before it ended (the operator interrupted the run, or the unit's lease was lost).
    ``ended``: the front end confirmed that the pipeline ended (True), or it did not within the wait and its runspace
    pool was closed under it (False: whether it still works there is unknown)."""

    def __init__(self, msg, reason, ended, seconds):
        super(Stopped, self).__init__(msg, details={'stopped': reason, 'ended_on_front_end': ended,
                                                    'seconds': round(seconds, 1)})
        self.reason = reason
        self.ended = ended


class Credential(object):
    """A user name and password to send as a PSCredential parameter (its password a SecureString: the session
    exchanges keys with the front end first, as MS-PSRP requires). It never shows the password."""

    __slots__ = ('username', 'password')

    def __init__(self, username, password):
        self.username = username
        self.password = password

    def __repr__(self):
        return 'Credential(%r, ********)' % self.username

    __str__ = __repr__


class CallResult(object):
    """What one pipeline returned: ``output`` (pypsrp objects), ``errors`` (error dicts: message, error_id,
    category, target), ``warnings`` (texts), ``failed`` (True when the pipeline ended Failed: a terminating
    error)."""

    def __init__(self, output, errors, warnings, failed):
        self.output = output
        self.errors = errors
        self.warnings = warnings
        self.failed = failed


class LyncSession(object):
    """One runspace pool on the front end, opened on the first call and closed by ``close``."""

    def __init__(self, params, stop_reason=None):
        # stop_reason(): None to go on, or why this module must not send anything more (an operator's interrupt, the
        # unit's lease lost): checked before every pipeline and while a long one runs.
        self.stop_reason = stop_reason or (lambda: None)
        self.host = params.get('psrp_host')
        if not self.host:
            raise PchatError('no Lync front end given: set psrp_host (or PCHAT_PSRP_HOST), the server whose remote '
                             'PowerShell runs the Lync Server Management Shell cmdlets.')
        self.ssl = params.get('psrp_ssl', True)
        self.port = params.get('psrp_port') or (5986 if self.ssl else 5985)
        self.path = params.get('psrp_path') or WSMAN_PATH
        self.username = params.get('psrp_username') or None  # '' (an emptied variable) is not a user
        self.password = params.get('psrp_password') or None
        self.auth = params.get('psrp_auth') or 'negotiate'
        if self.auth == 'kerberos' and self.username and '\\' in self.username:
            raise PchatError('with psrp_auth=kerberos, psrp_username names a Kerberos principal, user@REALM (for '
                             'example lyncadmin@CONTOSO.COM), not "%s"; leave it unset to use the ticket cache\'s '
                             'default principal.' % self.username)
        ca_file = params.get('psrp_ca_file')
        if not params.get('psrp_cert_validation', True):
            self.cert_validation = False
        else:
            self.cert_validation = ca_file or True
        self.pool = None
        self.lync_loaded = self.path.lower() != WSMAN_PATH  # Lync's own endpoint has the cmdlets at once
        self.lync_module = None  # Lync or SkypeForBusiness, once imported (None on Lync's own endpoint)
        self.pipelines = 0
        self.secrets = set(p for p in (self.password,) if p)  # texts never shown in a message

    @property
    def endpoint(self):
        return '%s://%s:%d/%s' % ('https' if self.ssl else 'http', self.host, self.port, self.path)

    @property
    def on_winrm(self):
        return self.path.lower() == WSMAN_PATH

    def _scrub(self, text):
        text = str(text)
        for secret in self.secrets:
            text = text.replace(secret, '********')
        return text

    @property
    def service_principal(self):
        return '%s/%s' % (KERBEROS_SERVICE, self.host)

    def _kerberos_error(self, exc):
        text = self._scrub(exc)
        kind, hint = kerberos.describe(text, self.service_principal, self.username)
        message = ('PowerShell remoting to %s failed: Kerberos authentication (service principal %s) failed: %s. '
                   'Kerberos settings: %s. Error: %s'
                   % (self.endpoint, self.service_principal, hint, kerberos.settings_in_use(), text))
        return PchatError(message,
                          details={'endpoint': self.endpoint, 'error_type': exc.__class__.__name__,
                                   'kerberos_failure': kind, 'service_principal': self.service_principal})

    def _connection_error(self, exc):
        if isinstance(exc, KERBEROS_ERRORS):
            return self._kerberos_error(exc)
        what = self._scrub(exc) or exc.__class__.__name__
        refused = isinstance(exc, (AuthenticationError,) + CREDSSP_ERRORS) or (
            isinstance(exc, WinRMTransportError) and getattr(exc, 'code', None) == 401)
        if isinstance(exc, CREDSSP_ERRORS) and 'available authentication method' in str(exc):
            # requests-credssp: "The server did not response CredSSP being an available authentication method"
            hint = ('the front end does not accept CredSSP (psrp_auth=credssp): enable it there, as an administrator, '
                    'with Enable-WSManCredSSP -Role Server (%s), or use psrp_auth=negotiate with Kerberos '
                    'delegation for the second hop to the chat and SQL servers' % CREDSSP_DOC)
        elif refused and self.auth == 'kerberos':
            hint = ('the front end refused the Kerberos ticket of %s for %s: the account may not use remote '
                    'PowerShell there, the server does not accept Kerberos on this endpoint, or its keys for that '
                    'SPN changed since the ticket was issued (kdestroy, then get a new ticket)'
                    % (self.username or 'the default principal', self.service_principal))
        elif refused:
            hint = ('authentication as %r with psrp_auth=%s was refused; check psrp_username (DOMAIN\\user or '
                    'user@domain), psrp_password and psrp_auth (a front end that refuses NTLM needs '
                    'psrp_auth=kerberos)' % (self.username, self.auth))
        elif isinstance(exc, WinRMTransportError) and getattr(exc, 'code', None) == 404:
            hint = ('no remote PowerShell endpoint answers at that path; check psrp_path (wsman for WinRM, '
                    'OcsPowershell for Lync\'s own endpoint) and psrp_port')
        elif isinstance(exc, requests.exceptions.SSLError):
            hint = ('the TLS handshake failed: the certificate did not validate. Set psrp_ca_file to the CA that issued '
                    'the front end\'s certificate and use a psrp_host the certificate names; psrp_cert_validation=false '
                    'turns the check off, which lets anyone on the path read the password')
        elif isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            hint = ('the endpoint cannot be reached or dropped the connection; check psrp_host, psrp_port and psrp_ssl, '
                    'that the listener runs there and that no firewall blocks the port')
        elif isinstance(exc, ImportError):
            hint = ('psrp_auth=%s needs an extra library on the controller (credssp: pip install requests-credssp; '
                    'kerberos: pip install pypsrp[kerberos])' % self.auth)
        else:
            hint = 'check psrp_host, psrp_port, psrp_path, psrp_ssl and psrp_auth'
        return PchatError('PowerShell remoting to %s failed: %s. Error: %s' % (self.endpoint, hint, what),
                          details={'endpoint': self.endpoint, 'error_type': exc.__class__.__name__})

    def _lost_during(self, cmdlet, parameters, exc):
        """The connection was lost after the pool opened, while a pipeline was sent or ran: the settings are right,
        and whether the cmdlet ran is unknown (a WinRM command whose client went away runs to its end)."""
        if isinstance(exc, requests.exceptions.SSLError):
            return self._connection_error(exc)
        return PchatError(
            'PowerShell remoting to %s lost the connection while %s was sent or running: the front end answered '
            'before, so the connection settings are right, but whether the cmdlet ran there is unknown (a command '
            'whose client went away runs to its end on the front end). Check that %s answers again, then run the task '
            'again: it reads what is there first and does only what is left. Error: %s'
            % (self.endpoint, describe_call(cmdlet, parameters), self.host, self._scrub(exc) or exc.__class__.__name__),
            details={'endpoint': self.endpoint, 'cmdlet': cmdlet, 'error_type': exc.__class__.__name__})

    def _open(self):
        try:
            wsman = WSMan(self.host, port=self.port, path=self.path, username=self.username, password=self.password,
                          ssl=self.ssl, auth=self.auth, cert_validation=self.cert_validation)
            pool = RunspacePool(wsman)
            pool.open()
        except OPEN_ERRORS as exc:
            raise self._connection_error(exc)
        self.pool = pool

    def _pipeline(self, cmdlet, parameters):
        """A PowerShell of one cmdlet with named parameters, once nothing says to stop."""
        reason = self.stop_reason()
        if reason:
            raise Stopped('%s was not sent to %s: %s.' % (cmdlet, self.host, reason), reason, True, 0)
        if self.pool is None:
            self._open()
        ps = PowerShell(self.pool)
        ps.add_cmdlet(cmdlet)
        for name, value in (parameters or {}).items():
            if isinstance(value, Credential):
                value = self._credential(value)
            ps.add_parameter(name, value)
        self.pipelines += 1
        return ps

    def _result(self, ps):
        errors = [self.error_dict(record) for record in ps.streams.error]
        warnings = [self._scrub(getattr(record, 'message', None) or record) for record in ps.streams.warning]
        return CallResult(ps.output, errors, warnings, failed=bool(ps.had_errors))

    def _invoke(self, cmdlet, parameters):
        ps = self._pipeline(cmdlet, parameters)
        try:
            ps.invoke()
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise self._lost_during(cmdlet, parameters, exc)
        except CALL_ERRORS as exc:
            raise self._connection_error(exc)
        return self._result(ps)

    @property
    def runspace_id(self):
        """The id of this session's runspace pool (its WinRM shell) on the front end, the pool opened and the Lync
        module loaded first: a long cmdlet's record names it before the cmdlet is sent, so that a later run can
        close that shell if this process dies while the cmdlet works."""
        self.load_lync()
        return str(self.pool.id).upper()

    def call_long(self, cmdlet, parameters, watch=None, poll_seconds=1, stop_seconds=STOP_SECONDS):
        """Run a cmdlet that can take hours (an export, an import) so that it can be watched and stopped: begin it,
        then read its streams every ``poll_seconds``; each time ``watch(elapsed_seconds, progress)`` (progress: the
        newest progress record as ``{'activity', 'status', 'percent'}``, or None) may return a reason to stop, as
        ``stop_reason()`` may. On a reason the pipeline is stopped as Ctrl+C stops it in PowerShell (the stop signal),
        its end awaited up to ``stop_seconds``, and its runspace pool closed when it did not end; Stopped says which.
        Returns the CallResult as ``call`` does."""
        self.load_lync()
        ps = self._pipeline(cmdlet, parameters)
        started = time.monotonic()
        try:
            ps.begin_invoke()
            while ps.state == PSInvocationState.RUNNING:
                ps.poll_invoke(timeout=max(1, int(poll_seconds)))
                elapsed = time.monotonic() - started
                reason = self.stop_reason() or (watch(elapsed, self._progress(ps)) if watch else None)
                if reason and ps.state == PSInvocationState.RUNNING:
                    ended = self._stop(ps, stop_seconds)
                    raise Stopped('%s was stopped on %s after %d s: %s. %s' % (
                        cmdlet, self.host, elapsed, reason,
                        'The front end confirmed that it ended.' if ended else
                        'It did not end within %d s, so its runspace pool was closed under it; whether it still '
                        'works on the front end is unknown.' % stop_seconds), reason, ended, elapsed)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise self._lost_during(cmdlet, parameters, exc)
        except CALL_ERRORS as exc:
            raise self._connection_error(exc)
        return self._result(ps)

    @staticmethod
    def _progress(ps):
        records = ps.streams.progress
        if not records:
            return None
        record = records[-1]
        percent = getattr(record, 'percentage_complete', None)
        return {'activity': getattr(record, 'activity', None), 'status': getattr(record, 'description', None),
                'percent': percent if isinstance(percent, int) and percent >= 0 else None}

    def _stop(self, ps, seconds):
        """Send the stop signal and read until the pipeline ends (True) or ``seconds`` pass; then close the runspace
        pool (False)."""
        deadline = time.monotonic() + seconds
        try:
            self.pool.shell.signal(SignalCode.PS_CTRL_C, str(ps.id).upper())
            while ps.state == PSInvocationState.RUNNING and time.monotonic() < deadline:
                ps.poll_invoke(timeout=1)
        except CALL_ERRORS:
            pass  # the front end went away while stopping: closing the pool below is all that is left
        if ps.state != PSInvocationState.RUNNING:
            return True
        self.close()
        return False

    def end_shell(self, shell_id):
        """Close a runspace pool (WinRM shell) this account opened earlier, by its id: a process that died while its
        cmdlet worked left it open, and closing it stops what still runs in it (WinRM's Delete of a shell). True
        when it was there and was closed, False when the front end no longer has it."""
        if self.pool is None:
            self._open()
        selectors = SelectorSet()
        selectors.add_option('ShellId', shell_id)
        try:
            self.pool.connection.delete(POWERSHELL_RESOURCE, selector_set=selectors)
        except WSManFaultError as exc:
            if exc.code == SHELL_NOT_FOUND:
                return False  # no such shell (closed, timed out, or the front end restarted)
            raise PchatError('the runspace pool %s that an earlier run left on %s could not be closed: %s. Close it on '
                             'the front end (Get-WSManInstance -ResourceURI shell -Enumerate; Remove-WSManInstance) and '
                             'run again.' % (shell_id, self.host, self._scrub(exc)))
        except CALL_ERRORS as exc:
            raise self._connection_error(exc)
        return True

    def _credential(self, credential):
        """A PSCredential for pypsrp: its password travels as a SecureString, encrypted with the session key."""
        if credential.password:
            self.secrets.add(credential.password)
        try:
            self.pool.exchange_keys()
        except CALL_ERRORS as exc:
            raise self._connection_error(exc)
        return PSCredential(username=credential.username, password=credential.password)

    def load_lync(self):
        """``Import-Module -Name Lync, SkypeForBusiness -PassThru`` once, on the WinRM path (Lync's own endpoint has
        the cmdlets already): whichever of the two the front end has is loaded; ``lync_module`` names it."""
        if self.lync_loaded:
            return
        result = self._invoke('Import-Module', {'Name': list(LYNC_MODULES), 'PassThru': None})
        names = [Props(item, 'module').text('Name') for item in result.output if item is not None]
        loaded = [name for name in names if name and name.lower() in [m.lower() for m in LYNC_MODULES]]
        if not loaded:
            raise PchatError('Import-Module found neither %s on %s (%s): run the modules against a Lync Server 2013 or '
                             'Skype for Business Server 2015 front end (or a server with its Management Shell), or use '
                             'psrp_path=OcsPowershell.'
                             % (' nor '.join(LYNC_MODULES), self.host,
                                '; '.join(e['message'] for e in result.errors) or 'no module came back'),
                             details={'errors': result.errors})
        self.lync_module = loaded[0]
        self.lync_loaded = True

    def call(self, cmdlet, parameters=None, lync=True):
        """Run one cmdlet (``lync``: a Lync cmdlet, which needs the Lync module first) and return its CallResult."""
        if lync:
            self.load_lync()
        return self._invoke(cmdlet, parameters)

    def error_dict(self, record):
        """An error record as plain text: message (the exception's, or ErrorDetails' when set, as PowerShell shows
        it), error_id (the FullyQualifiedErrorId), category (the ErrorCategory name), target."""
        text = getattr(record, 'details_message', None) or str(record)
        if not text or text == 'None':
            text = str(getattr(record, 'exception', None) or getattr(record, 'message', None) or 'unknown error')
        target = getattr(record, 'target_object', None)
        return {'message': self._scrub(text), 'error_id': getattr(record, 'fq_error', None),
                'category': error_category(getattr(record, 'category', None)),
                'target': None if target is None else self._scrub(target)}

    def close(self):
        if self.pool is not None:
            pool, self.pool = self.pool, None
            try:
                pool.close()
            except (WinRMError, requests.exceptions.RequestException, OSError):
                pass  # the session is being discarded; a failed close must not hide the real result
