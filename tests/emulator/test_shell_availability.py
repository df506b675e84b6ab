# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which commands exist on which path, before and after Import-Module Lync; scripts are refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from lab.emulator.api import PATH_OCS, Command
from lab.emulator.knobs import Knobs

from .conftest import Runner, make_session

NOT_RECOGNIZED = ("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable "
                  "program.")


def assert_not_found(result, name):
    assert result.failure is not None
    assert result.failure.error_id == 'CommandNotFoundException'
    assert result.failure.category == 'ObjectNotFound'
    assert result.failure.exception_type == 'System.Management.Automation.CommandNotFoundException'
    assert result.failure.message.startswith(NOT_RECOGNIZED % name)


def test_wsman_offers_core_commands_and_lync_only_after_import(bare_wsman):
    assert_not_found(bare_wsman.run('Get-CsPersistentChatEndpoint'), 'Get-CsPersistentChatEndpoint')
    assert bare_wsman.run('Get-Service', Name=['WinRM']).ok
    assert bare_wsman.run('Import-Module', Name='Lync').ok
    after = bare_wsman.run('Get-CsPersistentChatEndpoint')
    assert after.ok and after.outputs


def test_module_is_per_session(shell):
    first = Runner(shell, make_session(name='one'))
    second = Runner(shell, make_session(name='two'))
    assert first.run('Import-Module', Name='Lync').ok
    assert first.run('Get-CsPool').ok
    assert_not_found(second.run('Get-CsPool'), 'Get-CsPool')


def test_ocs_offers_lync_cmdlets_at_once_and_nothing_else(ocs):
    assert ocs.run('Get-CsPool').ok
    for name in ('Import-Module', 'Get-Service', 'Select-Object', 'ConvertTo-Json'):
        assert_not_found(ocs.run(name), name)


def test_unknown_commands_and_generic_cmdlets_do_not_exist(wsman):
    for name in ('Get-CsNothing', 'Select-Object', 'ConvertTo-Json', 'Where-Object', 'Invoke-Expression'):
        assert_not_found(wsman.run(name), name)


def test_names_compare_without_case_and_module_qualified(wsman):
    assert wsman.run('get-cspool').ok
    assert wsman.run('Lync\\Get-CsPool').ok
    assert_not_found(wsman.run('Other\\Get-CsPool'), 'Other\\Get-CsPool')


def test_whole_pipeline_is_resolved_before_anything_runs(wsman, scratch):
    result = wsman.pipeline([Command('Set-CsPersistentChatState', [
        ('Identity', 'PersistentChatServer:pcpool.contoso.com'), ('PoolState', 'FailedOver'),
        ('Confirm', False)]),
        Command('Get-Nothing')])
    assert_not_found(result, 'Get-Nothing')
    assert [o['PoolState'].name for o in wsman.run('Get-CsPersistentChatState',
                                                   Identity='PersistentChatServer:pcpool.contoso.com').outputs] \
        == ['Normal']


def test_scripts_are_refused(wsman):
    result = wsman.pipeline([Command('Get-CsPool | Select-Object Identity', is_script=True)])
    assert result.failure.error_id == 'ScriptNotSupported'
    assert 'commands, not script' in result.failure.message


def test_import_module_of_another_module_is_a_non_terminating_error(bare_wsman):
    result = bare_wsman.run('Import-Module', Name='ActiveDirectory')
    assert result.ok
    assert result.errors[0].error_id == 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand'
    assert 'ActiveDirectory' in result.errors[0].message


def test_import_module_by_path_and_pass_thru(bare_wsman):
    result = bare_wsman.run('Import-Module', Name=['C:\\Program Files\\Common Files\\Microsoft Lync Server 2013\\'
                                                   'Modules\\Lync\\Lync.psd1'], PassThru=None)
    assert result.ok
    assert result.outputs[0].type_names[0] == 'System.Management.Automation.PSModuleInfo'
    assert result.outputs[0]['Name'] == 'Lync'
    assert bare_wsman.run('Get-CsPool').ok


def test_import_module_latency_knob(shell, scratch):
    Knobs(scratch).update(import_module_latency_ms=400)
    runner = Runner(shell, make_session())
    started = time.time()
    assert runner.run('Import-Module', Name='Lync').ok
    assert time.time() - started >= 0.4
    started = time.time()
    assert runner.run('Import-Module', Name='Lync').ok  # already loaded: no second wait
    assert time.time() - started < 0.3


def test_ocs_session_does_not_need_import(shell):
    runner = Runner(shell, make_session(PATH_OCS))
    assert runner.run('Get-CsService', PersistentChatServer=None).ok
