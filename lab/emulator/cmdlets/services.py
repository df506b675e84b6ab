# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows services of the lab's computers: Lync's Get-/Start-/Stop-CsWindowsService (Lync services only), and
Windows PowerShell 3.0/4.0's Get-/Set-/Start-/Stop-Service and Get-WmiObject/Get-CimInstance Win32_Service, the
tools for the legacy Group Chat servers (whose services are not Lync services)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from lab import topology
from lab.emulator import objects, store as store_mod
from lab.emulator.binding import STRING, STRINGS, SWITCH, Enum, Instance, Instances, Param
from lab.emulator.cmdlets import CORE, cmdlet
from lab.emulator.cmdlets.common import LOCAL_COMPUTER, has_wildcard, matches, resolve_computer, write_report

NT_SERVICE = 'Microsoft.Rtc.Management.Deployment.Core.NTService'
SERVICE_CONTROLLER = 'System.ServiceProcess.ServiceController'
GRACEFUL_POLL_S = 0.2
PS4 = 'https://learn.microsoft.com/powershell/module/microsoft.powershell.management/%s?view=powershell-4.0'


def _set_status(conn, server, name, status):
    sessions = topology.SESSIONS_WHEN_RUNNING if status == 'Running' else 0
    with store_mod.transaction(conn):
        conn.execute("UPDATE services SET status = ?, open_sessions = CASE WHEN ? = 'Running' AND "
                     "(',' || roles || ',') LIKE ? THEN ? ELSE 0 END WHERE server_fqdn = ? AND name = ?",
                     (status, status, '%,' + topology.PERSISTENT_CHAT_ROLE + ',%', sessions, server, name))


def _row(conn, server, name):
    return conn.execute('SELECT * FROM services WHERE server_fqdn = ? AND name = ?', (server, name)).fetchone()


# -- Lync's service cmdlets -----------------------------------------------------------------------------------
def _lync_computer(ctx, name):
    """The computer's row when it runs Lync Server services; a terminating error otherwise (an unknown computer,
    or a legacy Group Chat server, which runs none)."""
    computer = resolve_computer(ctx.store, name)
    if computer is None:
        ctx.fail(ctx.cmdlet_error('Cannot connect to computer "%s": it is not a computer of the Lync Server '
                                  'topology.' % name, 'ComputerNotFound', category='ObjectNotFound', target=name))
    if not ctx.store.execute('SELECT 1 FROM services WHERE server_fqdn = ? AND lync = 1',
                             (computer['fqdn'],)).fetchone():
        ctx.fail(ctx.cmdlet_error('No Lync Server services are installed on computer "%s".' % computer['fqdn'],
                                  'NoLyncServices', category='ObjectNotFound', target=computer['fqdn']))
    return computer


def _lync_targets(ctx):
    """(computer FQDN, service rows) the Name or InputObject set names."""
    if ctx.has('InputObject'):
        service = ctx.get('InputObject')
        computer = ctx.pipeline.annotations.get(id(service))
        if computer is None:
            ctx.fail(ctx.cmdlet_error('The InputObject does not come from Get-CsWindowsService in this pipeline.',
                                      'InputObjectNotFromSession', category='InvalidArgument'))
        return computer, [_row(ctx.store, computer, service['Name'])]
    computer = _lync_computer(ctx, ctx.get('ComputerName'))['fqdn']
    rows = ctx.store.execute('SELECT * FROM services WHERE server_fqdn = ? AND lync = 1 ORDER BY name',
                             (computer,)).fetchall()
    if ctx.has('Name'):
        rows = [r for r in rows if r['name'].lower() == ctx.get('Name').lower()]
        if not rows:
            ctx.error(_not_lync_service(ctx, ctx.get('Name'), computer))
    return computer, rows


def _not_lync_service(ctx, name, computer):
    return ctx.cmdlet_error('Cannot find the Lync Server service "%s" on computer "%s". Only Lync Server services '
                            'can be managed with this cmdlet.' % (name, computer), 'ServiceNotFound',
                            category='ObjectNotFound', target=name)


def _report(ctx, title, lines):
    if ctx.has('Report'):
        write_report(ctx, ctx.get('Report'), title, lines)


@cmdlet('Get-CsWindowsService', 'Microsoft.Rtc.Management.Deployment.Core.GetWindowsServiceCmdlet',
        params=[Param('Name', position=2), Param('ComputerName'), Param('ExcludeActivityLevel', SWITCH),
                Param('Report')], output=NT_SERVICE)
def get_cs_windows_service(ctx):
    computer, rows = _lync_targets(ctx)
    for row in rows:
        obj = objects.nt_service(row, ctx.get('ExcludeActivityLevel'))
        ctx.pipeline.annotations[id(obj)] = computer
        ctx.write(obj)
    _report(ctx, 'Get-CsWindowsService', [('Service', '%s on %s: %s' % (r['name'], computer, r['status']))
                                          for r in rows])


SERVICE_CONTROL_PARAMS = [Param('Name', sets=['Name'], position=2), Param('ComputerName', sets=['Name']),
                          Param('InputObject', Instance('NTService', [NT_SERVICE]), sets=['InputObject'],
                                pipeline='value'),
                          Param('NoWait', SWITCH), Param('Force', SWITCH), Param('Report')]


@cmdlet('Start-CsWindowsService', 'Microsoft.Rtc.Management.Deployment.Core.StartWindowsServiceCmdlet',
        sets=['Name', 'InputObject'], default_set='Name', should_process=True, params=SERVICE_CONTROL_PARAMS)
def start_cs_windows_service(ctx):
    computer, rows = _lync_targets(ctx)
    done = []
    for row in rows:
        if row['status'] == 'Running':
            continue
        if row['start_mode'] == 'Disabled':
            ctx.error(ctx.cmdlet_error('Cannot start service "%s" on computer "%s" because it is disabled.'
                                       % (row['name'], computer), 'ServiceDisabled', category='InvalidOperation',
                                       target=row['name']))
            continue
        if not ctx.should_process('%s on %s' % (row['name'], computer), 'Start-CsWindowsService'):
            continue
        ctx.hold('service:%s' % row['name'])
        _set_status(ctx.store, computer, row['name'], 'Running')
        done.append(('Started', '%s on %s' % (row['name'], computer)))
    _report(ctx, 'Start-CsWindowsService', done)


@cmdlet('Stop-CsWindowsService', 'Microsoft.Rtc.Management.Deployment.Core.StopWindowsServiceCmdlet',
        sets=['Name', 'InputObject'], default_set='Name', should_process=True,
        params=SERVICE_CONTROL_PARAMS + [Param('Graceful', SWITCH), Param('LeaveClsAgentRunning', SWITCH),
                                         Param('LeaveWebServerRunning', SWITCH)])
def stop_cs_windows_service(ctx):
    computer, rows = _lync_targets(ctx)
    if not ctx.has('Name') and not ctx.has('InputObject') and ctx.get('LeaveClsAgentRunning'):
        rows = [r for r in rows if r['name'].upper() != 'RTCCLSAGT']
    done = []
    for row in rows:
        if row['status'] == 'Stopped':
            continue
        if not ctx.should_process('%s on %s' % (row['name'], computer), 'Stop-CsWindowsService'):
            continue
        ctx.hold('service:%s' % row['name'])
        if ctx.get('Graceful') and row['open_sessions'] > 0:
            _drain(ctx, computer, row['name'])
        else:
            _set_status(ctx.store, computer, row['name'], 'Stopped')
        done.append(('Stopped', '%s on %s' % (row['name'], computer)))
    _report(ctx, 'Stop-CsWindowsService', done)


def _drain(ctx, computer, name):
    """-Graceful: the service refuses new sessions (StopPending) and stops once its open sessions have ended. A
    running Persistent Chat service always holds sessions (legacy clients reconnect), so this waits until the
    pipeline is stopped - past any client timeout - and the service stays StopPending (docs/lab-emulator.md)."""
    with store_mod.transaction(ctx.store):
        ctx.store.execute("UPDATE services SET status = 'StopPending' WHERE server_fqdn = ? AND name = ?",
                          (computer, name))
    if ctx.get('NoWait'):
        return
    while True:
        row = _row(ctx.store, computer, name)
        if row is None or row['open_sessions'] <= 0:
            _set_status(ctx.store, computer, name, 'Stopped')
            return
        ctx.check_stop()
        time.sleep(GRACEFUL_POLL_S)


# -- Windows PowerShell's service cmdlets ---------------------------------------------------------------------
GET_SERVICE = 'Microsoft.PowerShell.Commands.GetServiceCommand'


def _controller_array():
    return Instances('System.ServiceProcess.ServiceController[]', [SERVICE_CONTROLLER])


def _windows_computers(ctx):
    """(name as given, computer FQDN) for each -ComputerName; a non-terminating error for unknown ones."""
    found = []
    for name in ctx.get('ComputerName') or ['.']:
        row = resolve_computer(ctx.store, name)
        if row is None:
            ctx.error(ctx.cmdlet_error(
                "Cannot open Service Control Manager on computer '%s'. This operation might require other "
                "privileges." % name, 'System.InvalidOperationException', target=name,
                exception_type='System.InvalidOperationException'))
            continue
        found.append((LOCAL_COMPUTER if name in ('.', 'localhost') else name, row['fqdn']))
    return found


def _select(ctx, rows, names, display_names):
    """Rows matching -Name / -DisplayName (wildcards allowed) and -Include / -Exclude; an error for each plain
    name that matches nothing, as Get-Service reports."""
    chosen = []
    if names is None and display_names is None:
        chosen = list(rows)
    for pattern in names or []:
        hits = [r for r in rows if matches(pattern, r['name'])]
        if not hits and not has_wildcard(pattern):
            ctx.error(ctx.cmdlet_error("Cannot find any service with service name '%s'." % pattern,
                                       'NoServiceFoundForGivenName', category='ObjectNotFound', target=pattern,
                                       exception_type='Microsoft.PowerShell.Commands.ServiceCommandException'))
        chosen.extend(h for h in hits if h not in chosen)
    for pattern in display_names or []:
        hits = [r for r in rows if matches(pattern, r['display_name'])]
        if not hits and not has_wildcard(pattern):
            ctx.error(ctx.cmdlet_error("Cannot find any service with display name '%s'." % pattern,
                                       'NoServiceFoundForGivenDisplayName', category='ObjectNotFound',
                                       target=pattern,
                                       exception_type='Microsoft.PowerShell.Commands.ServiceCommandException'))
        chosen.extend(h for h in hits if h not in chosen)
    if ctx.has('Include'):
        chosen = [r for r in chosen if any(matches(p, r['name']) for p in ctx.get('Include'))]
    if ctx.has('Exclude'):
        chosen = [r for r in chosen if not any(matches(p, r['name']) for p in ctx.get('Exclude'))]
    return chosen


@cmdlet('Get-Service', GET_SERVICE, module=CORE, sets=['Default', 'DisplayName', 'InputObject'], default_set='Default',
        source=PS4 % 'get-service',
        params=[Param('Name', STRINGS, sets=['Default'], position=0, aliases=('ServiceName',), pipeline='both'),
                Param('DisplayName', STRINGS, sets=['DisplayName'], mandatory=True),
                Param('InputObject', _controller_array(), sets=['InputObject'], pipeline='value'),
                Param('ComputerName', STRINGS, aliases=('Cn',), pipeline='property'),
                Param('DependentServices', SWITCH, aliases=('DS',)),
                Param('RequiredServices', SWITCH, aliases=('SDO', 'ServicesDependedOn')),
                Param('Include', STRINGS), Param('Exclude', STRINGS)],
        output='System.ServiceProcess.ServiceController (no StartType on PowerShell 3.0/4.0)')
def get_service(ctx):
    if ctx.has('InputObject'):
        for controller in ctx.get('InputObject'):
            ctx.write(controller)
        return
    for shown, computer in _windows_computers(ctx):
        rows = ctx.store.execute('SELECT * FROM services WHERE server_fqdn = ? ORDER BY name', (computer,)).fetchall()
        names = ctx.get('Name') if ctx.has('Name') else None
        display = ctx.get('DisplayName') if ctx.has('DisplayName') else None
        for row in _select(ctx, rows, names, display):
            ctx.write(objects.service_controller(row, computer if shown != LOCAL_COMPUTER else '.'))


def _controller_targets(ctx):
    """(computer FQDN, service row) for the Name, DisplayName or InputObject set of Start-/Stop-/Set-Service.
    Without -ComputerName (Start/Stop have none on PowerShell 3.0-5.1) names mean the local computer."""
    if ctx.has('InputObject'):
        found = []
        controllers = ctx.get('InputObject')
        for controller in controllers if isinstance(controllers, list) else [controllers]:
            machine = controller['MachineName'] or '.'
            computer = resolve_computer(ctx.store, machine)
            row = _row(ctx.store, computer['fqdn'], controller['Name']) if computer else None
            if row is None:
                ctx.error(ctx.cmdlet_error("Cannot find any service with service name '%s'." % controller['Name'],
                                           'NoServiceFoundForGivenName', category='ObjectNotFound',
                                           target=controller['Name']))
                continue
            found.append((computer['fqdn'], row))
        return found
    found = []
    for _shown, computer in _windows_computers(ctx) if ctx.has('ComputerName') else \
            [(LOCAL_COMPUTER, LOCAL_COMPUTER)]:
        rows = ctx.store.execute('SELECT * FROM services WHERE server_fqdn = ? ORDER BY name', (computer,)).fetchall()
        names = ctx.get('Name')
        names = [names] if isinstance(names, str) else names
        display = ctx.get('DisplayName') if ctx.has('DisplayName') else None
        for row in _select(ctx, rows, names, display):
            found.append((computer, row))
    return found


def _label(row):
    return '%s (%s)' % (row['display_name'], row['name'])


START_STOP_PARAMS = [
    Param('Name', STRINGS, sets=['Default'], mandatory=True, position=0, aliases=('ServiceName',), pipeline='both'),
    Param('DisplayName', STRINGS, sets=['DisplayName'], mandatory=True),
    Param('InputObject', _controller_array(), sets=['InputObject'], mandatory=True, position=0, pipeline='value'),
    Param('PassThru', SWITCH), Param('Include', STRINGS), Param('Exclude', STRINGS)]


def _change(ctx, wanted, verb):
    for computer, row in _controller_targets(ctx):
        if not ctx.should_process(_label(row), verb):
            continue
        if wanted == 'Running' and row['start_mode'] == 'Disabled':
            ctx.error(ctx.cmdlet_error(
                "Service '%s' cannot be started due to the following error: Cannot start service %s on computer "
                "'%s'." % (_label(row), row['name'], computer.split('.', 1)[0]), 'CouldNotStartService',
                category='OpenError', target=row['name'],
                exception_type='Microsoft.PowerShell.Commands.ServiceCommandException'))
            continue
        if row['status'] != wanted:
            ctx.hold('service:%s' % row['name'])
            _set_status(ctx.store, computer, row['name'], wanted)
        if ctx.get('PassThru'):
            ctx.write(objects.service_controller(_row(ctx.store, computer, row['name']), computer))


@cmdlet('Start-Service', 'Microsoft.PowerShell.Commands.StartServiceCommand', module=CORE, should_process=True,
        sets=['InputObject', 'Default', 'DisplayName'], default_set='InputObject', params=START_STOP_PARAMS,
        source=PS4 % 'start-service')
def start_service(ctx):
    _change(ctx, 'Running', 'Start-Service')


@cmdlet('Stop-Service', 'Microsoft.PowerShell.Commands.StopServiceCommand', module=CORE, should_process=True,
        sets=['InputObject', 'Default', 'DisplayName'], default_set='InputObject',
        params=START_STOP_PARAMS + [Param('Force', SWITCH)], source=PS4 % 'stop-service')
def stop_service(ctx):
    _change(ctx, 'Stopped', 'Stop-Service')


@cmdlet('Set-Service', 'Microsoft.PowerShell.Commands.SetServiceCommand', module=CORE, should_process=True,
        sets=['Name', 'InputObject'], default_set='Name', source=PS4 % 'set-service',
        params=[Param('Name', STRING, sets=['Name'], mandatory=True, position=0, aliases=('ServiceName', 'SN'),
                      pipeline='both'),
                Param('InputObject', Instance('System.ServiceProcess.ServiceController', [SERVICE_CONTROLLER]),
                      sets=['InputObject'], pipeline='value'),
                Param('ComputerName', STRINGS, aliases=('cn',), pipeline='property'),
                Param('DisplayName', aliases=('DN',)), Param('Description'),
                Param('StartupType', Enum(objects.START_MODE, ['Automatic', 'Manual', 'Disabled']),
                      aliases=('StartMode', 'SM', 'ST')),
                Param('Status', Enum('System.String', ['Running', 'Stopped', 'Paused'])),
                Param('PassThru', SWITCH)])
def set_service(ctx):
    for computer, row in _controller_targets(ctx):
        if not ctx.should_process(_label(row), 'Set-Service'):
            continue
        with store_mod.transaction(ctx.store):
            if ctx.has('StartupType'):
                ctx.store.execute('UPDATE services SET start_mode = ? WHERE server_fqdn = ? AND name = ?',
                                  (ctx.get('StartupType'), computer, row['name']))
            if ctx.has('DisplayName'):
                ctx.store.execute('UPDATE services SET display_name = ? WHERE server_fqdn = ? AND name = ?',
                                  (ctx.get('DisplayName'), computer, row['name']))
        status = ctx.get('Status')
        if status == 'Paused':
            ctx.error(ctx.cmdlet_error("Service '%s' cannot be paused because it does not support pausing."
                                       % _label(row), 'CouldNotSuspendService', category='CloseError'))
        elif status and status != row['status']:
            start_mode = _row(ctx.store, computer, row['name'])['start_mode']
            if status == 'Running' and start_mode == 'Disabled':
                ctx.error(ctx.cmdlet_error("Service '%s' cannot be started due to the following error: Cannot start "
                                           "service %s on computer '%s'." % (_label(row), row['name'], computer),
                                           'CouldNotStartService', category='OpenError', target=row['name']))
            else:
                _set_status(ctx.store, computer, row['name'], status)
        if ctx.get('PassThru'):
            ctx.write(objects.service_controller(_row(ctx.store, computer, row['name']), computer))


# -- WMI / CIM ------------------------------------------------------------------------------------------------
_CONDITION = re.compile(r"^\s*(\w+)\s*(=|<>|!=|LIKE)\s*'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_WMI_COLUMNS = {'name': 'name', 'displayname': 'display_name', 'state': 'status', 'startmode': 'start_mode'}


def _wql_predicate(ctx, text):
    """A predicate for the WQL subset the lab supports: ``Prop = 'v'``, ``<>``, ``LIKE '%x_'`` on Name,
    DisplayName, State, StartMode, joined by AND or OR (no parentheses)."""
    if not text:
        return lambda row: True
    alternatives = []
    for branch in re.split(r'\s+OR\s+', text, flags=re.IGNORECASE):
        conditions = []
        for part in re.split(r'\s+AND\s+', branch, flags=re.IGNORECASE):
            match = _CONDITION.match(part)
            if not match or match.group(1).lower() not in _WMI_COLUMNS:
                ctx.fail(ctx.cmdlet_error('Invalid query "select * from Win32_Service where %s"' % text,
                                          'GetWMIManagementException', category='InvalidArgument',
                                          exception_type='System.Management.ManagementException'))
            conditions.append((match.group(1).lower(), match.group(2).upper(), match.group(3).replace("''", "'")))
        alternatives.append(conditions)

    def value(row, column):
        raw = row[_WMI_COLUMNS[column]]
        if column == 'state':
            return objects.WMI_STATES[raw]
        if column == 'startmode':
            return objects.WMI_START_MODES[raw]
        return raw

    def test(row, column, op, wanted):
        actual = value(row, column) or ''
        if op == 'LIKE':
            pattern = '^%s$' % re.escape(wanted).replace('%', '.*').replace('_', '.')
            return bool(re.match(pattern, actual, re.IGNORECASE))
        equal = actual.lower() == wanted.lower()
        return equal if op == '=' else not equal

    return lambda row: any(all(test(row, c, o, w) for c, o, w in conditions) for conditions in alternatives)


def _win32_services(ctx, class_name, cim):
    if (class_name or '').lower() != 'win32_service':
        ctx.fail(ctx.cmdlet_error('Invalid class "%s"' % class_name, 'GetWMIManagementException',
                                  category='InvalidType', exception_type='System.Management.ManagementException',
                                  target=class_name))
    namespace = (ctx.get('Namespace') or 'root\\cimv2').replace('/', '\\').lower()
    if namespace != 'root\\cimv2':
        ctx.fail(ctx.cmdlet_error('Invalid namespace "%s"' % ctx.get('Namespace'), 'GetWMIManagementException',
                                  category='InvalidArgument', exception_type='System.Management.ManagementException'))
    predicate = _wql_predicate(ctx, ctx.get('Filter'))
    for name in ctx.get('ComputerName') or ['.']:
        computer = resolve_computer(ctx.store, name)
        if computer is None:
            ctx.error(ctx.cmdlet_error('The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)',
                                       'GetWMICOMException', category='InvalidOperation', target=name,
                                       exception_type='System.Runtime.InteropServices.COMException'))
            continue
        for row in ctx.store.execute('SELECT * FROM services WHERE server_fqdn = ? ORDER BY name',
                                     (computer['fqdn'],)):
            if predicate(row):
                ctx.write(objects.win32_service(row, computer['fqdn'], cim=cim))


@cmdlet('Get-WmiObject', 'Microsoft.PowerShell.Commands.GetWmiObjectCommand', module=CORE, sets=['query'],
        source=PS4 % 'get-wmiobject',
        params=[Param('Class', STRING, mandatory=True, position=0, aliases=('ClassName',)),
                Param('ComputerName', STRINGS, aliases=('Cn',)), Param('Filter'), Param('Property', STRINGS,
                                                                                        position=1),
                Param('Namespace', aliases=('NS',))],
        output='System.Management.ManagementObject#root\\cimv2\\Win32_Service (StartMode: Auto, Manual, Disabled)')
def get_wmi_object(ctx):
    _win32_services(ctx, ctx.get('Class'), cim=False)


@cmdlet('Get-CimInstance', 'Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', module=CORE,
        sets=['ClassNameComputerSet'],
        source='https://learn.microsoft.com/powershell/module/cimcmdlets/get-ciminstance?view=powershell-4.0',
        params=[Param('ClassName', STRING, mandatory=True, position=0),
                Param('ComputerName', STRINGS, aliases=('CN', 'ServerName')), Param('Filter'),
                Param('Property', STRINGS, aliases=('SelectProperties',)), Param('Namespace')],
        output='Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_Service')
def get_cim_instance(ctx):
    _win32_services(ctx, ctx.get('ClassName'), cim=True)
