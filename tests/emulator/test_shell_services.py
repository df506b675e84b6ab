# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows services: Lync's *-CsWindowsService (Lync services only, chat services found by role, a graceful stop
that waits for sessions) and Windows PowerShell 3/4's service cmdlets on the legacy Group Chat servers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import threading
import time

from lab import topology
from lab.emulator.api import Command
from lab.emulator.knobs import Knobs

from .conftest import services_status, set_chat_services, store

PC01 = 'pc01.contoso.com'
GC01 = 'gc01.contoso.com'


def chat_names(ocs, computer):
    result = ocs.run('Get-CsWindowsService', ComputerName=computer)
    return [o['Name'] for o in result.outputs if topology.PERSISTENT_CHAT_ROLE in o['RoleName']]


def test_chat_services_are_found_by_role(ocs):
    result = ocs.run('Get-CsWindowsService', ComputerName=PC01)
    assert result.ok
    assert all(o.type_names[0] == 'Microsoft.Rtc.Management.Deployment.Core.NTService' for o in result.outputs)
    assert chat_names(ocs, PC01) == ['RTCPCHAT', 'RTCPCHATCOMP']
    assert chat_names(ocs, 'pc2-01.contoso.com') == ['RTCPCHAT']  # compliance is not enabled on the second pool
    others = [o for o in result.outputs if topology.PERSISTENT_CHAT_ROLE not in o['RoleName']]
    assert others and all(o['RoleName'] == [] for o in others)
    assert {o['Status'].name for o in result.outputs if o['Name'].startswith('RTCPCHAT')} == {'Stopped'}


def test_the_commonly_cited_name_is_not_the_labs(ocs):
    result = ocs.run('Get-CsWindowsService', Name='RTCCHAT', ComputerName=PC01)
    assert result.outputs == []
    assert result.errors[0].error_id == ('ServiceNotFound,Microsoft.Rtc.Management.Deployment.Core.'
                                         'GetWindowsServiceCmdlet')


def test_lync_service_cmdlets_refuse_legacy_and_non_lync_services(ocs):
    legacy = ocs.run('Get-CsWindowsService', ComputerName=GC01)
    assert legacy.failure.error_id.startswith('NoLyncServices,')
    windows = ocs.run('Stop-CsWindowsService', Name='W32Time', ComputerName=PC01, Confirm=False)
    assert windows.errors[0].error_id.startswith('ServiceNotFound,')
    unknown = ocs.run('Start-CsWindowsService', ComputerName='nosuch.contoso.com', Confirm=False)
    assert unknown.failure.error_id.startswith('ComputerNotFound,')


def test_start_and_stop_by_name_with_hold_points(ocs, scratch):
    Knobs(scratch).update(hold=[{'cmdlet': 'Start-CsWindowsService', 'point': 'service:RTCPCHAT', 'seconds': 0.1}])
    assert ocs.run('Start-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Confirm=False).ok
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'Running'
    with open(Knobs(scratch).holds_path) as handle:
        assert '"point": "service:RTCPCHAT"' in handle.read()
    assert ocs.run('Stop-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Confirm=False).ok
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'Stopped'


def test_start_without_name_starts_every_lync_service_of_the_computer(ocs, scratch):
    assert ocs.run('Start-CsWindowsService', ComputerName=PC01, Confirm=False).ok
    status = services_status(scratch, topology.TARGET_POOL)
    assert status[(PC01, 'RTCPCHAT')] == 'Running' and status[(PC01, 'RTCPCHATCOMP')] == 'Running'
    assert status[('pc02.contoso.com', 'RTCPCHAT')] == 'Stopped'
    assert status[(PC01, 'W32Time')] == 'Running'


def test_pipeline_from_get_cs_windows_service(ocs, scratch):
    result = ocs.pipeline([Command('Get-CsWindowsService', [('ComputerName', 'pc02.contoso.com'),
                                                            ('Name', 'RTCPCHAT')]),
                           Command('Start-CsWindowsService', [('Confirm', False)])])
    assert result.ok and result.errors == [], result
    assert services_status(scratch, topology.TARGET_POOL)[('pc02.contoso.com', 'RTCPCHAT')] == 'Running'


def test_graceful_stop_waits_for_sessions_past_any_timeout(ocs, scratch):
    assert ocs.run('Start-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Confirm=False).ok
    outcome = {}

    def graceful():
        outcome['result'] = ocs.run('Stop-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Graceful=None,
                                    Confirm=False)
    worker = threading.Thread(target=graceful)
    worker.start()
    time.sleep(1.0)
    assert worker.is_alive()  # still draining: running chat services always have sessions
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'StopPending'
    ocs.session.stop_requested.set()  # the client gives up (Ctrl+C / closes the pool)
    worker.join(5)
    assert outcome['result'].failure.error_id == 'PipelineStopped'
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'StopPending'
    ocs.session.stop_requested.clear()
    assert ocs.run('Stop-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Confirm=False).ok
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'Stopped'


def test_graceful_stop_completes_once_sessions_end(ocs, scratch):
    assert ocs.run('Start-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Confirm=False).ok
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault('r', ocs.run(
        'Stop-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Graceful=None, Confirm=False)))
    worker.start()
    time.sleep(0.5)
    conn = store(scratch)
    conn.execute("UPDATE services SET open_sessions = 0 WHERE server_fqdn = ? AND name = 'RTCPCHAT'", (PC01,))
    conn.close()
    worker.join(5)
    assert outcome['r'].ok
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'Stopped'


def test_graceful_no_wait_returns_at_once(ocs, scratch):
    assert ocs.run('Start-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Confirm=False).ok
    started = time.time()
    assert ocs.run('Stop-CsWindowsService', Name='RTCPCHAT', ComputerName=PC01, Graceful=None, NoWait=None,
                   Confirm=False).ok
    assert time.time() - started < 1
    assert services_status(scratch, topology.TARGET_POOL)[(PC01, 'RTCPCHAT')] == 'StopPending'


def test_get_service_on_a_legacy_server_has_no_start_type(wsman):
    result = wsman.run('Get-Service', ComputerName=[GC01], DisplayName=['*Group Chat*'])
    assert result.ok
    # the Web service is hosted by IIS, the Compliance service runs on a computer of its own
    assert [o['Name'] for o in result.outputs] == ['LyncGroupChatChannel', 'LyncGroupChatLookup']
    controller = result.outputs[0]
    assert controller.type_names[0] == 'System.ServiceProcess.ServiceController'
    assert controller['MachineName'] == GC01 and controller['Status'].name == 'Running'
    assert 'StartType' not in controller.properties


def test_start_mode_comes_from_wmi(wsman):
    result = wsman.run('Get-WmiObject', Class='Win32_Service', ComputerName=[GC01],
                       Filter="DisplayName LIKE '%Group Chat%' AND State = 'Running'")
    assert [o['StartMode'] for o in result.outputs] == ['Auto'] * 2
    assert result.outputs[0].type_names[0] == 'System.Management.ManagementObject#root\\cimv2\\Win32_Service'
    cim = wsman.run('Get-CimInstance', ClassName='Win32_Service', ComputerName=[GC01], Filter="Name = 'W32Time'")
    assert [o['Name'] for o in cim.outputs] == ['W32Time']
    assert wsman.run('Get-WmiObject', Class='Win32_Process').failure.error_id.startswith('GetWMIManagementException,')
    assert wsman.run('Get-WmiObject', Class='Win32_Service', Filter='Name ~ x').failure is not None


def test_disable_and_stop_a_legacy_server(wsman, scratch):
    names_ = ['LyncGroupChatLookup', 'LyncGroupChatChannel']
    stop = wsman.pipeline([Command('Get-Service', [('ComputerName', [GC01]), ('Name', names_)]),
                           Command('Stop-Service', [('Force', None)])])
    assert stop.ok and stop.errors == [], stop
    for name in names_:
        assert wsman.run('Set-Service', Name=name, ComputerName=[GC01], StartupType='Disabled').ok
    status = services_status(scratch, topology.LEGACY_POOL)
    assert status[(GC01, 'LyncGroupChatLookup')] == 'Stopped'
    iis = wsman.run('Get-Service', ComputerName=[GC01], Name=['W3SVC']).outputs[0]
    assert iis['DisplayName'] == 'World Wide Web Publishing Service' and iis['Status'].name == 'Running'
    modes = wsman.run('Get-WmiObject', Class='Win32_Service', ComputerName=[GC01], Filter="Name = "
                      "'LyncGroupChatLookup'").outputs
    assert modes[0]['StartMode'] == 'Disabled'
    start = wsman.pipeline([Command('Get-Service', [('ComputerName', [GC01]), ('Name', ['LyncGroupChatLookup'])]),
                            Command('Start-Service', [])])
    assert start.errors[0].error_id == 'CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand'
    assert start.errors[0].category == 'OpenError'


def test_get_service_errors(wsman):
    missing = wsman.run('Get-Service', ComputerName=[GC01], Name=['RTCCHAT'])
    assert missing.errors[0].error_id == 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand'
    assert missing.errors[0].message == "Cannot find any service with service name 'RTCCHAT'."
    assert wsman.run('Get-Service', ComputerName=[GC01], Name=['Nothing*']).errors == []
    unreachable = wsman.run('Get-Service', ComputerName=['nosuch'])
    assert 'Cannot open Service Control Manager' in unreachable.errors[0].message


def test_start_service_has_no_computer_name_on_powershell_3_and_4(wsman):
    result = wsman.run('Start-Service', Name=['LyncGroupChatLookup'], ComputerName=GC01)
    assert result.failure.error_id == 'NamedParameterNotFound,Microsoft.PowerShell.Commands.StartServiceCommand'


def test_pool_state_follows_services(scratch, ocs):
    from lab.inspect import snapshot
    pools = dict((p['fqdn'], p) for p in snapshot(scratch, with_directory=False)['pools'])
    assert pools[topology.TARGET_POOL]['state'] == 'stopped' and pools[topology.LEGACY_POOL]['state'] == 'started'
    assert ocs.run('Start-CsWindowsService', ComputerName=PC01, Confirm=False).ok
    pools = dict((p['fqdn'], p) for p in snapshot(scratch, with_directory=False)['pools'])
    assert pools[topology.TARGET_POOL]['state'] == 'partial'
    set_chat_services(scratch, topology.TARGET_POOL, 'Running')
    pools = dict((p['fqdn'], p) for p in snapshot(scratch, with_directory=False)['pools'])
    assert pools[topology.TARGET_POOL]['state'] == 'started'


def test_the_group_chat_compliance_service_runs_on_a_computer_of_its_own(wsman, ocs):
    """Group Chat planning: "Compliance Server, if deployed, must be installed on a separate computer from Chat
    Server"; the Web service is hosted by IIS. Neither is a computer of the topology: only Windows service control
    reaches the compliance server."""
    for pool, server in topology.COMPLIANCE_SERVERS.items():
        found = wsman.run('Get-WmiObject', Class='Win32_Service', ComputerName=[server],
                          Filter="DisplayName LIKE '%Group Chat%'").outputs
        assert [o['Name'] for o in found] == [('Lync' if pool == topology.LEGACY_POOL else 'Ocs') +
                                              'GroupChatCompliance']
        assert ocs.run('Get-CsTrustedApplicationComputer', Identity=server).outputs == []
    for server in ('gc01.contoso.com', 'gc02.contoso.com', 'gc2-01.contoso.com'):
        found = wsman.run('Get-WmiObject', Class='Win32_Service', ComputerName=[server],
                          Filter="DisplayName LIKE '%Group Chat%' OR Name = 'W3SVC'").outputs
        names_ = [o['Name'] for o in found]
        assert names_ == sorted(names_) and 'W3SVC' in names_
        assert not [n for n in names_ if 'Compliance' in n or n.endswith('Web')]
