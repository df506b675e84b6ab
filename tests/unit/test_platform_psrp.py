# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The psrp driver on a recording transport: the exact cmdlets and parameters it sends, and how it parses output
shaped as the cmdlets' documentation shows. No test touches the network."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import platform_psrp
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.platform import platform_from_params
from ansible_collections.pchat.cutover.plugins.module_utils.platform_psrp import (
    PsrpPlatform, PsrpTransport, describe_pipeline, parse_endpoint, parse_json_output, ps_datetime, validate_db_instance,
)

PASSWORD = 'S3cr3t!pw'
PARAMS = dict(driver='psrp', psrp_host='lync01.contoso.com', psrp_port=None, psrp_username='CONTOSO\\lyncadmin',
              psrp_password=PASSWORD, psrp_auth='negotiate', psrp_ssl=True, psrp_cert_validation=True)
JSON = ('ConvertTo-Json', {'Depth': 4, 'Compress': None})
IMPORT = [('Import-Module', {'Name': 'Lync'})]
SERVICE_PROPERTIES = ['Name', 'DisplayName', 'Status', 'StartType']
EVIL = ["x'; Remove-Item C:\\ -Recurse #", '$(evil)', '"; & calc.exe; "', '`n$env:COMPUTERNAME']

# Output shaped as the cmdlets return it (property names from the reference's examples and parameter names).
PC_SERVICE = {'Identity': 'PersistentChatServer:pcpool.contoso.com', 'PoolFqdn': 'pcpool.contoso.com',
              'ActiveServers': ['pc01.contoso.com'], 'InactiveServers': ['pc02.contoso.com'],
              'Role': 'PersistentChatServer', 'SiteId': 'Site:Redmond'}
PC_COMPUTERS = [{'Identity': 'pc01.contoso.com', 'Pool': 'pcpool.contoso.com', 'Fqdn': 'pc01.contoso.com'},
                {'Identity': 'pc02.contoso.com', 'Pool': 'pcpool.contoso.com', 'Fqdn': 'pc02.contoso.com'}]
CATEGORIES = [{'Identity': 'pcpool.contoso.com\\ITChat', 'Name': 'ITChat', 'Invites': False},
              {'Identity': 'pcpool.contoso.com\\Finance', 'Name': 'Finance', 'Invites': True}]
ROOMS = [{'Identity': 'pcpool.contoso.com\\ITChatRoom', 'Name': 'ITChatRoom', 'Category': 'ITChat',
          'Members': ['sip:kenmyer@contoso.com', 'sip:pilar@contoso.com'], 'Managers': ['sip:kenmyer@contoso.com'],
          'Presenters': []},
         {'Identity': 'pcpool.contoso.com\\Budget', 'Name': 'Budget', 'Category': 'Finance',
          'Members': 'sip:pilar@contoso.com', 'Managers': None, 'Presenters': None}]
TRUSTED_APPS = [{'Identity': 'gc.contoso.com/urn:application:groupchat', 'ApplicationId': 'urn:application:groupchat',
                 'TrustedApplicationPoolFqdn': 'gc.contoso.com', 'Port': 5041},
                {'Identity': 'apps.contoso.com/urn:application:tapp1', 'ApplicationId': 'urn:application:tapp1',
                 'TrustedApplicationPoolFqdn': 'apps.contoso.com', 'Port': 6000}]
# The Group Chat service names are not documented; these stand for whatever Get-Service finds by display name.
LEGACY_SERVICES = [{'Name': 'GCLookup', 'DisplayName': 'Lync Server Group Chat Lookup', 'Status': 4, 'StartType': 2},
                   {'Name': 'GCChannel', 'DisplayName': 'Lync Server Group Chat Channel', 'Status': 4, 'StartType': 2},
                   {'Name': 'GCWeb', 'DisplayName': 'Lync Server Group Chat Web', 'Status': 'Running', 'StartType': 'Automatic'}]
ENDPOINT_DN = 'CN={8E3C2A2B-7C1D-4F4B-9E1A-3C2B1A0F9E8D},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
ENDPOINT = {'Identity': ENDPOINT_DN, 'SipAddress': 'sip:OCSChat@contoso.com', 'DisplayName': 'Group Chat',
            'PersistentChatPoolFqdn': 'pcpool.contoso.com'}


def chat_service(status='Running'):
    return {'Status': status, 'Name': 'RTCCHAT', 'DisplayName': 'Lync Server Persistent Chat', 'ActivityLevel': ''}


def windows_service(status=4, start=2):
    return {'Name': 'RTCCHAT', 'DisplayName': 'Lync Server Persistent Chat', 'Status': status, 'StartType': start}


class Err(object):
    """What the transport returns for a cmdlet that wrote to the error stream."""

    def __init__(self, message, category=0, fq_error='ManagementException'):
        self.error = {'message': message, 'category': category, 'fq_error': fq_error}


class Streams(object):
    """A reply with explicit streams: raw output, error records (Err) and warning texts."""

    def __init__(self, output=(), errors=(), warnings=()):
        self.output = list(output)
        self.errors = [e.error for e in errors]
        self.warnings = list(warnings)


class FakeTransport(object):
    """Records every pipeline; answers from ``responses``: {(cmdlet, key parameter value or None): reply}.
    A reply is a Python value written the way ConvertTo-Json -Compress writes it, an Err, a raw string or Streams.
    Like PsrpTransport.run it returns (output, errors, warnings)."""

    def __init__(self, responses=None):
        self.calls = []
        self.responses = dict(responses or {})
        self.closed = False

    def run(self, pipeline):
        self.calls.append([(command, dict(parameters)) for command, parameters in pipeline])
        command, parameters = pipeline[0]
        key = None
        for name in ('ComputerName', 'Identity', 'Pool', 'PersistentChatPoolFqdn', 'SipAddress'):
            if name in parameters:
                key = parameters[name]
                break
        reply = self.responses.get((command, key), self.responses.get((command, None)))
        if isinstance(reply, Streams):
            return reply.output, reply.errors, reply.warnings
        if isinstance(reply, Err):
            return [], [reply.error], []
        if reply is None or (isinstance(reply, list) and not reply):
            return [], [], []  # ConvertTo-Json with no input writes nothing
        if isinstance(reply, str):
            return [reply], [], []
        if isinstance(reply, list) and len(reply) == 1:
            reply = reply[0]  # one pipeline object: ConvertTo-Json writes it bare, not as an array
        return [json.dumps(reply, separators=(',', ':'))], [], []

    def close(self):
        self.closed = True


def driver(responses=None, **params):
    merged = dict(PARAMS)
    merged.update(params)
    transport = FakeTransport(responses)
    return PsrpPlatform(merged, transport=transport), transport


def world(chat_state='Running', chat_start=2, legacy=None):
    return {
        ('Get-CsService', None): [PC_SERVICE],
        ('Get-CsComputer', 'pcpool.contoso.com'): PC_COMPUTERS,
        ('Get-CsWindowsService', 'pc01.contoso.com'): [chat_service(chat_state)],
        ('Get-CsWindowsService', 'pc02.contoso.com'): [chat_service('Running')],
        ('Get-Service', 'pc01.contoso.com'): [windows_service(4 if chat_state == 'Running' else 1, chat_start)],
        ('Get-Service', 'pc02.contoso.com'): [windows_service(4, 3)],
        ('Get-CsPersistentChatState', 'PersistentChatServer:pcpool.contoso.com'):
            [{'Identity': 'PersistentChatServer:pcpool.contoso.com', 'PoolState': 'Normal'}],
        ('Get-CsPersistentChatCategory', None): CATEGORIES,
        ('Get-CsPersistentChatRoom', None): ROOMS,
        ('Get-CsTrustedApplication', None): TRUSTED_APPS,
        ('Get-CsTrustedApplicationComputer', 'gc.contoso.com'): [{'Identity': 'gc01.contoso.com', 'Pool': 'gc.contoso.com'}],
        ('Get-Service', 'gc01.contoso.com'): LEGACY_SERVICES if legacy is None else legacy,
    }


def chat_reads(server):
    return [
        [('Get-CsWindowsService', {'Name': 'RTCCHAT', 'ComputerName': server}), JSON],
        [('Get-Service', {'ComputerName': server, 'Name': 'RTCCHAT'}), ('Select-Object', {'Property': SERVICE_PROPERTIES}), JSON],
    ]


LEGACY_READ = [('Get-Service', {'ComputerName': 'gc01.contoso.com', 'DisplayName': ['*Group Chat*']}),
               ('Select-Object', {'Property': SERVICE_PROPERTIES}), JSON]


def all_stage_values(calls):
    for pipeline in calls:
        for command, parameters in pipeline:
            yield command
            for name, value in parameters.items():
                yield name
                yield from (value if isinstance(value, list) else [value])


# -- construction --------------------------------------------------------------------------------------------
def test_missing_host_is_a_clear_error():
    with pytest.raises(PchatError) as err:
        PsrpPlatform(dict(PARAMS, psrp_host=None), transport=FakeTransport())
    assert 'psrp_host' in err.value.msg and 'PCHAT_PSRP_HOST' in err.value.msg


@pytest.mark.parametrize('ssl, port, expected', [(True, None, 5986), (False, None, 5985), (True, 15986, 15986), (None, None, 5986)])
def test_default_port_follows_ssl(ssl, port, expected):
    platform = PsrpPlatform(dict(PARAMS, psrp_ssl=ssl, psrp_port=port))
    assert platform.port == expected
    assert platform.transport.port == expected
    assert platform.transport.endpoint.startswith('http://' if ssl is False else 'https://')


def test_platform_from_params_chooses_psrp_without_connecting():
    platform = platform_from_params(dict(PARAMS))
    assert isinstance(platform, PsrpPlatform) and platform.name == 'psrp'
    assert platform.transport.pool is None  # connecting waits for the first call
    platform.close()


def test_certificate_auth_is_refused_clearly():
    with pytest.raises(PchatError) as err:
        PsrpPlatform(dict(PARAMS, psrp_auth='certificate'))
    assert 'psrp_auth=certificate' in err.value.msg


def test_missing_pypsrp_names_the_install(monkeypatch):
    monkeypatch.setattr(platform_psrp, 'PYPSRP_IMPORT_ERROR', 'Traceback ...\nModuleNotFoundError: No module named pypsrp')
    with pytest.raises(PchatError) as err:
        PsrpPlatform(dict(PARAMS))
    assert 'pip install pypsrp' in err.value.msg and 'controller' in err.value.msg
    assert PASSWORD not in err.value.msg


def test_module_imports_without_pypsrp():
    """In a fresh interpreter where pypsrp cannot be imported, the module still imports and says what is missing."""
    code = '\n'.join([
        'import sys',
        'class Block(object):',
        '    def find_spec(self, name, path=None, target=None):',
        '        if name == "pypsrp" or name.startswith("pypsrp."):',
        '            raise ImportError("blocked for the test: " + name)',
        'sys.meta_path.insert(0, Block())',
        'from ansible_collections.pchat.cutover.plugins.module_utils import platform_psrp as m',
        'from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError',
        'assert m.PYPSRP_IMPORT_ERROR and "pypsrp" in m.PYPSRP_IMPORT_ERROR',
        'try:',
        '    m.PsrpPlatform({"psrp_host": "lync01.contoso.com"})',
        'except PchatError as exc:',
        '    print("ERROR:" + exc.msg)',
    ])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert 'ERROR:' in result.stdout and 'pip install pypsrp' in result.stdout


# -- the seam and parsing ------------------------------------------------------------------------------------
@pytest.mark.parametrize('output, expected', [
    (['{"A":1}'], [{'A': 1}]),                      # one object
    (['[{"A":1},{"A":2}]'], [{'A': 1}, {'A': 2}]),  # several
    ([], []),                                       # no output at all
    (['  '], []),
    (['null'], []),
    (['[{"A":1},', '{"A":2}]'], [{'A': 1}, {'A': 2}]),  # one JSON text split over output records
])
def test_parse_json_output_shapes(output, expected):
    assert parse_json_output(output) == expected


def test_parse_json_output_rejects_non_json():
    with pytest.raises(PchatError) as err:
        parse_json_output(['Get-CsPool : access denied'])
    assert 'could not parse the JSON' in err.value.msg


def test_lync_module_is_imported_once_before_anything_else():
    platform, transport = driver({('Get-CsPersistentChatEndpoint', None): []})
    platform.get_endpoints()
    platform.get_endpoints()
    assert transport.calls[0] == IMPORT
    assert transport.calls.count(IMPORT) == 1
    assert len(transport.calls) == 3


def test_failed_module_import_says_where_the_shell_must_be():
    missing = Err("The specified module 'Lync' was not loaded because no valid module file was found in any module "
                  "directory.")
    platform, _transport = driver({('Import-Module', None): missing})
    with pytest.raises(PchatError) as err:
        platform.get_endpoints()
    assert "Import-Module -Name 'Lync' failed on lync01.contoso.com" in err.value.msg
    assert 'Lync Server 2013 Management Shell' in err.value.msg


def test_describe_pipeline_quotes_and_masks():
    text = describe_pipeline([('New-X', {'DisplayName': "o'brien", 'Force': None, 'Password': PASSWORD, 'N': 3}),
                              ('ConvertTo-Json', {'Compress': None})])
    assert text == "New-X -DisplayName 'o''brien' -Force -Password ******** -N 3 | ConvertTo-Json -Compress"


# -- pools ---------------------------------------------------------------------------------------------------
def test_get_pools_sends_exactly_these_invocations():
    platform, transport = driver(world())
    platform.get_pools()
    assert transport.calls == [
        IMPORT,
        [('Get-CsService', {'PersistentChatServer': None}), JSON],
        [('Get-CsComputer', {'Pool': 'pcpool.contoso.com'}), JSON],
    ] + chat_reads('pc01.contoso.com') + chat_reads('pc02.contoso.com') + [
        [('Get-CsPersistentChatState', {'Identity': 'PersistentChatServer:pcpool.contoso.com'}), JSON],
        [('Get-CsPersistentChatCategory', {'PersistentChatPoolFqdn': 'pcpool.contoso.com'}), JSON],
        [('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': 'pcpool.contoso.com', 'ResultSize': 2147483647}), JSON],
        [('Get-CsTrustedApplication', {}), JSON],
        [('Get-CsTrustedApplicationComputer', {'Pool': 'gc.contoso.com'}), JSON],
        LEGACY_READ,
    ]


def test_get_pools_parses_into_the_interface_shapes():
    platform, _transport = driver(world())
    pools = platform.get_pools()
    assert [p['fqdn'] for p in pools] == ['gc.contoso.com', 'pcpool.contoso.com']
    legacy, target = pools
    assert target == {
        'fqdn': 'pcpool.contoso.com', 'kind': 'persistent_chat_2013', 'version': 'Lync Server 2013 Persistent Chat',
        'pool_state': 'Normal', 'state': 'started',
        'counts': {'categories': 2, 'rooms': 2, 'members': 4, 'messages': None},
        'servers': [
            {'fqdn': 'pc01.contoso.com', 'active': True, 'state': 'started',
             'services': [{'name': 'RTCCHAT', 'display_name': 'Lync Server Persistent Chat', 'status': 'running',
                           'start_mode': 'automatic'}]},
            {'fqdn': 'pc02.contoso.com', 'active': False, 'state': 'started',
             'services': [{'name': 'RTCCHAT', 'display_name': 'Lync Server Persistent Chat', 'status': 'running',
                           'start_mode': 'manual'}]},
        ]}
    assert legacy['kind'] == 'group_chat_2010' and legacy['pool_state'] is None and legacy['state'] == 'started'
    assert legacy['counts'] == {'categories': None, 'rooms': None, 'members': None, 'messages': None}
    assert [s['fqdn'] for s in legacy['servers']] == ['gc01.contoso.com']
    assert [(s['name'], s['status'], s['start_mode']) for s in legacy['servers'][0]['services']] == [
        ('GCChannel', 'running', 'automatic'), ('GCLookup', 'running', 'automatic'), ('GCWeb', 'running', 'automatic')]
    assert platform.get_pool('PCPOOL.contoso.com')['fqdn'] == 'pcpool.contoso.com'


def test_failed_over_pool_state_and_a_disabled_service_are_read():
    responses = world(chat_state='Stopped', chat_start=4)
    responses[('Get-CsPersistentChatState', 'PersistentChatServer:pcpool.contoso.com')] = \
        {'Identity': 'PersistentChatServer:pcpool.contoso.com', 'PoolState': 'FailedOver'}
    platform, _transport = driver(responses)
    target = platform.get_pool('pcpool.contoso.com')
    assert target['pool_state'] == 'FailedOver'
    pc01 = target['servers'][0]
    assert pc01['services'][0]['status'] == 'stopped' and pc01['services'][0]['start_mode'] == 'disabled'
    assert pc01['state'] == 'disabled'  # only the active server (pc01) counts for the pool
    assert target['state'] == 'disabled'


def test_pool_state_as_enum_number_and_identity_only_service():
    responses = world()
    responses[('Get-CsService', None)] = {'Identity': 'PersistentChatServer:PCPOOL.contoso.com'}  # no PoolFqdn
    responses[('Get-CsPersistentChatState', 'PersistentChatServer:pcpool.contoso.com')] = {'PoolState': 1}
    responses[('Get-CsComputer', 'pcpool.contoso.com')] = {'Identity': 'pc01.contoso.com'}  # single object, no Fqdn
    responses[('Get-CsTrustedApplication', None)] = []
    platform, _transport = driver(responses)
    (pool,) = platform.get_pools()
    assert pool['fqdn'] == 'pcpool.contoso.com' and pool['pool_state'] == 'FailedOver' and pool['state'] == 'partial'
    assert [(s['fqdn'], s['active']) for s in pool['servers']] == [('pc01.contoso.com', True)]


def test_active_servers_as_objects_and_missing_start_type():
    responses = world()
    responses[('Get-CsService', None)] = dict(PC_SERVICE, ActiveServers=[{'Fqdn': 'PC02.contoso.com'}], InactiveServers=None)
    responses[('Get-Service', 'pc01.contoso.com')] = {'Name': 'RTCCHAT', 'Status': 4, 'StartType': None}
    platform, _transport = driver(responses)
    pool = platform.get_pool('pcpool.contoso.com')
    assert [(s['fqdn'], s['active']) for s in pool['servers']] == [('pc01.contoso.com', False), ('pc02.contoso.com', True)]
    assert pool['servers'][0]['services'][0]['start_mode'] is None


def test_no_chat_pools_and_no_group_chat_application():
    platform, transport = driver({('Get-CsService', None): [], ('Get-CsTrustedApplication', None): TRUSTED_APPS[1:]})
    assert platform.get_pools() == []
    assert [c[0][0] for c in transport.calls] == ['Import-Module', 'Get-CsService', 'Get-CsTrustedApplication']


# -- server state --------------------------------------------------------------------------------------------
def pc_pool():
    return {'fqdn': 'pcpool.contoso.com', 'kind': 'persistent_chat_2013',
            'servers': [{'fqdn': 'pc01.contoso.com'}, {'fqdn': 'pc02.contoso.com'}]}


def legacy_pool():
    return {'fqdn': 'gc.contoso.com', 'kind': 'group_chat_2010', 'servers': [{'fqdn': 'gc01.contoso.com'}]}


START_CHAT = [('Start-CsWindowsService', {'Name': 'RTCCHAT', 'ComputerName': 'pc01.contoso.com'})]
STOP_CHAT = [('Stop-CsWindowsService', {'Name': 'RTCCHAT', 'ComputerName': 'pc01.contoso.com', 'Graceful': None})]


def set_mode(server, name, mode):
    return [('Set-Service', {'ComputerName': server, 'Name': name, 'StartupType': mode})]


@pytest.mark.parametrize('status, start, state, actions', [
    ('Running', 2, 'stopped', [STOP_CHAT]),
    ('Running', 2, 'disabled', [STOP_CHAT, set_mode('pc01.contoso.com', 'RTCCHAT', 'Disabled')]),
    ('Stopped', 4, 'started', [set_mode('pc01.contoso.com', 'RTCCHAT', 'Automatic'), START_CHAT]),
    ('Stopped', 3, 'started', [START_CHAT]),
    ('Stopped', 4, 'stopped', [set_mode('pc01.contoso.com', 'RTCCHAT', 'Manual')]),
    ('Stopped', 3, 'disabled', [set_mode('pc01.contoso.com', 'RTCCHAT', 'Disabled')]),
    ('Running', 2, 'started', []),
    ('Stopped', 4, 'disabled', []),
])
def test_set_server_state_persistent_chat(status, start, state, actions):
    responses = {('Get-CsWindowsService', None): chat_service(status),
                 ('Get-Service', 'pc01.contoso.com'): windows_service(4 if status == 'Running' else 1, start)}
    platform, transport = driver(responses)
    platform.set_server_state(pc_pool(), 'pc01.contoso.com', state)
    assert transport.calls == [IMPORT] + chat_reads('pc01.contoso.com') + actions


def legacy_stop(name):
    return [('Get-Service', {'ComputerName': 'gc01.contoso.com', 'Name': name}), ('Stop-Service', {'Force': None})]


def legacy_start(name):
    return [('Get-Service', {'ComputerName': 'gc01.contoso.com', 'Name': name}), ('Start-Service', {})]


def test_set_server_state_legacy_disabled():
    platform, transport = driver(world())
    platform.set_server_state(legacy_pool(), 'GC01.contoso.com', 'disabled')
    expected = [IMPORT, LEGACY_READ]
    for name in ('GCChannel', 'GCLookup', 'GCWeb'):
        expected += [legacy_stop(name), set_mode('gc01.contoso.com', name, 'Disabled')]
    assert transport.calls == expected


def test_set_server_state_legacy_started_from_disabled_and_stopped():
    disabled = [dict(s, Status=1, StartType=4) for s in LEGACY_SERVICES]
    platform, transport = driver(world(legacy=disabled))
    platform.set_server_state(legacy_pool(), 'gc01.contoso.com', 'started')
    expected = [IMPORT, LEGACY_READ]
    for name in ('GCChannel', 'GCLookup', 'GCWeb'):
        expected += [set_mode('gc01.contoso.com', name, 'Automatic'), legacy_start(name)]
    assert transport.calls == expected

    platform, transport = driver(world())
    platform.set_server_state(legacy_pool(), 'gc01.contoso.com', 'stopped')
    assert transport.calls == [IMPORT, LEGACY_READ] + [legacy_stop(n) for n in ('GCChannel', 'GCLookup', 'GCWeb')]


def test_set_server_state_never_touches_the_pool_state():
    for pool, server in ((pc_pool(), 'pc01.contoso.com'), (legacy_pool(), 'gc01.contoso.com')):
        for state in ('started', 'stopped', 'disabled'):
            platform, transport = driver(world(chat_state='Stopped', chat_start=4))
            platform.set_server_state(pool, server, state)
            commands = [c for c, _params in (stage for call in transport.calls for stage in call)]
            assert not [c for c in commands if 'PersistentChatState' in c or 'ActiveServer' in c]


def test_set_server_state_errors():
    platform, _transport = driver(world(legacy=[]))
    with pytest.raises(PchatError) as err:
        platform.set_server_state(pc_pool(), 'pc09.contoso.com', 'started')
    assert "'pc09.contoso.com' is not in pool 'pcpool.contoso.com'" in err.value.msg
    with pytest.raises(PchatError) as err:
        platform.set_server_state(pc_pool(), 'pc01.contoso.com', 'paused')
    assert 'unknown server state' in err.value.msg
    with pytest.raises(PchatError) as err:
        platform.set_server_state(legacy_pool(), 'gc01.contoso.com', 'disabled')
    assert 'no Group Chat service' in err.value.msg and '*Group Chat*' in err.value.msg
    platform, _transport = driver({('Get-CsWindowsService', None): []})
    with pytest.raises(PchatError) as err:
        platform.set_server_state(pc_pool(), 'pc01.contoso.com', 'started')
    assert 'no RTCCHAT service on pc01.contoso.com' in err.value.msg


def test_cmdlet_error_names_cmdlet_parameters_and_text_but_not_the_password():
    responses = {('Get-CsWindowsService', None): chat_service('Stopped'),
                 ('Get-Service', 'pc01.contoso.com'): windows_service(1, 2),
                 ('Start-CsWindowsService', None): Err('Cannot start service RTCCHAT on computer pc01.contoso.com.')}
    platform, _transport = driver(responses)
    with pytest.raises(PchatError) as err:
        platform.set_server_state(pc_pool(), 'pc01.contoso.com', 'started')
    msg = err.value.msg
    assert msg.startswith("Start-CsWindowsService -Name 'RTCCHAT' -ComputerName 'pc01.contoso.com' failed on lync01.contoso.com")
    assert 'Cannot start service RTCCHAT' in msg and 'CsAdministrator' in msg
    assert err.value.details['command'] == 'Start-CsWindowsService'
    assert err.value.details['parameters'] == {'Name': 'RTCCHAT', 'ComputerName': 'pc01.contoso.com'}
    assert PASSWORD not in msg and PASSWORD not in repr(err.value.details)


# -- endpoints -----------------------------------------------------------------------------------------------
def test_get_endpoints_all():
    other = {'Identity': 'CN={11111111-2222-3333-4444-555555555555},CN=Application Contacts,CN=RTC Service,CN=Services,'
                         'CN=Configuration,DC=contoso,DC=com',
             'SipAddress': 'sip:pcpool-contoso-com@contoso.com', 'DisplayName': None,
             'PersistentChatPoolFqdn': {'Fqdn': 'PCPOOL.contoso.com'}}
    platform, transport = driver({('Get-CsPersistentChatEndpoint', None): [ENDPOINT, other]})
    assert platform.get_endpoints() == [
        {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com', 'display_name': 'Group Chat',
         'dn': ENDPOINT_DN},
        {'sip_address': 'sip:pcpool-contoso-com@contoso.com', 'pool_fqdn': 'pcpool.contoso.com', 'display_name': None,
         'dn': other['Identity']},
    ]
    assert transport.calls == [IMPORT, [('Get-CsPersistentChatEndpoint', {}), JSON]]


def test_get_endpoints_by_identity():
    platform, transport = driver({('Get-CsPersistentChatEndpoint', 'sip:OCSChat@contoso.com'): ENDPOINT})
    (endpoint,) = platform.get_endpoints('sip:OCSChat@contoso.com')
    assert endpoint['dn'] == ENDPOINT_DN and endpoint['pool_fqdn'] == 'pcpool.contoso.com'
    assert transport.calls == [IMPORT, [('Get-CsPersistentChatEndpoint', {'Identity': 'sip:OCSChat@contoso.com'}), JSON]]


@pytest.mark.parametrize('error', [
    Err('Management object not found for identity "sip:ocschat@contoso.com".'),
    Err('The object could not be located.', category=13),
    Err('Unknown.', fq_error='Identity,Microsoft.Rtc.Management.AD.Cmdlets.ObjectNotFound'),
])
def test_get_endpoints_not_found_is_none(error):
    platform, _transport = driver({('Get-CsPersistentChatEndpoint', None): error})
    assert platform.get_endpoints('sip:ocschat@contoso.com') == []


def test_get_endpoints_other_error_is_raised():
    platform, _transport = driver({('Get-CsPersistentChatEndpoint', None): Err('Access is denied.', category=18)})
    with pytest.raises(PchatError) as err:
        platform.get_endpoints('sip:ocschat@contoso.com')
    assert "Get-CsPersistentChatEndpoint -Identity 'sip:ocschat@contoso.com'" in err.value.msg and 'Access is denied' in err.value.msg


def test_get_endpoints_finds_the_pool_per_pool_when_the_object_does_not_name_it():
    home_dn = 'CN=Lc Services,CN=Microsoft,CN=1:1,CN=Pools,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
    bare = {'Identity': {'DistinguishedName': ENDPOINT_DN, 'ObjectGuid': '8e3c2a2b'}, 'SipAddress': 'sip:OCSChat@contoso.com',
            'DisplayName': 'Group Chat', 'HomeServer': home_dn}
    responses = {('Get-CsPersistentChatEndpoint', 'sip:ocschat@contoso.com'): bare,
                 ('Get-CsService', None): [PC_SERVICE, dict(PC_SERVICE, Identity='PersistentChatServer:pc2.contoso.com',
                                                            PoolFqdn='pc2.contoso.com')],
                 ('Get-CsPersistentChatEndpoint', 'pcpool.contoso.com'): [],
                 ('Get-CsPersistentChatEndpoint', 'pc2.contoso.com'): bare}
    platform, transport = driver(responses)
    assert platform.get_endpoints('sip:ocschat@contoso.com') == [
        {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pc2.contoso.com', 'display_name': 'Group Chat', 'dn': ENDPOINT_DN}]
    assert transport.calls[1:] == [
        [('Get-CsPersistentChatEndpoint', {'Identity': 'sip:ocschat@contoso.com'}), JSON],
        [('Get-CsService', {'PersistentChatServer': None}), JSON],
        [('Get-CsPersistentChatEndpoint', {'PersistentChatPoolFqdn': 'pcpool.contoso.com'}), JSON],
        [('Get-CsPersistentChatEndpoint', {'PersistentChatPoolFqdn': 'pc2.contoso.com'}), JSON],
    ]


def test_new_endpoint_with_display_name():
    platform, transport = driver({('New-CsPersistentChatEndpoint', None): ENDPOINT})
    endpoint = platform.new_endpoint('sip:OCSChat@contoso.com', 'pcpool.contoso.com', 'Group Chat')
    assert endpoint == {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com',
                        'display_name': 'Group Chat', 'dn': ENDPOINT_DN}
    assert transport.calls == [IMPORT, [('New-CsPersistentChatEndpoint', {
        'SipAddress': 'sip:OCSChat@contoso.com', 'PersistentChatPoolFqdn': 'pcpool.contoso.com',
        'DisplayName': 'Group Chat', 'PassThru': None}), JSON]]


def test_new_endpoint_without_display_name_reads_back_when_nothing_is_passed_through():
    created = dict(ENDPOINT, DisplayName='OCSChat', PersistentChatPoolFqdn=None, RegistrarPool='pcpool.contoso.com')
    platform, transport = driver({('New-CsPersistentChatEndpoint', None): [],
                                  ('Get-CsPersistentChatEndpoint', 'sip:OCSChat@contoso.com'): created})
    endpoint = platform.new_endpoint('sip:OCSChat@contoso.com', 'pcpool.contoso.com')
    assert endpoint['display_name'] == 'OCSChat' and endpoint['pool_fqdn'] == 'pcpool.contoso.com'
    assert transport.calls == [
        IMPORT,
        [('New-CsPersistentChatEndpoint', {'SipAddress': 'sip:OCSChat@contoso.com',
                                           'PersistentChatPoolFqdn': 'pcpool.contoso.com', 'PassThru': None}), JSON],
        [('Get-CsPersistentChatEndpoint', {'Identity': 'sip:OCSChat@contoso.com'}), JSON],
    ]


def test_new_endpoint_that_cannot_be_read_back_is_an_error():
    platform, _transport = driver({
        ('New-CsPersistentChatEndpoint', None): [],
        ('Get-CsPersistentChatEndpoint', None): Err('Management object not found for identity "x".'),
    })
    with pytest.raises(PchatError) as err:
        platform.new_endpoint('sip:OCSChat@contoso.com', 'pcpool.contoso.com')
    assert 'cannot be read back' in err.value.msg


@pytest.mark.parametrize('sip, pool', [('OCSChat@contoso.com', 'pcpool.contoso.com'), ('sip:OCSChat@contoso.com', "pc'; x")])
def test_new_endpoint_validates_before_sending(sip, pool):
    platform, transport = driver({})
    with pytest.raises(PchatError):
        platform.new_endpoint(sip, pool)
    assert transport.calls == []


def test_remove_endpoint():
    platform, transport = driver({})
    platform.remove_endpoint({'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'})
    assert transport.calls == [IMPORT, [('Remove-CsPersistentChatEndpoint', {'Identity': 'sip:OCSChat@contoso.com', 'Force': None})]]


def test_parse_endpoint_without_known_properties():
    assert parse_endpoint({'SipAddress': 'OCSChat@contoso.com', 'Identity': 'OCSChat'}) == {
        'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': None, 'display_name': None, 'dn': None}


# -- values are parameters, never script ---------------------------------------------------------------------
@pytest.mark.parametrize('evil', EVIL)
def test_metacharacters_travel_as_parameter_values(evil):
    platform, transport = driver({('New-CsPersistentChatEndpoint', None): dict(ENDPOINT, DisplayName=evil)})
    endpoint = platform.new_endpoint('sip:OCSChat@contoso.com', 'pcpool.contoso.com', evil)
    assert endpoint['display_name'] == evil
    assert transport.calls[1][0] == ('New-CsPersistentChatEndpoint', {
        'SipAddress': 'sip:OCSChat@contoso.com', 'PersistentChatPoolFqdn': 'pcpool.contoso.com', 'DisplayName': evil,
        'PassThru': None})
    commands = [command for call in transport.calls for command, _params in call]
    assert all(evil not in command for command in commands)
    assert commands == ['Import-Module', 'New-CsPersistentChatEndpoint', 'ConvertTo-Json']


def test_real_pypsrp_objects_carry_values_as_parameters_not_script():
    """Builds the real WSMan, RunspacePool and PowerShell objects and serializes the pipeline as it would go on the
    wire (MS-PSRP), stopping before any network call (no open(), no invoke())."""
    transport = PsrpTransport('lync01.contoso.com', 5986, username='CONTOSO\\lyncadmin', password=PASSWORD)
    wsman = platform_psrp.WSMan(transport.host, port=transport.port, username=transport.username,
                                password=transport.password, ssl=True, auth='negotiate')
    pool = platform_psrp.RunspacePool(wsman)
    pool.protocol_version = '2.3'  # what open() would negotiate
    evil = EVIL[0] + EVIL[1]
    pipeline = [('New-CsPersistentChatEndpoint', {'SipAddress': 'sip:OCSChat@contoso.com',
                                                  'PersistentChatPoolFqdn': 'pcpool.contoso.com',
                                                  'DisplayName': evil, 'PassThru': None}),
                ('ConvertTo-Json', {'Depth': 4, 'Compress': None})]
    ps = transport.build(pool, pipeline)
    assert [(c.cmd, c.is_script) for c in ps.commands] == [('New-CsPersistentChatEndpoint', False), ('ConvertTo-Json', False)]
    assert [(a.name, a.value) for a in ps.commands[0].args] == [
        ('SipAddress', 'sip:OCSChat@contoso.com'), ('PersistentChatPoolFqdn', 'pcpool.contoso.com'),
        ('DisplayName', evil), ('PassThru', None)]

    from pypsrp.complex_objects import Pipeline
    xml = pool.serialize(Pipeline(is_nested=False, cmds=ps.commands, history=None, redirect_err_to_out=False))
    cmds = [(e.text) for e in xml.iter('S') if e.get('N') == 'Cmd']
    scripts = [e.text for e in xml.iter('B') if e.get('N') == 'IsScript']
    values = [e.text for e in xml.iter('S') if e.get('N') == 'V']
    assert cmds == ['New-CsPersistentChatEndpoint', 'ConvertTo-Json'] and scripts == ['false', 'false']
    assert evil in values
    assert PASSWORD not in ET.tostring(xml).decode()


def test_no_operation_sends_a_script():
    platform, transport = driver(world())
    platform.get_pools()
    platform.set_server_state(legacy_pool(), 'gc01.contoso.com', 'disabled')
    platform.get_endpoints()
    commands = set(c for call in transport.calls for c, _params in call)
    assert all(command.replace('-', '').isalpha() for command in commands), commands
    assert PASSWORD not in list(all_stage_values(transport.calls))


# -- the real transport's failures ---------------------------------------------------------------------------
class FailingPool(object):
    error = RuntimeError('set by failing_platform')

    def __init__(self, connection):
        self.connection = connection

    def open(self):
        raise self.error


def failing_platform(monkeypatch, error):
    FailingPool.error = error
    monkeypatch.setattr(platform_psrp, 'RunspacePool', FailingPool)
    return PsrpPlatform(dict(PARAMS))


def test_unreachable_host(monkeypatch):
    import requests
    platform = failing_platform(monkeypatch, requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='lync01.contoso.com', port=5986): Max retries exceeded (password %s)" % PASSWORD))
    with pytest.raises(PchatError) as err:
        platform.get_pools()
    msg = err.value.msg
    assert 'https://lync01.contoso.com:5986/wsman' in msg and 'host lync01.contoso.com, port 5986' in msg
    assert 'psrp_host' in msg and 'firewall' in msg
    assert PASSWORD not in msg and PASSWORD not in repr(err.value.details)


def test_authentication_failure(monkeypatch):
    from pypsrp.exceptions import AuthenticationError
    platform = failing_platform(monkeypatch, AuthenticationError('Failed to authenticate the user CONTOSO\\lyncadmin with negotiate'))
    with pytest.raises(PchatError) as err:
        platform.get_endpoints()
    assert 'authentication' in err.value.msg and 'psrp_password' in err.value.msg and 'port 5986' in err.value.msg
    assert PASSWORD not in err.value.msg


def test_http_401_and_tls_failure(monkeypatch):
    import requests
    from pypsrp.exceptions import WinRMTransportError
    platform = failing_platform(monkeypatch, WinRMTransportError('http', 401, 'Unauthorized'))
    with pytest.raises(PchatError) as err:
        platform.get_endpoints()
    assert 'authentication' in err.value.msg
    platform = failing_platform(monkeypatch, requests.exceptions.SSLError('certificate verify failed'))
    with pytest.raises(PchatError) as err:
        platform.get_endpoints()
    assert 'TLS' in err.value.msg and 'psrp_cert_validation' in err.value.msg


def test_close_closes_the_transport_and_is_safe_unopened():
    platform, transport = driver({})
    platform.close()
    assert transport.closed
    real = PsrpPlatform(dict(PARAMS))
    real.close()
    assert real.transport.pool is None


# -- data migration ------------------------------------------------------------------------------------------
GC_DB = 'gcsql.contoso.com\\gcinstance'
PC_DB = 'pcsql.contoso.com\\pcinstance'
ZIP = 'C:\\PchatMigration\\groupchat.zip'
CONVERSION_WARNINGS = ['Category "IT\\Servers" was flattened to "IT_Servers".',
                       'Invitations are off in category "Finance"; they will be turned off in its rooms.']


def export_call(**parameters):
    return [('Export-CsPersistentChatData', dict({'DBInstance': GC_DB, 'FileName': ZIP}, **parameters))]


def import_call(what_if):
    parameters = {'DBInstance': PC_DB, 'FileName': ZIP}
    if what_if:
        parameters['WhatIf'] = None
    parameters['Confirm'] = False
    return [('Import-CsPersistentChatData', parameters)]


@pytest.mark.parametrize('kwargs, sent', [
    ({}, {}),
    ({'db_name': 'GroupChat'}, {'DBName': 'GroupChat'}),
    ({'since': '2012-03-01'}, {'StartDate': '2012-03-01T00:00:00'}),
    ({'db_name': 'GroupChat', 'since': datetime.date(2012, 3, 1)}, {'DBName': 'GroupChat', 'StartDate': '2012-03-01T00:00:00'}),
])
def test_export_sends_exactly_this(kwargs, sent):
    platform, transport = driver({})
    result = platform.export_chat_data(GC_DB, ZIP, **kwargs)
    assert transport.calls == [IMPORT, export_call(**sent)]
    assert result['command'] == 'Export-CsPersistentChatData'
    assert result['parameters'] == dict({'DBInstance': GC_DB, 'FileName': ZIP}, **sent)
    assert result['warnings'] == []
    assert result['invocation'].startswith("Export-CsPersistentChatData -DBInstance 'gcsql.contoso.com\\gcinstance' "
                                           "-FileName 'C:\\PchatMigration\\groupchat.zip'")
    assert 'Level' not in transport.calls[1][0][1]  # left at its default, All


def test_export_lowercases_the_sql_fqdn_and_keeps_a_default_instance():
    platform, transport = driver({})
    platform.export_chat_data('GCSQL.Contoso.com', ZIP)
    assert transport.calls[1] == [('Export-CsPersistentChatData', {'DBInstance': 'gcsql.contoso.com', 'FileName': ZIP})]


def test_export_returns_the_warning_stream():
    platform, _transport = driver({('Export-CsPersistentChatData', None): Streams(warnings=['Room "Old" is disabled.'])})
    assert platform.export_chat_data(GC_DB, ZIP)['warnings'] == ['Room "Old" is disabled.']


def test_export_error_names_the_cmdlet_and_what_to_check():
    error = Err('Cannot open database "GroupChat" requested by the login. The login failed.')
    platform, _transport = driver({('Export-CsPersistentChatData', None): error})
    with pytest.raises(PchatError) as err:
        platform.export_chat_data(GC_DB, ZIP, db_name='GroupChat')
    msg = err.value.msg
    assert msg.startswith("Export-CsPersistentChatData -DBInstance 'gcsql.contoso.com\\gcinstance' -FileName "
                          "'C:\\PchatMigration\\groupchat.zip' -DBName 'GroupChat' failed on lync01.contoso.com "
                          "with 1 error record(s): 1) Cannot open database")
    assert 'Nothing was imported' in msg and 'CsPersistentChatAdministrator' in msg and 'database GroupChat' in msg
    assert err.value.details['command'] == 'Export-CsPersistentChatData' and err.value.details['error_count'] == 1


@pytest.mark.parametrize('value, expected', [
    (datetime.date(2012, 3, 1), '2012-03-01T00:00:00'),
    (datetime.datetime(2012, 3, 1, 8, 30), '2012-03-01T08:30:00'),
    (datetime.datetime(2012, 3, 1, 8, 30, 5, 250000), '2012-03-01T08:30:05.250000'),
    (datetime.datetime(2012, 3, 1, 8, 30, tzinfo=datetime.timezone.utc), '2012-03-01T08:30:00+00:00'),
    (datetime.datetime(2012, 3, 1, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))),
     '2012-03-01T08:30:00-05:30'),
    ('2012-03-01', '2012-03-01T00:00:00'),
    (' 2012-03-01T08:30 ', '2012-03-01T08:30:00'),
    ('2012-03-01 08:30:00Z', '2012-03-01T08:30:00+00:00'),
    ('2012-03-01T08:30:00.5+0200', '2012-03-01T08:30:00.500000+02:00'),
    ('2012-03-01T08:30:00-08:00', '2012-03-01T08:30:00-08:00'),
    ('2012-02-29T23:59:59', '2012-02-29T23:59:59'),
])
def test_since_is_sent_as_iso_8601_text(value, expected):
    assert ps_datetime(value) == expected


@pytest.mark.parametrize('value', ['03/01/2012', '2012-02-30', '2012-03-01T25:00', '2012-03-01T08:30+24:00', 'yesterday',
                                   '', 20120301, True, ['2012-03-01']])
def test_since_that_is_no_date_is_refused(value):
    with pytest.raises(PchatError) as err:
        ps_datetime(value)
    assert 'since' in err.value.msg and '2012-03-01' in err.value.msg


@pytest.mark.parametrize('what_if', [False, True])
def test_import_sends_exactly_this(what_if):
    platform, transport = driver({})
    result = platform.import_chat_data(PC_DB, ZIP, what_if=what_if)
    assert transport.calls == [IMPORT, import_call(what_if)]
    assert result['what_if'] is what_if and result['warnings'] == []
    assert result['invocation'] == ("Import-CsPersistentChatData -DBInstance 'pcsql.contoso.com\\pcinstance' -FileName "
                                    "'C:\\PchatMigration\\groupchat.zip'%s -Confirm:$false" % (' -WhatIf' if what_if else ''))


def test_import_what_if_returns_the_conversions_from_the_warning_stream():
    platform, _transport = driver({('Import-CsPersistentChatData', None): Streams(warnings=CONVERSION_WARNINGS)})
    result = platform.import_chat_data(PC_DB, ZIP, what_if=True)
    assert result['warnings'] == CONVERSION_WARNINGS and result['what_if'] is True


def test_import_what_if_errors_say_the_real_import_was_not_run():
    errors = [Err('Principal not provisioned: sip:gone@contoso.com'), Err('Principal not provisioned: sip:left@contoso.com')]
    platform, transport = driver({('Import-CsPersistentChatData', None): Streams(errors=errors, warnings=CONVERSION_WARNINGS)})
    with pytest.raises(PchatError) as err:
        platform.import_chat_data(PC_DB, ZIP, what_if=True)
    msg = err.value.msg
    assert msg.startswith("Import-CsPersistentChatData -DBInstance 'pcsql.contoso.com\\pcinstance' -FileName "
                          "'C:\\PchatMigration\\groupchat.zip' -WhatIf -Confirm:$false failed on lync01.contoso.com "
                          "with 2 error record(s): 1) Principal not provisioned: sip:gone@contoso.com; "
                          "2) Principal not provisioned: sip:left@contoso.com.")
    assert 'the real import was not run' in msg and 'pcsql.contoso.com\\pcinstance' in msg
    assert err.value.details['warnings'] == CONVERSION_WARNINGS
    assert len(transport.calls) == 2  # the gate failed: nothing else was sent


def test_import_errors_of_the_real_import_say_what_may_have_happened():
    errors = [Err('Room name "%s" is longer than 256 characters.' % ('x' * 300))]
    platform, _transport = driver({('Import-CsPersistentChatData', None): Streams(errors=errors)})
    with pytest.raises(PchatError) as err:
        platform.import_chat_data(PC_DB, ZIP)
    msg = err.value.msg
    assert msg.startswith("Import-CsPersistentChatData -DBInstance 'pcsql.contoso.com\\pcinstance' -FileName "
                          "'C:\\PchatMigration\\groupchat.zip' -Confirm:$false failed")
    assert 'not run' not in msg and 'may have written part of the data' in msg and 'backup' in msg
    assert 'CsPersistentChatAdministrator' in msg


def test_import_lists_only_the_first_20_error_records():
    errors = [Err('Principal not provisioned: sip:user%02d@contoso.com' % n) for n in range(1, 26)]
    platform, _transport = driver({('Import-CsPersistentChatData', None): Streams(errors=errors)})
    with pytest.raises(PchatError) as err:
        platform.import_chat_data(PC_DB, ZIP, what_if=True)
    msg = err.value.msg
    assert 'with 25 error record(s)' in msg and '20) Principal not provisioned: sip:user20@' in msg
    assert 'user21' not in msg and 'the first 20 of 25 error records; all are in details' in msg
    assert err.value.details['error_count'] == 25 and len(err.value.details['errors']) == 25


BAD_DB_INSTANCES = ['gc sql;drop', '', None, 'gcsql', 'gcsql.contoso.com\\', 'gcsql.contoso.com\\bad name',
                    'gcsql.contoso.com\\inst\\x', '\\gcinstance', "gcsql.contoso.com\\x'; drop database mgc --",
                    'gcsql.contoso.com\\twelve_chars_long_x']
BAD_FILE_NAMES = ['C:\\PchatMigration\\groupchat.txt', 'C:\\PchatMigration\\groupchat', 'groupchat.zip',
                  '..\\groupchat.zip', 'C:\\Pchat\\a"b.zip', 'C:\\Pchat\\a|b.zip', 'C:\\Pchat\\a\nb.zip', '', None, 7]


@pytest.mark.parametrize('db_instance', BAD_DB_INSTANCES)
def test_bad_db_instance_is_refused_before_anything_is_sent(db_instance):
    platform, transport = driver({})
    for call in (lambda: platform.export_chat_data(db_instance, ZIP), lambda: platform.import_chat_data(db_instance, ZIP),
                 lambda: platform.import_chat_data(db_instance, ZIP, what_if=True)):
        with pytest.raises(PchatError) as err:
            call()
        assert 'DBInstance' in err.value.msg and "like 'gcsql.contoso.com\\gcinstance'" in err.value.msg
    assert transport.calls == []


@pytest.mark.parametrize('file_name', BAD_FILE_NAMES)
def test_bad_file_name_is_refused_before_anything_is_sent(file_name):
    platform, transport = driver({})
    for call in (lambda: platform.export_chat_data(GC_DB, file_name), lambda: platform.import_chat_data(PC_DB, file_name)):
        with pytest.raises(PchatError) as err:
            call()
        assert 'file_name' in err.value.msg and '.zip' in err.value.msg
    assert transport.calls == []


@pytest.mark.parametrize('kwargs', [{'db_name': ''}, {'db_name': 'a\nb'}, {'db_name': 'x' * 129}, {'since': 'last week'}])
def test_bad_db_name_or_since_is_refused_before_anything_is_sent(kwargs):
    platform, transport = driver({})
    with pytest.raises(PchatError):
        platform.export_chat_data(GC_DB, ZIP, **kwargs)
    assert transport.calls == []


@pytest.mark.parametrize('value, expected', [
    ('gcsql.contoso.com\\gcinstance', 'gcsql.contoso.com\\gcinstance'),
    ('GCSQL.contoso.com\\GC_Inst$1', 'gcsql.contoso.com\\GC_Inst$1'),
    ('gcsql.contoso.com', 'gcsql.contoso.com'),
])
def test_valid_db_instances(value, expected):
    assert validate_db_instance(value) == expected


@pytest.mark.parametrize('evil', EVIL)
def test_migration_metacharacters_travel_as_parameter_values(evil):
    file_name = 'C:\\PchatMigration\\%s.zip' % evil.replace('"', '')  # '"' cannot be in a Windows path
    platform, transport = driver({})
    result = platform.export_chat_data(GC_DB, file_name, db_name=evil)
    platform.import_chat_data(PC_DB, file_name, what_if=True)
    assert transport.calls[1] == [('Export-CsPersistentChatData', {'DBInstance': GC_DB, 'FileName': file_name, 'DBName': evil})]
    assert transport.calls[2] == [('Import-CsPersistentChatData', {'DBInstance': PC_DB, 'FileName': file_name,
                                                                   'WhatIf': None, 'Confirm': False})]
    assert result['parameters']['DBName'] == evil and result['parameters']['FileName'] == file_name
    commands = [command for call in transport.calls for command, _params in call]
    assert commands == ['Import-Module', 'Export-CsPersistentChatData', 'Import-CsPersistentChatData']


def test_migration_never_puts_the_password_in_messages_or_parameters():
    errors = [Err('Login failed for user CONTOSO\\lyncadmin.')]
    platform, transport = driver({('Import-CsPersistentChatData', None): Streams(errors=errors),
                                  ('Export-CsPersistentChatData', None): Streams(errors=errors)})
    for call in (lambda: platform.export_chat_data(GC_DB, ZIP, since='2012-03-01'),
                 lambda: platform.import_chat_data(PC_DB, ZIP, what_if=True), lambda: platform.import_chat_data(PC_DB, ZIP)):
        with pytest.raises(PchatError) as err:
            call()
        assert PASSWORD not in err.value.msg and PASSWORD not in repr(err.value.details)
    assert PASSWORD not in list(all_stage_values(transport.calls))


class FakePowerShell(object):
    """What pypsrp's PowerShell object gives the transport after invoke(): output and the streams."""

    class Record(object):
        def __init__(self, message):
            self.message = message

        def __str__(self):
            return self.message

    def __init__(self, output=(), errors=(), warnings=()):
        self.output = list(output)
        self.streams = type('Streams', (), {})()
        self.streams.error = [self.Record(m) for m in errors]
        self.streams.warning = [self.Record(m) for m in warnings]
        self.had_errors = bool(errors)

    def invoke(self):
        return self.output


def test_real_transport_returns_the_warning_stream_scrubbed(monkeypatch):
    ps = FakePowerShell(errors=['Login failed (password %s)' % PASSWORD],
                        warnings=[CONVERSION_WARNINGS[0], 'retrying as %s' % PASSWORD])
    transport = PsrpTransport('lync01.contoso.com', 5986, username='CONTOSO\\lyncadmin', password=PASSWORD)
    transport.pool = object()  # opened
    monkeypatch.setattr(transport, 'build', lambda pool, pipeline: ps)
    output, errors, warnings = transport.run(import_call(True))
    assert output == [] and warnings == [CONVERSION_WARNINGS[0], 'retrying as ********']
    assert errors[0]['message'] == 'Login failed (password ********)'
    platform = PsrpPlatform(dict(PARAMS), transport=transport)
    platform._session_ready = True  # pylint: disable=protected-access
    with pytest.raises(PchatError) as err:
        platform.import_chat_data(PC_DB, ZIP, what_if=True)
    assert PASSWORD not in err.value.msg and PASSWORD not in repr(err.value.details)
    assert err.value.details['warnings'] == [CONVERSION_WARNINGS[0], 'retrying as ********']


def test_a_transport_without_a_warning_stream_still_works():
    class TwoStreams(FakeTransport):
        def run(self, pipeline):
            return super(TwoStreams, self).run(pipeline)[:2]

    platform = PsrpPlatform(dict(PARAMS), transport=TwoStreams({}))
    assert platform.import_chat_data(PC_DB, ZIP, what_if=True)['warnings'] == []


def test_real_pypsrp_sends_confirm_false_and_the_start_date_as_values():
    """-Confirm goes as a Boolean value (<B>false</B>, bound like -Confirm:$false), -WhatIf as a switch (no value),
    -StartDate as a string the binder converts to DateTime; nothing is script."""
    transport = PsrpTransport('lync01.contoso.com', 5986, username='CONTOSO\\lyncadmin', password=PASSWORD)
    wsman = platform_psrp.WSMan(transport.host, port=transport.port, username=transport.username,
                                password=transport.password, ssl=True, auth='negotiate')
    pool = platform_psrp.RunspacePool(wsman)
    pool.protocol_version = '2.3'
    from pypsrp.complex_objects import Pipeline
    for pipeline in (import_call(True), export_call(StartDate=ps_datetime('2012-03-01'))):
        ps = transport.build(pool, pipeline)
        xml = pool.serialize(Pipeline(is_nested=False, cmds=ps.commands, history=None, redirect_err_to_out=False))
        assert [e.text for e in xml.iter('B') if e.get('N') == 'IsScript'] == ['false']
        names = [e for e in xml.iter() if e.get('N') == 'N']
        values = dict((name.text, value) for name, value in zip(names, [e for e in xml.iter() if e.get('N') == 'V']))
        if 'Confirm' in values:
            assert (values['Confirm'].tag, values['Confirm'].text) == ('B', 'false')
            assert values['WhatIf'].tag == 'Nil'
        else:
            assert (values['StartDate'].tag, values['StartDate'].text) == ('S', '2012-03-01T00:00:00')
        assert values['DBInstance'].text in (GC_DB, PC_DB) and values['FileName'].text == ZIP


def test_room_counts():
    rooms = [dict(ROOMS[0], Disabled=False), dict(ROOMS[1], Disabled=True)]
    platform, transport = driver({('Get-CsPersistentChatCategory', None): CATEGORIES, ('Get-CsPersistentChatRoom', None): rooms})
    assert platform.room_counts('PCPOOL.contoso.com') == {'categories': 2, 'rooms': 2, 'disabled_rooms': 1, 'members': 4}
    assert transport.calls == [
        IMPORT,
        [('Get-CsPersistentChatCategory', {'PersistentChatPoolFqdn': 'pcpool.contoso.com'}), JSON],
        [('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': 'pcpool.contoso.com', 'ResultSize': 2147483647}), JSON],
    ]


@pytest.mark.parametrize('rooms, disabled', [(ROOMS, None), ([], 0), ([dict(ROOMS[0], Disabled='True')], 1)])
def test_room_counts_disabled_rooms_when_the_property_is_missing_or_a_string(rooms, disabled):
    platform, _transport = driver({('Get-CsPersistentChatCategory', None): [], ('Get-CsPersistentChatRoom', None): rooms})
    assert platform.room_counts('pcpool.contoso.com')['disabled_rooms'] == disabled


def test_room_counts_validates_the_pool_before_sending():
    platform, transport = driver({})
    with pytest.raises(PchatError):
        platform.room_counts('pc pool;drop')
    assert transport.calls == []


def test_describe_pipeline_writes_booleans_the_way_switches_take_them():
    assert describe_pipeline([('Import-X', {'WhatIf': None, 'Confirm': False, 'Force': True})]) == \
        'Import-X -WhatIf -Confirm:$false -Force:$true'


def test_room_details_reads_names_and_disabled_flags_only():
    rooms = [{'Name': 'Release', 'Disabled': False, 'Members': []}, {'Name': 'Archive', 'Disabled': True}]
    platform, transport = driver({('Get-CsPersistentChatRoom', None): rooms})
    details = platform.room_details('pcpool.contoso.com')
    assert details == [{'name': 'Archive', 'disabled': True, 'messages': None, 'checksum': None},
                       {'name': 'Release', 'disabled': False, 'messages': None, 'checksum': None}]
    assert transport.calls[1] == [('Get-CsPersistentChatRoom', {'PersistentChatPoolFqdn': 'pcpool.contoso.com',
                                                                'ResultSize': 2147483647}), JSON]
