# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input through the real path (issue 13 item 5): the Lync emulator answering with malformed or unexpected
objects, errors, huge outputs, a refused -WhatIf, a connection it drops; wrong connection settings; wrong role
variables. Each case must fail with a message that names the object and the fix, and change nothing: the whole
lab's fingerprint (tests/state_snapshot.py: every directory object's uSNChanged, lab inspect's view of the store)
is the same after the case as before it, and the request log holds no changing cmdlet but the one the case refuses
(sent, then failed or never run).

Modules are run directly (tests/module_runner.py, as Ansible runs them) where the case is about what the front end
answers; the cutover playbook where it is about role variables."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import json
import os
import shutil
import sys

import pytest

from support import TESTS, UNIT, Run

sys.path.insert(0, TESTS)
from module_runner import run_module  # noqa: E402 pylint: disable=wrong-import-position

Case = collections.namedtuple('Case', 'name module args knobs words sent')
PROBE_SIP = 'sip:reliability-probe@contoso.com'  # owned by nobody: legacy_endpoint would create it
FRESH = '<a record in a new folder>'
ACCEPTED = ['category_flattened', 'room_renamed', 'root_managers', 'invitations_off', 'federated_user']
MIGRATION = {'source_pool': UNIT.legacy, 'target_pool': UNIT.target, 'source_db_instance': 'gcsql.contoso.com\\groupchat',
             'source_db_name': 'GroupChat', 'accept_warnings': ACCEPTED}
PC_POOL_INFO = ('chat_pool_info', {'fqdns': [UNIT.target]})
LEGACY_INFO = ('chat_pool_info', {'fqdns': [UNIT.legacy]})
DISABLE = ('chat_pool', {'fqdn': UNIT.legacy, 'state': 'disabled', 'kind': 'legacy'})
START = ('chat_pool', {'fqdn': UNIT.target, 'state': 'started', 'kind': 'persistent_chat_2013'})
ENDPOINT_INFO = ('legacy_endpoint_info', {'sip_address': 'sip:PersistentChatService-pcpool@contoso.com'})
NEW_ENDPOINT = ('legacy_endpoint', {'sip_address': PROBE_SIP, 'pool_fqdn': UNIT.target, 'directory_wait': 10})
MIGRATION_INFO = ('chat_migration_info', MIGRATION)
EXPORT_DIR = 'C:\\PchatMigration'
CHECK = ('chat_migration', dict(MIGRATION, steps=['check'], export_dir=EXPORT_DIR))
IMPORT = ('chat_migration', dict(MIGRATION, steps=['import'], export_dir=EXPORT_DIR))


def fault(cmdlet, kind, **rule):
    return {'faults': [dict(rule, cmdlet=cmdlet, kind=kind)]}


def drop(cmdlet):
    return {'drop': [{'cmdlet': cmdlet, 'when': 'before', 'times': 1}]}


def case(name, target, knobs, words, sent=(), **args):
    module, module_args = target
    return Case(name, module, dict(module_args, **args), knobs, words, sent)


LOST = 'lost the connection while %s'
CASES = [
    # malformed or unexpected objects
    case('Persistent Chat service without PoolFqdn', PC_POOL_INFO, fault('Get-CsService', 'malformed', drop=['PoolFqdn']),
         ['Persistent Chat service', 'no PoolFqdn property', 'Lync Server 2013 front end']),
    case('trusted application computer without Identity', LEGACY_INFO,
         fault('Get-CsTrustedApplicationComputer', 'malformed', drop=['Identity']),
         ['trusted application computer', 'no Identity property']),
    case('Group Chat service without StartMode (disable)', DISABLE, fault('Get-WmiObject', 'malformed', drop=['StartMode']),
         ['gc01.contoso.com', 'LyncGroupChatChannel', 'StartMode', 'keep the pool from starting', 'nothing was changed']),
    case('Group Chat service without State (disable)', DISABLE, fault('Get-WmiObject', 'malformed', drop=['State']),
         ['gc01.contoso.com', 'LyncGroupChatChannel', 'cannot judge', 'nothing was changed']),
    case('WMI objects half missing, wrong types', LEGACY_INFO, fault('Get-WmiObject', 'malformed'),
         ['gc01.contoso.com', 'StartMode', 'Check WMI on gc01.contoso.com']),
    case('Lync service without RoleName (start)', START, fault('Get-CsWindowsService', 'malformed', drop=['RoleName']),
         ['pc01.contoso.com', 'RoleName', 'nothing was changed']),
    case('Lync service status as a bare number (start)', START, fault('Get-CsWindowsService', 'malformed', drop=[]),
         ['pc01.contoso.com', 'RTCPCHAT', "status '1'", 'cannot judge', 'nothing was changed']),
    case('Lync service without Status (start)', START, fault('Get-CsWindowsService', 'malformed', drop=['Status']),
         ['RTCPCHAT', 'cannot judge']),
    case('pool state without PoolState (start)', START, fault('Get-CsPersistentChatState', 'malformed', drop=['PoolState']),
         ['PersistentChatServer:%s' % UNIT.target, 'no PoolState', 'nothing was changed']),
    case('endpoint without SipAddress', ENDPOINT_INFO, fault('Get-CsPersistentChatEndpoint', 'malformed', drop=['SipAddress']),
         ['Persistent Chat endpoint', 'no SipAddress property']),
    # empty answers
    case('no Persistent Chat service in the topology', PC_POOL_INFO, fault('Get-CsService', 'empty'),
         [UNIT.target, 'neither a Persistent Chat pool nor a Group Chat trusted application pool', 'check the FQDN']),
    case('trusted pool without computers', LEGACY_INFO, fault('Get-CsTrustedApplicationComputer', 'empty'),
         [UNIT.legacy, 'has no computers']),
    case('no Group Chat service found on a server (disable)', DISABLE, fault('Get-WmiObject', 'empty'),
         ['gc01.contoso.com', 'not taken for stopped']),
    case('no pool state (start)', START, fault('Get-CsPersistentChatState', 'empty'),
         ['Get-CsPersistentChatState -Identity PersistentChatServer:%s returned nothing' % UNIT.target]),
    case('room directory export answers nothing', MIGRATION_INFO, fault('Export-CsPersistentChatData', 'empty'),
         ["-Level 'RoomDirectory' -AsBytes", 'returned 0 byte arrays']),
    # huge outputs that are not what was asked for
    case('5,000 strings where chat rooms are expected', PC_POOL_INFO, fault('Get-CsPersistentChatRoom', 'huge', count=5000),
         ['ChatRoomObject', 'chat room', 'does not read objects it does not know']),
    case('200 room directories where one is expected', MIGRATION_INFO, fault('Export-CsPersistentChatData', 'huge', count=200),
         ["-Level 'RoomDirectory' -AsBytes", 'returned 200 byte arrays']),
    # errors
    case('topology unreadable (terminating)', PC_POOL_INFO,
         fault('Get-CsService', 'terminating', message='The Central Management Store is being published.'),
         ['Get-CsService -PersistentChatServer failed', 'The Central Management Store is being published']),
    case('topology read with an error record', PC_POOL_INFO,
         fault('Get-CsService', 'error', message='Cannot reach the Central Management Store replica.'),
         ['Get-CsService -PersistentChatServer failed', 'Cannot reach the Central Management Store replica']),
    case('Lync module missing on the front end', LEGACY_INFO,
         fault('Import-Module', 'terminating', message='The specified module Lync was not loaded.'),
         ['Import-Module found neither Lync nor SkypeForBusiness', 'The specified module Lync was not loaded',
          'psrp_path=OcsPowershell']),
    case('front end AD view unreadable (recreate)', NEW_ENDPOINT,
         fault('Get-CsAdUser', 'terminating', message='The domain controller did not answer.'),
         ["Get-CsAdUser -Filter 'SipAddress -eq \"%s\"' failed" % PROBE_SIP.lower(),
          'The domain controller did not answer']),
    case('endpoint creation refused', NEW_ENDPOINT,
         fault('New-CsPersistentChatEndpoint', 'terminating', message='Insufficient access rights.'),
         ["New-CsPersistentChatEndpoint -SipAddress '%s'" % PROBE_SIP, 'Insufficient access rights'],
         sent=['New-CsPersistentChatEndpoint']),
    case('a Group Chat service change refused (disable)', DISABLE,
         fault('Set-Service', 'terminating', message='Access is denied.'),
         ["Set-Service -ComputerName 'gc01.contoso.com' -Name 'LyncGroupChatChannel'", 'Access is denied'],
         sent=['Set-Service']),
    case('a Persistent Chat service start refused', START,
         fault('Start-CsWindowsService', 'terminating', message='Service RTCPCHAT failed to start.'),
         ["Start-CsWindowsService -Name 'RTCPCHAT' -ComputerName 'pc01.contoso.com'", 'failed to start'],
         sent=['Start-CsWindowsService']),
    case('room directory export fails', MIGRATION_INFO,
         fault('Export-CsPersistentChatData', 'terminating', message='The database GroupChat is offline.'),
         ["Export-CsPersistentChatData -DBInstance 'gcsql.contoso.com\\groupchat'", 'The database GroupChat is offline']),
    # the -WhatIf gate, then the import
    case('-WhatIf import refused', CHECK,
         fault('Import-CsPersistentChatData', 'whatif-refused', message='This database version cannot be imported into.'),
         ['the -WhatIf import of', 'stops the migration (nothing was written)', 'cannot be imported into',
          'Fix what each error names']),
    case('-WhatIf import warns of something unknown', CHECK,
         fault('Import-CsPersistentChatData', 'warning', message='Chat room "Budget" uses an add-in the pool lacks.'),
         ['1 warning(s) of kind unrecognised not accepted', 'Budget', 'pchat_migration_accept_warnings: [unrecognised]']),
    case('-WhatIf import reports an error', CHECK,
         fault('Import-CsPersistentChatData', 'error', message='Principal "sip:ghost@contoso.com" could not be resolved.'),
         ['error: Principal "sip:ghost@contoso.com" could not be resolved', 'Fix what each error names']),
    case('import refused', IMPORT,
         fault('Import-CsPersistentChatData', 'terminating', message='The target database is read-only.'),
         ["Import-CsPersistentChatData -DBInstance 'pcsql.contoso.com\\pchat'", 'read-only', 'running the migrate phase again'],
         sent=['Import-CsPersistentChatData']),
    case('backup to a folder the front end lacks', ('chat_migration', dict(MIGRATION, steps=['backup'])), {},
         ["-FileName 'C:\\Nowhere\\", 'The folder C:\\Nowhere must exist', 'pchat_migration_export_dir'],
         sent=['Export-CsPersistentChatData'], export_dir='C:\\Nowhere', record_file=FRESH),
    case('migration record folder unusable', MIGRATION_INFO, {},
         ['cannot write the migration record /etc/hostname/x/migration.json', 'pchat_state_dir'],
         record_file='/etc/hostname/x/migration.json'),
    # the endpoint drops the connection
    case('connection dropped before a topology read', PC_POOL_INFO, drop('Get-CsService'),
         [LOST % 'Get-CsService -PersistentChatServer', 'whether the cmdlet ran there is unknown', 'run the task again']),
    case('connection dropped before the endpoint is created', NEW_ENDPOINT, drop('New-CsPersistentChatEndpoint'),
         [LOST % ("New-CsPersistentChatEndpoint -SipAddress '%s'" % PROBE_SIP), 'run the task again'],
         sent=['New-CsPersistentChatEndpoint']),
    case('connection dropped before the import', IMPORT, drop('Import-CsPersistentChatData'),
         [LOST % "Import-CsPersistentChatData -DBInstance 'pcsql.contoso.com\\pchat'", 'run the task again'],
         sent=['Import-CsPersistentChatData']),
    # wrong connection settings
    case('wrong front-end password', PC_POOL_INFO, {},
         ["authentication as 'CONTOSO\\\\lyncadmin' with psrp_auth=negotiate was refused", 'psrp_password'],
         psrp_password='Not-the-password-42'),
    case('a front-end path that is neither wsman nor OcsPowershell', PC_POOL_INFO, {},
         ['value of psrp_path must be one of: wsman, OcsPowershell', 'Nowhere'], psrp_path='Nowhere'),
    case('a front-end port nothing listens on', PC_POOL_INFO, {}, [':1/wsman failed', 'check psrp_host, psrp_port'],
         psrp_port=1),
    case('front-end certificate from another CA', PC_POOL_INFO, {}, ['did not validate', 'psrp_ca_file'],
         psrp_ca_file='/etc/ssl/certs/ca-certificates.crt'),
]

# Huge outputs that only repeat what was asked for: read as the one answer they repeat.
COPES = [
    ('3,000 copies of the Persistent Chat service', PC_POOL_INFO, fault('Get-CsService', 'huge', count=3000)),
    ('2,000 copies of one endpoint', ENDPOINT_INFO, fault('Get-CsPersistentChatEndpoint', 'huge', count=2000)),
    ('300 copies of a Lync service', PC_POOL_INFO, fault('Get-CsWindowsService', 'huge', count=300)),
]


class Baseline(object):
    """The seeded lab with a migration prepared up to its recorded -WhatIf check (for the gate and import cases),
    and its fingerprint; taken again after a case that changed the lab, so one failure does not hide the next."""

    def __init__(self, lab, folder):
        self.lab = lab
        self.record = os.path.join(folder, 'migration.json')
        self.folder = folder
        self.take()

    def take(self):
        self.lab.reset()
        prepared = run_module('chat_migration', dict(MIGRATION, steps=['backup', 'export', 'check'], force=True,
                                                     export_dir=EXPORT_DIR, record_file=self.record),
                              env=self.lab.connection)
        assert not prepared.failed, prepared
        with open(self.record) as handle:
            self.record_text = handle.read()
        self.fingerprint = self.lab.snapshot()

    def with_record(self, module, args):
        """A migration module's arguments with its record_file: a copy of the prepared record (a case may write it),
        a record in a new folder for FRESH, or the one the case names; for the check step, without its recorded pass."""
        if not module.startswith('chat_migration'):
            return args
        wanted = args.get('record_file')
        if wanted and wanted != FRESH:
            return args
        path = os.path.join(self.folder, 'fresh' if wanted == FRESH else 'copy', 'migration.json')
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
        os.makedirs(os.path.dirname(path))
        if wanted != FRESH:
            record = json.loads(self.record_text)
            if 'check' in args.get('steps', ()):
                del record['steps']['check']  # the -WhatIf gate runs again
            with open(path, 'w') as handle:
                json.dump(record, handle)
        return dict(args, record_file=path)


@pytest.fixture(scope='module')
def baseline(lab, tmp_path_factory):
    return Baseline(lab, str(tmp_path_factory.mktemp('bad-input')))


def run_case(lab, module, args, knobs):
    lab.knobs.reset()
    lab.knobs.update(**knobs)
    lab.mark_logs()
    try:
        return run_module(module, args, env=lab.connection)
    finally:
        lab.knobs.reset()


def assert_unchanged(lab, baseline, sent=()):
    changed = lab.snapshot() != baseline.fingerprint
    sent_changes = lab.changing_cmdlets()
    if changed:
        baseline.take()
    assert not changed, 'the lab changed'
    assert set(sent_changes) <= set(sent), sent_changes


def test_the_table_has_thirty_cases_or_more():
    assert len(CASES) + len(COPES) >= 30


@pytest.mark.parametrize('bad', CASES, ids=[c.name for c in CASES])
def test_bad_answer_is_a_clear_error_and_changes_nothing(lab, baseline, bad):
    result = run_case(lab, bad.module, baseline.with_record(bad.module, bad.args), bad.knobs)
    assert result.failed, result
    message = ' '.join(result['msg'].split())
    missing = [word for word in bad.words if word not in message]
    assert not missing, 'missing %s in: %s' % (missing, message)
    assert not [s for s in lab.secrets + ['Not-the-password-42'] if s in result.stdout + result.stderr]
    assert_unchanged(lab, baseline, bad.sent)


@pytest.mark.parametrize('name, target, knobs', COPES, ids=[c[0] for c in COPES])
def test_repeated_huge_output_is_read_as_the_one_answer(lab, baseline, name, target, knobs):
    module, args = target
    plain = run_case(lab, module, args, {})
    huge = run_case(lab, module, args, knobs)
    assert not huge.failed, huge
    for key in ('pools', 'endpoint', 'endpoints'):
        assert huge.get(key) == plain.get(key), key
    assert_unchanged(lab, baseline)


# -- wrong role variables, through the cutover playbook --------------------------------------------------------------
ROLE_CASES = [
    ('a legacy pool as the target', {'pchat_target_pool': 'gc.contoso.com'},
     ['the cutover of gc.contoso.com cannot start', 'gc.contoso.com is a group_chat_2010 pool',
      'not a Lync Server 2013 Persistent Chat pool']),
    ('an OCS 2007 R2 pool without its servers', {'pchat_legacy_pool': 'gc2.contoso.com'},
     ['pool gc2.contoso.com was not found', 'not in the Lync topology', 'pchat_legacy_servers']),
    ('SIP URI without sip:', {'pchat_sip_address': 'OCSChat@contoso.com'},
     ["'OCSChat@contoso.com' lacks the 'sip:' prefix", "write it as 'sip:OCSChat@contoso.com'"]),
    ('Group Chat database instance that does not exist', {'pchat_migration_source_db_instance': 'nosql.contoso.com\\gc'},
     ["-DBInstance 'nosql.contoso.com\\gc'", 'Verify that the instance name is correct']),
    ('front end path without Windows service control', {'pchat_psrp_path': 'OcsPowershell'},
     ['disabling gc.contoso.com needs Windows service control', 'set pchat_psrp_path to wsman']),
    ('a state folder that is a file', {'pchat_state_dir': '/etc/hostname'},
     ['cannot write the migration record /etc/hostname/gc.contoso.com/migration.json', 'Check pchat_state_dir']),
    ('directory wait that is not a number', {'pchat_directory_wait': 'soon'},
     ["argument 'pchat_directory_wait' is of type str", 'cannot be converted to an int']),
]


@pytest.mark.parametrize('extra, words', [c[1:] for c in ROLE_CASES], ids=[c[0] for c in ROLE_CASES])
def test_wrong_role_variable_stops_the_cutover_before_any_change(lab, baseline, extra, words):
    lab.mark_logs()
    run = Run(lab, extra_vars=extra).start()
    assert run.finish() != 0
    message = ' '.join(run.output.split())
    missing = [word for word in words if word not in message]
    assert not missing, 'missing %s in: %s' % (missing, run.tail())
    assert 'TASK [pchat.cutover.disable' not in run.output
    assert not [s for s in lab.secrets if s in run.output]
    assert_unchanged(lab, baseline)


def test_missing_export_folder_is_found_by_the_rehearsal_before_the_disable(lab, baseline):
    """No Lync cmdlet can test a folder on the front end without writing; preflight's rehearsal exports to the folder
    while the legacy pool still runs, so a wrong pchat_migration_export_dir is a blocker before anything changes (it
    used to be found by the migrate phase's backup, after the disable). The run fails naming the folder and the fix."""
    before = lab.inspect()
    lab.mark_logs()
    run = Run(lab, extra_vars={'pchat_migration_export_dir': 'C:\\Nowhere'}).start()
    assert run.finish() != 0
    message = ' '.join(run.output.split())
    assert 'The folder C:\\Nowhere must exist on' in message and 'pchat_migration_export_dir' in message, run.tail()
    assert 'the cutover of gc.contoso.com cannot start' in message and 'the rehearsal could not export' in message
    assert 'TASK [pchat.cutover.disable' not in run.output
    assert 'Set-Service' not in lab.changing_cmdlets()
    after = lab.inspect()
    assert after['pools'] == before['pools'] and after['endpoints'] == before['endpoints']
    assert lab.owners(UNIT.sip) and 'user' in lab.owners(UNIT.sip)[0][1]
    baseline.take()
