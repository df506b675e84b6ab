# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The defects issue 10 lists, each proven fixed through the real wire (pypsrp to the emulator), each test one that
fails without the fix. Defects whose proof belongs to one module's story are tested there:

* a completed import recorded, a re-run sends no Export/Import, chat_migration_info plans nothing after it, the
  backup of the target, the -WhatIf gate on unaccepted warnings, an import that wrote nothing fails, disabled rooms
  not migrated, the import refused while the target runs: test_chat_migration.py;
* creating the endpoint only once Lync's view of AD forgot the deleted user: test_legacy_endpoint.py;
* pool kinds told apart, one listing per module run: test_chat_pool.py (and the migration's whole run).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

LEGACY, TARGET = 'gc.contoso.com', 'pcpool.contoso.com'
PC_SERVERS = "(SELECT fqdn FROM servers WHERE pool_fqdn = 'pcpool.contoso.com')"
CHAT_ROLE = "roles LIKE '%PersistentChatService%'"


def test_chat_services_are_stopped_without_graceful(run, clean_lab):
    """Stop-CsWindowsService -Graceful waits for every chat session to end; the lab's running chat services always
    hold sessions, so a graceful stop would never return (the run would time out)."""
    assert run('chat_pool', {'fqdn': TARGET, 'state': 'started'}).changed
    sessions = clean_lab.store_rows('SELECT open_sessions FROM services WHERE server_fqdn IN %s AND %s'
                                    % (PC_SERVERS, CHAT_ROLE))
    assert len(sessions) == 6 and min(sessions)[0] > 0  # every started chat service holds sessions
    stopped = run('chat_pool', {'fqdn': TARGET, 'state': 'stopped'}, timeout=60)
    assert not stopped.failed and stopped.changed, stopped
    calls = stopped.requests.calls('Stop-CsWindowsService')
    assert len(calls) == 6 and not [names for names in calls if 'Graceful' in names]
    assert set(status for status, _mode in clean_lab.services(TARGET).values()) == {'stopped'}


def test_every_changing_cmdlet_is_sent_with_confirm_false(run, clean_lab, directory):
    """A remote runspace has no host to answer a prompt: the emulator fails a changing Lync cmdlet sent without
    -Confirm:$false, as a real front end's would prompt."""
    _output, errors = clean_lab.lync('Start-CsWindowsService', Name='RTCPCHAT', ComputerName='pc01.contoso.com')
    assert errors and 'prompts the user' in errors[0]  # what a run without the fix meets
    directory.delete('CN=OCSChat,CN=Users,DC=contoso,DC=com')
    runs = [run('chat_pool', {'fqdn': TARGET, 'state': 'started'}),
            run('chat_pool', {'fqdn': TARGET, 'state': 'stopped'}),
            run('legacy_endpoint', {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': TARGET}),
            run('legacy_endpoint', {'sip_address': 'sip:OCSChat@contoso.com', 'state': 'absent'})]
    sent = {}
    for result in runs:
        assert not result.failed, result
        for pipeline in result.requests.changing():
            sent.setdefault(pipeline['cmdlets'][0], []).append(pipeline['parameters'][0])
    assert sorted(sent) == ['New-CsPersistentChatEndpoint', 'Remove-CsPersistentChatEndpoint',
                            'Start-CsWindowsService', 'Stop-CsWindowsService']
    assert all('Confirm' in names for calls in sent.values() for names in calls), sent


def test_chat_services_are_found_by_role_not_by_name(run, clean_lab):
    """The lab's chat services are not named RTCCHAT (the commonly cited, unconfirmed name); here they get names no
    driver could guess, and a decoy RTCCHAT without the Persistent Chat role stands beside them."""
    renamed = clean_lab.store_execute("UPDATE services SET name = CASE WHEN name LIKE '%%COMP' THEN 'ContosoChatAudit' "
                                      "ELSE 'ContosoChatChannel' END WHERE server_fqdn IN %s AND %s"
                                      % (PC_SERVERS, CHAT_ROLE))
    assert renamed == 6
    clean_lab.store_execute("INSERT INTO services (server_fqdn, name, display_name, status, start_mode, roles, lync, "
                            "open_sessions) VALUES ('pc01.contoso.com', 'RTCCHAT', 'Not the chat service', 'Stopped', "
                            "'Automatic', '', 1, 0)")
    started = run('chat_pool', {'fqdn': TARGET, 'state': 'started'})
    assert not started.failed and started.changed, started
    services = clean_lab.services(TARGET, chat_only=False)
    chat = dict((key, value) for key, value in services.items() if key[1].startswith('ContosoChat'))
    assert len(chat) == 6 and set(status for status, _mode in chat.values()) == {'running'}
    assert services[('pc01.contoso.com', 'RTCCHAT')][0] == 'stopped'
    assert clean_lab.pool(TARGET)['state'] == 'started'


@pytest.fixture
def gc02_unreadable(clean_lab):
    """gc02's Group Chat services no longer match the display-name search (as on a server whose services cannot be
    found), while gc01's are stopped and disabled: a driver that read gc02 as 'stopped' would call the pool
    stopped."""
    assert clean_lab.store_execute("UPDATE services SET display_name = 'Contoso ' || name WHERE server_fqdn = "
                                   "'gc02.contoso.com' AND display_name LIKE '%Group Chat%'") == 2
    assert clean_lab.store_execute("UPDATE services SET status = 'Stopped', start_mode = 'Disabled' WHERE "
                                   "server_fqdn = 'gc01.contoso.com' AND display_name LIKE '%Group Chat%'") == 2
    return clean_lab


def test_a_legacy_server_without_group_chat_services_is_an_error_not_stopped(run, gc02_unreadable, tmp_path):
    observer = gc02_unreadable
    before = observer.fingerprint()
    info = run('chat_pool_info', {'fqdns': [LEGACY]})
    assert info.failed and 'no Group Chat service' in info['msg'] and 'gc02.contoso.com' in info['msg']
    assert 'not taken for stopped' in info['msg']
    for result in (run('chat_pool', {'fqdn': LEGACY, 'state': 'disabled'}),
                   run('chat_migration', {'source_pool': LEGACY, 'target_pool': TARGET,
                                          'source_db_instance': 'gcsql.contoso.com\\groupchat',
                                          'source_db_name': 'GroupChat', 'export_dir': 'C:\\Windows\\Temp',
                                          'record_file': str(tmp_path / 'migration.json'), 'steps': ['export']})):
        assert result.failed and 'gc02.contoso.com' in result['msg'], result
        assert not result.requests.changing()
        assert result.requests.count('Export-CsPersistentChatData') == 0
    assert observer.fingerprint() == before


def test_one_runspace_pool_per_module_run(run, clean_lab):
    """Every run is checked for it (conftest.ModuleRunner); here a run of many pipelines, and two runs that are two
    pools (the check sees runspaces, it is not vacuous)."""
    first = run('chat_pool', {'fqdn': TARGET, 'state': 'started'})
    second = run('chat_pool_info', {'fqdns': [LEGACY, TARGET]})
    assert len(first.requests.pipelines) > 10
    assert len(first.requests.runspaces) == 1 and first.requests.opened() == 1 and first.requests.closed() == 1
    assert len(second.requests.runspaces) == 1 and second.requests.runspaces != first.requests.runspaces
    # the run read nothing twice: the pool before the starts, not again after them (its result is the pool as the
    # changes leave it; the verify phase reads afresh)
    assert first.requests.repeated_reads({'Get-CsWindowsService': 3}) == []
    assert first.requests.count('Get-CsPersistentChatRoom') == 1
