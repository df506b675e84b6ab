# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PSRP through psrpcore: a runspace pool per WinRM shell, a pipeline per WinRM command, the shell run in a worker
thread per pipeline, and the outgoing PSRP payloads filed per target for the Receive that asks for them.

Locking: psrpcore's objects are not thread-safe, so every call into a pool's psrpcore state holds ``pool.lock``,
and only for that call: a running shell holds no lock, so a long-polling Receive (which waits on ``pool.changed``)
is never blocked by a handler.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import logging
import threading
import time
import traceback

from psrpcore import PSRPPayload, ServerPipeline, ServerRunspacePool, StreamType
from psrpcore.types import PSInvocationState, RunspacePoolState

from lab.emulator import api, values

log = logging.getLogger('lab.emulator')


class DropConnection(Exception):
    """Raised to the HTTP layer: close the client's TCP connection without any reply (the ``drop`` knob)."""


def fail_pipeline(pipeline, error_record):
    """End a running pipeline Failed with a terminating error record.

    psrpcore 0.3.1 has no public call for this (``stop()`` is the only public end carrying an error, and it says
    Stopped): this is the one place that uses its private state change; psrpcore is pinned for it."""
    pipeline._change_state(PSInvocationState.Failed, error=error_record)  # pylint: disable=protected-access


def log_failure(what, exc):
    """Log an unexpected exception by type and traceback frames only: its message may carry values (a parameter, a
    password), which never reach an emulator file."""
    log.error('%s raised %s:\n%s', what, type(exc).__name__, ''.join(traceback.format_tb(exc.__traceback__)).rstrip())


def internal_error_record(exc):
    """What the client sees when the shell raised something other than TerminatingError: a generic failure naming
    only the exception's type (its message may carry values, which never leave the emulator)."""
    return api.ErrorRecord(
        'The Lync emulator failed while running this pipeline (%s); see the emulator log.' % type(exc).__name__,
        'LabEmulatorInternalError', category='NotSpecified',
        exception_type='System.Management.Automation.RuntimeException')


class Pool(object):
    """One runspace pool (= one WinRM shell)."""

    def __init__(self, shell_id, user, path, client_ip, resource_uri, fragment_size):
        self.shell_id = shell_id  # as the client spelled it (pypsrp: upper case)
        self.user = user
        self.path = path
        self.client_ip = client_ip
        self.resource_uri = resource_uri
        self.fragment_size = fragment_size
        self.psrp = ServerRunspacePool()
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.outbox = {}  # None (the pool) or a pipeline UUID -> deque of payload bytes, each whole fragments
        self.runs = {}  # pipeline UUID -> PipelineRun
        self.session = None
        self.closed = False
        self.last_used = time.monotonic()

    # -- everything below expects self.lock held -----------------------------------------------------------------
    def feed(self, data, pipeline_id=None, stream_type=StreamType.default):
        """Give psrpcore the bytes of one request; return the events they complete."""
        self.psrp.receive_data(PSRPPayload(data, stream_type, pipeline_id))
        events = []
        while True:
            event = self.psrp.next_event()
            if event is None:
                return events
            events.append(event)

    def _drain(self):
        """File what psrpcore has queued under its target (data_to_send hands out pool-level and pipeline payloads
        from one queue); payloads of a pipeline the client has let go of are dropped."""
        while True:
            payload = self.psrp.data_to_send(self.fragment_size)
            if payload is None:
                return
            target = payload.pipeline_id
            if target is not None and (target not in self.runs or self.runs[target].closed):
                continue
            self.outbox.setdefault(target, collections.deque()).append(payload.data)

    def take(self, target, budget):
        """Up to ``budget`` bytes of whole payloads for ``target`` (at least one payload if any is waiting)."""
        self._drain()
        queue = self.outbox.get(target)
        chunks, size = [], 0
        while queue and (not chunks or size + len(queue[0]) <= budget):
            chunk = queue.popleft()
            chunks.append(chunk)
            size += len(chunk)
        return b''.join(chunks)

    def pending(self, target):
        self._drain()
        return bool(self.outbox.get(target))

    def running_count(self):
        return sum(1 for run in self.runs.values() if run.started and not run.finished)


class PipelineRun(object):
    """One pipeline: psrpcore's ServerPipeline plus what the transport knows of it."""

    def __init__(self, pool, pipeline_id):
        self.pool = pool
        self.id = pipeline_id
        self.psrp = ServerPipeline(pool.psrp, pipeline_id)  # before its Command payload is fed (psrpcore needs it)
        self.statements = None  # list of statements (lists of api.Command) once the CreatePipeline message is whole
        self.rejection = None  # an api.ErrorRecord to fail with instead of running (a kind of pipeline not offered)
        self.no_input = True
        self.inputs = []
        self.input_ended = False
        self.accepted = False
        self.started = False
        self.finished = False
        self.closed = False  # the client let go (Terminate signal, pool closed): writes go nowhere
        self.stop_signalled = False

    def commands(self):
        return [command for statement in self.statements or [] for command in statement]

    def ready(self):
        return self.statements is not None and not self.accepted and (self.no_input or self.input_ended)


class TransportStreams(api.Streams):
    """api.Streams onto one pipeline: each write is serialised and queued for the next Receive at once."""

    def __init__(self, run):
        self.run = run

    def _write(self, write):
        pool = self.run.pool
        with pool.lock:
            if self.run.closed or self.run.psrp.state != PSInvocationState.Running:
                return
            write(self.run.psrp)
            pool.changed.notify_all()

    def output(self, value):
        converted = values.to_psrp(value)
        self._write(lambda pipeline: pipeline.write_output(converted))

    def error(self, record):
        error = values.error_record(record)
        self._write(lambda pipeline: pipeline.write_error(
            error.Exception, category_info=error.CategoryInfo, target_object=error.TargetObject,
            fully_qualified_error_id=error.FullyQualifiedErrorId))

    def warning(self, text):
        self._write(lambda pipeline: pipeline.write_warning(str(text)))

    def verbose(self, text):
        self._write(lambda pipeline: pipeline.write_verbose(str(text)))

    def progress(self, activity, status, percent):
        self._write(lambda pipeline: pipeline.write_progress(str(activity), 1, str(status),
                                                             percent_complete=int(percent)))


class PipelineRunner(object):
    """Runs accepted pipelines in worker threads against the shell."""

    def __init__(self, shell, knobs):
        self.shell = shell
        self.knobs = knobs

    def start(self, run, latency_ms):
        thread = threading.Thread(target=self._run, args=(run, latency_ms), name='pipeline-%s' % run.id,
                                  daemon=True)
        thread.start()

    def _run(self, run, latency_ms):
        pool = run.pool
        if latency_ms:
            time.sleep(latency_ms / 1000.0)
        with pool.lock:
            if run.closed or pool.closed:  # let go of while it waited: it never starts
                run.finished = True
                pool.psrp.pipeline_table.pop(run.id, None)
                pool.runs.pop(run.id, None)
                return
            if pool.running_count() == 0:
                pool.session.stop_requested.clear()  # a Ctrl+C of an earlier pipeline does not stop this one
            run.psrp.start()
            run.started = True
            pool.changed.notify_all()
        failure = run.rejection
        if failure is None and not run.stop_signalled:
            failure = self._call_shell(run)
        with pool.lock:
            run.finished = True
            if not run.closed and run.psrp.state == PSInvocationState.Running:
                if run.stop_signalled:
                    run.psrp.stop()
                elif failure is not None:
                    fail_pipeline(run.psrp, values.error_record(failure))
                else:
                    run.psrp.complete()
            elif run.closed:
                pool.psrp.pipeline_table.pop(run.id, None)
                pool.runs.pop(run.id, None)
            pool.changed.notify_all()

    def _call_shell(self, run):
        streams = TransportStreams(run)
        session = run.pool.session
        try:
            for index, statement in enumerate(run.statements):
                self.shell.run(session, statement, run.inputs if index == 0 else [], streams)
        except api.TerminatingError as exc:
            return exc.record
        except Exception as exc:  # pylint: disable=broad-except
            # A bug in the shell: the client gets a generic failure; the log gets where (no message: values).
            log_failure('the shell, in pipeline %s (%s) of runspace %s,' % (
                run.id, ', '.join(c.name for c in run.commands()), session.runspace_id), exc)
            return internal_error_record(exc)
        return None


def pool_is_open(pool):
    return pool.psrp.state == RunspacePoolState.Opened
