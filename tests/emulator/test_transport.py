# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's transport, driven by the real pypsrp 0.9.1 client over HTTPS with NTLM (conftest.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import secrets
import threading
import time
import uuid

import pytest
import requests
from pypsrp.complex_objects import GenericComplexObject, PSInvocationState
from pypsrp.exceptions import AuthenticationError, WSManFaultError
from pypsrp.powershell import PowerShell

from lab.emulator import process
from tests.emulator.harness import EVENT_FIELDS, PIPELINE_FIELDS, run


def lines_for(emulator, runspace_id):
    return [line for line in emulator.log_lines() if line['runspace'] == runspace_id]


# -- pools and paths -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('path, expected', [('wsman', '/wsman'), ('OcsPowershell', '/OcsPowershell'),
                                            ('WSMAN', '/wsman'), ('ocspowershell/', '/OcsPowershell')])
def test_pool_opens_and_closes_on_both_paths(emulator, path, expected):
    with emulator.pool(path) as pool:
        _ps, (session,) = run(pool, 'Get-Session')
        runspace_id = session.adapted_properties['RunspaceId']
        assert session.adapted_properties['Path'] == expected
        assert session.adapted_properties['User'] == emulator.username
        assert session.adapted_properties['HostIsNull'] is True  # pypsrp supplies no PSHost by default
        assert pool.is_alive()
    events = [line for line in lines_for(emulator, runspace_id) if 'event' in line]
    assert [line['event'] for line in events] == ['open', 'close']
    for line in events:
        assert set(line) == EVENT_FIELDS
        assert (line['user'], line['path']) == (emulator.username, expected)


def test_other_paths_are_not_found(emulator):
    reply = requests.post(emulator.url('/powershell'), data=b'<x/>', verify=emulator.ca_file,
                          headers={'Content-Type': 'application/soap+xml;charset=UTF-8'}, timeout=5)
    assert reply.status_code == 404


def test_closed_pool_is_gone(emulator):
    pool = emulator.pool()
    pool.open()
    pool.close()
    again = emulator.pool()  # a client that still holds the old ShellId
    again.open()
    again.shell.id = pool.shell.id
    again.shell._selector_set = pool.shell._selector_set  # pylint: disable=protected-access
    assert again.is_alive() is False  # shell-not-found fault, as WinRM answers for a shell that is gone


# -- pipelines, values both ways -------------------------------------------------------------------------------------


def test_round_trip_and_request_log_line(emulator):
    with emulator.pool() as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet('Get-ParameterTypes').add_parameter('Identity', 'room one').add_parameter('WhatIf')
        ps.add_cmdlet('Get-Input')
        ps.add_statement()
        ps.add_cmdlet('Get-Trivial').add_parameter('Confirm', False)
        output = ps.invoke()
        assert ps.state == PSInvocationState.COMPLETED and not ps.had_errors
        assert output[-1] == 'ok'
        runspace_id = str(uuid.UUID(pool.id))
    (line,) = [line for line in lines_for(emulator, runspace_id) if 'cmdlets' in line]
    assert set(line) == PIPELINE_FIELDS
    assert line['cmdlets'] == ['Get-ParameterTypes', 'Get-Input', 'Get-Trivial']
    assert line['parameters'] == [['Identity', 'WhatIf'], [], ['Confirm']]
    assert (line['user'], line['path']) == (emulator.username, '/wsman')
    assert 'room one' not in open(emulator.settings.request_log).read()


def test_parameters_arrive_as_plain_python(emulator):
    # pypsrp cannot send a DateTime, a char, an enum or an Int64 (it tags every int I32): test_values.py covers those.
    sent = GenericComplexObject()
    sent.types = ['Lab.Test.Thing', 'System.Object']
    sent.extended_properties['Name'] = 'thing one'
    sent.extended_properties['Size'] = 3
    sent.to_string = 'thing one'
    identity = uuid.UUID('6f1d7c5e-0a0b-4c3d-8e9f-001122334455')
    with emulator.pool() as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet('Get-ParameterTypes')
        for name, value in [('Text', 'héllo <&>'), ('Number', 7), ('Flag', True),
                            ('Ratio', 0.5), ('Blob', b'\x00\xff'), ('Id', identity),
                            ('Names', ['a', 'b']), ('Table', {'k': 1}), ('Thing', sent), ('WhatIf', None),
                            ('Confirm', False), ('-Dashed', 'x')]:
            ps.add_parameter(name, value)
        ps.add_argument('positional')
        output = ps.invoke()
    described = {o.adapted_properties.get('Name', o.adapted_properties.get('Index')): o.adapted_properties[
        'Description'] for o in output}
    assert described['Text'] == "str('héllo <&>')"
    assert described['Number'] == 'int(7)'
    assert described['Flag'] == 'bool(True)'
    assert described['Ratio'] == 'float(0.5)'
    assert described['Blob'] == "bytes(b'\\x00\\xff')"
    assert described['Id'] == "UUID(UUID('6f1d7c5e-0a0b-4c3d-8e9f-001122334455'))"
    assert described['Names'] == "list[str('a'), str('b')]"
    assert described['Table'] == "dict{k: int(1)}"
    assert described['Thing'].startswith('PSObj(')
    assert 'Lab.Test.Thing' in described['Thing'] and "Name=str('thing one')" in described['Thing']
    assert "Size=int(3)" in described['Thing'] and described['Thing'].endswith("'thing one')")
    assert described['WhatIf'] == 'NoneType(None)'  # a bare switch
    assert described['Confirm'] == 'bool(False)'
    assert described['Dashed'] == "str('x')"  # the dash is not part of the name
    assert described[0] == "str('positional')"


def test_an_unreadable_message_is_a_fault_and_the_pool_goes_on(emulator):
    with emulator.pool() as pool:
        with pytest.raises(WSManFaultError) as raised:
            run(pool, 'Get-ParameterTypes', Large=2 ** 40)  # pypsrp tags it I32, which .NET cannot read either
        assert 'could not be read' in str(raised.value)
        assert run(pool, 'Get-Trivial')[1] == ['ok']


def test_outputs_deserialise_as_remoting_objects(emulator):
    with emulator.pool() as pool:
        _ps, (room, status) = run(pool, 'Get-Sample')
    assert room.types == ['Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject', 'System.Object']
    assert room.to_string == 'Room 1'
    props = room.adapted_properties
    assert list(props) == ['Name', 'Disabled', 'Count', 'Big', 'Ratio', 'When', 'Identity', 'Blob', 'Status', 'Pool',
                           'Members', 'Servers', 'Settings', 'Nothing']
    assert (props['Name'], props['Disabled'], props['Count'], props['Big'], props['Ratio']) == (
        'Room 1', False, 42, 2 ** 40, 0.25)
    assert props['When'] == '2026-03-14T15:09:26.535000Z'  # pypsrp hands a DateTime back as its text
    assert props['Identity'] == uuid.UUID('1b0e8f4e-8f0a-4c38-9d5e-2f1a0c6b7d01')
    assert props['Blob'] == b'\x00\x01\xfe\xff'
    assert props['Pool'] == 'pcpool.contoso.com'  # a nested object travels as its ToString (depth 1)
    assert props['Members'] == ['sip:a@contoso.com', 'sip:b@contoso.com']
    assert props['Servers'] == ['pcpool.contoso.com', 'pcpool.contoso.com']
    assert props['Settings'] == {'Key': 'Value'}
    assert props['Nothing'] is None
    for enum in (props['Status'], status):
        assert enum.types == ['System.ServiceProcess.ServiceControllerStatus', 'System.Enum', 'System.ValueType',
                              'System.Object']
        assert enum.to_string == 'Running'
        assert enum.property_sets == [4]


def test_pipeline_input_and_spilled_command(emulator):
    big = 'x' * 400000  # more than one envelope: the Command carries the first fragment, Send the rest
    with emulator.pool() as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet('Get-ParameterLength').add_parameter('Big', big)
        assert ps.invoke() == ['Big=400000']
        ps = PowerShell(pool)
        ps.add_cmdlet('Get-Input')
        assert ps.invoke(input=['a', 2]) == ["str('a')", 'int(2)']


def test_receive_with_nothing_ready_is_the_operation_timeout_fault(emulator):
    with emulator.pool() as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet('Start-Sleep').add_parameter('Seconds', 3)
        ps.begin_invoke()
        faults = []
        for _attempt in range(3):  # the first Receive may carry the Running state
            started = time.time()
            try:
                pool.shell.receive('stdout', command_id=ps._command_id, timeout=1)  # pylint: disable=protected-access
            except WSManFaultError as exc:
                faults.append((exc.code, time.time() - started))
                break
        assert faults and faults[0][0] == 2150858793
        assert 0.9 <= faults[0][1] < 2.5  # after the request's OperationTimeout
        assert ps.end_invoke() == ['slept']  # pypsrp's own polling retries the fault


def test_5000_objects_listed(emulator):
    with emulator.pool() as pool:
        started = time.time()
        _ps, output = run(pool, 'Write-Objects', Count=5000)
        elapsed = time.time() - started
    assert len(output) == 5000
    assert [o.to_string for o in output[:2]] == ['item 00000', 'item 00001']
    assert output[4999].adapted_properties == {'Index': 4999, 'Name': 'item 04999'}
    assert elapsed < 30  # a gross bound only: timings belong to the benchmark


# -- streams and errors ----------------------------------------------------------------------------------------------


def test_non_terminating_error(emulator):
    with emulator.pool() as pool:
        ps, output = run(pool, 'Write-NonTerminatingError')
    assert output == ['before', 'after']
    assert ps.state == PSInvocationState.COMPLETED and ps.had_errors is False  # pypsrp 0.9.1's view
    (record,) = ps.streams.error
    assert record.fq_error == 'RoomNotFound,Lab.Test.Cmdlet'
    assert str(record) == 'Room "Nope" was not found.'
    assert record.exception.adapted_properties['Message'] == 'Room "Nope" was not found.'
    assert record.exception.to_string == 'System.ArgumentException: Room "Nope" was not found.'
    assert record.exception.types[0] == 'System.ArgumentException'
    assert (record.category, record.activity, record.reason) == (13, 'Write-NonTerminatingError', 'ArgumentException')
    assert (record.target_name, record.target_object) == ('Nope', 'Nope')


def test_terminating_error_fails_the_pipeline(emulator):
    with emulator.pool() as pool:
        ps, output = run(pool, 'Throw-TerminatingError')
        assert output == ['partial']  # what was written before the error still arrives
        assert ps.state == PSInvocationState.FAILED and ps.had_errors is True
        (record,) = ps.streams.error
        assert record.fq_error == 'NamedParameterNotFound,Lab.Test.Cmdlet'
        assert record.exception.types[0] == 'System.Management.Automation.ParameterBindingException'
        assert record.category == 5  # InvalidArgument
        _ps, after = run(pool, 'Get-Trivial')  # the pool goes on
        assert after == ['ok']


def test_unknown_command_is_the_shells_terminating_error(emulator):
    with emulator.pool() as pool:
        ps, _output = run(pool, 'Get-NoSuchThing')
    assert ps.state == PSInvocationState.FAILED
    assert ps.streams.error[0].fq_error == 'CommandNotFoundException'


def test_shell_bug_is_a_generic_failure_without_the_secret(emulator):
    secret = 'Secret-' + secrets.token_hex(8)
    with emulator.pool() as pool:
        ps, _output = run(pool, 'Raise-Bug', Secret=secret)
    assert ps.state == PSInvocationState.FAILED
    (record,) = ps.streams.error
    assert record.fq_error == 'LabEmulatorInternalError'
    assert 'ValueError' in str(record) and secret not in str(record)
    log = open(emulator.settings.log_file).read()
    assert 'raised ValueError' in log and 'Raise-Bug' in log
    _assert_nowhere(emulator, secret)


def test_warnings_and_verbose_on_their_streams(emulator):
    with emulator.pool() as pool:
        ps, output = run(pool, 'Write-Warnings')
    assert output == ['done']
    assert [w.message for w in ps.streams.warning] == ['the first warning', 'the second warning']
    assert [v.message for v in ps.streams.verbose] == ['some verbose text']
    assert ps.had_errors is False


def test_stop_reaches_stop_requested(emulator):
    with emulator.pool() as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet('Start-Sleep').add_parameter('Seconds', 20)
        started = time.time()
        ps.begin_invoke()
        time.sleep(0.3)
        ps.stop()
        assert ps.state == PSInvocationState.STOPPED
        deadline = time.time() + 5
        seen = False
        while not seen and time.time() < deadline:
            seen = run(pool, 'Get-StopSeen')[1] == [True]
        assert seen, 'the shell never saw stop_requested'
        assert time.time() - started < 5
        assert run(pool, 'Get-Trivial')[1] == ['ok']  # a later pipeline is not stopped


# -- authentication --------------------------------------------------------------------------------------------------


def test_upn_logon_is_the_same_user(emulator):
    upn = '%s@contoso.com' % emulator.username.split('\\')[1]
    with emulator.pool(username=upn) as pool:
        _ps, (session,) = run(pool, 'Get-Session')
    assert session.adapted_properties['User'] == emulator.username


def test_wrong_password_is_an_authentication_error(emulator):
    with pytest.raises(AuthenticationError):
        with emulator.pool(password='wrong-' + secrets.token_hex(4)):
            pass


def test_unknown_user_is_an_authentication_error(emulator):
    with pytest.raises(AuthenticationError):
        with emulator.pool(username='CONTOSO\\nobody'):
            pass


def test_channel_binding_is_enforced(emulator):
    with pytest.raises(AuthenticationError):
        with emulator.pool(negotiate_send_cbt=False):
            pass


@pytest.mark.parametrize('header', ['Negotiate !!!', 'Negotiate ' + 'Z2FyYmFnZQ==', 'NTLM TlRMTVNTUAAB', 'Bearer x'])
def test_malformed_or_foreign_authorization_is_401(emulator, header):
    reply = requests.post(emulator.url(), data=b'', verify=emulator.ca_file, timeout=5,
                          headers={'Authorization': header})
    assert reply.status_code == 401
    with emulator.pool() as pool:  # and the server goes on
        assert run(pool, 'Get-Trivial')[1] == ['ok']


def test_basic_is_refused_when_not_allowed(emulator):
    reply = requests.post(emulator.url(), data=b'', verify=emulator.ca_file, timeout=5,
                          auth=(emulator.username, emulator.password))
    assert reply.status_code == 401
    assert reply.headers['WWW-Authenticate'] == 'Negotiate'  # the only scheme offered
    with pytest.raises(AuthenticationError):
        with emulator.pool(auth='basic'):
            pass


def test_basic_when_allowed_is_offered_but_takes_no_domain_account(basic_emulator):
    """WinRM's Basic is for local accounts of the computer; the lab's only account is a domain account (docs/lab-
    emulator.md, Authentication), so an allowed Basic still lets no one in, and the log says why."""
    reply = requests.post(basic_emulator.url(), data=b'', verify=basic_emulator.ca_file, timeout=5)
    assert reply.status_code == 401
    assert reply.headers['WWW-Authenticate'] == 'Negotiate, Basic realm="WSMAN"'
    for password in (basic_emulator.password, 'wrong'):
        with pytest.raises(AuthenticationError):
            with basic_emulator.pool(auth='basic', password=password):
                pass
    with open(basic_emulator.settings.log_file) as handle:
        log = handle.read()
    assert 'Basic authentication is for local accounts of the front end only' in log
    assert basic_emulator.password not in log


# -- concurrency -----------------------------------------------------------------------------------------------------


def test_two_clients_at_once_neither_blocks_the_other(emulator):
    results, errors = {}, []

    def slow_client():
        try:
            with emulator.pool() as pool:
                results['slow'] = run(pool, 'Start-Sleep', Seconds=2)[1]
                results['slow_done'] = time.time()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)

    thread = threading.Thread(target=slow_client)
    thread.start()
    time.sleep(0.5)  # the slow client's pipeline runs, its Receive long-polls
    with emulator.pool() as pool:
        _ps, output = run(pool, 'Write-Objects', Count=3)
        fast_done = time.time()
        _ps, (session,) = run(pool, 'Get-Session')
    thread.join(10)
    assert not errors
    assert [o.to_string for o in output] == ['item 00000', 'item 00001', 'item 00002']
    assert results['slow'] == ['slept']
    assert fast_done < results['slow_done']  # the fast client finished while the slow one still ran


def test_a_running_pipeline_does_not_block_its_own_pool(emulator):
    with emulator.pool() as pool:
        slow = PowerShell(pool)
        slow.add_cmdlet('Start-Sleep').add_parameter('Seconds', 1.5)
        slow.begin_invoke()
        started = time.time()
        assert run(pool, 'Get-Trivial')[1] == ['ok']
        assert time.time() - started < 1.0
        assert slow.end_invoke() == ['slept']


# -- knobs -----------------------------------------------------------------------------------------------------------


def test_drop_before_closes_the_connection_and_nothing_runs(emulator, knobs):
    name = 'before-' + secrets.token_hex(4)
    knobs.update(drop=[{'cmdlet': 'Add-Mark', 'when': 'before', 'times': 1}])
    with emulator.pool() as pool:
        with pytest.raises(requests.exceptions.ConnectionError):
            run(pool, 'Add-Mark', Name=name)
    time.sleep(0.3)
    with emulator.pool() as pool:
        assert run(pool, 'Get-Mark', Name=name)[1] == [0]
        assert run(pool, 'Add-Mark', Name=name)[1] == [1]  # the rule was used up (times: 1)
    assert knobs.read()['drop'][0]['times'] == 0


def test_drop_during_closes_the_connection_and_the_pipeline_runs_on(emulator, knobs):
    name = 'during-' + secrets.token_hex(4)
    knobs.update(drop=[{'cmdlet': 'Add-Mark', 'when': 'during', 'times': 1}])
    with emulator.pool() as pool:
        with pytest.raises(requests.exceptions.ConnectionError):
            run(pool, 'Add-Mark', Name=name, DelayMs=300)
    time.sleep(0.8)
    with emulator.pool() as pool:
        assert run(pool, 'Get-Mark', Name=name)[1] == [1]  # it ran to its end on the server


def test_pipeline_latency(emulator, knobs):
    with emulator.pool() as pool:
        knobs.update(pipeline_latency_ms=400)
        started = time.time()
        run(pool, 'Get-Trivial')
        slow = time.time() - started
        knobs.update(pipeline_latency_ms=0)
        started = time.time()
        run(pool, 'Get-Trivial')
        fast = time.time() - started
    assert slow >= 0.4
    assert fast < 0.3


# -- files: the request log and secrets ------------------------------------------------------------------------------


def _assert_nowhere(emulator, secret):
    for folder, _dirs, files in os.walk(emulator.root):
        for name in files:
            with open(os.path.join(folder, name), 'rb') as handle:
                assert secret.encode() not in handle.read(), 'the secret reached %s' % name


def test_request_log_has_names_only_and_no_secret(emulator):
    secret = 'P@ss-' + secrets.token_hex(8)
    with emulator.pool() as pool:
        run(pool, 'Get-ParameterTypes', Password=secret, Identity='x')
    for line in emulator.log_lines():
        assert set(line) in (PIPELINE_FIELDS, EVENT_FIELDS, EVENT_FIELDS | {'reason'})
        if 'cmdlets' in line:
            assert len(line['parameters']) == len(line['cmdlets'])
            assert all(isinstance(n, str) for names in line['parameters'] for n in names)
    _assert_nowhere(emulator, secret)
    _assert_nowhere(emulator, emulator.password)
    assert oct(os.stat(emulator.settings.user_file).st_mode & 0o777) == '0o600'


def test_concurrent_log_lines_never_interleave(emulator):
    def client():
        with emulator.pool() as pool:
            for _attempt in range(15):
                run(pool, 'Get-Trivial')

    threads = [threading.Thread(target=client) for _client in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    lines = emulator.log_lines()  # json.loads of every line: an interleaved line would not parse
    assert sum(1 for line in lines if line.get('cmdlets') == ['Get-Trivial']) >= 45


def test_an_idle_pool_is_closed_and_logged(tmp_path, lab_connection):
    from tests.emulator import harness
    idle = harness.make_emulator(str(tmp_path), lab_connection, idle_timeout_s=1).start()
    try:
        pool = idle.pool()
        pool.open()  # and never used again, never closed: a client that went away
        runspace_id = str(uuid.UUID(pool.id))
        deadline = time.time() + 10
        while time.time() < deadline and len(lines_for(idle, runspace_id)) < 2:
            time.sleep(0.2)
        events = [(line['event'], line.get('reason')) for line in lines_for(idle, runspace_id)]
        assert events == [('open', None), ('close', 'idle')]
        assert pool.is_alive() is False
    finally:
        idle.stop()


# -- process management ----------------------------------------------------------------------------------------------


def test_start_reuses_a_healthy_emulator(emulator):
    pid, reused = process.start(emulator.settings, emulator.username, emulator.password, emulator.ca_file,
                                'tests.emulator.testshell:TestShell')
    assert (pid, reused) == (emulator.pid, True)


def test_start_refuses_a_port_taken_by_another_process(tmp_path, emulator):
    import socket
    from lab.emulator.settings import EmulatorSettings
    with socket.socket() as holder:
        holder.bind((emulator.ip, 0))
        holder.listen(1)
        taken = {'LAB_IP': emulator.ip, 'LAB_PSRP_PORT': str(holder.getsockname()[1])}
        settings = EmulatorSettings(str(tmp_path), environ=taken)
        with pytest.raises(process.EmulatorError, match='already in use by another process'):
            process.start(settings, emulator.username, emulator.password, emulator.ca_file)


def test_stop_never_signals_a_process_that_is_not_this_labs_emulator(tmp_path, emulator):
    from lab.emulator.settings import EmulatorSettings
    settings = EmulatorSettings(str(tmp_path))
    os.makedirs(settings.dir)
    with open(settings.pid_file, 'w') as handle:
        handle.write('%d\n' % os.getpid())  # a pid file naming this pytest process
    assert process.stop(settings) is None
    other_lab = EmulatorSettings(str(tmp_path / 'other'))
    os.makedirs(other_lab.dir)
    with open(other_lab.pid_file, 'w') as handle:
        handle.write('%d\n' % emulator.pid)  # another lab's pid file naming our emulator
    assert process.stop(other_lab) is None
    assert process.running_pid(emulator.settings) == emulator.pid
