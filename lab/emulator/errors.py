# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error records as PowerShell and the Lync cmdlets report them: one constructor per kind, so every cmdlet words
the same failure the same way (docs/lab-emulator.md lists the ids and categories)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab.emulator.api import ErrorRecord, TerminatingError

PBE = 'System.Management.Automation.ParameterBindingException'


def command_not_found(name):
    return ErrorRecord(
        "The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try "
        "again." % name,
        'CommandNotFoundException', category='ObjectNotFound',
        exception_type='System.Management.Automation.CommandNotFoundException', target=name, activity=None)


def script_refused():
    return ErrorRecord(
        'The Lync emulator runs commands, not script text: send each cmdlet as a command with its parameters '
        '(PowerShell.AddCommand/AddParameter; pypsrp add_cmdlet/add_parameter), never AddScript.',
        'ScriptNotSupported', category='InvalidOperation',
        exception_type='System.Management.Automation.PSNotSupportedException')


def binding(message, reason, cmdlet, category='InvalidArgument', exception_type=PBE, target=None):
    return ErrorRecord(message, '%s,%s' % (reason, cmdlet.class_name), category=category,
                       exception_type=exception_type, target=target, activity=cmdlet.name)


def host_prompt(cmdlet, question):
    """A prompt (ShouldProcess confirmation, -ErrorAction Inquire, ...) in a session that cannot answer one.
    PowerShell's own FullyQualifiedErrorId here is ``HostFunctionNotImplemented,<class>``; the lab's contract
    (docs/lab-emulator.md) is the stable id ``HostException``."""
    return ErrorRecord(
        'A command that prompts the user failed because the host program or the command type does not support '
        'user interaction. The host was attempting to request confirmation with the following message: %s'
        % question,
        'HostException', category='NotImplemented',
        exception_type='System.Management.Automation.Host.HostException', activity=cmdlet.name)


def cmdlet_error(cmdlet, message, reason, category='NotSpecified', target=None,
                 exception_type='Microsoft.Rtc.Management.ManagementException'):
    """An error a cmdlet reports about its work (non-terminating when written, terminating when raised)."""
    return ErrorRecord(message, '%s,%s' % (reason, cmdlet.class_name), category=category,
                       exception_type=exception_type, target=target, activity=cmdlet.name)


# (reason, category) of errors whose identity is the lab's guess -> another identity, for the ``error_identity``
# knob ("other"): an identity that names nothing, a path that does not exist.
OTHER_IDENTITIES = {
    ('Identity', 'ObjectNotFound'): ('ManagementObjectNotFound', 'NotSpecified'),
    ('PathNotFound', 'ObjectNotFound'): ('FileAccessFailed', 'ReadError'),
}


def not_found(cmdlet, identity):
    """Lync's wording for an identity that names nothing."""
    return cmdlet_error(cmdlet, 'Management object not found for identity "%s".' % identity, 'Identity',
                        category='ObjectNotFound', target=identity)


def stopped(cmdlet):
    return ErrorRecord('The pipeline has been stopped.', 'PipelineStopped', category='OperationStopped',
                       exception_type='System.Management.Automation.PipelineStoppedException', activity=cmdlet.name)


def fail(record):
    raise TerminatingError(record)
