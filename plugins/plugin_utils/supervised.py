# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of every pchat.cutover module: the module runs as usual, and this side of it, on the
controller, adds what only the controller can do while it runs.

- **Progress.** A module of a cutover run writes what it is doing to its run's progress file (progress.py); this
  shows it as a line after about a second and then at longer and longer intervals, up to
  ``pchat_migration_poll_seconds``, instead of Ansible's silent wait (or ``ASYNC POLL ... finished=False``).
- **The operator stops the run** (Ctrl-C, SIGTERM). ansible-playbook forwards the signal to its worker processes and
  exits (Ctrl-C: after its workers ended; SIGTERM: at once). Ansible's own worker would pass the signal on to the
  module and die at once; this action instead passes it on and waits for the module, which stops what it runs on the
  front end (a long cmdlet is stopped, not abandoned), records what it knows and fails saying so. Then, when the
  task belongs to a cutover or rollback run (``pchat_report_input`` is defined), it writes the run's failure report
  (the phase it stopped in and what is known to have changed) and releases the unit's lease, so the next run starts
  at once and finishes the job. A second Ctrl-C stops ansible-playbook at once, as always; this cleanup still ends.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextvars
import os
import signal
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.pchat.cutover.plugins.module_utils import progress
from ansible_collections.pchat.cutover.plugins.module_utils.connection import DIRECTORY_ARGUMENT_SPEC
from ansible_collections.pchat.cutover.plugins.plugin_utils import report_writer

display = Display()

FIRST_LINE_SECONDS = 1.0  # the first progress line, when the module reports progress
QUIET_SECONDS = 10.0  # a module that reports nothing gets a line ("still running") only after this
DEFAULT_MAX_SECONDS = 15.0  # pchat_migration_poll_seconds: the longest interval between two lines
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupt(object):
    """While the module runs, SIGINT and SIGTERM are noted and passed on to the module (once) instead of ending this
    process; the module stops at its next safe point and returns."""

    def __init__(self):
        self.signal = None
        self._previous = dict((signum, signal.signal(signum, self._on_signal)) for signum in SIGNALS)

    def _on_signal(self, signum, _frame):
        if self.signal is not None:
            return  # ansible-playbook sends SIGTERM right after SIGINT while it exits: one interruption
        self.signal = signal.Signals(signum).name
        try:
            os.killpg(os.getpgrp(), signum)  # the module's process is in this worker's group; this process ignores it
        except OSError:
            pass

    def restore(self):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def _say(text):
    try:
        display.display(text)
    except Exception:  # pylint: disable=broad-except
        pass  # ansible-playbook already left (the operator stopped the run): nobody reads it


def progress_line(host, task, elapsed, work):
    seconds = int(elapsed)
    clock = '%d min %02d s' % divmod(seconds, 60) if seconds >= 60 else '%d s' % seconds
    return '  %s | %s: %s (%s)' % (host, task, work or 'running', clock)


class SupervisedAction(ActionBase):
    """Runs the module of the same name; see the module docstring above."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(SupervisedAction, self).run(tmp, task_vars)
        interrupt = Interrupt()
        try:
            result.update(self._watch(self._execute_module_in_thread(task_vars), task_vars, interrupt))
        finally:
            interrupt.restore()
        if interrupt.signal:
            self.after_interrupt(result, interrupt.signal, task_vars)
        return result

    # -- running and watching ----------------------------------------------------------------------------------
    def _execute_module_in_thread(self, task_vars):
        outcome = {}

        def work():
            try:
                outcome['result'] = self._execute_module(task_vars=task_vars)
            except BaseException as error:  # pylint: disable=broad-except
                outcome['error'] = error
        # Ansible keeps the task's context in context variables: the thread runs in a copy of this one's
        thread = threading.Thread(target=contextvars.copy_context().run, args=(work,), name='pchat-module')
        thread.start()
        return thread, outcome

    def _watch(self, running, task_vars, interrupt):
        thread, outcome = running
        run_id = (self._task.args.get('lease') or {}).get('run')
        longest = float(task_vars.get('pchat_migration_poll_seconds') or DEFAULT_MAX_SECONDS)
        started = time.monotonic()
        interval, due, shown = FIRST_LINE_SECONDS, started + FIRST_LINE_SECONDS, None
        while thread.is_alive():
            thread.join(0.2)
            now = time.monotonic()
            if interrupt.signal or now < due or not thread.is_alive():
                continue
            found = progress.read(run_id) if run_id else None
            work = found.get('work') if found and found.get('pid') != os.getpid() else None
            if work or now - started >= QUIET_SECONDS:
                _say(progress_line(task_vars.get('inventory_hostname', ''), self.label(task_vars), now - started, work))
                shown = work
            interval = min(interval * 2, max(longest, FIRST_LINE_SECONDS))
            due = now + (interval if work or shown else FIRST_LINE_SECONDS)
        if 'error' in outcome:
            raise outcome['error']
        return outcome['result']

    def label(self, task_vars):
        """What the progress line names: the cutover phase the task belongs to, else the module."""
        return task_vars.get('pchat_phase') or self._task.action.rpartition('.')[2]

    # -- after the operator stopped the run --------------------------------------------------------------------
    def after_interrupt(self, result, signame, task_vars):
        result['failed'] = True
        result['interrupted'] = signame
        result['msg'] = 'the run was interrupted (%s): %s' % (
            signame, result.get('msg') or 'the task ended before it was told to stop; run again')
        if 'pchat_report_input' not in task_vars:
            return  # the module was used on its own: no run to report
        try:
            result['report'] = self._write_failure_report(result, task_vars)
        except Exception as error:  # pylint: disable=broad-except
            result['report_error'] = 'the failure report could not be written: %s' % error
        try:
            result['lease_released'] = self._release_lease(task_vars)
        except Exception as error:  # pylint: disable=broad-except
            result['lease_error'] = 'the lease could not be released (it expires by itself): %s' % error

    def _write_failure_report(self, result, task_vars):
        report = dict(self._templar.template(task_vars['pchat_report_input']))
        report['failure'] = {'phase': task_vars.get('pchat_phase_current') or 'preflight', 'task': self._task.get_name(),
                             'error': result['msg'], 'interrupted': signame_of(result),
                             # the interrupted phase's row in the report: when it began and when it stopped
                             'started': task_vars.get('pchat_phase_started'), 'at': time.time()}
        report_dir = self._templar.template(task_vars.get('pchat_report_dir') or '~/.pchat-cutover/reports')
        keep_latest = self._templar.template(task_vars.get('pchat_report_keep_latest', True))
        return report_writer.write(report, report_dir, keep_latest=bool(keep_latest))['files']

    def _release_lease(self, task_vars):
        handle = self._task.args.get('lease')
        if not handle:
            return False
        # unit_lock takes the directory options only (the lease is an AD object)
        args = dict((name, value) for name, value in self._task.args.items() if name in DIRECTORY_ARGUMENT_SPEC)
        args.update(name=handle['unit'], state='released', lease=handle)
        check_mode, self._task.check_mode = self._task.check_mode, False  # a preview took the lease for real too
        try:
            released = self._execute_module(module_name='pchat.cutover.unit_lock', module_args=args,
                                            task_vars=task_vars)
        finally:
            self._task.check_mode = check_mode
        return bool(released.get('released'))


def signame_of(result):
    return result.get('interrupted')
