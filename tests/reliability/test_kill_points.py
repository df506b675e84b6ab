# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover killed inside each step, then run again (issue 13 item 3, issue 10 item 5).

Each kill is triggered by the run reaching the named point - the emulator's hold line of a cmdlet stopped inside
its work, the request log, or a hook line of the module paused right after an LDAP write - and lands while the run
is held there: the test then shows, from the lab's own view, that the step had started and not finished. The run
is killed as a controller crash kills it (SIGKILL to its process group and to Ansible's workers and modules, in a
session of its own). Then the cutover is run again and must complete: it takes the killed run's lease over with a
warning naming it, every room and message is on the target exactly once, the SIP URI has one owner (the legacy
endpoint), the backup exists (tests/lab_checks.py).

The import kill point is in test_concurrency.py (two other runs are refused while it is held there)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import pytest

from support import UNIT, Run, assert_took_over, kill_at_hook, kill_at_request, kill_when_held

DELETE = "Back up and delete the well-known user"
RECREATE = 'Recreate %s as a legacy endpoint' % UNIT.sip


# -- the points: each starts a cutover, kills it there, and shows where it landed ---------------------------------
def inside_disable(lab):
    """The third Group Chat service change (Set-Service, which the emulator cannot hold): the module paused right
    after sending it, before reading its answer."""
    run, line = kill_at_hook(lab, kind='psrp', cmdlet='Set-Service', nth=3)
    assert len(lab.pipelines('Set-Service')) == 3  # two answered, the third sent, none after
    assert lab.pool(UNIT.legacy)['state'] == 'partial'
    assert not run.reported('Disable the legacy Group Chat pool')
    return run


def inside_export(lab):
    """Export-CsPersistentChatData of the Group Chat database held after its 5th room; the three exports before it
    (preflight's room-directory prediction, preflight's rehearsal to a scratch file, the export step's prediction)
    pass the same point unheld."""
    run = kill_when_held(lab, 'Export-CsPersistentChatData', 'rooms:5', skip=3)
    held = lab.pipelines('Export-CsPersistentChatData')[-1]
    assert held['parameters'] == [['DBInstance', 'FileName', 'DBName']], held  # the export of the legacy database
    assert [f for f in lab.front_end_files('gc.contoso.com-export-*') if f.endswith('.zip.partial')]
    assert not [f for f in lab.front_end_files('gc.contoso.com-export-*') if f.endswith('.zip')]
    assert sorted(lab.record(UNIT)['steps']) == ['backup']  # the backup recorded, the export not
    return run


def between_migrate_steps(lab):
    """After the migrate phase's -WhatIf import passed and was recorded (its module closed its runspace pool),
    before the import task sends anything. The first -WhatIf import is preflight's rehearsal: the second is the gate."""
    def gate_runspace():
        whatifs = [line['runspace'] for line in lab.requests() if line.get('cmdlets') == ['Import-CsPersistentChatData']
                   and 'WhatIf' in (line.get('parameters') or [[]])[0]]
        return whatifs[1] if len(whatifs) > 1 else None

    def check_done(line):
        return line.get('event') == 'close' and line['runspace'] == gate_runspace()
    run, _line = kill_at_request(lab, 'the close of the -WhatIf import\'s pool', check_done)
    steps = lab.record(UNIT)['steps']
    assert steps['check']['done'] and 'import' not in steps, steps
    assert not lab.pipelines('Import-CsPersistentChatData', without_param='WhatIf')
    return run


def inside_delete(lab):
    """directory_user paused right after its LDAP delete of the user succeeded, before it returns."""
    run, line = kill_at_hook(lab, kind='ldap', ops=['delete'], dn='CN=OCSChat,CN=Users')
    assert line['target'].startswith('delete CN=OCSChat,CN=Users')
    assert lab.owners(UNIT.sip) == []  # deleted
    assert lab.backups(UNIT)  # the backup was written before the delete
    assert not run.reported(DELETE)
    return run


def between_delete_and_recreate(lab):
    """The delete done and reported; the recreate waiting for the front end's view of AD to forget the user
    (ad_replication_lag_s: its domain controller lags 15 s), so nothing is created yet."""
    lab.knobs.update(ad_replication_lag_s=15)
    run, _line = kill_at_request(lab, 'Get-CsAdUser', lambda line: line.get('cmdlets') == ['Get-CsAdUser'])
    assert run.reported(DELETE) and not run.reported(RECREATE)
    assert lab.owners(UNIT.sip) == [] and lab.backups(UNIT)
    assert not lab.pipelines('New-CsPersistentChatEndpoint')
    return run


def inside_recreate(lab):
    """New-CsPersistentChatEndpoint held after it wrote the contact to AD, before it answers."""
    run = kill_when_held(lab, 'New-CsPersistentChatEndpoint', 'contact-written')
    owners = lab.owners(UNIT.sip)
    assert len(owners) == 1 and 'contact' in owners[0][1], owners
    assert not run.reported(RECREATE)
    return run


def inside_start(lab):
    """Start-CsWindowsService held before RTCPCHAT starts on pc02 (pc01's two services already started)."""
    run = kill_when_held(lab, 'Start-CsWindowsService', 'service:RTCPCHAT', skip=1)
    assert len(lab.pipelines('Start-CsWindowsService')) == 3
    assert lab.pool(UNIT.target)['state'] == 'partial'
    assert not run.reported('Start the Persistent Chat pool')
    return run


POINTS = [inside_disable, inside_export, between_migrate_steps, inside_delete, between_delete_and_recreate,
          inside_recreate, inside_start]


@pytest.mark.parametrize('point', POINTS, ids=[p.__name__ for p in POINTS])
def test_killed_there_then_run_again_completes(fresh_lab, point):
    killed = point(fresh_lab)
    again = Run(fresh_lab).succeed()
    assert_took_over(again, killed)
    fresh_lab.assert_cut_over(UNIT)


def test_connection_dropped_during_the_import_then_run_again_completes(fresh_lab):
    """The front end drops the connection while Import-CsPersistentChatData runs (the import goes on there): the
    run fails naming the endpoint and what happened, releases its lease and writes its report; a re-run completes."""
    lab = fresh_lab
    run = Run(lab).start()

    def gate(line):  # the migrate phase's -WhatIf import: the second one, after preflight's rehearsal
        imports = [other for other in lab.requests() if other.get('cmdlets') == ['Import-CsPersistentChatData']]
        return len(imports) > 1 and line == imports[1]
    run.wait_request('the -WhatIf import of the gate', gate)
    lab.knobs.update(drop=[{'cmdlet': 'Import-CsPersistentChatData', 'when': 'during', 'times': 1}])
    assert run.finish() != 0
    assert 'drop knob: connection closed while Import-CsPersistentChatData runs' in lab.emulator_log_text()
    assert len(lab.pipelines('Import-CsPersistentChatData', without_param='WhatIf')) == 1
    message = ' '.join(run.output.split())
    assert ('migrate failed (Import, then compare the categories and rooms with the export, on %s)' % UNIT.target
            in message), run.tail()
    assert ("PowerShell remoting to https://%s:5986/wsman lost the connection while Import-CsPersistentChatData "
            "-DBInstance 'pcsql.contoso.com\\pchat' -FileName 'C:\\PchatMigration\\gc.contoso.com-export-"
            % lab.connection['PCHAT_PSRP_HOST']) in message, message[-1500:]
    assert 'whether the cmdlet ran there is unknown' in message and 'run the task again' in message
    assert lab.lease(UNIT) is None  # released by the role's always
    reports = glob.glob(os.path.join(lab.report_dir, '%s-*-run.md' % UNIT.host))
    assert len(reports) == 1 and '**FAILED in phase migrate**' in open(reports[0]).read(), reports
    assert lab.record(UNIT)['steps']['import']['done'] is False
    again = Run(lab).succeed()
    assert again.takeover_warning() == ''
    lab.assert_cut_over(UNIT)
