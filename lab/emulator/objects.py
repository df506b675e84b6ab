# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The objects the cmdlets write, with their .NET type names and properties (docs/lab-emulator.md lists which
property lists are documented and which are the lab's assumption). Properties hold what Lync holds (a collection
of FQDNs, a nested object): the transport flattens them as remoting does (depth 1)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab.emulator.api import PSEnum, PSObj

# -- enums ----------------------------------------------------------------------------------------------------
SERVICE_STATUS = 'System.ServiceProcess.ServiceControllerStatus'
SERVICE_STATUS_VALUES = {'Stopped': 1, 'StartPending': 2, 'StopPending': 3, 'Running': 4, 'ContinuePending': 5,
                         'PausePending': 6, 'Paused': 7}
POOL_STATE = 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState'
POOL_STATES = ['Normal', 'FailedOver']
ROOM_PRIVACY = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomPrivacy'
ROOM_PRIVACIES = ['Open', 'Closed', 'Secret']
ROOM_TYPE = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomType'
ROOM_TYPES = ['Normal', 'Auditorium']
ROOM_INVITATIONS = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomInvitations'
ROOM_INVITATION_VALUES = ['False', 'Inherit']
EXPORT_LEVEL = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ExportLevel'
EXPORT_LEVELS = ['All', 'User', 'Category', 'RoomDirectory', 'Content']
START_MODE = 'System.ServiceProcess.ServiceStartMode'
START_MODES = {'Boot': 0, 'System': 1, 'Automatic': 2, 'Manual': 3, 'Disabled': 4}
RESULT_CODE = 'Microsoft.Rtc.SyntheticTransactions.ResultCode'


def enum(type_name, values, name):
    """A PSEnum from a list (value = index) or a dict (name -> value)."""
    value = values[name] if isinstance(values, dict) else values.index(name)
    return PSEnum(type_name, name, value)


def service_status(name):
    return enum(SERVICE_STATUS, SERVICE_STATUS_VALUES, name)


# -- directory objects ----------------------------------------------------------------------------------------
def ad_object_id(dn, guid):
    return PSObj(['Microsoft.Rtc.Management.ADConnect.Core.ADObjectId'],
                 [('DistinguishedName', dn), ('ObjectGuid', guid), ('Name', dn.split(',', 1)[0].split('=', 1)[-1])],
                 dn)


def persistent_chat_contact(principal):
    """OCSPersistentChatContact (documented type; property list by analogy with Lync's application contacts)."""
    return PSObj(['Microsoft.Rtc.Management.ADConnect.Schema.OCSPersistentChatContact'], [
        ('Identity', ad_object_id(principal.dn, principal.guid)),
        ('SipAddress', principal.get('msRTCSIP-PrimaryUserAddress')),
        ('DisplayName', principal.get('displayName')),
        ('Enabled', str(principal.get('msRTCSIP-UserEnabled', '')).upper() == 'TRUE'
         or principal.get('msRTCSIP-UserEnabled') is True),
        ('HomeServer', principal.get('msRTCSIP-PrimaryHomeServer')),
        ('OwnerUrn', principal.get('msRTCSIP-OwnerUrn')),
        ('DistinguishedName', principal.dn),
        ('Guid', principal.guid),
    ], principal.dn)


def _user_properties(principal):
    enabled = str(principal.get('msRTCSIP-UserEnabled', '')).upper() == 'TRUE'
    return [
        ('Identity', ad_object_id(principal.dn, principal.guid)),
        ('SamAccountName', principal.get('sAMAccountName')),
        ('UserPrincipalName', principal.get('userPrincipalName')),
        ('DisplayName', principal.get('displayName')),
        ('FirstName', principal.get('givenName')),
        ('LastName', principal.get('sn')),
        ('WindowsEmailAddress', principal.get('mail')),
        ('SipAddress', principal.get('msRTCSIP-PrimaryUserAddress')),
        ('Enabled', enabled),
        ('HomeServer', principal.get('msRTCSIP-PrimaryHomeServer')),
        ('Sid', principal.get('objectSid')),
        ('DistinguishedName', principal.dn),
        ('Guid', principal.guid),
    ]


def ad_user(principal):
    """Get-CsAdUser's CSADUser (documented type; properties from the reference's examples plus AD basics)."""
    return PSObj(['Microsoft.Rtc.Management.ADConnect.Schema.CSADUser'], _user_properties(principal),
                 principal.get('displayName') or principal.dn)


def lync_user(principal, registrar_pool=None, chat_policy=None):
    """Get-CsUser's ADUser (documented type name), with what Get-CsUser tells beyond Get-CsAdUser: the Registrar pool
    the user is homed on and the per-user policies assigned [ref Get-CsAdUser: "the Get-CsUser cmdlet can tell you
    which ... policies have been assigned to a user"]: ``PersistentChatPolicy`` is the per-user policy's name, $Null
    when none is assigned [ref Grant-CsPersistentChatPolicy, examples 3 and 4]."""
    return PSObj(['Microsoft.Rtc.Management.ADConnect.Schema.ADUser'], _user_properties(principal) + [
        ('RegistrarPool', registrar_pool),
        ('PersistentChatPolicy', chat_policy),
    ], principal.get('displayName') or principal.dn)


def persistent_chat_policy(row):
    """A Persistent Chat policy: the documented type; properties the settings New-CsPersistentChatPolicy takes in
    Lync Server 2013 (Identity, Description, EnablePersistentChat)."""
    return PSObj(['Microsoft.Rtc.Management.WritableConfig.Policy.PersistentChat.PersistentChatPolicy'], [
        ('Identity', row['identity']),
        ('Description', row['description']),
        ('EnablePersistentChat', bool(row['enable_persistent_chat'])),
    ], row['identity'])


# -- chat objects ---------------------------------------------------------------------------------------------
def chat_room(pool, row, category_name, principals):
    """ChatRoomObject; ``principals`` maps role -> list of principals (SIP URIs or display names)."""
    identity = '%s\\%s' % (pool, row['name'])
    return PSObj(['Microsoft.Rtc.Management.PersistentChat.Cmdlets.ChatRoomObject'], [
        ('Identity', identity),
        ('Name', row['name']),
        ('Description', row['description']),
        ('Category', category_name),
        ('Disabled', bool(row['disabled'])),
        ('Privacy', enum(ROOM_PRIVACY, ROOM_PRIVACIES, row['privacy'].capitalize())),
        ('Type', enum(ROOM_TYPE, ROOM_TYPES, row['type'].capitalize())),
        ('Invitations', enum(ROOM_INVITATIONS, ROOM_INVITATION_VALUES, row['invitations'].capitalize())),
        ('Addin', row['addin']),
        ('Members', principals.get('member', [])),
        ('Managers', principals.get('manager', [])),
        ('Presenters', principals.get('presenter', [])),
    ], identity)


def chat_category(pool, row, principals):
    identity = '%s\\%s' % (pool, row['name'])
    return PSObj(['Microsoft.Rtc.Management.PersistentChat.Cmdlets.CategoryObject'], [
        ('Identity', identity),
        ('Name', row['name']),
        ('Description', row['description']),
        ('AllowedMembers', principals.get('allowed', [])),
        ('DeniedMembers', principals.get('denied', [])),
        ('Creators', principals.get('creator', [])),
        ('Invites', bool(row['invitations'])),  # [ref Get-CsPersistentChatCategory, example 3: $_.Invites]
        ('FileUpload', bool(row['file_upload'])),
        ('ChatHistory', bool(row['chat_history'])),
    ], identity)


def persistent_chat_state(pool, state):
    identity = 'PersistentChatServer:%s' % pool
    return PSObj(['Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState'], [
        ('Identity', identity), ('PoolState', enum(POOL_STATE, POOL_STATES, state))], identity)


# -- topology objects -----------------------------------------------------------------------------------------
def service(type_suffix, identity, properties, role, pool_fqdn, site, site_id, version, index, dependents=(),
            service_id_role=None):
    """A Get-CsService object: ``Microsoft.Rtc.Management.Xds.Display<type_suffix>`` with the properties every
    service object has (Identity first, DependentServiceList, ServiceId, SiteId, PoolFqdn, Version, Role last)."""
    props = [('Identity', identity)] + list(properties) + [
        ('DependentServiceList', list(dependents)),
        ('ServiceId', '%d-%s-%d' % (site_id, service_id_role or role, index)),
        ('SiteId', site),
        ('PoolFqdn', pool_fqdn),
        ('Version', version),
        ('Role', role),
    ]
    return PSObj(['Microsoft.Rtc.Management.Xds.Display' + type_suffix], props, identity)


def site_object(row):
    kind = 'BackCompatSite' if row['kind'] == 'backcompat' else 'Central'
    type_name = 'Microsoft.Rtc.Management.Deploy.Internal.Site+%s' % (
        'BackCompatSite' if row['kind'] == 'backcompat' else 'CentralSite')
    return PSObj([type_name, 'Microsoft.Rtc.Management.Deploy.Internal.Site'], [
        ('Identity', row['identity']),
        ('SiteId', row['site_id']),
        ('DisplayName', row['name']),
        ('Description', None),
        ('Kind', kind),
        ('Pools', list(row['pools'])),
    ], row['identity'])


def machine(fqdn, pool, type_name='Microsoft.Rtc.Management.Deploy.Internal.Machine'):
    return PSObj([type_name], [('Identity', fqdn), ('Pool', pool), ('Fqdn', fqdn)], fqdn)


def display_computer(fqdn, pool):
    return machine(fqdn, pool, 'Microsoft.Rtc.Management.Xds.DisplayComputer')


def cluster(fqdn, services, computers, site):
    site_obj = PSObj(['Microsoft.Rtc.Management.Deploy.Internal.Site'], [('Identity', site)], site)
    return PSObj(['Microsoft.Rtc.Management.Deploy.Internal.Cluster'], [
        ('Identity', fqdn),
        ('Services', list(services)),
        ('Computers', [machine(c, fqdn) for c in computers]),
        ('Fqdn', fqdn),
        ('Site', site_obj),
    ], fqdn)


def trusted_application(pool, application_id, port, computers):
    identity = '%s/%s' % (pool, application_id)
    short = application_id.split(':')[-1]
    return PSObj(['Microsoft.Rtc.Management.Xds.DisplayTrustedApplication'], [
        ('Identity', identity),
        ('ComputerGruus', ['sip:%s@%s;gruu;opaque=srvr:%s:%s' % (c, pool.split('.', 1)[-1], short, c)
                           for c in computers]),
        ('ServiceGruu', 'sip:%s@%s;gruu;opaque=srvr:%s' % (pool, pool.split('.', 1)[-1], short)),
        ('Protocol', 'Mtls'),
        ('ApplicationId', application_id),
        ('TrustedApplicationPoolFqdn', pool),
        ('Port', port),
        ('LegacyApplicationName', short),
    ], identity)


# -- Windows services -----------------------------------------------------------------------------------------
def nt_service(row, exclude_activity=False):
    roles = [r for r in (row['roles'] or '').split(',') if r]
    activity = None
    if not exclude_activity and row['status'] == 'Running':
        activity = 'Active sessions=%d' % row['open_sessions']
    return PSObj(['Microsoft.Rtc.Management.Deployment.Core.NTService'], [
        ('Name', row['name']),
        ('DisplayName', row['display_name']),
        ('Status', service_status(row['status'])),
        ('ActivityLevel', activity),
        ('RoleName', roles),
    ], row['name'])


def service_controller(row, machine_name):
    """System.ServiceProcess.ServiceController as Windows PowerShell 3.0/4.0 shows it: no StartType (that
    property arrived with .NET 4.6.1 / WMF 5), so the start mode is read with Get-WmiObject Win32_Service."""
    running = row['status'] == 'Running'
    return PSObj(['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component',
                  'System.MarshalByRefObject'], [
        ('Name', row['name']),
        ('RequiredServices', []),
        ('CanPauseAndContinue', False),
        ('CanShutdown', running),
        ('CanStop', running),
        ('DisplayName', row['display_name']),
        ('DependentServices', []),
        ('MachineName', machine_name),
        ('ServiceName', row['name']),
        ('ServicesDependedOn', []),
        ('ServiceHandle', None),
        ('Status', service_status(row['status'])),
        ('ServiceType', PSEnum('System.ServiceProcess.ServiceType', 'Win32OwnProcess', 16)),
        ('Site', None),
        ('Container', None),
    ], 'System.ServiceProcess.ServiceController')


WMI_START_MODES = {'Automatic': 'Auto', 'Manual': 'Manual', 'Disabled': 'Disabled'}
WMI_STATES = {'Running': 'Running', 'Stopped': 'Stopped', 'StopPending': 'Stop Pending'}


def win32_service(row, computer, cim=False):
    """Win32_Service through Get-WmiObject (ManagementObject) or Get-CimInstance (CimInstance)."""
    system_name = computer.split('.', 1)[0].upper()
    props = [
        ('Name', row['name']),
        ('DisplayName', row['display_name']),
        ('State', WMI_STATES[row['status']]),
        ('StartMode', WMI_START_MODES[row['start_mode']]),
        ('Status', 'OK'),
        ('Started', row['status'] == 'Running'),
        ('AcceptStop', row['status'] == 'Running'),
        ('ServiceType', 'Own Process'),
        ('ExitCode', 0),
        ('ProcessId', 4000 + (sum(row['name'].encode()) % 1000) if row['status'] == 'Running' else 0),
        ('SystemName', system_name),
        ('PathName', 'C:\\Program Files\\%s\\%s.exe' % (row['display_name'].split(' ')[0], row['name'])),
        ('StartName', 'LocalSystem'),
    ]
    if cim:
        types = ['Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_Service',
                 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_BaseService',
                 'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/CIM_Service',
                 'Microsoft.Management.Infrastructure.CimInstance']
        text = 'Win32_Service: %s (Name = "%s")' % (row['display_name'], row['name'])
    else:
        types = ['System.Management.ManagementObject#root\\cimv2\\Win32_Service',
                 'System.Management.ManagementObject', 'System.Management.ManagementBaseObject',
                 'System.ComponentModel.Component', 'System.MarshalByRefObject']
        props = [('__CLASS', 'Win32_Service'), ('__SERVER', system_name)] + props
        text = '\\\\%s\\root\\cimv2:Win32_Service.Name="%s"' % (system_name, row['name'])
    return PSObj(types, props, text)


def module_info(name, path, product='Lync Server 2013'):
    return PSObj(['System.Management.Automation.PSModuleInfo'], [
        ('Name', name), ('Path', path), ('ModuleType', PSEnum('System.Management.Automation.ModuleType',
                                                              'Manifest', 3)),
        ('Version', '6.0.0.0' if 'Skype' in product else '5.0.0.0'), ('Description', '%s Management Shell' % product),
    ], name)


def task_output(target, success, latency_ms, error=None, diagnosis=None):
    """Microsoft.Rtc.SyntheticTransactions.TaskOutput (documented type; printed as Target Fqdn, Result, Latency,
    Error Message, Diagnosis)."""
    seconds = latency_ms / 1000.0
    latency = PSObj(['System.TimeSpan', 'System.ValueType'], [
        ('Ticks', int(seconds * 10 ** 7)), ('TotalMilliseconds', float(latency_ms)),
        ('TotalSeconds', seconds)], '00:00:%010.7f' % seconds)
    return PSObj(['Microsoft.Rtc.SyntheticTransactions.TaskOutput'], [
        ('TargetFqdn', target),
        ('Result', PSEnum(RESULT_CODE, 'Success' if success else 'Failure', 0 if success else 1)),
        ('Latency', latency),
        ('Error', error),
        ('Diagnosis', diagnosis),
    ], 'Success' if success else 'Failure')
