# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""-WhatIf changes nothing; Lync cmdlets that change state prompt unless -Confirm:$false is sent, and a prompt in
a session without a host fails with HostException; the Windows service cmdlets prompt only when asked to."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from lab import names
from lab.emulator import store as store_mod
from lab.emulator.api import Command
from lab.emulator.cmdlets import LYNC, all_specs

from .conftest import Runner, fingerprint, make_session, store

PC = 'pcpool.contoso.com'


def prepare(ocs):
    """A category and a room on the target pool, so that every changing cmdlet has something to change."""
    assert ocs.run('New-CsPersistentChatCategory', Name='Cat', PersistentChatPoolFqdn=PC, EnableInvitations=None).ok
    assert ocs.run('New-CsPersistentChatCategory', Name='Empty', PersistentChatPoolFqdn=PC).ok
    assert ocs.run('New-CsPersistentChatRoom', Name='Room', Category='Cat', PersistentChatPoolFqdn=PC).ok


def export_file(ocs):
    result = ocs.run('Export-CsPersistentChatData', DBInstance='gcsql.contoso.com\\groupchat', DBName='GroupChat',
                     FileName='C:\\Windows\\Temp\\sp.zip', WarningAction='SilentlyContinue')
    assert result.ok, result
    return 'C:\\Windows\\Temp\\sp.zip'


# Every Lync cmdlet of the emulator that has -Confirm, with a call that would change something.
CHANGING = {
    'New-CsPersistentChatEndpoint': [('SipAddress', 'sip:sp-endpoint@contoso.com'), ('PersistentChatPoolFqdn', PC)],
    'Remove-CsPersistentChatEndpoint': [('Identity', 'sip:PersistentChatService-pcpool@contoso.com')],
    'Set-CsPersistentChatRoom': [('Identity', PC + '\\Room'), ('Description', 'changed')],
    'Remove-CsPersistentChatRoom': [('Identity', PC + '\\Room')],
    'Set-CsPersistentChatCategory': [('Identity', PC + '\\Cat'), ('Description', 'changed')],
    'Remove-CsPersistentChatCategory': [('Identity', PC + '\\Empty')],
    'Set-CsPersistentChatState': [('Identity', 'PersistentChatServer:' + PC), ('PoolState', 'FailedOver')],
    'Set-CsPersistentChatActiveServer': [('Identity', 'PersistentChatServer:' + PC),
                                         ('ActiveServers', {'Add': 'pc03.contoso.com'})],
    'Start-CsWindowsService': [('Name', 'RTCPCHAT'), ('ComputerName', 'pc01.contoso.com')],
    'Stop-CsWindowsService': [('Name', 'RTCSRV'), ('ComputerName', 'fe01.contoso.com')],
    'Import-CsPersistentChatData': [('DBInstance', 'pcsql.contoso.com\\pchat'), ('FileName', None)],
    'Set-CsTestUserCredential': [('SipAddress', names.TEST_USERS[0][1]), ('UserName', 'CONTOSO\\pctest1'),
                                 ('Password', None)],
}


def test_the_table_covers_every_lync_cmdlet_with_confirm():
    with_confirm = sorted(s.name for s in all_specs().values() if s.should_process and s.module == LYNC)
    assert with_confirm == sorted(CHANGING)


def _parameters(ocs, name):
    parameters = list(CHANGING[name])
    if name == 'Import-CsPersistentChatData':
        parameters = [(k, v if v is not None else export_file(ocs)) for k, v in parameters]
    if name == 'Set-CsTestUserCredential':  # the test user not registered yet, its real password
        lab_dir = ocs.shell.lab_dir
        conn = store(lab_dir)
        try:
            with store_mod.transaction(conn):
                conn.execute('DELETE FROM test_user_credentials')
        finally:
            conn.close()
        with open(os.path.join(lab_dir, 'lab-state.json')) as handle:
            password = json.load(handle)['test_user_password']
        parameters = [(k, v if v is not None else password) for k, v in parameters]
    return parameters


@pytest.mark.parametrize('name', sorted(CHANGING))
def test_prompt_without_confirm_false_fails_and_changes_nothing(ocs, scratch, ldap, name):
    prepare(ocs)
    parameters = _parameters(ocs, name)
    before = fingerprint(scratch, ldap)
    result = ocs.params(name, parameters)
    assert result.failure is not None and result.failure.error_id == 'HostException', result
    assert result.failure.message.startswith('A command that prompts the user failed because the host program or '
                                             'the command type does not support user interaction.')
    assert 'Are you sure you want to perform this action?' in result.failure.message
    assert fingerprint(scratch, ldap) == before


@pytest.mark.parametrize('name', sorted(CHANGING))
def test_whatif_changes_nothing_and_says_what_it_would_do(ocs, scratch, ldap, name):
    prepare(ocs)
    parameters = _parameters(ocs, name)
    before = fingerprint(scratch, ldap)
    result = ocs.params(name, parameters + [('WhatIf', None)])
    assert result.ok and result.errors == [], result
    assert any(v.startswith('What if: Performing the operation "%s"' % name) for v in result.verbose)
    assert fingerprint(scratch, ldap) == before


@pytest.mark.parametrize('name', sorted(CHANGING))
def test_confirm_false_lets_the_change_happen(ocs, scratch, ldap, name):
    prepare(ocs)
    parameters = _parameters(ocs, name)
    before = fingerprint(scratch, ldap)
    result = ocs.params(name, parameters + [('Confirm', False), ('WarningAction', 'SilentlyContinue')])
    assert result.ok and result.errors == [], result
    assert fingerprint(scratch, ldap) != before


def test_force_does_not_suppress_the_prompt(ocs):
    result = ocs.params('Remove-CsPersistentChatEndpoint', CHANGING['Remove-CsPersistentChatEndpoint'] +
                        [('Force', None)])
    assert result.failure.error_id == 'HostException'


def test_confirm_true_prompts_even_where_nothing_prompts_by_default(wsman):
    assert wsman.run('Set-Service', Name='W32Time', ComputerName=['gc01.contoso.com'], StartupType='Manual').ok
    asked = wsman.run('Set-Service', Name='W32Time', ComputerName=['gc01.contoso.com'], StartupType='Manual',
                      Confirm=True)
    assert asked.failure.error_id == 'HostException'


def test_windows_service_cmdlets_do_not_prompt_by_default(wsman, scratch, ldap):
    before = fingerprint(scratch, ldap)
    result = wsman.pipeline([Command('Get-Service', [('ComputerName', ['gc01.contoso.com']),
                                                     ('Name', ['LyncGroupChatLookup'])]),
                             Command('Stop-Service', [])])
    assert result.ok and result.errors == [], result
    assert fingerprint(scratch, ldap) != before


def test_a_client_with_a_host_still_cannot_answer_the_emulator(shell):
    runner = Runner(shell, make_session(host_is_null=False))
    assert runner.run('Import-Module', Name='Lync').ok
    result = runner.params('Set-CsPersistentChatState', CHANGING['Set-CsPersistentChatState'])
    assert result.failure.error_id.startswith('PromptNotSupported,')
    assert '-Confirm:$false' in result.failure.message


def test_new_cmdlets_without_confirm_parameter_refuse_whatif(ocs):
    # New-CsPersistentChatRoom and New-CsPersistentChatCategory document no -WhatIf/-Confirm.
    result = ocs.run('New-CsPersistentChatCategory', Name='X', PersistentChatPoolFqdn=PC, WhatIf=None)
    assert result.failure.error_id.startswith('NamedParameterNotFound,')
