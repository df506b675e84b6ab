# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PowerShell endpoint behind both paths: WS-Management shell actions (Create, Command, Send, Receive, Signal,
Delete, Get) onto runspace pools and pipelines (remoting.py), the request log and the connection knobs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import logging
import platform
import threading
import time
import uuid

from psrpcore import (
    CreatePipelineEvent,
    EndOfPipelineInputEvent,
    GetAvailableRunspacesEvent,
    GetCommandMetadataEvent,
    PipelineInputEvent,
    ResetRunspaceStateEvent,
    SetMaxRunspacesEvent,
    SetMinRunspacesEvent,
    StreamType,
)
from psrpcore.types import PSInvocationState

from lab.emulator import api, values, wsman
from lab.emulator.remoting import DropConnection, PipelineRun, PipelineRunner, Pool, log_failure, pool_is_open

log = logging.getLogger('lab.emulator')

POWERSHELL_RESOURCE_PREFIX = 'http://schemas.microsoft.com/powershell/'
_RECEIVE_SLACK = 256  # bytes kept free in a Receive reply besides the measured envelope


def _payload_budget(request, command_id):
    """Raw bytes of PSRP payload that fit a Receive reply to ``request`` (base64 grows them by 4/3)."""
    overhead = (wsman.envelope_overhead(request, wsman.RECEIVE_RESPONSE)
                + wsman.receive_body_overhead(command_id, True) + _RECEIVE_SLACK)
    return max(1024, (request.max_envelope_size - overhead) // 4 * 3)


def _uuid(text, what):
    try:
        return uuid.UUID(text)
    except (TypeError, ValueError):
        raise wsman.BadRequest('%s %r is not a GUID' % (what, text))


class Endpoint(object):
    def __init__(self, shell, request_log, knobs):
        self.shell = shell
        self.request_log = request_log
        self.knobs = knobs
        self.runner = PipelineRunner(shell, knobs)
        self.machine = platform.node()
        self.pools = {}  # UUID -> Pool
        self.pools_lock = threading.Lock()

    # -- entry point ---------------------------------------------------------------------------------------------
    def handle(self, path, user, client_ip, data):
        """``(status, reply bytes)`` for one authenticated POST; raises DropConnection and wsman.BadRequest."""
        request = wsman.parse(data)
        handler = {
            wsman.ACTION_CREATE: self._create,
            wsman.ACTION_COMMAND: self._command,
            wsman.ACTION_SEND: self._send,
            wsman.ACTION_RECEIVE: self._receive,
            wsman.ACTION_SIGNAL: self._signal,
            wsman.ACTION_DELETE: self._delete,
            wsman.ACTION_GET: self._get,
        }.get(request.action)
        try:
            if handler is None:
                raise wsman.Fault(wsman.FAULT_ACTION_NOT_SUPPORTED,
                                  'The WS-Management service cannot process the request: action %s is not offered by '
                                  'the Lync emulator.' % request.action, subcode='a:ActionNotSupported',
                                  soap_code='s:Sender')
            return 200, handler(request, path, user, client_ip)
        except wsman.Fault as fault:
            return 500, wsman.fault(request, fault, self.machine)

    def _pool(self, request, user):
        shell_id = request.shell_id()
        key = _uuid(shell_id, 'ShellId') if shell_id else None
        with self.pools_lock:
            pool = self.pools.get(key)
        if pool is None:
            raise wsman.shell_not_found_fault(shell_id)
        if pool.user != user:
            # WinRM lets only the shell's owner use it.
            raise wsman.Fault(wsman.FAULT_ACCESS_DENIED, 'Access is denied: the shell belongs to another user.',
                              subcode='w:AccessDenied', soap_code='s:Sender')
        pool.last_used = time.monotonic()
        return pool

    # -- actions -------------------------------------------------------------------------------------------------
    def _create(self, request, path, user, client_ip):
        if not request.resource_uri.startswith(POWERSHELL_RESOURCE_PREFIX):
            raise wsman.Fault(wsman.FAULT_ACTION_NOT_SUPPORTED,
                              'The resource URI %s is not offered: this endpoint hosts PowerShell sessions only.'
                              % request.resource_uri, subcode='w:DestinationUnreachable', soap_code='s:Sender')
        shell = request.body
        if shell is None or shell.tag != '{%s}Shell' % wsman.NS['rsp']:
            raise wsman.BadRequest('Create without rsp:Shell')
        creation = wsman.b64(shell.find('pwsh:creationXml', wsman.NS))
        shell_id = shell.get('ShellId') or str(uuid.uuid4()).upper()
        key = _uuid(shell_id, 'ShellId')
        pool = Pool(shell_id, user, path, client_ip, request.resource_uri,
                    _payload_budget(request, str(uuid.UUID(int=0))))
        with pool.lock:
            self._feed(pool, creation, None)  # psrpcore queues the capability, private data and Opened state it answers with
            opened = pool_is_open(pool)
            host_info = pool.psrp.host
        if not opened:
            raise wsman.Fault(wsman.FAULT_INTERNAL, 'The creationXml did not open a runspace pool.')
        pool.session = api.Session(str(key), user, path,
                                   host_is_null=bool(host_info is None or host_info.IsHostNull))
        try:
            self.shell.open_session(pool.session)
        except Exception as exc:  # pylint: disable=broad-except
            log.error('shell.open_session raised %s for runspace %s', type(exc).__name__, key)
            raise wsman.Fault(wsman.FAULT_INTERNAL, 'The Lync emulator could not open the session (%s).'
                              % type(exc).__name__)
        with self.pools_lock:
            self.pools[key] = pool
        self.request_log.event(pool.session, 'open')
        return wsman.create_response(request, shell_id, user, client_ip)

    def _command(self, request, path, user, client_ip):
        pool = self._pool(request, user)
        body = request.body
        if body is None or body.tag != '{%s}CommandLine' % wsman.NS['rsp']:
            raise wsman.BadRequest('Command without rsp:CommandLine')
        command_id = body.get('CommandId') or str(uuid.uuid4()).upper()
        pipeline_id = _uuid(command_id, 'CommandId')
        data = wsman.b64(body.find('rsp:Arguments', wsman.NS))
        with pool.lock:
            if pipeline_id in pool.runs:
                raise wsman.Fault(wsman.FAULT_INTERNAL, 'A command with CommandId %s exists already.' % command_id)
            pool.runs[pipeline_id] = PipelineRun(pool, pipeline_id)
            ready = self._events(pool, self._feed(pool, data, pipeline_id))
        self._accept(pool, ready)
        return wsman.command_response(request, command_id)

    def _send(self, request, path, user, client_ip):
        pool = self._pool(request, user)
        if request.body is None:
            raise wsman.BadRequest('Send without rsp:Send')
        ready = []
        for stream in request.body.findall('rsp:Stream', wsman.NS):
            command_id = stream.get('CommandId')
            pipeline_id = _uuid(command_id, 'CommandId') if command_id else None
            stream_type = StreamType.prompt_response if stream.get('Name') == 'pr' else StreamType.default
            with pool.lock:
                if pipeline_id is not None and pipeline_id not in pool.runs:
                    raise wsman.Fault(wsman.FAULT_INTERNAL, 'No command with CommandId %s.' % command_id)
                ready += self._events(pool, self._feed(pool, wsman.b64(stream), pipeline_id, stream_type))
        self._accept(pool, ready)
        return wsman.send_response(request)

    def _receive(self, request, path, user, client_ip):
        pool = self._pool(request, user)
        desired = request.body.find('rsp:DesiredStream', wsman.NS) if request.body is not None else None
        command_id = desired.get('CommandId') if desired is not None else None
        target = _uuid(command_id, 'CommandId') if command_id else None
        budget = _payload_budget(request, command_id)
        deadline = time.monotonic() + request.operation_timeout
        with pool.lock:
            while True:
                if pool.closed:
                    raise wsman.shell_not_found_fault(pool.shell_id)
                run = pool.runs.get(target) if target is not None else None
                if target is not None and run is None:
                    raise wsman.Fault(wsman.FAULT_INTERNAL, 'No command with CommandId %s.' % command_id)
                data = pool.take(target, budget)
                finished = run is not None and run.finished and not pool.pending(target)
                if data or finished:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise wsman.operation_timeout_fault()
                pool.changed.wait(remaining)
        body = wsman.receive_body(base64.b64encode(data).decode('ascii'), command_id, finished)
        return wsman.envelope(request, wsman.RECEIVE_RESPONSE, body)

    def _signal(self, request, path, user, client_ip):
        pool = self._pool(request, user)
        body = request.body
        command_id = body.get('CommandId') if body is not None else None
        code_element = body.find('rsp:Code', wsman.NS) if body is not None else None
        code = (code_element.text or '').strip().lower() if code_element is not None else ''
        pipeline_id = _uuid(command_id, 'CommandId') if command_id else None
        with pool.lock:
            run = pool.runs.get(pipeline_id)
            if run is not None and code in wsman.SIGNALS_CTRL_C:
                run.stop_signalled = True
                pool.session.stop_requested.set()
            elif run is not None and code == wsman.SIGNAL_TERMINATE:
                if run.accepted and not run.finished:
                    pool.session.stop_requested.set()  # terminating a running command stops it, as WinRM does
                self._let_go(pool, run)
            pool.changed.notify_all()
        return wsman.signal_response(request)

    def _delete(self, request, path, user, client_ip):
        pool = self._pool(request, user)
        self.close_pool(pool)
        return wsman.delete_response(request)

    def _get(self, request, path, user, client_ip):
        pool = self._pool(request, user)
        return wsman.get_response(request, pool.shell_id, pool.user, pool.client_ip)

    # -- pipelines -----------------------------------------------------------------------------------------------
    @staticmethod
    def _feed(pool, data, pipeline_id, stream_type=StreamType.default):
        """pool.feed, where a message psrpcore cannot read fails the request with a fault (and forgets the pipeline
        it was for) instead of a bare HTTP 500 (pool lock held)."""
        try:
            return pool.feed(data, pipeline_id, stream_type)
        except Exception as exc:  # pylint: disable=broad-except
            log_failure('reading a PSRP message of runspace %s' % pool.shell_id, exc)
            run = pool.runs.pop(pipeline_id, None) if pipeline_id is not None else None
            if run is not None:
                run.closed = True
                pool.psrp.pipeline_table.pop(pipeline_id, None)
            raise wsman.Fault(wsman.FAULT_INTERNAL, 'The PowerShell remoting message could not be read (%s).'
                              % type(exc).__name__)

    def _events(self, pool, events):
        """Act on psrpcore's events (pool lock held); return the runs that became ready to accept."""
        ready = []
        for event in events:
            run = pool.runs.get(getattr(event, 'pipeline_id', None))
            if isinstance(event, CreatePipelineEvent) and run is not None:
                powershell = event.pipeline
                run.statements = values.statements_from(powershell)
                run.no_input = bool(powershell.no_input)
            elif isinstance(event, GetCommandMetadataEvent) and run is not None:
                run.statements = []
                run.rejection = api.ErrorRecord(
                    'Command metadata (Get-Command over the wire) is not offered by the Lync emulator.',
                    'NotSupported', category='NotImplemented',
                    exception_type='System.Management.Automation.PSNotSupportedException')
            elif isinstance(event, PipelineInputEvent) and run is not None:
                run.inputs.append(values.to_plain(event.data))
            elif isinstance(event, EndOfPipelineInputEvent) and run is not None:
                run.input_ended = True
            elif isinstance(event, (SetMaxRunspacesEvent, SetMinRunspacesEvent, ResetRunspaceStateEvent)):
                pool.psrp.runspace_availability_response(event.ci, True)
            elif isinstance(event, GetAvailableRunspacesEvent):
                pool.psrp.runspace_availability_response(
                    event.ci, max(0, pool.psrp.max_runspaces - pool.running_count()))
            if run is not None and run.ready():
                run.accepted = True
                ready.append(run)
        if events:
            pool.changed.notify_all()
        return ready

    def _accept(self, pool, runs):
        """Log each pipeline that arrived whole, apply the knobs, start it. A ``drop`` rule closes the client's
        connection: ``before`` -- the pipeline never runs; ``during`` -- it runs to its end regardless."""
        drop = None
        for run in runs:
            commands = run.commands()
            self.request_log.pipeline(pool.session, commands)
            knobs = self.knobs.read()
            rule = self._drop_rule(knobs, commands)
            if rule is not None and (rule.get('when') or 'before') == 'before':
                with pool.lock:
                    self._let_go(pool, run)
                log.info('drop knob: connection closed before %s ran', rule.get('cmdlet'))
                drop = rule
                continue
            self.runner.start(run, float(knobs.get('pipeline_latency_ms') or 0))
            if rule is not None:
                log.info('drop knob: connection closed while %s runs', rule.get('cmdlet'))
                drop = rule
        if drop is not None:
            raise DropConnection(drop.get('cmdlet'))

    def _drop_rule(self, knobs, commands):
        names = {rule.get('cmdlet', '').lower() for rule in knobs.get('drop') or []}
        for command in commands:
            if command.name.lower() in names:
                rule = self.knobs.consume('drop', command.name)
                if rule is not None:
                    return rule
        return None

    @staticmethod
    def _let_go(pool, run):
        """The client is done with a pipeline (pool lock held): forget it now, or once it finishes running."""
        run.closed = True
        pool.outbox.pop(run.id, None)
        if run.started and not run.finished:
            return  # the runner removes it when the shell returns
        if run.psrp.state == PSInvocationState.Running:
            return
        pool.psrp.pipeline_table.pop(run.id, None)
        pool.runs.pop(run.id, None)

    # -- pools ---------------------------------------------------------------------------------------------------
    def close_pool(self, pool, reason=None):
        """Close a pool (Delete, idle, shutdown): running pipelines are told to stop, their output goes nowhere."""
        with self.pools_lock:
            if self.pools.get(_uuid(pool.shell_id, 'ShellId')) is not pool:
                return
            del self.pools[_uuid(pool.shell_id, 'ShellId')]
        with pool.lock:
            pool.closed = True
            for run in pool.runs.values():
                run.closed = True
            pool.outbox.clear()
            pool.changed.notify_all()
        pool.session.stop_requested.set()
        try:
            self.shell.close_session(pool.session)
        except Exception as exc:  # pylint: disable=broad-except
            log.error('shell.close_session raised %s for runspace %s', type(exc).__name__, pool.session.runspace_id)
        self.request_log.event(pool.session, 'close', reason=reason)

    def close_idle(self, idle_timeout_s):
        """Close pools nobody has used for ``idle_timeout_s`` and that run nothing (WinRM's shell IdleTimeout)."""
        now = time.monotonic()
        with self.pools_lock:
            pools = list(self.pools.values())
        for pool in pools:
            with pool.lock:
                busy = pool.running_count() > 0
            if not busy and now - pool.last_used > idle_timeout_s:
                self.close_pool(pool, reason='idle')

    def close_all(self, reason):
        with self.pools_lock:
            pools = list(self.pools.values())
        for pool in pools:
            self.close_pool(pool, reason=reason)

    def pool_count(self):
        with self.pools_lock:
            return len(self.pools)
