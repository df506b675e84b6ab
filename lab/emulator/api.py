# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seam between the Lync emulator's two halves.

* The **transport** (``lab/emulator/server.py`` and friends): HTTPS, authentication, WS-Management, PSRP through
  psrpcore, the request log, connection-level knobs. It knows nothing of Lync.
* The **shell** (``lab/emulator/shell.py`` and ``lab/emulator/cmdlets/``): what a Lync front end's remote
  PowerShell session does with a pipeline: which commands exist on which path, parameter binding, ``-WhatIf`` and
  ``-Confirm``, the Lync cmdlets on the lab's store and directory. It knows nothing of the wire.

The transport turns what the client sent into plain Python (below), calls ``Shell.run`` in a worker thread, and
serialises whatever the shell reports back as remoting does (depth 1). Everything crossing this seam is plain
Python or one of the small classes here, so each half is tested without the other.

Values crossing the seam, both ways
-----------------------------------
``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes`` (a .NET ``byte[]``), ``datetime.datetime`` (aware, UTC),
``uuid.UUID``, ``list`` (of these), ``dict`` (a hashtable, string keys), :class:`PSObj` and :class:`PSEnum`.
The transport unwraps psrpcore's types (PSString, PSInt, PSList, PSByteArray, ...) into these before the shell sees
them; an incoming complex object the client sent becomes a :class:`PSObj`.

Depth: the shell returns objects as rich as it likes; the transport serialises the top object's properties, and
any property value that is itself a :class:`PSObj` travels as its ``to_string`` text (remoting's default depth 1).
A list property travels as a list; a list of PSObj travels as a list of their ``to_string`` texts. A
:class:`PSEnum` travels as an enum (its type names + ToString + the integer), as remoting sends enums.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import threading

# Paths a front end offers (DESIGN.md): WinRM, where Lync cmdlets exist after `Import-Module Lync`, and Lync's own
# IIS-hosted endpoint, where they exist at once and nothing else does (an assumption, docs/lab-emulator.md).
PATH_WSMAN = '/wsman'
PATH_OCS = '/OcsPowershell'
PATHS = (PATH_WSMAN, PATH_OCS)


class Command(object):
    """One command of a pipeline as the client sent it.

    ``name``: the command name as sent (case preserved; PowerShell resolves it case-insensitively).
    ``parameters``: ordered list of ``(name, value)``; a bare switch (``-WhatIf``) has value ``None``;
    ``-Confirm:$false`` is ``('Confirm', False)``. Names as sent, without the dash, case preserved.
    ``arguments``: positional arguments, in order (values as above).
    ``is_script``: True when the client sent script text instead of a command (``AddScript``); the shell decides
    (a Lync front end runs scripts on /wsman; the emulator refuses them, see docs/lab-emulator.md).
    """

    __slots__ = ('name', 'parameters', 'arguments', 'is_script')

    def __init__(self, name, parameters=None, arguments=None, is_script=False):
        self.name = name
        self.parameters = list(parameters or [])
        self.arguments = list(arguments or [])
        self.is_script = is_script

    def parameter_names(self):
        return [name for name, _value in self.parameters]

    def __repr__(self):
        return 'Command(%r, %r, %r)' % (self.name, self.parameter_names(), len(self.arguments))


class PSObj(object):
    """An output object: ``type_names`` most-derived first, ending in ``System.Object`` (pypsrp needs that last
    one to build an object at all); ``properties`` an ordered mapping of adapted properties (what a .NET object's
    properties are over remoting); ``to_string`` what ``ToString()`` gives (what the object turns into one level
    down)."""

    __slots__ = ('type_names', 'properties', 'to_string')

    def __init__(self, type_names, properties, to_string):
        type_names = list(type_names)
        if type_names[-1:] != ['System.Object']:
            type_names.append('System.Object')
        self.type_names = type_names
        self.properties = collections.OrderedDict(properties)
        self.to_string = to_string

    def __getitem__(self, name):
        return self.properties[name]

    def __repr__(self):
        return 'PSObj(%r, %r)' % (self.type_names[0], self.to_string)


class PSEnum(object):
    """A .NET enum value: ``type_name`` (e.g. ``System.ServiceProcess.ServiceControllerStatus``), ``name`` (its
    ToString, e.g. ``Running``) and ``value`` (the integer, e.g. 4)."""

    __slots__ = ('type_name', 'name', 'value')

    def __init__(self, type_name, name, value):
        self.type_name = type_name
        self.name = name
        self.value = value

    def __str__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, PSEnum) and (self.type_name, self.value) == (other.type_name, other.value)

    def __hash__(self):
        return hash((self.type_name, self.value))

    def __repr__(self):
        return 'PSEnum(%r, %r, %r)' % (self.type_name, self.name, self.value)


class ErrorRecord(object):
    """What PowerShell puts in an ErrorRecord, as much as clients read.

    ``message``: the exception message (what ``$_.Exception.Message`` and ``ToString()`` give).
    ``exception_type``: the .NET exception type, e.g. ``System.Management.Automation.CommandNotFoundException``.
    ``error_id``: the FullyQualifiedErrorId, e.g. ``CommandNotFoundException`` or
    ``NamedParameterNotFound,Microsoft.Rtc.Management.PersistentChat.Cmdlets.GetPersistentChatRoomCmdlet``.
    ``category``: an ``System.Management.Automation.ErrorCategory`` name, e.g. ``ObjectNotFound``,
    ``InvalidArgument``, ``InvalidOperation``, ``ResourceExists``, ``PermissionDenied``, ``NotSpecified``.
    ``target``: the target object (a value as above), or None.
    ``activity``: the command name the error came from (CategoryInfo.Activity), or None.
    """

    __slots__ = ('message', 'exception_type', 'error_id', 'category', 'target', 'activity')

    def __init__(self, message, error_id, category='NotSpecified', exception_type='System.Exception', target=None,
                 activity=None):
        self.message = message
        self.error_id = error_id
        self.category = category
        self.exception_type = exception_type
        self.target = target
        self.activity = activity

    def __repr__(self):
        return 'ErrorRecord(%r, %r)' % (self.error_id, self.message)


class TerminatingError(Exception):
    """Raised by the shell to end the pipeline as Failed with this record (a terminating error, what a cmdlet's
    ThrowTerminatingError or a parameter-binding failure does). The transport reports the pipeline Failed with the
    record in the error stream; everything written before it has already been sent."""

    def __init__(self, record):
        super(TerminatingError, self).__init__(record.message)
        self.record = record


class Streams(object):
    """Where a running pipeline writes; the transport implements it. Each call may be sent to the client at once,
    so a long cmdlet can write progress while it runs. All methods are thread-safe."""

    def output(self, value):  # pragma: no cover - interface
        """One object on the output stream (a value as above, usually a PSObj)."""
        raise NotImplementedError

    def error(self, record):  # pragma: no cover - interface
        """A non-terminating error (the pipeline goes on)."""
        raise NotImplementedError

    def warning(self, text):  # pragma: no cover - interface
        raise NotImplementedError

    def verbose(self, text):  # pragma: no cover - interface
        raise NotImplementedError

    def progress(self, activity, status, percent):  # pragma: no cover - interface
        """A progress record (Write-Progress): what a long cmdlet is doing, ``percent`` -1 when unknown."""
        raise NotImplementedError


class CollectingStreams(Streams):
    """Streams that keep everything in lists: what in-process tests of the shell use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.outputs = []
        self.errors = []
        self.warnings = []
        self.verbose_messages = []
        self.progress_records = []

    def output(self, value):
        with self.lock:
            self.outputs.append(value)

    def error(self, record):
        with self.lock:
            self.errors.append(record)

    def warning(self, text):
        with self.lock:
            self.warnings.append(text)

    def verbose(self, text):
        with self.lock:
            self.verbose_messages.append(text)

    def progress(self, activity, status, percent):
        with self.lock:
            self.progress_records.append((activity, status, percent))


class Session(object):
    """One runspace pool, as the shell sees it.

    ``runspace_id``: the pool's id (str); ``user``: the authenticated account, ``DOMAIN\\user``; ``path``: one of
    PATHS; ``host_is_null``: True when the client supplied no PSHost (pypsrp's default), so nothing can answer a
    prompt. ``state``: the shell's own per-session data (imported modules, ...). ``stop_requested``: a
    threading.Event the transport sets when the client stops the pipeline (Ctrl+C signal) or the pool closes;
    long cmdlets check it between steps.
    """

    def __init__(self, runspace_id, user, path, host_is_null=True):
        if path not in PATHS:
            raise ValueError('unknown path %r' % (path,))
        self.runspace_id = runspace_id
        self.user = user
        self.path = path
        self.host_is_null = host_is_null
        self.state = {}
        self.stop_requested = threading.Event()


class ShellInterface(object):
    """What the transport calls; ``lab.emulator.shell.Shell`` implements it.

    ``Shell(lab_dir)`` is made once per emulator process. ``open_session`` is called when a runspace pool opens,
    ``close_session`` when it closes (or its connection is found dead). ``run(session, commands, input_objects,
    streams)`` runs one pipeline (``commands``: list of Command, in pipeline order; ``input_objects``: values sent
    as pipeline input, usually empty) and returns when it is done; it raises TerminatingError to fail the pipeline.
    Any other exception is a bug in the shell: the transport fails the pipeline with a generic error naming it.
    Several pipelines (of one or of several sessions) may run at once in different threads.
    """

    def open_session(self, session):  # pragma: no cover - interface
        raise NotImplementedError

    def close_session(self, session):  # pragma: no cover - interface
        raise NotImplementedError

    def run(self, session, commands, input_objects, streams):  # pragma: no cover - interface
        raise NotImplementedError
