# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small api.ShellInterface for the transport's tests: just enough commands to drive every transport behaviour
(values both ways, streams, errors, long runs, stop). Started in the real emulator process with
``python -m lab.emulator --shell tests.emulator.testshell:TestShell``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import threading
import time
import uuid

from lab.emulator import api

SAMPLE_WHEN = datetime.datetime(2026, 3, 14, 15, 9, 26, 535000, tzinfo=datetime.timezone.utc)
SAMPLE_ID = uuid.UUID('1b0e8f4e-8f0a-4c38-9d5e-2f1a0c6b7d01')


def describe(value):
    """A plain-text description of a value as the shell received it (type and content), for the tests to compare."""
    if isinstance(value, api.PSObj):
        props = ', '.join('%s=%s' % (k, describe(v)) for k, v in value.properties.items())
        return 'PSObj(%s; %s; %r)' % ('|'.join(value.type_names), props, value.to_string)
    if isinstance(value, list):
        return 'list[%s]' % ', '.join(describe(v) for v in value)
    if isinstance(value, dict):
        return 'dict{%s}' % ', '.join('%s: %s' % (k, describe(v)) for k, v in sorted(value.items()))
    if isinstance(value, datetime.datetime):
        return 'datetime(%s)' % value.isoformat()
    return '%s(%r)' % (type(value).__name__, value)


class TestShell(api.ShellInterface):
    def __init__(self, lab_dir):
        self.lab_dir = lab_dir
        self.lock = threading.Lock()
        self.stops_seen = {}  # runspace id -> True once a sleeping pipeline saw stop_requested
        self.marks = {}  # name -> how many Add-Mark pipelines ran to their end (process-wide)

    def open_session(self, session):
        session.state['opened'] = time.time()

    def close_session(self, session):
        session.state['closed'] = time.time()

    def run(self, session, commands, input_objects, streams):
        for command in commands:
            handler = getattr(self, '_' + command.name.replace('-', '_').lower(), None)
            if handler is None:
                raise api.TerminatingError(api.ErrorRecord(
                    "The term '%s' is not recognized as the name of a cmdlet." % command.name,
                    'CommandNotFoundException', category='ObjectNotFound',
                    exception_type='System.Management.Automation.CommandNotFoundException', target=command.name,
                    activity=command.name))
            handler(session, command, input_objects, streams)

    @staticmethod
    def _parameter(command, name, default=None):
        for key, value in command.parameters:
            if key.lower() == name.lower():
                return value
        return default

    # -- commands ------------------------------------------------------------------------------------------------
    def _get_trivial(self, session, command, inputs, streams):
        streams.output('ok')

    def _get_parametertypes(self, session, command, inputs, streams):
        for name, value in command.parameters:
            streams.output(api.PSObj(['Lab.Test.Parameter'], [('Name', name), ('Description', describe(value))],
                                     name))
        for index, value in enumerate(command.arguments):
            streams.output(api.PSObj(['Lab.Test.Argument'], [('Index', index), ('Description', describe(value))],
                                     str(index)))

    def _get_input(self, session, command, inputs, streams):
        for value in inputs:
            streams.output(describe(value))

    def _get_session(self, session, command, inputs, streams):
        streams.output(api.PSObj(['Lab.Test.Session'], [
            ('RunspaceId', session.runspace_id), ('User', session.user), ('Path', session.path),
            ('HostIsNull', session.host_is_null)], session.runspace_id))

    def _get_sample(self, session, command, inputs, streams):
        nested = api.PSObj(['Microsoft.Rtc.Management.Xds.PoolFqdn'], [('Fqdn', 'pcpool.contoso.com')],
                           'pcpool.contoso.com')
        status = api.PSEnum('System.ServiceProcess.ServiceControllerStatus', 'Running', 4)
        streams.output(api.PSObj(
            ['Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject'],
            [('Name', 'Room 1'), ('Disabled', False), ('Count', 42), ('Big', 2 ** 40), ('Ratio', 0.25),
             ('When', SAMPLE_WHEN), ('Identity', SAMPLE_ID), ('Blob', b'\x00\x01\xfe\xff'), ('Status', status),
             ('Pool', nested), ('Members', ['sip:a@contoso.com', 'sip:b@contoso.com']), ('Servers', [nested, nested]),
             ('Settings', {'Key': 'Value'}), ('Nothing', None)],
            'Room 1'))
        streams.output(status)

    def _write_objects(self, session, command, inputs, streams):
        for index in range(int(self._parameter(command, 'Count', 1))):
            streams.output(api.PSObj(['Lab.Test.Item'], [('Index', index), ('Name', 'item %05d' % index)],
                                     'item %05d' % index))

    def _write_nonterminatingerror(self, session, command, inputs, streams):
        streams.output('before')
        streams.error(api.ErrorRecord('Room "Nope" was not found.', 'RoomNotFound,Lab.Test.Cmdlet',
                                      category='ObjectNotFound', exception_type='System.ArgumentException',
                                      target='Nope', activity='Write-NonTerminatingError'))
        streams.output('after')

    def _throw_terminatingerror(self, session, command, inputs, streams):
        streams.output('partial')
        raise api.TerminatingError(api.ErrorRecord(
            'Cannot bind parameter because parameter "Nope" is unknown.',
            'NamedParameterNotFound,Lab.Test.Cmdlet', category='InvalidArgument',
            exception_type='System.Management.Automation.ParameterBindingException', target=None,
            activity='Throw-TerminatingError'))

    def _raise_bug(self, session, command, inputs, streams):
        """A shell bug whose message carries a parameter's value (which must reach neither client nor log)."""
        raise ValueError('internal detail: %s' % self._parameter(command, 'Secret', ''))

    def _write_warnings(self, session, command, inputs, streams):
        streams.warning('the first warning')
        streams.verbose('some verbose text')
        streams.warning('the second warning')
        streams.output('done')

    def _start_sleep(self, session, command, inputs, streams):
        """Sleeps up to -Seconds, stopping early (and remembering it) when stop_requested is set."""
        deadline = time.time() + float(self._parameter(command, 'Seconds', 1))
        while time.time() < deadline:
            if session.stop_requested.wait(0.02):
                with self.lock:
                    self.stops_seen[session.runspace_id] = True
                return
        streams.output('slept')

    def _add_mark(self, session, command, inputs, streams):
        """Counts a run under -Name once it has waited -DelayMs: proves a pipeline ran (to its end) on the server."""
        time.sleep(float(self._parameter(command, 'DelayMs', 0)) / 1000.0)
        name = self._parameter(command, 'Name')
        with self.lock:
            self.marks[name] = self.marks.get(name, 0) + 1
        streams.output(self.marks[name])

    def _get_mark(self, session, command, inputs, streams):
        with self.lock:
            streams.output(self.marks.get(self._parameter(command, 'Name'), 0))

    def _get_parameterlength(self, session, command, inputs, streams):
        for name, value in command.parameters:
            streams.output('%s=%d' % (name, len(value)))

    def _get_stopseen(self, session, command, inputs, streams):
        with self.lock:
            streams.output(bool(self.stops_seen.get(session.runspace_id)))
