# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conformance over the real wire: the lab's own Lync emulator (started by `python -m lab up`, real shell, real
store and Samba AD) driven by the real pypsrp client over HTTPS with NTLM and certificate validation, on /wsman and
/OcsPowershell, asserting what a client relies on (docs/lab-emulator.md): objects, enums, depth-1 flattening,
bytes, command availability, binding errors, streams, -WhatIf, -Confirm, authentication, 5,000 rooms, concurrent
clients, dropped connections, knobs and the request log.

The module starts from the seeded lab (`lab reset`) and every test that changes state puts it back and checks that
the lab's fingerprint (`lab inspect` + store + directory) is the seeded one again (``restored``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import secrets
import threading
import time
import zipfile

import ldap3
import pytest
import requests
from pypsrp.complex_objects import PSCredential, PSInvocationState
from pypsrp.exceptions import AuthenticationError
from pypsrp.powershell import PowerShell

from lab import names, topology
from lab.emulator.cmdlets import all_specs
from tests.emulator.harness import EVENT_FIELDS, PIPELINE_FIELDS

from .conformance import (OCS, PATH_LOGGED, PATHS, WSMAN, Lab, add_rooms, assert_completed, assert_enum,
                          assert_failed, begin, pipeline, runspace_id, string_leaves, wait_for)

PC, GC = topology.TARGET_POOL, topology.LEGACY_POOL
PC_SERVICE = 'PersistentChatServer:' + PC
GC_DB = ('gcsql.contoso.com\\groupchat', 'GroupChat')
PC_DB = 'pcsql.contoso.com\\pchat'
EXPORT_FILE = 'C:\\Windows\\Temp\\conformance.zip'
LEGACY_FILES = topology.LEGACY_FILE_REPOSITORIES[GC]
FILE_STORE_SHARE = '\\\\%s\\LyncShare' % topology.FILE_STORE
AUTOMATIC_SIP = topology.automatic_endpoint(PC)[0]
ROOM_CLASS = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.'
CONTACT = 'Microsoft.Rtc.Management.ADConnect.Schema.OCSPersistentChatContact'
STATUS = 'System.ServiceProcess.ServiceControllerStatus'
TEST_USER_PASSWORD = object()  # stands for the lab's test-user password (lab-state.json), put in by ``_commands``
NOT_RECOGNIZED = ("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable "
                  "program. Check the spelling of the name, or if a path was included, verify that the path is "
                  "correct and try again.")


# -- fixtures -------------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def lab(lab_connection, ldap):
    """The lab, reset to its seeded state for this module and after it."""
    running = Lab(lab_connection, ldap)
    running.reset()
    running.baseline = running.fingerprint()
    yield running
    running.reset()
    running.close()


@pytest.fixture
def restored(lab):
    """For a test that changes the lab: afterwards the lab is reset and must be the seeded lab again."""
    yield lab
    lab.reset()
    assert lab.fingerprint() == lab.baseline, 'the lab is not as the test found it'


@pytest.fixture(scope='module')
def pools(lab):
    """A runspace pool per path, open for the module: /OcsPowershell as is, /wsman after Import-Module Lync."""
    opened = dict((path, lab.pool(path)) for path in PATHS)
    for pool in opened.values():
        pool.open()
    assert_completed(pipeline(opened[WSMAN], ('Import-Module', {'Name': 'Lync'}))[0])
    yield opened
    for pool in opened.values():
        pool.close()


def read(pool, name, **parameters):
    """A command expected to complete without errors; its output."""
    ps, output = pipeline(pool, (name, parameters))
    assert_completed(ps)
    return output


# -- every read cmdlet: type names, adapted properties, ToString, enums, depth-1 flattening ---------------------
# types: the type names before System.Object; properties: the adapted properties in order (docs/lab-emulator.md);
# values: some of them, as pypsrp hands them back (a nested object as its text, a collection as a list);
# enums: property -> (enum type, member name, number).
READS = [
    dict(cmdlet='Get-CsPool', parameters={'Identity': PC}, types=['Microsoft.Rtc.Management.Deploy.Internal.Cluster'],
         to_string=PC, properties=['Identity', 'Services', 'Computers', 'Fqdn', 'Site'],
         values={'Services': [PC_SERVICE], 'Site': 'site:Redmond',  # a Site object, flattened to its text
                 'Computers': ['pc01.contoso.com', 'pc02.contoso.com', 'pc03.contoso.com']}),  # Machine objects
    dict(cmdlet='Get-CsService', parameters={'PersistentChatServer': None},
         types=['Microsoft.Rtc.Management.Xds.DisplayPersistentChatServer'], to_string=PC_SERVICE, count=2,
         properties=['Identity', 'Registrar', 'FileStore', 'PersistentChatDatabase',
                     'PersistentChatComplianceDatabase', 'MirrorPersistentChatDatabase', 'BackupPersistentChatDatabase',
                     'MtlsPort', 'DisplayName', 'ActiveServers', 'InactiveServers', 'DependentServiceList', 'ServiceId',
                     'SiteId', 'PoolFqdn', 'Version', 'Role'],
         values={'PoolFqdn': PC, 'PersistentChatDatabase': 'PersistentChatStore:pcsql.contoso.com', 'Version': 6,
                 'MtlsPort': 5041, 'Registrar': 'Registrar:' + topology.FRONT_END_POOL,
                 'ActiveServers': ['pc01.contoso.com', 'pc02.contoso.com'], 'InactiveServers': ['pc03.contoso.com'],
                 'FileStore': 'FileStore:' + topology.FILE_STORE}),
    dict(cmdlet='Get-CsService', parameters={'FileStore': None},
         types=['Microsoft.Rtc.Management.Xds.DisplayFileStore'], to_string='FileStore:' + topology.FILE_STORE,
         properties=['Identity', 'ShareName', 'UncPath', 'IsDfsShare', 'DependentServiceList', 'ServiceId', 'SiteId',
                     'PoolFqdn', 'Version', 'Role'],
         values={'UncPath': '\\\\%s\\LyncShare' % topology.FILE_STORE, 'PoolFqdn': topology.FILE_STORE,
                 'DependentServiceList': [PC_SERVICE, 'PersistentChatServer:' + topology.TARGET_POOL_2]}),
    dict(cmdlet='Get-CsService', parameters={'Identity': 'PersistentChatStore:pcsql.contoso.com'},
         types=['Microsoft.Rtc.Management.Xds.DisplayPersistentChatStore'], to_string='PersistentChatStore:'
         'pcsql.contoso.com', properties=['Identity', 'SqlInstanceName', 'DependentServiceList', 'ServiceId', 'SiteId',
                                          'PoolFqdn', 'Version', 'Role'],
         values={'SqlInstanceName': 'pchat', 'PoolFqdn': 'pcsql.contoso.com'}),
    dict(cmdlet='Get-CsComputer', parameters={'Pool': PC}, types=['Microsoft.Rtc.Management.Deploy.Internal.Machine'],
         to_string='pc01.contoso.com', count=3, properties=['Identity', 'Pool', 'Fqdn'], values={'Pool': PC}),
    dict(cmdlet='Get-CsSite', parameters={'Identity': topology.SITE_BACKCOMPAT},
         types=['Microsoft.Rtc.Management.Deploy.Internal.Site+BackCompatSite',
                'Microsoft.Rtc.Management.Deploy.Internal.Site'], to_string=topology.SITE_BACKCOMPAT,
         properties=['Identity', 'SiteId', 'DisplayName', 'Description', 'Kind', 'Pools'],
         values={'SiteId': 2, 'Kind': 'BackCompatSite', 'Pools': []}),  # Group Chat is never merged into it
    dict(cmdlet='Get-CsTrustedApplicationPool', parameters={'Identity': 'TrustedApplicationPool:' + GC},
         types=['Microsoft.Rtc.Management.Xds.DisplayExternalServer'], to_string='TrustedApplicationPool:' + GC,
         properties=['Identity', 'Registrar', 'FileStore', 'ThrottleAsServer', 'TreatAsAuthenticated',
                     'OutboundOnly', 'RequiresReplication', 'DependentServiceList', 'ServiceId', 'SiteId', 'PoolFqdn',
                     'Version', 'Role'],
         values={'Version': 5, 'SiteId': 'site:Redmond', 'ThrottleAsServer': True}),
    dict(cmdlet='Get-CsTrustedApplication', parameters={'Identity': GC + '/urn:application:groupchat'},
         types=['Microsoft.Rtc.Management.Xds.DisplayTrustedApplication'], to_string=GC + '/urn:application:groupchat',
         properties=['Identity', 'ComputerGruus', 'ServiceGruu', 'Protocol', 'ApplicationId',
                     'TrustedApplicationPoolFqdn', 'Port', 'LegacyApplicationName'],
         values={'Port': 5041, 'TrustedApplicationPoolFqdn': GC, 'ApplicationId': 'urn:application:groupchat'}),
    dict(cmdlet='Get-CsTrustedApplicationComputer', parameters={'Pool': GC},
         types=['Microsoft.Rtc.Management.Xds.DisplayComputer'], to_string='gc01.contoso.com', count=2,
         properties=['Identity', 'Pool', 'Fqdn'], values={'Pool': GC}),
    dict(cmdlet='Get-CsPersistentChatState', parameters={'Identity': PC_SERVICE},
         types=['Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState'],
         to_string=PC_SERVICE, properties=['Identity', 'PoolState'],
         enums={'PoolState': ('Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState', 'Normal',
                              0)}),
    dict(cmdlet='Get-CsPersistentChatEndpoint', parameters={'PersistentChatPoolFqdn': PC}, types=[CONTACT],
         to_string=topology.automatic_endpoint(PC)[2],
         properties=['Identity', 'SipAddress', 'DisplayName', 'Enabled', 'HomeServer', 'OwnerUrn',
                     'DistinguishedName', 'Guid'],
         values={'Identity': topology.automatic_endpoint(PC)[2],  # an ADObjectId, flattened to its DN
                 'SipAddress': AUTOMATIC_SIP, 'Enabled': True, 'HomeServer': topology.pool_dn(PC)}),
    dict(cmdlet='Get-CsAdUser', parameters={'Identity': names.WELL_KNOWN_SIP},
         types=['Microsoft.Rtc.Management.ADConnect.Schema.CSADUser'], to_string='Group Chat well-known user',
         properties=['Identity', 'SamAccountName', 'UserPrincipalName', 'DisplayName', 'FirstName', 'LastName',
                     'WindowsEmailAddress', 'SipAddress', 'Enabled', 'HomeServer', 'Sid', 'DistinguishedName', 'Guid'],
         values={'Identity': names.WELL_KNOWN_DN, 'SamAccountName': 'OCSChat', 'SipAddress': names.WELL_KNOWN_SIP}),
    dict(cmdlet='Get-CsUser', parameters={'Identity': names.user_sip(1)},
         types=['Microsoft.Rtc.Management.ADConnect.Schema.ADUser'],
         properties=['Identity', 'SamAccountName', 'UserPrincipalName', 'DisplayName', 'FirstName', 'LastName',
                     'WindowsEmailAddress', 'SipAddress', 'Enabled', 'HomeServer', 'Sid', 'DistinguishedName', 'Guid',
                     'RegistrarPool', 'PersistentChatPolicy'],
         values={'Identity': names.user_dn(1), 'SamAccountName': names.user_sam(1), 'Enabled': True,
                 'PersistentChatPolicy': names.CHAT_POLICY_NAME}),
    dict(cmdlet='Get-CsPersistentChatPolicy', parameters={'Identity': 'Global'},
         types=['Microsoft.Rtc.Management.WritableConfig.Policy.PersistentChat.PersistentChatPolicy'],
         to_string='Global', properties=['Identity', 'Description', 'EnablePersistentChat'],
         values={'EnablePersistentChat': False}),  # Persistent Chat off in the global policy, as installed [ref]
    dict(cmdlet='Test-Path', parameters={'Path': ['C:\\Windows\\Temp'], 'PathType': 'Container'}, paths=[WSMAN],
         types=[], primitive=True),
    dict(cmdlet='Get-CsWindowsService', parameters={'ComputerName': 'pc01.contoso.com', 'Name': 'RTCPCHAT'},
         types=['Microsoft.Rtc.Management.Deployment.Core.NTService'], to_string='RTCPCHAT',
         properties=['Name', 'DisplayName', 'Status', 'ActivityLevel', 'RoleName'],
         values={'RoleName': ['PersistentChatService'], 'ActivityLevel': None},
         enums={'Status': (STATUS, 'Stopped', 1)}),
    dict(cmdlet='Get-CsPersistentChatCategory', parameters={'PersistentChatPoolFqdn': PC}, count=0),
    dict(cmdlet='Get-CsPersistentChatRoom', parameters={'PersistentChatPoolFqdn': PC}, count=0),
    # Windows PowerShell's own commands exist on /wsman only
    dict(cmdlet='Get-Service', parameters={'ComputerName': ['gc01.contoso.com'], 'Name': ['LyncGroupChatLookup']},
         paths=[WSMAN], types=['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component',
                               'System.MarshalByRefObject'], to_string='System.ServiceProcess.ServiceController',
         values={'Name': 'LyncGroupChatLookup', 'MachineName': 'gc01.contoso.com', 'RequiredServices': []},
         enums={'Status': (STATUS, 'Running', 4),
                'ServiceType': ('System.ServiceProcess.ServiceType', 'Win32OwnProcess', 16)}),
    dict(cmdlet='Get-WmiObject', parameters={'Class': 'Win32_Service', 'ComputerName': ['gc01.contoso.com'],
                                             'Filter': "Name = 'LyncGroupChatLookup'"}, paths=[WSMAN],
         types=['System.Management.ManagementObject#root\\cimv2\\Win32_Service', 'System.Management.ManagementObject',
                'System.Management.ManagementBaseObject', 'System.ComponentModel.Component',
                'System.MarshalByRefObject'],
         to_string='\\\\GC01\\root\\cimv2:Win32_Service.Name="LyncGroupChatLookup"',
         values={'StartMode': 'Auto', 'State': 'Running', 'Started': True}),
    dict(cmdlet='Get-CimInstance', parameters={'ClassName': 'Win32_Service', 'ComputerName': ['gc01.contoso.com'],
                                               'Filter': "StartMode = 'Auto' AND Name LIKE '%Lookup'"},
         paths=[WSMAN], types=['Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_Service',
                               'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_BaseService',
                               'Microsoft.Management.Infrastructure.CimInstance#root/cimv2/CIM_Service',
                               'Microsoft.Management.Infrastructure.CimInstance'],
         values={'Name': 'LyncGroupChatLookup', 'StartMode': 'Auto'}),
    dict(cmdlet='Get-ChildItem', parameters={'LiteralPath': LEGACY_FILES, 'Recurse': None, 'File': None},
         paths=[WSMAN], types=['System.IO.FileInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject'],
         to_string=LEGACY_FILES + '\\Engineering\\build\\logo.png', count=7,
         properties=['PSPath', 'PSParentPath', 'PSChildName', 'PSDrive', 'PSProvider', 'PSIsContainer', 'Mode',
                     'BaseName', 'Name', 'Length', 'DirectoryName', 'Directory', 'IsReadOnly', 'Exists', 'FullName',
                     'Extension', 'CreationTime', 'CreationTimeUtc', 'LastAccessTime', 'LastAccessTimeUtc',
                     'LastWriteTime', 'LastWriteTimeUtc', 'Attributes'],
         values={'Length': 5120, 'PSIsContainer': False, 'Name': 'logo.png',
                 'FullName': LEGACY_FILES + '\\Engineering\\build\\logo.png',
                 'LastWriteTimeUtc': '2012-05-14T11:00:00Z'},  # a DateTime: pypsrp 0.9.1 hands back its text
         enums={'Attributes': ('System.IO.FileAttributes', 'Archive', 32)}),
    dict(cmdlet='Import-Module', parameters={'Name': 'Lync', 'PassThru': None}, paths=[WSMAN],
         types=['System.Management.Automation.PSModuleInfo'], to_string='Lync',
         properties=['Name', 'Path', 'ModuleType', 'Version', 'Description'],
         enums={'ModuleType': ('System.Management.Automation.ModuleType', 'Manifest', 3)}),
]
READ_CASES = [pytest.param(path, case, id='%s-%s-%s' % (case['cmdlet'], '-'.join(case['parameters']), path))
              for case in READS for path in case.get('paths', PATHS)]


@pytest.mark.parametrize('path, case', READ_CASES)
def test_read_cmdlets_answer_lync_shaped_objects(pools, path, case):
    output = read(pools[path], case['cmdlet'], **case['parameters'])
    assert len(output) == case.get('count', 1)
    if not output:
        return
    if case.get('primitive'):  # a .NET primitive (Test-Path's Boolean) arrives as the Python value
        assert output == [True]
        return
    first = output[0]
    assert first.types == case['types'] + ['System.Object']
    if 'to_string' in case:
        assert first.to_string == case['to_string']
    props = first.adapted_properties
    if 'properties' in case:
        assert list(props) == case['properties']
    for name, value in case.get('values', {}).items():
        assert props[name] == value, name
    for name, (type_name, member, number) in case.get('enums', {}).items():
        assert_enum(props[name], type_name, member, number)


MESSAGE_TEST = {'TargetFqdn': topology.FRONT_END_POOL, 'ChatRoomUri': PC + '\\Lobby',
                'SenderSipAddress': names.TEST_USERS[0][1], 'ReceiverSipAddress': names.TEST_USERS[1][1]}


def test_test_cs_persistent_chat_message_reports_failure_with_a_warning(pools):
    ps, (result,) = pipeline(pools[OCS], ('Test-CsPersistentChatMessage', MESSAGE_TEST))
    assert_completed(ps)
    assert result.types == ['Microsoft.Rtc.SyntheticTransactions.TaskOutput', 'System.Object']
    assert result.to_string == 'Failure'
    props = result.adapted_properties
    assert list(props) == ['TargetFqdn', 'Result', 'Latency', 'Error', 'Diagnosis']
    assert_enum(props['Result'], 'Microsoft.Rtc.SyntheticTransactions.ResultCode', 'Failure', 1)
    assert isinstance(props['Latency'], str) and props['Latency'].startswith('00:00:')  # a TimeSpan, as text
    assert 'not running' in props['Error']
    (warning,) = ps.streams.warning  # a failure comes with a warning first (LYNC-FACTS) ...
    assert warning.message.startswith('Test-CsPersistentChatMessage failed for %s' % topology.FRONT_END_POOL)
    forced, _output = pipeline(pools[OCS], ('Test-CsPersistentChatMessage', dict(MESSAGE_TEST, Force=None)))
    assert forced.streams.warning == []  # ... that -Force hides
    _ps, (chat_pool,) = pipeline(pools[OCS], ('Test-CsPersistentChatMessage', dict(MESSAGE_TEST, TargetFqdn=PC)))
    assert 'is not a Registrar pool' in chat_pool.adapted_properties['Error']  # "FQDN of the Registrar pool" [ref]


@pytest.mark.parametrize('path', PATHS)
def test_test_cs_persistent_chat_message_takes_credentials_over_the_wire(restored, pools, path):
    """The ClientPlatform set: PSCredentials (their passwords SecureStrings, after pypsrp's key exchange) reach the
    shell, which logs the test users on with them; a wrong one is a failure that names the account, never the
    password; the request log names the parameters only."""
    lab, pool = restored, pools[path]
    ocs = pools[OCS]
    read(ocs, 'New-CsPersistentChatCategory', Name='General', PersistentChatPoolFqdn=PC)
    read(ocs, 'New-CsPersistentChatRoom', Name='Lobby', Category='General', PersistentChatPoolFqdn=PC)
    for computer in ('pc01.contoso.com', 'pc02.contoso.com'):  # the active servers' chat services
        for name in ('RTCPCHAT', 'RTCPCHATCOMP'):
            read(ocs, 'Start-CsWindowsService', ComputerName=computer, Name=name, Confirm=False)
    pool.exchange_keys()
    (sender_sam, _sip, _dn), (receiver_sam, _sip2, _dn2) = names.TEST_USERS

    def credential(sam, password):
        return PSCredential(username=names.NETBIOS + '\\' + sam, password=password)
    _ps, (passed,) = pipeline(pool, ('Test-CsPersistentChatMessage', dict(
        MESSAGE_TEST, SenderCredential=credential(sender_sam, lab.test_user_password),
        ReceiverCredential=credential(receiver_sam, lab.test_user_password))))
    assert passed.to_string == 'Success', passed.adapted_properties['Error']
    wrong = lab.test_user_password + 'x'
    _ps, (failed,) = pipeline(pool, ('Test-CsPersistentChatMessage', dict(
        MESSAGE_TEST, SenderCredential=credential(sender_sam, lab.test_user_password),
        ReceiverCredential=credential(receiver_sam, wrong))))
    assert failed.to_string == 'Failure' and receiver_sam in failed.adapted_properties['Error']
    assert wrong not in str(failed.adapted_properties) and wrong.encode() not in lab.log_bytes()
    line = lab.pipelines(runspace_id(pool))[-1]
    assert line['parameters'] == [list(MESSAGE_TEST) + ['SenderCredential', 'ReceiverCredential']]


@pytest.mark.parametrize('path', PATHS)
def test_export_as_bytes_arrives_as_a_byte_array(pools, path):
    ps, output = pipeline(pools[path], ('Export-CsPersistentChatData', {
        'DBInstance': GC_DB[0], 'DBName': GC_DB[1], 'AsBytes': None, 'Level': 'RoomDirectory'}))
    assert_completed(ps)
    (data,) = output
    assert isinstance(data, bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {'ChatRooms.xml', 'ChatCategories.xml', 'AdUsers.xml', 'Manifest.xml'} <= set(archive.namelist())
        assert 'ChatContent.csv' not in archive.namelist()  # RoomDirectory holds no content
        assert b'level="RoomDirectory"' in archive.read('Manifest.xml')
    (warning,) = ps.streams.warning  # the legacy pool's chat services run: Lync warns, the export goes on
    assert 'messages posted after this export are not in it' in warning.message


# -- command availability per path ----------------------------------------------------------------------------
def test_on_wsman_lync_cmdlets_exist_only_after_import_module_in_that_session(lab):
    with lab.pool(WSMAN) as first, lab.pool(WSMAN) as second:
        ps, output = pipeline(first, ('Get-CsPool', {'Identity': PC}))
        assert output == []
        assert_failed(ps, 'CommandNotFoundException', 'ObjectNotFound',
                      'System.Management.Automation.CommandNotFoundException', NOT_RECOGNIZED % 'Get-CsPool')
        assert read(first, 'Import-Module', Name='Lync') == []
        assert [p.to_string for p in read(first, 'Get-CsPool', Identity=PC)] == [PC]
        assert_failed(pipeline(second, ('Get-CsPool', {}))[0], 'CommandNotFoundException', 'ObjectNotFound')


@pytest.mark.parametrize('path, name, parameters', [
    (OCS, 'Import-Module', {'Name': 'Lync'}),
    (OCS, 'Get-Service', {'Name': ['WinRM']}),
    (OCS, 'Get-ChildItem', {'LiteralPath': [LEGACY_FILES]}),  # file cmdlets: WinRM only
    (OCS, 'Copy-Item', {'LiteralPath': [LEGACY_FILES], 'Destination': FILE_STORE_SHARE}),
    (OCS, 'Select-Object', {'Property': ['Name']}),
    (WSMAN, 'Select-Object', {'Property': ['Name']}),  # no generic cmdlet on either path (assumption)
    (WSMAN, 'ConvertTo-Json', {}),
])
def test_commands_a_path_does_not_offer_are_command_not_found(pools, path, name, parameters):
    ps, _output = pipeline(pools[path], (name, parameters))
    assert_failed(ps, 'CommandNotFoundException', 'ObjectNotFound',
                  'System.Management.Automation.CommandNotFoundException', NOT_RECOGNIZED % name)


def test_on_ocs_powershell_lync_cmdlets_work_at_once(lab):
    with lab.pool(OCS) as pool:
        assert [p.to_string for p in read(pool, 'Get-CsPool', Identity=PC)] == [PC]


# -- parameter binding: terminating, before anything runs -----------------------------------------------------
BINDING = ('System.Management.Automation.ParameterBindingException', 'InvalidArgument')


@pytest.mark.parametrize('name, parameters, error_id, exception_and_category, message', [
    ('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': PC, 'Bogus': 'x'},
     'NamedParameterNotFound,' + ROOM_CLASS + 'GetPersistentChatRoomCmdlet', BINDING,
     "A parameter cannot be found that matches parameter name 'Bogus'."),
    ('New-CsPersistentChatEndpoint', {'PersistentChatPoolFqdn': PC, 'Confirm': False},
     'MissingMandatoryParameter,Microsoft.Rtc.Management.AD.Cmdlets.NewPersistentChatEndpointCmdlet', BINDING,
     'Cannot process command because of one or more missing mandatory parameters: SipAddress.'),
    ('Export-CsPersistentChatData', {'DBInstance': GC_DB[0], 'DBName': GC_DB[1], 'AsBytes': None,
                                     'FileName': EXPORT_FILE},
     'AmbiguousParameterSet,' + ROOM_CLASS + 'ExportPersistentChatDataCmdlet', BINDING,
     'Parameter set cannot be resolved using the specified named parameters.'),
    ('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': PC, 'Privacy': 'Bogus'},
     'ParameterArgumentValidationError,' + ROOM_CLASS + 'GetPersistentChatRoomCmdlet',
     ('System.Management.Automation.ParameterBindingValidationException', 'InvalidData'),
     'Cannot validate argument on parameter \'Privacy\'. The argument "Bogus" does not belong to the set '
     '"Open,Closed,Secret" specified by the ValidateSet attribute. Supply an argument that is in the set and then '
     'try the command again.'),
], ids=['unknown-parameter', 'missing-mandatory', 'ambiguous-set', 'bad-enum-value'])
def test_parameter_binding_errors_fail_the_pipeline(lab, pools, name, parameters, error_id, exception_and_category,
                                                    message):
    before = lab.fingerprint()
    ps, output = pipeline(pools[OCS], (name, parameters))
    exception_type, category = exception_and_category
    assert output == []
    assert_failed(ps, error_id, category, exception_type, message)
    assert lab.fingerprint() == before


# -- streams: non-terminating and terminating errors, warnings ------------------------------------------------
def test_a_non_terminating_error_goes_to_the_error_stream_and_the_pipeline_completes(pools):
    ps, output = pipeline(pools[OCS], ('Get-CsPersistentChatEndpoint', {'Identity': 'sip:nobody@contoso.com'}))
    assert output == []
    assert ps.state == PSInvocationState.COMPLETED and ps.had_errors is False  # pypsrp 0.9.1 (PSRP-NOTES.md)
    (record,) = ps.streams.error
    assert record.fq_error == 'Identity,Microsoft.Rtc.Management.AD.Cmdlets.GetPersistentChatEndpointCmdlet'
    assert str(record) == 'Management object not found for identity "sip:nobody@contoso.com".'
    stopped, _output = pipeline(pools[OCS], ('Get-CsPersistentChatEndpoint', {
        'Identity': 'sip:nobody@contoso.com', 'ErrorAction': 'Stop'}))
    assert_failed(stopped, record.fq_error, 'ObjectNotFound', 'Microsoft.Rtc.Management.ManagementException')


def test_a_terminating_error_fails_the_pipeline_and_changes_nothing(lab, pools):
    before = lab.fingerprint()
    ps, output = pipeline(pools[OCS], ('New-CsPersistentChatEndpoint', {
        'SipAddress': names.WELL_KNOWN_SIP, 'PersistentChatPoolFqdn': PC, 'Confirm': False}))
    assert output == []
    assert_failed(ps, 'SipAddressInUse,Microsoft.Rtc.Management.AD.Cmdlets.NewPersistentChatEndpointCmdlet',
                  'ResourceExists', 'Microsoft.Rtc.Management.ManagementException',
                  'SIP address "%s" is already in use by "%s". A SIP address can belong to only one user or contact.'
                  % (names.WELL_KNOWN_SIP, names.WELL_KNOWN_DN))
    assert lab.fingerprint() == before


def test_warning_action_stop_turns_the_warning_into_a_failure(pools):
    ps, _output = pipeline(pools[OCS], ('Test-CsPersistentChatMessage', {
        'TargetFqdn': PC, 'SenderSipAddress': names.user_sip(1), 'ReceiverSipAddress': names.user_sip(2),
        'WarningAction': 'Stop'}))
    record = assert_failed(ps, 'ActionPreferenceStop', 'OperationStopped')
    assert 'WarningPreference' in str(record)


# -- -WhatIf changes nothing; -Confirm:$false is needed to change anything ------------------------------------
def _service(computer, name):
    return ('Get-Service', {'ComputerName': [computer], 'Name': [name]})


# Every command with -WhatIf, as a pipeline that would change something in the prepared lab (``prepared``).
CHANGING = {
    'New-CsPersistentChatEndpoint': [('New-CsPersistentChatEndpoint', {
        'SipAddress': 'sip:conformance-whatif@contoso.com', 'PersistentChatPoolFqdn': PC})],
    'Remove-CsPersistentChatEndpoint': [('Remove-CsPersistentChatEndpoint', {'Identity': AUTOMATIC_SIP})],
    'Set-CsPersistentChatRoom': [('Set-CsPersistentChatRoom', {'Identity': PC + '\\Room', 'Disabled': True,
                                                               'Name': 'Renamed room'})],
    'Remove-CsPersistentChatRoom': [('Remove-CsPersistentChatRoom', {'Identity': PC + '\\Room'})],
    'Set-CsPersistentChatCategory': [('Set-CsPersistentChatCategory', {'Identity': PC + '\\Cat',
                                                                       'Name': 'Renamed category'})],
    'Remove-CsPersistentChatCategory': [('Remove-CsPersistentChatCategory', {'Identity': PC + '\\Empty'})],
    'Set-CsPersistentChatState': [('Set-CsPersistentChatState', {'Identity': PC_SERVICE,
                                                                 'PoolState': 'FailedOver'})],
    'Set-CsPersistentChatActiveServer': [('Set-CsPersistentChatActiveServer', {
        'Identity': PC_SERVICE, 'ActiveServers': {'Add': 'pc03.contoso.com'}})],
    'Start-CsWindowsService': [('Start-CsWindowsService', {'ComputerName': 'pc01.contoso.com', 'Name': 'RTCPCHAT'})],
    'Stop-CsWindowsService': [('Stop-CsWindowsService', {'ComputerName': 'fe01.contoso.com', 'Name': 'RTCSRV'})],
    'Import-CsPersistentChatData': [('Import-CsPersistentChatData', {'DBInstance': PC_DB, 'FileName': EXPORT_FILE})],
    'Set-CsTestUserCredential': [('Set-CsTestUserCredential', {
        'SipAddress': names.TEST_USERS[0][1], 'UserName': names.NETBIOS + '\\' + names.TEST_USERS[0][0],
        'Password': TEST_USER_PASSWORD})],
    'Set-Service': [('Set-Service', {'ComputerName': ['gc01.contoso.com'], 'Name': 'LyncGroupChatLookup',
                                     'StartupType': 'Disabled'})],
    'Start-Service': [_service('pc01.contoso.com', 'RTCPCHAT'), ('Start-Service', {})],
    'Stop-Service': [_service('gc01.contoso.com', 'LyncGroupChatLookup'), ('Stop-Service', {})],
    'Copy-Item': [('Copy-Item', {'LiteralPath': [LEGACY_FILES + '\\Sales'], 'Destination': FILE_STORE_SHARE,
                                 'Recurse': None, 'Force': None})],
    'New-Item': [('New-Item', {'Path': [FILE_STORE_SHARE + '\\conformance'], 'ItemType': 'Directory'})],
    'Remove-Item': [('Remove-Item', {'LiteralPath': [LEGACY_FILES + '\\readme.txt']})],  # the rehearsal's clean-up
}
# The FileSystem provider names its operations in words of its own (PowerShell 4.0).
OPERATION_WORDS = {'Copy-Item': 'Copy Directory', 'New-Item': 'Create Directory', 'Remove-Item': 'Remove File'}
LYNC_CHANGING = sorted(n for n in CHANGING if all_specs()[n.lower()].prompts_unless_confirm_false)


def test_the_tables_cover_every_cmdlet_of_the_emulator():
    exercised = set(c['cmdlet'] for c in READS) | set(CHANGING) | {
        'Test-CsPersistentChatMessage', 'Export-CsPersistentChatData',  # tests of their own above
        'New-CsPersistentChatCategory', 'New-CsPersistentChatRoom'}  # ``prepared`` and the lifecycle test
    assert exercised == set(spec.name for spec in all_specs().values())
    assert sorted(s.name for s in all_specs().values() if s.should_process) == sorted(CHANGING)


@pytest.fixture(scope='class')
def prepared(lab, pools):
    """Something for every changing cmdlet to change: categories 'Cat' (with room 'Room') and 'Empty' in the target
    pool, and an export of the legacy pool to import; the lab is reset after the class's tests."""
    ocs = pools[OCS]
    read(ocs, 'New-CsPersistentChatCategory', Name='Cat', PersistentChatPoolFqdn=PC, EnableInvitations=None)
    read(ocs, 'New-CsPersistentChatCategory', Name='Empty', PersistentChatPoolFqdn=PC)
    read(ocs, 'New-CsPersistentChatRoom', Name='Room', Category='Cat', PersistentChatPoolFqdn=PC)
    read(ocs, 'Export-CsPersistentChatData', DBInstance=GC_DB[0], DBName=GC_DB[1], FileName=EXPORT_FILE,
         WarningAction='SilentlyContinue')
    yield
    lab.reset()
    assert lab.fingerprint() == lab.baseline


def _commands(lab, name):
    """CHANGING[name] with the lab's own secrets put in."""
    return [(cmd, dict((key, lab.test_user_password if value is TEST_USER_PASSWORD else value)
                       for key, value in params.items())) for cmd, params in CHANGING[name]]


def _path_for(commands):
    return OCS if all_specs()[commands[-1][0].lower()].module == 'Lync' else WSMAN


@pytest.mark.usefixtures('prepared')
class TestShouldProcess(object):
    """-WhatIf and the -Confirm prompt, on the prepared lab (nothing here changes it)."""

    @pytest.mark.parametrize('name', sorted(CHANGING))
    def test_whatif_changes_nothing_and_the_request_log_names_it(self, lab, pools, name):
        commands = _commands(lab, name)
        commands[-1][1]['WhatIf'] = None
        pool = pools[_path_for(commands)]
        before = lab.fingerprint()
        ps, _output = pipeline(pool, *commands)
        assert_completed(ps)
        operation = OPERATION_WORDS.get(name, name)
        assert any(v.message.startswith('What if: Performing the operation "%s"' % operation)
                   for v in ps.streams.verbose)
        assert lab.fingerprint() == before
        line = lab.pipelines(runspace_id(pool))[-1]
        assert line['cmdlets'] == [cmd for cmd, _params in commands]
        assert line['parameters'] == [list(params) for _cmd, params in commands]
        values = [s for _cmd, params in commands for s in string_leaves(list(params.values()))]
        assert values and not [v for v in values if v in str(line)], 'a parameter value reached the request log'

    @pytest.mark.parametrize('name', LYNC_CHANGING)
    def test_a_change_without_confirm_false_is_a_prompt_that_fails(self, lab, pools, name):
        before = lab.fingerprint()
        ps, _output = pipeline(pools[OCS], *_commands(lab, name))
        record = assert_failed(ps, 'HostException', 'NotImplemented',
                               'System.Management.Automation.Host.HostException')
        assert str(record).startswith('A command that prompts the user failed because the host program or the '
                                      'command type does not support user interaction.')
        assert 'Performing the operation "%s"' % name in str(record)
        assert lab.fingerprint() == before


# -- with -Confirm:$false the changes happen (each seen from outside the wire) ------------------------------
def test_uploaded_files_are_listed_and_copied_keeping_their_times(restored, pools):
    wsman = pools[WSMAN]
    target = FILE_STORE_SHARE + '\\1-PersistentChatServer-1'
    ps, output = pipeline(wsman, ('Get-ChildItem', {'LiteralPath': [target]}))
    assert output == [] and ps.had_errors is False  # not there yet: a non-terminating error
    (record,) = ps.streams.error
    assert record.fq_error == 'PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand'
    assert str(record) == "Cannot find path '%s' because it does not exist." % target
    (folder,) = read(wsman, 'New-Item', Path=[target], ItemType='Directory', Confirm=False)
    assert folder.types[0] == 'System.IO.DirectoryInfo' and folder.adapted_properties['PSIsContainer'] is True
    assert read(wsman, 'Copy-Item', LiteralPath=[LEGACY_FILES + '\\Engineering', LEGACY_FILES + '\\readme.txt'],
                Destination=target, Recurse=None, Force=None, Confirm=False) == []
    source = dict((o.adapted_properties['FullName'][len(LEGACY_FILES):], o.adapted_properties)
                  for o in read(wsman, 'Get-ChildItem', LiteralPath=[LEGACY_FILES], Recurse=None, File=None))
    copied = dict((o.adapted_properties['FullName'][len(target):], o.adapted_properties)
                  for o in read(wsman, 'Get-ChildItem', LiteralPath=[target], Recurse=None, File=None))
    assert sorted(copied) == ['\\Engineering\\build\\logo.png', '\\Engineering\\build\\release-notes.txt',
                              '\\Engineering\\design-review.docx', '\\readme.txt']
    for name, props in copied.items():  # Windows' CopyFile keeps the last write time: a re-run copies nothing
        original = source[name]
        assert (props['Length'], props['LastWriteTimeUtc']) == (original['Length'], original['LastWriteTimeUtc'])
    local = restored.dir + '/fs/unc/%s/lyncshare/1-PersistentChatServer-1/readme.txt' % topology.FILE_STORE
    with open(local, 'rb') as handle:
        assert len(handle.read()) == 96


@pytest.mark.parametrize('frontend, module, other', [('sfb2015', 'SkypeForBusiness', 'Lync'),
                                                     ('lync2013', 'Lync', 'SkypeForBusiness')])
def test_the_front_end_has_the_module_of_its_product(restored, frontend, module, other):
    """Skype for Business Server 2015 holds the cmdlets in the module SkypeForBusiness (LAB_FRONTEND=sfb2015): an
    Import-Module of Lync finds nothing there, and asking for both loads the one that is installed."""
    restored.set_frontend(frontend)
    try:
        with restored.pool(WSMAN) as pool:
            ps, output = pipeline(pool, ('Import-Module', {'Name': other}))
            assert output == [] and ps.had_errors is False
            assert ps.streams.error[0].fq_error == \
                'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand'
            assert_failed(pipeline(pool, ('Get-CsPool', {'Identity': PC}))[0], 'CommandNotFoundException',
                          'ObjectNotFound')
            ps, output = pipeline(pool, ('Import-Module', {'Name': ['Lync', 'SkypeForBusiness'], 'PassThru': None}))
            assert [o.adapted_properties['Name'] for o in output] == [module] and len(ps.streams.error) == 1
            assert [p.to_string for p in read(pool, 'Get-CsPool', Identity=PC)] == [PC]
            assert [p.to_string for p in read(pool, module + '\\Get-CsPool', Identity=PC)] == [PC]
            assert_failed(pipeline(pool, (other + '\\Get-CsPool', {'Identity': PC}))[0], 'CommandNotFoundException',
                          'ObjectNotFound')
    finally:
        restored.set_frontend('lync2013')


def test_rooms_and_categories_lifecycle(restored, pools):
    lab, ocs = restored, pools[OCS]
    (category,) = read(ocs, 'New-CsPersistentChatCategory', Name='Engineering', PersistentChatPoolFqdn=PC,
                       Description='engineers', EnableInvitations=None)
    assert category.types == [ROOM_CLASS + 'CategoryObject', 'System.Object']
    assert category.to_string == PC + '\\Engineering'
    assert list(category.adapted_properties) == ['Identity', 'Name', 'Description', 'AllowedMembers', 'DeniedMembers',
                                                 'Creators', 'Invites', 'FileUpload', 'ChatHistory']
    (room,) = read(ocs, 'New-CsPersistentChatRoom', Name='Builds', Category='Engineering', PersistentChatPoolFqdn=PC)
    assert room.types == [ROOM_CLASS + 'ChatRoomObject', 'System.Object']
    props = room.adapted_properties
    assert list(props) == ['Identity', 'Name', 'Description', 'Category', 'Disabled', 'Privacy', 'Type',
                           'Invitations', 'Addin', 'Members', 'Managers', 'Presenters']
    assert (props['Identity'], props['Category'], props['Members']) == (PC + '\\Builds', 'Engineering', [])
    assert_enum(props['Privacy'], ROOM_CLASS + 'ChatRoomPrivacy', 'Closed', 1)
    assert_enum(props['Type'], ROOM_CLASS + 'ChatRoomType', 'Normal', 0)
    assert_enum(props['Invitations'], ROOM_CLASS + 'ChatRoomInvitations', 'Inherit', 1)

    read(ocs, 'Set-CsPersistentChatCategory', Identity=PC + '\\Engineering', Description='changed',
         AllowedMembers={'Add': [names.BASE_DN]}, Confirm=False)  # the domain: every user may be a member
    # the room object piped back in (-Instance by value), as an admin would
    ps, _output = pipeline(ocs, ('Get-CsPersistentChatRoom', {'Identity': PC + '\\Builds'}),
                           ('Set-CsPersistentChatRoom', {'Members': {'Add': [names.user_sip(1), names.user_sip(2)]},
                                                         'Privacy': 'Open', 'Confirm': False}))
    assert_completed(ps)
    (room,) = read(ocs, 'Get-CsPersistentChatRoom', PersistentChatPoolFqdn=PC, Privacy='Open')
    assert room.adapted_properties['Members'] == [names.user_sip(1).lower(), names.user_sip(2).lower()]
    assert_enum(room.adapted_properties['Privacy'], ROOM_CLASS + 'ChatRoomPrivacy', 'Open', 0)
    (category,) = read(ocs, 'Get-CsPersistentChatCategory', Identity=PC + '\\Engineering')
    assert (category.adapted_properties['Description'], category.adapted_properties['AllowedMembers']) == (
        'changed', [names.BASE_DN])
    seen = lab.pool_view(PC)
    assert ([c['name'] for c in seen['categories']], [r['name'] for r in seen['rooms']]) == (['Engineering'],
                                                                                             ['Builds'])

    read(ocs, 'Remove-CsPersistentChatRoom', Identity=PC + '\\Builds', Confirm=False)
    read(ocs, 'Remove-CsPersistentChatCategory', Identity=PC + '\\Engineering', Confirm=False)
    seen = lab.pool_view(PC)
    assert (seen['categories'], seen['rooms']) == ([], [])


def test_endpoint_lifecycle(restored, pools, ldap):
    lab, ocs, sip = restored, pools[OCS], 'sip:conformance-endpoint@contoso.com'
    (contact,) = read(ocs, 'New-CsPersistentChatEndpoint', SipAddress=sip, PersistentChatPoolFqdn=PC,
                      DisplayName='Conformance', PassThru=None, Confirm=False)
    assert contact.types == [CONTACT, 'System.Object']
    dn = contact.adapted_properties['DistinguishedName']
    assert contact.adapted_properties['Identity'] == dn == contact.to_string
    assert ldap.search(dn, '(msRTCSIP-OwnerUrn=urn:application:persistentchat)', search_scope=ldap3.BASE,
                       attributes=['msRTCSIP-PrimaryHomeServer'])
    assert ldap.entries[0]['msRTCSIP-PrimaryHomeServer'].value == topology.pool_dn(PC)
    assert sip in lab.endpoint_sips()
    assert [e.to_string for e in read(ocs, 'Get-CsPersistentChatEndpoint', Identity=sip)] == [dn]
    read(ocs, 'Remove-CsPersistentChatEndpoint', Identity=sip, Confirm=False)
    assert sip not in lab.endpoint_sips()


def test_pool_state_and_active_servers(restored, pools):
    lab, ocs = restored, pools[OCS]
    read(ocs, 'Set-CsPersistentChatState', Identity=PC_SERVICE, PoolState='FailedOver', Confirm=False)
    (state,) = read(ocs, 'Get-CsPersistentChatState', Identity=PC_SERVICE)
    assert_enum(state.adapted_properties['PoolState'],
                'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState', 'FailedOver', 1)
    read(ocs, 'Set-CsPersistentChatActiveServer', Identity=PC_SERVICE, ActiveServers={'Add': 'pc03.contoso.com'},
         Confirm=False)
    (service,) = read(ocs, 'Get-CsService', Identity=PC_SERVICE)
    assert service.adapted_properties['InactiveServers'] == []
    seen = lab.pool_view(PC)
    assert seen['pool_state'] == 'FailedOver' and all(s['active'] for s in seen['servers'])


def _service_view(lab, pool, server, name):
    servers = dict((s['fqdn'], s) for s in lab.pool_view(pool)['servers'])
    return dict((s['name'], s) for s in servers[server]['services'])[name]


def test_service_control_on_both_kinds_of_server(restored, pools):
    lab, ocs, wsman = restored, pools[OCS], pools[WSMAN]
    read(ocs, 'Start-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT', Confirm=False)
    (service,) = read(ocs, 'Get-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT')
    assert_enum(service.adapted_properties['Status'], STATUS, 'Running', 4)
    assert _service_view(lab, PC, 'pc01.contoso.com', 'RTCPCHAT')['status'] == 'running'
    read(ocs, 'Stop-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT', Confirm=False)
    assert _service_view(lab, PC, 'pc01.contoso.com', 'RTCPCHAT')['status'] == 'stopped'

    # legacy Group Chat servers: Windows PowerShell's cmdlets, which do not prompt (ConfirmImpact Medium)
    ps, output = pipeline(wsman, _service('gc01.contoso.com', 'LyncGroupChatLookup'), ('Stop-Service', {
        'PassThru': None}))
    assert_completed(ps)
    assert_enum(output[0].adapted_properties['Status'], STATUS, 'Stopped', 1)
    read(wsman, 'Set-Service', ComputerName=['gc01.contoso.com'], Name='LyncGroupChatLookup', StartupType='Disabled')
    (wmi,) = read(wsman, 'Get-WmiObject', Class='Win32_Service', ComputerName=['gc01.contoso.com'],
                  Filter="Name = 'LyncGroupChatLookup'")
    assert (wmi.adapted_properties['StartMode'], wmi.adapted_properties['State']) == ('Disabled', 'Stopped')
    assert _service_view(lab, GC, 'gc01.contoso.com', 'LyncGroupChatLookup')['start_mode'] == 'disabled'
    ps, _output = pipeline(wsman, _service('gc01.contoso.com', 'LyncGroupChatLookup'), ('Start-Service', {}))
    assert ps.state == PSInvocationState.COMPLETED  # a disabled service does not start: a non-terminating error
    assert [e.fq_error for e in ps.streams.error] == [
        'CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand']


def test_export_and_import_migrate_the_legacy_pool(restored, pools):
    lab, ocs = restored, pools[OCS]
    read(ocs, 'Export-CsPersistentChatData', DBInstance=GC_DB[0], DBName=GC_DB[1], FileName=EXPORT_FILE,
         WarningAction='SilentlyContinue')
    read(ocs, 'Start-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT', Confirm=False)
    ps, _output = pipeline(ocs, ('Import-CsPersistentChatData', {'DBInstance': PC_DB, 'FileName': EXPORT_FILE,
                                                                 'Confirm': False}))
    assert_failed(ps, 'PersistentChatServiceRunning,' + ROOM_CLASS + 'ImportPersistentChatDataCmdlet',
                  'InvalidOperation')
    assert lab.pool_view(PC)['rooms'] == []
    read(ocs, 'Stop-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT', Confirm=False)

    runs = {}
    for run, extra in (('preview', {'WhatIf': None}), ('real', {'Confirm': False})):  # the -WhatIf gate, then
        runs[run], _output = pipeline(ocs, ('Import-CsPersistentChatData', dict(
            {'DBInstance': PC_DB, 'FileName': EXPORT_FILE, 'Verbose': None}, **extra)))
        assert runs[run].state == PSInvocationState.COMPLETED and runs[run].streams.error == []
        assert any(w.message.startswith('Category "') for w in runs[run].streams.warning)  # Lync's conversions
    summaries = [[v.message.split(' ', 2 if run == 'preview' else 1)[-1] for v in runs[run].streams.verbose
                  if v.message.startswith(('Would import', 'Imported'))] for run in ('preview', 'real')]
    assert summaries[0] == summaries[1] and len(summaries[0]) == 1  # the preview counted what the import did
    assert [w.message for w in runs['preview'].streams.warning] == [w.message for w in runs['real'].streams.warning]
    inspected = lab.inspect()
    source = dict((r['checksum'], r) for r in lab.pool_view(GC, inspected)['rooms'] if not r['disabled'])
    migrated = lab.pool_view(PC, inspected)['rooms']
    assert migrated and len(migrated) <= len(source)
    for room in migrated:  # every migrated room carries its source room's messages
        assert room['checksum'] in source and room['messages'] == source[room['checksum']]['messages']


def test_stopping_a_graceful_stop_leaves_the_service_stop_pending(restored, pools):
    lab, ocs = restored, pools[OCS]
    read(ocs, 'Start-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT', Confirm=False)
    ps = begin(ocs, ('Stop-CsWindowsService', {'ComputerName': 'pc01.contoso.com', 'Name': 'RTCPCHAT',
                                               'Graceful': None, 'Confirm': False}))
    wait_for(lambda: _service_view(lab, PC, 'pc01.contoso.com', 'RTCPCHAT')['status'] == 'stop_pending', 20,
             'the service to drain')  # legacy clients hold sessions: the graceful stop waits for the client
    ps.stop()  # Ctrl+C
    assert ps.state == PSInvocationState.STOPPED
    (service,) = read(ocs, 'Get-CsWindowsService', ComputerName='pc01.contoso.com', Name='RTCPCHAT')
    assert_enum(service.adapted_properties['Status'], STATUS, 'StopPending', 3)


# -- authentication -------------------------------------------------------------------------------------------
@pytest.mark.parametrize('path', PATHS)
def test_a_wrong_password_is_an_authentication_error(lab, path):
    wrong = 'Wrong-' + secrets.token_hex(6)
    with pytest.raises(AuthenticationError):
        with lab.pool(path, password=wrong):
            pass
    assert wrong.encode() not in lab.log_bytes()


def test_basic_is_refused(lab):
    reply = requests.post(lab.emulator.url(), data=b'', verify=lab.emulator.ca_file, timeout=10,
                          auth=(lab.emulator.username, lab.emulator.password))
    assert reply.status_code == 401 and reply.headers['WWW-Authenticate'] == 'Negotiate'  # Basic not even offered
    with pytest.raises(AuthenticationError):
        with lab.pool(WSMAN, auth='basic'):
            pass


# -- 5,000 rooms ----------------------------------------------------------------------------------------------
def test_five_thousand_rooms_listed(restored, pools):
    add_rooms(restored.dir, PC, 'Bulk', 5000)
    output = read(pools[OCS], 'Get-CsPersistentChatRoom', PersistentChatPoolFqdn=PC, ResultSize=5000)
    assert len(output) == 5000  # how long it takes is benchmarks/emulator.py's business
    assert [o.adapted_properties['Name'] for o in output[:2]] == ['Bulk room 00001', 'Bulk room 00002']
    sample = output[1233].adapted_properties
    assert (sample['Identity'], sample['Category'], sample['Description']) == (
        PC + '\\Bulk room 01234', 'Bulk', 'room number 1234')
    assert sample['Members'] == sample['Managers'] == ['sip:labuser00035@contoso.com']
    assert_enum(sample['Privacy'], ROOM_CLASS + 'ChatRoomPrivacy', 'Closed', 1)  # 1234 % 3 == 1
    assert len(read(pools[OCS], 'Get-CsPersistentChatRoom', PersistentChatPoolFqdn=PC, ResultSize=7)) == 7


# -- two clients at once ----------------------------------------------------------------------------------------
def test_two_clients_at_once_each_see_their_own_results(lab):
    work = {OCS: ('Get-CsComputer', {'Pool': PC}), WSMAN: ('Get-CsTrustedApplicationComputer', {'Pool': GC})}
    start = threading.Barrier(2, timeout=30)
    results, failures = {}, []

    def client(path):
        try:
            with lab.pool(path) as pool:
                if path == WSMAN:
                    read(pool, 'Import-Module', Name='Lync')
                start.wait()
                results[path] = ([o.to_string for _round in range(5)
                                  for o in read(pool, work[path][0], **work[path][1])], runspace_id(pool))
        except Exception as exc:  # pylint: disable=broad-except
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(path,)) for path in PATHS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures and not any(t.is_alive() for t in threads), failures
    assert results[OCS][0] == ['pc01.contoso.com', 'pc02.contoso.com', 'pc03.contoso.com'] * 5
    assert results[WSMAN][0] == ['gc01.contoso.com', 'gc02.contoso.com'] * 5
    for path, (_output, runspace) in results.items():
        assert [line['cmdlets'] for line in lab.pipelines(runspace)][-5:] == [[work[path][0]]] * 5
        assert set(line['path'] for line in lab.log_lines(runspace)) == {PATH_LOGGED[path]}


# -- dropped connections ----------------------------------------------------------------------------------------
@pytest.mark.parametrize('when', ['before', 'during'])
def test_a_dropped_connection(restored, when):
    lab, sip = restored, 'sip:conformance-drop-%s@contoso.com' % when
    lab.knobs.update(drop=[{'cmdlet': 'New-CsPersistentChatEndpoint', 'when': when, 'times': 1}])
    with lab.pool(OCS) as pool:
        with pytest.raises(requests.exceptions.ConnectionError):
            pipeline(pool, ('New-CsPersistentChatEndpoint', {'SipAddress': sip, 'PersistentChatPoolFqdn': PC,
                                                             'Confirm': False}))
        assert lab.pipelines(runspace_id(pool))[-1]['cmdlets'] == ['New-CsPersistentChatEndpoint']  # it arrived
        if when == 'during':  # it runs to its end on the server: `lab inspect` sees the endpoint
            wait_for(lambda: sip in lab.endpoint_sips(lab.inspect()), 20, 'the endpoint of the dropped pipeline')
        else:
            assert sip not in lab.endpoint_sips(lab.inspect())
        # the pool outlives its connection: the client reconnects, authenticates again and goes on
        found = read(pool, 'Get-CsPersistentChatEndpoint', PersistentChatPoolFqdn=PC)
        assert (sip in [e.adapted_properties['SipAddress'] for e in found]) == (when == 'during')


# -- knobs through the wire: hold points, faults, latency, AD replication lag -----------------------------------
def _contact_with(ldap, sip):
    ldap.search(names.APPLICATION_CONTACTS_DN, '(msRTCSIP-PrimaryUserAddress=%s)' % sip, search_scope=ldap3.LEVEL,
                attributes=['1.1'])
    return [entry.entry_dn for entry in ldap.entries]


def _hold_lines(lab):
    try:
        with open(lab.knobs.holds_path) as handle:
            return [line for line in handle if '"contact-written"' in line]
    except FileNotFoundError:
        return []


def test_a_hold_point_holds_the_pipeline_where_it_says(restored, pools, ldap):
    lab, sip = restored, 'sip:conformance-hold@contoso.com'
    lab.knobs.update(hold=[{'cmdlet': 'New-CsPersistentChatEndpoint', 'point': 'contact-written', 'seconds': 2,
                            'times': 1}])
    ps = begin(pools[OCS], ('New-CsPersistentChatEndpoint', {'SipAddress': sip, 'PersistentChatPoolFqdn': PC,
                                                             'PassThru': None, 'Confirm': False}))
    wait_for(lambda: _hold_lines(lab), 20, 'the hold line')
    held_at = time.monotonic()
    (dn,) = _contact_with(ldap, sip)  # the contact is written while the pipeline is held before its output
    (contact,) = ps.end_invoke()
    assert time.monotonic() - held_at > 0.5
    assert_completed(ps)
    assert contact.adapted_properties['DistinguishedName'] == dn


@pytest.mark.parametrize('kind', ['terminating', 'warning', 'malformed'])
def test_faults_reach_the_client(restored, pools, kind):
    lab, ocs = restored, pools[OCS]
    lab.knobs.update(faults=[{'cmdlet': 'Get-CsPersistentChatState', 'kind': kind, 'times': 1, 'drop': [],
                              'message': 'Injected fault (%s)' % kind}])
    ps, output = pipeline(ocs, ('Get-CsPersistentChatState', {'Identity': PC_SERVICE}))
    if kind == 'terminating':
        assert_failed(ps, 'EmulatorFault,Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.'
                      'GetPersistentChatStateCmdlet', 'NotSpecified', message='Injected fault (terminating)')
    elif kind == 'warning':
        assert_completed(ps)
        assert [w.message for w in ps.streams.warning] == ['Injected fault (warning)'] and len(output) == 1
    else:  # the type names stay, the enum arrives as a bare integer: what a careless client would misread
        assert_completed(ps)
        (state,) = output
        assert state.types[0].endswith('.PersistentChatState') and state.adapted_properties['PoolState'] == 0
    ps, (state,) = pipeline(ocs, ('Get-CsPersistentChatState', {'Identity': PC_SERVICE}))  # one use only
    assert_completed(ps)
    assert state.adapted_properties['PoolState'].to_string == 'Normal'


def _timed(pool, name, **parameters):
    started = time.monotonic()
    read(pool, name, **parameters)
    return time.monotonic() - started


def test_latency_knobs(restored):
    lab = restored
    lab.knobs.update(pipeline_latency_ms=400, import_module_latency_ms=1000)
    with lab.pool(WSMAN) as pool:
        first_import = _timed(pool, 'Import-Module', Name='Lync')
        again = _timed(pool, 'Import-Module', Name='Lync')  # already imported: no module latency
        state = _timed(pool, 'Get-CsPersistentChatState', Identity=PC_SERVICE)
        lab.knobs.update(pipeline_latency_ms=0)
        fast = _timed(pool, 'Get-CsPersistentChatState', Identity=PC_SERVICE)
    assert first_import >= 1.4 and 0.4 <= again < first_import - 0.5 and state >= 0.4
    assert fast < state


@pytest.fixture
def lagging_user(ldap):
    """A SIP-enabled user of the test's own (removed afterwards if the test did not delete it)."""
    token = secrets.token_hex(4)
    dn, sip = 'CN=conformance-%s,%s' % (token, names.USERS_OU_DN), 'sip:conformance-%s@contoso.com' % token
    assert ldap.add(dn, ['top', 'person', 'organizationalPerson', 'user'], {
        'sAMAccountName': 'conf-%s' % token, 'userAccountControl': 546, 'msRTCSIP-PrimaryUserAddress': sip,
        'msRTCSIP-UserEnabled': 'TRUE'}), ldap.result
    yield dn, sip
    ldap.delete(dn)


def test_ad_replication_lag_blocks_the_sip_uri_of_a_just_deleted_user(restored, pools, ldap, lagging_user):
    lab, ocs, (dn, sip) = restored, pools[OCS], lagging_user
    assert [u.to_string for u in read(ocs, 'Get-CsAdUser', Identity=sip)] == [dn]  # Lync's view has seen the user
    lab.knobs.update(ad_replication_lag_s=3)
    assert ldap.delete(dn), ldap.result
    new = ('New-CsPersistentChatEndpoint', {'SipAddress': sip, 'PersistentChatPoolFqdn': PC, 'Confirm': False})
    ps, _output = pipeline(ocs, new)
    record = assert_failed(ps, 'SipAddressInUse,Microsoft.Rtc.Management.AD.Cmdlets.NewPersistentChatEndpointCmdlet',
                           'ResourceExists')
    assert dn in str(record)
    wait_for(lambda: pipeline(ocs, ('Get-CsAdUser', {'Identity': sip}))[1] == [], 15,
             'Lync to stop seeing the deleted user', interval=0.25)
    ps, _output = pipeline(ocs, new)
    assert_completed(ps)
    assert sip in lab.endpoint_sips()


# -- the request log --------------------------------------------------------------------------------------------
def test_the_request_log_has_one_line_per_pipeline_and_the_pool_events_without_values(lab):
    token = 'conformance-%s' % secrets.token_hex(6)
    with lab.pool(OCS) as pool:
        runspace = runspace_id(pool)
        read(pool, 'Get-CsAdUser', Identity='sip:%s@contoso.com' % token, ErrorAction='SilentlyContinue')
        ps = PowerShell(pool)
        ps.add_cmdlet('Get-CsPersistentChatRoom').add_parameter('PersistentChatPoolFqdn', PC)
        ps.add_statement()
        ps.add_cmdlet('Get-CsPersistentChatEndpoint').add_parameter('Filter', 'DisplayName -like "%s*"' % token)
        ps.invoke()
        assert_completed(ps)
    lines = lab.log_lines(runspace)
    assert [line.get('event') for line in lines] == ['open', None, None, 'close']
    for line in lines:
        assert set(line) == (PIPELINE_FIELDS if 'cmdlets' in line else EVENT_FIELDS)
        assert (line['user'], line['path']) == (lab.emulator.username, '/OcsPowershell')
    assert [(line['cmdlets'], line['parameters']) for line in lines[1:3]] == [
        (['Get-CsAdUser'], [['Identity', 'ErrorAction']]),
        (['Get-CsPersistentChatRoom', 'Get-CsPersistentChatEndpoint'], [['PersistentChatPoolFqdn'], ['Filter']])]
    assert lines[0]['ts'] <= lines[1]['ts'] <= lines[2]['ts'] <= lines[3]['ts']
    logs = lab.log_bytes()
    for secret in [token] + lab.secrets:
        assert secret.encode() not in logs
