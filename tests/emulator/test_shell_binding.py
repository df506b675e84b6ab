# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parameter binding as PowerShell does it, and the common parameters."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from lab.emulator.knobs import Knobs

ROOM = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.GetPersistentChatRoomCmdlet'
EXPORT = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ExportPersistentChatDataCmdlet'
PC = 'PersistentChatServer:pcpool.contoso.com'


def test_names_compare_without_case_and_prefixes_bind(ocs):
    exact = ocs.params('Get-CsService', [('persistentchatserver', None)])
    prefix = ocs.params('Get-CsService', [('PersistentChatS', None)])
    assert exact.ok and prefix.ok
    assert [o['Identity'] for o in exact.outputs] == [o['Identity'] for o in prefix.outputs]
    assert len(exact.outputs) == 2


def test_unknown_parameter(ocs):
    result = ocs.run('Get-CsPersistentChatRoom', PoolFqdn='pcpool.contoso.com')
    assert result.failure.error_id == 'NamedParameterNotFound,' + ROOM
    assert result.failure.message == "A parameter cannot be found that matches parameter name 'PoolFqdn'."
    assert result.failure.exception_type == 'System.Management.Automation.ParameterBindingException'
    assert result.failure.category == 'InvalidArgument'


def test_ambiguous_prefix_names_the_candidates(ocs):
    result = ocs.params('Get-CsPersistentChatRoom', [('D', True)])
    assert result.failure.error_id == 'AmbiguousParameter,' + ROOM
    assert '-Disabled' in result.failure.message and '-Debug' in result.failure.message


def test_aliases_bind(ocs):
    result = ocs.params('Get-CsService', [('ExternalServer', None)])  # alias of -TrustedApplicationPool
    assert result.ok and {o['Role'] for o in result.outputs} == {'TrustedApplicationPool'}


def test_missing_mandatory_parameter_is_not_prompted_for(ocs):
    result = ocs.run('New-CsPersistentChatEndpoint', SipAddress='sip:x@contoso.com', Confirm=False)
    assert result.failure.error_id.startswith('MissingMandatoryParameter,')
    assert result.failure.message == ('Cannot process command because of one or more missing mandatory parameters: '
                                      'PersistentChatPoolFqdn.')


def test_ambiguous_parameter_set(ocs):
    two_switches = ocs.run('Get-CsService', Registrar=None, PersistentChatServer=None)
    assert two_switches.failure.error_id.startswith('AmbiguousParameterSet,')
    assert two_switches.failure.message == 'Parameter set cannot be resolved using the specified named parameters.'
    neither = ocs.run('Export-CsPersistentChatData', DBInstance='pcsql.contoso.com\\pchat')
    assert neither.failure.error_id == 'AmbiguousParameterSet,' + EXPORT
    both = ocs.run('Export-CsPersistentChatData', DBInstance='pcsql.contoso.com\\pchat', AsBytes=None,
                   FileName='C:\\Windows\\Temp\\x.zip')
    assert both.failure.error_id == 'AmbiguousParameterSet,' + EXPORT


def test_positional_arguments(ocs):
    by_position = ocs.run('Get-CsPersistentChatState', PC)
    assert by_position.ok and by_position.outputs[0]['Identity'] == PC
    extra = ocs.run('Get-CsPersistentChatState', PC, 'extra')
    assert extra.failure.error_id.startswith('PositionalParameterNotFound,')
    assert "'extra'" in extra.failure.message


def test_parameter_given_twice(ocs):
    result = ocs.params('Get-CsPool', [('Identity', 'a.contoso.com'), ('identity', 'b.contoso.com')])
    assert result.failure.error_id.startswith('ParameterAlreadyBound,')


def test_non_switch_without_argument(ocs):
    result = ocs.params('Get-CsPool', [('Identity', None)])
    assert result.failure.error_id.startswith('MissingArgument,')
    assert "Missing an argument for parameter 'Identity'" in result.failure.message


def test_boolean_parameters_take_booleans_and_numbers_only(ocs):
    text = ocs.run('Get-CsPersistentChatRoom', Disabled='false')
    assert text.failure.error_id == 'ParameterArgumentTransformationError,' + ROOM
    assert 'Boolean parameters accept only Boolean values and numbers' in text.failure.message
    assert text.failure.category == 'InvalidData'
    assert ocs.run('Get-CsPersistentChatRoom', Disabled=0).ok
    assert ocs.run('Get-CsPersistentChatRoom', Disabled=False).ok


def test_integer_conversion(ocs):
    assert ocs.run('Get-CsPersistentChatRoom', ResultSize='5').ok
    bad = ocs.run('Get-CsPersistentChatRoom', ResultSize='five')
    assert bad.failure.error_id == 'ParameterArgumentTransformationError,' + ROOM
    assert 'Input string was not in a correct format.' in bad.failure.message


def test_enum_values_are_validated_without_regard_to_case(ocs):
    assert ocs.run('Get-CsPersistentChatRoom', Privacy='secret').ok
    bad = ocs.run('Get-CsPersistentChatRoom', Privacy='Hidden')
    assert bad.failure.error_id == 'ParameterArgumentValidationError,' + ROOM
    assert 'does not belong to the set "Open,Closed,Secret"' in bad.failure.message


def test_datetime_conversion(ocs):
    bad = ocs.run('Export-CsPersistentChatData', DBInstance='x', AsBytes=None, StartDate='yesterday')
    assert bad.failure.error_id == 'ParameterArgumentTransformationError,' + EXPORT
    assert 'System.DateTime' in bad.failure.message


def test_empty_string_for_a_mandatory_parameter(ocs):
    result = ocs.run('New-CsPersistentChatEndpoint', SipAddress='', PersistentChatPoolFqdn='pcpool.contoso.com')
    assert result.failure.error_id.startswith('ParameterArgumentValidationErrorEmptyStringNotAllowed,')


def test_fqdn_type(ocs):
    result = ocs.run('Get-CsPersistentChatEndpoint', PersistentChatPoolFqdn='not a name!')
    assert result.failure.error_id.startswith('ParameterArgumentTransformationError,')


@pytest.mark.parametrize('name,value', [('Verbose', None), ('Debug', None), ('ErrorAction', 'Continue'),
                                        ('WarningAction', 'Continue'), ('ErrorVariable', 'e'),
                                        ('WarningVariable', 'w'), ('OutVariable', 'o'), ('OutBuffer', 10),
                                        ('PipelineVariable', 'p'), ('InformationAction', 'Continue'),
                                        ('InformationVariable', 'i'), ('ea', 'Continue'), ('wa', 'Continue'),
                                        ('vb', None)])
def test_common_parameters_are_accepted_everywhere(ocs, name, value):
    for cmdlet in ('Get-CsPool', 'Get-CsPersistentChatRoom', 'Get-CsWindowsService'):
        assert ocs.params(cmdlet, [(name, value)]).ok, (cmdlet, name)


def test_error_action_stop_makes_the_first_error_terminating(ocs):
    missing = 'nosuch.contoso.com\\room'
    plain = ocs.run('Get-CsPersistentChatRoom', Identity=missing)
    assert plain.ok and plain.errors[0].category == 'ObjectNotFound'
    stopped = ocs.run('Get-CsPersistentChatRoom', Identity=missing, ErrorAction='Stop')
    assert stopped.failure.error_id == plain.errors[0].error_id
    assert stopped.errors == []
    silent = ocs.run('Get-CsPersistentChatRoom', Identity=missing, ErrorAction='SilentlyContinue')
    assert silent.ok and silent.errors == []


def test_error_action_inquire_would_prompt(ocs):
    result = ocs.run('Get-CsPersistentChatRoom', Identity='nosuch.contoso.com\\room', ErrorAction='Inquire')
    assert result.failure.error_id == 'HostException'


def test_warning_action(ocs, scratch):
    Knobs(scratch).update(faults=[{'cmdlet': 'Get-CsPool', 'kind': 'warning', 'message': 'careful'}])
    assert ocs.run('Get-CsPool').warnings == ['careful']
    silent = ocs.run('Get-CsPool', WarningAction='SilentlyContinue')
    assert silent.ok and silent.warnings == []
    stop = ocs.run('Get-CsPool', WarningAction='Stop')
    assert stop.failure.error_id == 'ActionPreferenceStop'
    assert stop.failure.message.endswith('is set to Stop: careful')


def test_verbose_only_when_asked(ocs):
    quiet = ocs.run('Export-CsPersistentChatData', DBInstance='pcsql.contoso.com\\pchat', AsBytes=None)
    loud = ocs.run('Export-CsPersistentChatData', DBInstance='pcsql.contoso.com\\pchat', AsBytes=None, Verbose=None)
    assert quiet.ok and loud.ok
    assert quiet.verbose == [] and any('Exported' in v for v in loud.verbose)


def test_suspend_is_refused(ocs):
    result = ocs.run('Get-CsPool', ErrorAction='Suspend')
    assert result.failure.error_id.startswith('ParameterArgumentValidationError,')


def test_pipeline_input_binds_by_value(ocs, scratch):
    created = ocs.run('New-CsPersistentChatCategory', Name='Piped', PersistentChatPoolFqdn='pcpool.contoso.com')
    assert created.ok
    from lab.emulator.api import Command
    assert ocs.pipeline([Command('New-CsPersistentChatRoom', [('Name', 'P1'), ('Category', 'Piped'),
                                                              ('PersistentChatPoolFqdn', 'pcpool.contoso.com')])]).ok
    result = ocs.pipeline([Command('Get-CsPersistentChatRoom', [('PersistentChatPoolFqdn', 'pcpool.contoso.com')]),
                           Command('Set-CsPersistentChatRoom', [('Disabled', True), ('Confirm', False)])])
    assert result.ok and result.errors == [], result
    assert ocs.run('Get-CsPersistentChatRoom', Identity='pcpool.contoso.com\\P1').outputs[0]['Disabled'] is True


def test_pipeline_input_that_binds_nowhere(ocs):
    from lab.emulator.api import Command
    result = ocs.pipeline([Command('Get-CsPool', [('Identity', 'pcpool.contoso.com')]),
                           Command('Remove-CsPersistentChatRoom', [('Confirm', False)])])
    assert result.ok
    assert result.errors[0].error_id.startswith('InputObjectNotBound,')
