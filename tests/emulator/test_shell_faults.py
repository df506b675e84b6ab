# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``faults`` knob: each kind makes a cmdlet misbehave the documented way, only as often as ``times`` says."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from lab import topology
from lab.emulator.api import PSEnum
from lab.emulator.knobs import Knobs

STATE = 'PersistentChatServer:' + topology.TARGET_POOL


def fault(scratch, cmdlet, kind, **extra):
    Knobs(scratch).update(faults=[dict(cmdlet=cmdlet, kind=kind, **extra)])


def test_terminating(ocs, scratch):
    fault(scratch, 'Get-CsPool', 'terminating', message='boom', times=1)
    failed = ocs.run('Get-CsPool')
    assert failed.failure.error_id == 'EmulatorFault,Microsoft.Rtc.Management.Deploy.Cmdlets.GetPoolCmdlet'
    assert failed.failure.message == 'boom' and failed.outputs == []
    assert ocs.run('Get-CsPool').ok  # used up
    assert json.load(open(Knobs(scratch).path))['faults'][0]['times'] == 0


def test_error_is_non_terminating_and_honours_error_action(ocs, scratch):
    fault(scratch, 'Get-CsPool', 'error')
    result = ocs.run('Get-CsPool')
    assert result.ok and result.outputs and result.errors[0].error_id.startswith('EmulatorFault,')
    assert ocs.run('Get-CsPool', ErrorAction='Stop').failure.error_id.startswith('EmulatorFault,')


def test_warning(ocs, scratch):
    fault(scratch, 'Get-CsPersistentChatState', 'warning', message='state may be stale')
    result = ocs.run('Get-CsPersistentChatState')
    assert result.warnings == ['state may be stale'] and result.outputs


def test_empty_does_the_work_but_writes_nothing(ocs, scratch):
    fault(scratch, 'New-CsPersistentChatCategory', 'empty')
    result = ocs.run('New-CsPersistentChatCategory', Name='Silent', PersistentChatPoolFqdn=topology.TARGET_POOL)
    assert result.ok and result.outputs == []
    assert ocs.run('Get-CsPersistentChatCategory', Identity=topology.TARGET_POOL + '\\Silent').outputs


def test_malformed_objects(ocs, scratch):
    normal = ocs.run('Get-CsPersistentChatState', Identity=STATE).outputs[0]
    fault(scratch, 'Get-CsPersistentChatState', 'malformed', drop=[])
    broken = ocs.run('Get-CsPersistentChatState', Identity=STATE).outputs[0]
    assert isinstance(normal['PoolState'], PSEnum) and broken['PoolState'] == 0  # an enum become a bare number
    fault(scratch, 'Get-CsService', 'malformed')
    service = ocs.run('Get-CsService', PersistentChatServer=None).outputs[0]
    assert 'Registrar' not in service.properties and 'Identity' in service.properties  # every second one dropped
    assert isinstance(service['InactiveServers'], str)  # a list become one string


def test_huge_output(ocs, scratch):
    fault(scratch, 'Get-CsSite', 'huge', count=5000)
    result = ocs.run('Get-CsSite')
    assert len(result.outputs) == 5000
    assert result.outputs[-1].type_names == result.outputs[0].type_names


def test_whatif_refused_fires_only_under_whatif(ocs, scratch):
    fault(scratch, 'Set-CsPersistentChatState', 'whatif-refused', times=1)
    assert ocs.run('Set-CsPersistentChatState', Identity=STATE, PoolState='Normal', Confirm=False).ok
    refused = ocs.run('Set-CsPersistentChatState', Identity=STATE, PoolState='FailedOver', WhatIf=None)
    assert refused.failure.error_id.startswith('EmulatorFault,')
    assert ocs.run('Set-CsPersistentChatState', Identity=STATE, PoolState='FailedOver', WhatIf=None).ok


def test_rules_for_other_cmdlets_do_not_fire(ocs, scratch):
    fault(scratch, 'Get-CsComputer', 'terminating')
    assert ocs.run('Get-CsPool').ok


def test_an_unreachable_directory_is_a_clean_terminating_error(scratch):
    import os
    from .conftest import Runner, make_session
    from lab.emulator.api import PATH_OCS
    from lab.emulator.shell import Shell
    path = os.path.join(scratch, 'connection.json')
    values = json.load(open(path))
    values['PCHAT_LDAP_URL'] = values['PCHAT_LDAP_URL'].rsplit(':', 1)[0] + ':1'  # nothing listens there
    json.dump(values, open(path, 'w'))
    shell = Shell(scratch)
    try:
        result = Runner(shell, make_session(PATH_OCS)).run('Get-CsPersistentChatEndpoint')
    finally:
        shell.close()
    assert result.failure.error_id.startswith('ActiveDirectoryOperationFailed,')
    assert result.failure.category == 'ConnectionError'


def test_error_identity_other_gives_the_guessed_errors_another_identity(ocs, scratch):
    """The ``error_identity`` knob: an identity that names nothing and a missing file keep their message, with an
    identity other than the lab's guess (Microsoft documents none)."""
    missing = ocs.run('Get-CsPersistentChatEndpoint', Identity='sip:nobody@contoso.com')
    assert (missing.errors[0].category, missing.errors[0].error_id.split(',')[0]) == ('ObjectNotFound', 'Identity')
    no_file = ocs.run('Import-CsPersistentChatData', DBInstance='pcsql.contoso.com\\pchat',
                      FileName='C:\\Windows\\Temp\\none.zip', Confirm=False)
    assert no_file.failure.error_id.startswith('PathNotFound,')
    Knobs(scratch).update(error_identity='other')
    missing = ocs.run('Get-CsPersistentChatEndpoint', Identity='sip:nobody@contoso.com')
    assert missing.errors[0].category == 'NotSpecified'
    assert missing.errors[0].error_id.startswith('ManagementObjectNotFound,')
    assert missing.errors[0].message == 'Management object not found for identity "sip:nobody@contoso.com".'
    no_file = ocs.run('Import-CsPersistentChatData', DBInstance='pcsql.contoso.com\\pchat',
                      FileName='C:\\Windows\\Temp\\none.zip', Confirm=False)
    assert no_file.failure.error_id.startswith('FileAccessFailed,') and no_file.failure.category == 'ReadError'
    assert "Could not find file 'C:\\Windows\\Temp\\none.zip'." in no_file.failure.message
