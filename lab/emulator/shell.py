# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shell half of the Lync emulator: what a Lync front end's remote PowerShell session does with a pipeline.

* Command availability per path: on ``/wsman`` a few Windows PowerShell commands exist at once and the Lync cmdlets
  only after ``Import-Module Lync``; on ``/OcsPowershell`` the Lync cmdlets exist at once and nothing else does.
* Parameter binding (``binding.py``), common parameters (-ErrorAction, -WarningAction, -Verbose, ...).
* ShouldProcess: -WhatIf changes nothing; Lync cmdlets with -Confirm prompt unless -Confirm:$false is sent, and a
  prompt in a remote session without a host fails.
* Test knobs (``knobs.py``): faults per cmdlet, hold points, AD lag, Import-Module latency.

docs/lab-emulator.md describes every rule and its source.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sqlite3
import threading

from ldap3.core.exceptions import LDAPException

from lab.emulator import api, errors, store as store_mod, winpath
from lab.emulator.directory import Directory, DirectoryError
from lab.emulator.api import PATH_OCS, ErrorRecord, PSEnum, PSObj, TerminatingError
from lab.emulator.binding import Binder, BindingError
from lab.emulator.cmdlets import LYNC, all_specs
from lab.emulator.knobs import Knobs

# Module-qualified command names PowerShell accepts ("Lync\Get-CsPool").
_MODULE_PREFIXES = {'lync': LYNC, 'skypeforbusiness': LYNC, 'microsoft.powershell.management': 'Core',
                    'microsoft.powershell.core': 'Core', 'cimcmdlets': 'Core'}
HUGE_DEFAULT_COUNT = 10000
FAULT_KINDS = ('terminating', 'error', 'warning', 'whatif-refused', 'empty', 'malformed', 'huge')


class Shell(api.ShellInterface):
    def __init__(self, lab_dir):
        self.lab_dir = os.path.abspath(lab_dir)
        self.specs = all_specs()
        self.knobs = Knobs(self.lab_dir)
        self.store_path = os.path.join(self.lab_dir, 'platform.sqlite')
        self._directory = None
        self._lock = threading.Lock()

    @property
    def directory(self):
        with self._lock:
            if self._directory is None:
                self._directory = Directory(self.lab_dir)
            return self._directory

    def close(self):
        with self._lock:
            if self._directory is not None:
                self._directory.close()
                self._directory = None

    # -- sessions ---------------------------------------------------------------------------------------------
    def open_session(self, session):
        session.state.setdefault('modules', set())

    def close_session(self, session):
        session.state.pop('modules', None)

    def available(self, session, spec):
        if session.path == PATH_OCS:
            return spec.module == LYNC
        return spec.module != LYNC or LYNC in session.state.setdefault('modules', set())

    def resolve(self, session, name):
        """The CmdletSpec for ``name`` if the session offers it, else CommandNotFoundException."""
        key = (name or '').strip().lower()
        module = None
        if '\\' in key:
            prefix, key = key.rsplit('\\', 1)
            module = _MODULE_PREFIXES.get(prefix)
            loaded = session.state.get('lync_module')  # Lync or SkypeForBusiness, whichever was imported
            if module is None or (module == LYNC and loaded and prefix != loaded.lower()):
                raise TerminatingError(errors.command_not_found(name))
        spec = self.specs.get(key)
        if spec is None or not self.available(session, spec) or (module and module != spec.module):
            raise TerminatingError(errors.command_not_found(name))
        return spec

    # -- pipelines --------------------------------------------------------------------------------------------
    def run(self, session, commands, input_objects, streams):
        pipeline = Pipeline(self, session, self.knobs.read(), streams)
        try:
            pipeline.run(commands, list(input_objects or []))
        finally:
            pipeline.close()


class Pipeline(object):
    """One pipeline run: resolves and binds every command first (as PowerShell does before anything runs), then
    runs them in order, each command's output feeding the next one's pipeline input."""

    def __init__(self, shell, session, knobs, streams):
        self.shell = shell
        self.session = session
        self.knobs = knobs
        self.streams = streams
        self.annotations = {}  # id(output object) -> what the object does not show (an NTService's computer)
        self._store = None

    @property
    def store(self):
        if self._store is None:
            self._store = store_mod.open_store(self.shell.store_path)
        return self._store

    def close(self):
        if self._store is not None:
            self._store.close()
            self._store = None

    def run(self, commands, input_objects):
        if not commands:
            return
        for command in commands:
            if command.is_script:
                raise TerminatingError(errors.script_refused())
        specs = [self.shell.resolve(self.session, command.name) for command in commands]
        bound = []
        for index, (spec, command) in enumerate(zip(specs, commands)):
            binder = Binder(spec)
            try:
                result = binder.bind(command, expects_input=index > 0 or bool(input_objects))
            except BindingError as exc:
                raise TerminatingError(errors.binding(exc.message, exc.reason, spec, exc.category,
                                                      exc.exception_type, exc.target))
            _check_preferences(spec, result)
            bound.append((spec, binder, result))
        upstream = input_objects or None
        for index, (spec, binder, result) in enumerate(bound):
            last = index == len(bound) - 1
            produced = []
            invocation = Invocation(self, spec, result, self.streams.output if last else produced.append)
            invocation.run(binder, upstream, first=index == 0)
            upstream = produced


def _check_preferences(spec, bound):
    for name in ('ErrorAction', 'WarningAction', 'InformationAction'):
        if bound.common.get(name) == 'Suspend':
            raise TerminatingError(errors.binding(
                'The value Suspend is not supported for an ActionPreference variable. The provided value should be '
                'used only as a value for a preference parameter, and has been replaced by the default value.',
                'ParameterArgumentValidationError', spec, 'InvalidArgument'))


class Invocation(object):
    """What a cmdlet's work function sees: its bound parameters (``params``), the streams (honouring the common
    parameters), ShouldProcess, the store, the directory, the knobs."""

    def __init__(self, pipeline, spec, bound, sink):
        self.pipeline = pipeline
        self.spec = spec
        self.bound = bound
        self._sink = sink
        self._faults = {}
        self._written = []  # the first outputs, for the `huge` fault
        self.wrote = 0

    # -- context ----------------------------------------------------------------------------------------------
    @property
    def params(self):
        return self.bound.values

    def get(self, name, default=None):
        value = self.bound.values.get(name)
        return default if value is None else value

    def has(self, name):
        return name in self.bound.values

    @property
    def session(self):
        return self.pipeline.session

    @property
    def store(self):
        return self.pipeline.store

    @property
    def shell(self):
        return self.pipeline.shell

    @property
    def lab_dir(self):
        return self.pipeline.shell.lab_dir

    @property
    def directory(self):
        return self.pipeline.shell.directory

    @property
    def knobs(self):
        return self.pipeline.knobs

    def lync_view(self):
        from lab.emulator.directory import LyncView  # pylint: disable=import-outside-toplevel
        return LyncView(self.directory, self.store, self.knobs.get('ad_replication_lag_s') or 0)

    @property
    def whatif(self):
        return self.bound.common.get('WhatIf') is True

    @property
    def force(self):
        return self.bound.values.get('Force') is True

    # -- streams ----------------------------------------------------------------------------------------------
    def write(self, value):
        if 'empty' in self._faults:
            return
        if 'malformed' in self._faults:
            value = malformed(value, self._faults['malformed'])
        if len(self._written) < 1:
            self._written.append(value)
        self.wrote += 1
        self._sink(value)

    def error(self, record):
        """A non-terminating error, as -ErrorAction says: Stop makes it terminating, SilentlyContinue and Ignore
        drop it, Inquire would prompt."""
        action = self.bound.common.get('ErrorAction', 'Continue')
        if action == 'Stop':
            raise TerminatingError(record)
        if action in ('SilentlyContinue', 'Ignore'):
            return
        if action == 'Inquire':
            self.prompt('%s\nContinue with this operation?' % record.message)
        self.pipeline.streams.error(record)

    def fail(self, record):
        raise TerminatingError(record)

    def cmdlet_error(self, message, reason, category='NotSpecified', target=None, **kwargs):
        if self.knobs.get('error_identity') == 'other':
            # The identity of these errors is the lab's guess (Microsoft documents none): with the knob, another one,
            # as a real front end may give; a client whose decisions rest on the guess then fails in the lab.
            reason, category = errors.OTHER_IDENTITIES.get((reason, category), (reason, category))
        return errors.cmdlet_error(self.spec, message, reason, category=category, target=target, **kwargs)

    def warning(self, text, forceable=False):
        """A warning, as -WarningAction says; ``forceable`` warnings are the non-fatal messages -Force hides."""
        if forceable and self.force:
            return
        action = self.bound.common.get('WarningAction', 'Continue')
        if action in ('SilentlyContinue', 'Ignore'):
            return
        if action == 'Stop':
            raise TerminatingError(ErrorRecord(
                'The running command stopped because the preference variable "WarningPreference" or common '
                'parameter is set to Stop: %s' % text, 'ActionPreferenceStop', category='OperationStopped',
                exception_type='System.Management.Automation.ActionPreferenceStopException',
                activity=self.spec.name))
        if action == 'Inquire':
            self.prompt('%s\nContinue with this operation?' % text)
        self.pipeline.streams.warning(text)

    def verbose(self, text):
        if self.bound.common.get('Verbose') is True:
            self.pipeline.streams.verbose(text)

    def progress(self, activity, status, percent=-1):
        """Write-Progress (dropped when the knob progress_records is off: a front end that writes none)."""
        if self.knobs.get('progress_records', True) is False:
            return
        self.pipeline.streams.progress(activity, status, percent)

    def prompt(self, question):
        if self.session.host_is_null:
            raise TerminatingError(errors.host_prompt(self.spec, question))
        raise TerminatingError(errors.cmdlet_error(
            self.spec, 'The Lync emulator cannot send prompts to a client host; send -Confirm:$false (and no '
                       'Inquire preference). The prompt was: %s' % question, 'PromptNotSupported',
            category='NotImplemented', exception_type='System.Management.Automation.Host.HostException'))

    def should_process(self, target, action):
        """ShouldProcess: False under -WhatIf (the what-if line goes where a host would show it: the verbose
        stream), True when the change may go ahead; a prompt fails (see ``prompt``)."""
        if self.whatif:
            self.pipeline.streams.verbose('What if: Performing the operation "%s" on target "%s".' % (action, target))
            return False
        confirm = self.bound.common.get('Confirm')
        if confirm is False:
            return True
        if confirm is True or self.spec.prompts_unless_confirm_false:
            self.prompt('Are you sure you want to perform this action?\nPerforming the operation "%s" on target '
                        '"%s".' % (action, target))
        return True

    # -- knobs ------------------------------------------------------------------------------------------------
    def hold(self, point):
        if any((r.get('cmdlet') or '').lower() == self.spec.name.lower() for r in self.knobs.get('hold') or []):
            self.shell.knobs.hold(self.spec.name, point)

    def check_stop(self):
        if self.session.stop_requested.is_set():
            raise TerminatingError(errors.stopped(self.spec))

    def _take_faults(self):
        rules = [r for r in self.knobs.get('faults') or [] if (r.get('cmdlet') or '').lower() ==
                 self.spec.name.lower()]
        for kind in FAULT_KINDS:
            if kind == 'whatif-refused' and not self.whatif:
                continue
            if any(r.get('kind') == kind for r in rules):
                rule = self.shell.knobs.consume('faults', self.spec.name, kind=kind)
                if rule:
                    self._faults[kind] = rule

    def run(self, binder, upstream, first):
        self._take_faults()

        def fault_text(rule, default):
            return rule.get('message') or default
        if 'terminating' in self._faults:
            self.fail(self.cmdlet_error(fault_text(self._faults['terminating'], 'Injected terminating fault.'),
                                        'EmulatorFault'))
        if 'whatif-refused' in self._faults:
            self.fail(self.cmdlet_error(fault_text(self._faults['whatif-refused'],
                                                   'Injected fault: this -WhatIf run was refused.'), 'EmulatorFault'))
        if 'warning' in self._faults:
            self.warning(fault_text(self._faults['warning'], 'Injected warning.'))
        if 'error' in self._faults:
            self.error(self.cmdlet_error(fault_text(self._faults['error'], 'Injected non-terminating fault.'),
                                         'EmulatorFault'))
        if upstream is None:
            self._work()
        else:
            # Each input record runs the cmdlet once; with no records it does not run at all, as PowerShell's
            # ProcessRecord.
            whole = self.bound
            for record in upstream:
                try:
                    self.bound = binder.bind_record(whole, record)
                except BindingError as exc:
                    self.error(errors.binding(exc.message, exc.reason, self.spec, exc.category, exc.exception_type,
                                              exc.target))
                    continue
                self._work()
            self.bound = whole
        if 'huge' in self._faults:
            self._huge(self._faults['huge'])

    def _work(self):
        """The cmdlet's work; failures of what it depends on become the terminating errors a cmdlet would throw
        (anything else escaping is a bug in the shell, which the transport reports as such)."""
        try:
            self.spec.handler(self)
        except TerminatingError:
            raise
        except winpath.PathError as exc:
            raise TerminatingError(self.cmdlet_error(str(exc), 'PathNotFound', category='ObjectNotFound',
                                                     exception_type='System.IO.' + exc.kind))
        except (DirectoryError, LDAPException) as exc:
            raise TerminatingError(self.cmdlet_error(
                'An Active Directory operation failed: %s' % exc, 'ActiveDirectoryOperationFailed',
                category='ConnectionError', exception_type='Microsoft.Rtc.Management.ADConnect.ADOperationException'))
        except (sqlite3.OperationalError, store_mod.StoreError) as exc:
            raise TerminatingError(self.cmdlet_error(
                'The Central Management Store or a chat database is unavailable: %s' % exc, 'StoreUnavailable',
                category='ResourceUnavailable', exception_type='System.Data.SqlClient.SqlException'))

    def _huge(self, rule):
        count = int(rule.get('count') or HUGE_DEFAULT_COUNT)
        sample = self._written[0] if self._written else PSObj(['System.String'], [], 'x' * 1024)
        for _index in range(max(0, count - self.wrote)):
            self._sink(sample)


def malformed(value, rule):
    """An object missing documented properties and with wrong types (the ``malformed`` fault): properties named
    in ``drop`` (default: every second one) are removed, lists become a single string, enums become integers,
    booleans become the strings 'yes'/'no'."""
    if not isinstance(value, PSObj):
        return value
    names = list(value.properties)
    drop = set(rule['drop'] if rule.get('drop') is not None else names[1::2])
    props = []
    for name in names:
        if name in drop:
            continue
        item = value.properties[name]
        if isinstance(item, list):
            item = ';'.join(str(getattr(v, 'to_string', v)) for v in item)
        elif isinstance(item, PSEnum):
            item = item.value
        elif isinstance(item, bool):
            item = 'yes' if item else 'no'
        props.append((name, item))
    return PSObj(value.type_names, props, value.to_string)
