# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollback killed inside each of its steps that changes something, then run again (issue 13 item 3).

Each test starts from a cut-over unit, made by the modules the cutover's phases run (disable, migrate, delete with
a backup, recreate, start: the state checked with tests/lab_checks.py as after a cutover), then starts
playbooks/rollback.yml, kills it where named (a hook line or an emulator hold, as in test_kill_points.py), shows
where it landed, and runs the rollback again: it must complete - the well-known user back as the only owner of the
SIP URI (the same object, its tombstone reanimated), no endpoint, the legacy pool started, the migrated data still
on the target exactly once, the backup kept. Not killed: finding the owner (a read; nothing to interrupt)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

from support import TESTS, UNIT, Run, assert_took_over, kill_at_hook

sys.path.insert(0, TESTS)
from module_runner import run_module  # noqa: E402 pylint: disable=wrong-import-position
from lab import topology  # noqa: E402 pylint: disable=wrong-import-position

LEASE_DN = 'CN=%s,CN=pchat.cutover' % UNIT.legacy
ACCEPTED = ['category_flattened', 'room_renamed', 'root_managers', 'invitations_off', 'federated_user']


@pytest.fixture
def cut_over(fresh_lab):
    """A cut-over unit, by the phase modules with the roles' arguments; returns the user's objectGUID."""
    lab = fresh_lab
    guid = lab.user_guid(UNIT.sip)
    unit_dir = lab.unit_dir(UNIT)
    steps = [
        ('chat_pool', {'fqdn': UNIT.legacy, 'state': 'disabled', 'kind': 'legacy', 'legacy_pools': [
            {'fqdn': UNIT.legacy, 'compliance_servers': [topology.COMPLIANCE_SERVERS[UNIT.legacy]]}]}),
        ('chat_migration', {'source_pool': UNIT.legacy, 'target_pool': UNIT.target, 'export_dir': 'C:\\PchatMigration',
                            'source_db_instance': 'gcsql.contoso.com\\groupchat', 'source_db_name': 'GroupChat',
                            'accept_warnings': ACCEPTED, 'record_file': os.path.join(unit_dir, 'migration.json')}),
        ('chat_files', {'source_pool': UNIT.legacy, 'target_pool': UNIT.target,
                        'source_dir': topology.LEGACY_FILE_REPOSITORIES[UNIT.legacy]}),
        ('directory_user', {'sip_address': UNIT.sip, 'state': 'absent', 'backup_dir': os.path.join(unit_dir, 'backups')}),
        ('legacy_endpoint', {'sip_address': UNIT.sip, 'pool_fqdn': UNIT.target, 'directory_wait': 60}),
        ('chat_pool', {'fqdn': UNIT.target, 'state': 'started', 'kind': 'persistent_chat_2013'}),
    ]
    for module, args in steps:
        result = run_module(module, args, env=lab.connection)
        assert not result.failed and result.changed, (module, result)
    lab.assert_cut_over(UNIT)
    lab.mark_logs()
    return guid


# -- the points: each starts a rollback, kills it there, and shows where it landed --------------------------------
def taking_the_lease(lab):
    """unit_lock paused right after its LDAP write took the lease, before it returns the lease's handle."""
    run, _line = kill_at_hook(lab, 'rollback', kind='ldap', ops=['add', 'modify'], dn=LEASE_DN)
    lease = lab.lease(UNIT)
    assert lease['pid'] == run.pid and 'worker' not in lease  # taken, and no module of the run has worked yet
    assert not run.reported("Take the unit's lease")
    assert len(lab.owners(UNIT.sip)) == 1 and 'contact' in lab.owners(UNIT.sip)[0][1]  # nothing else done
    return run


def removing_the_endpoint(lab):
    """legacy_endpoint paused right after sending Remove-CsPersistentChatEndpoint, before reading its answer."""
    run, _line = kill_at_hook(lab, 'rollback', kind='psrp', cmdlet='Remove-CsPersistentChatEndpoint')
    assert len(lab.pipelines('Remove-CsPersistentChatEndpoint')) == 1
    assert not run.reported('Remove the legacy endpoint')
    return run


def restoring_the_user(lab):
    """directory_user paused right after it reanimated the user's tombstone, before it puts back the attributes
    AD strips from a tombstone."""
    run, line = kill_at_hook(lab, 'rollback', kind='ldap', ops=['add', 'modify'], dn='OCSChat')
    assert 'DEL:' in line['target'], line  # the tombstone's DN: a reanimation
    assert lab.user_dn_exists('CN=OCSChat,CN=Users,DC=contoso,DC=com')
    assert not run.reported('Restore the well-known user')
    return run


def starting_the_legacy_pool(lab):
    """chat_pool paused right after sending the third Group Chat service change (Set-Service)."""
    run, _line = kill_at_hook(lab, 'rollback', kind='psrp', cmdlet='Set-Service', nth=3)
    assert len(lab.pipelines('Set-Service')) == 3
    assert lab.pool(UNIT.legacy)['state'] == 'partial'
    assert not run.reported('Start the legacy Group Chat pool again')
    return run


def releasing_the_lease(lab):
    """unit_lock paused right after its LDAP write released the lease, before it returns: all done but the run's
    end."""
    run, _line = kill_at_hook(lab, 'rollback', kind='ldap', ops=['modify'], dn=LEASE_DN, release=True)
    assert lab.lease(UNIT) is None
    assert run.reported('Start the legacy Group Chat pool again') and not run.reported('Release the unit')
    return run


POINTS = [taking_the_lease, removing_the_endpoint, restoring_the_user, starting_the_legacy_pool, releasing_the_lease]


@pytest.mark.parametrize('point', POINTS, ids=[p.__name__ for p in POINTS])
def test_rollback_killed_there_then_run_again_completes(fresh_lab, cut_over, point):
    killed = point(fresh_lab)
    again = Run(fresh_lab, 'rollback').succeed()
    if point is releasing_the_lease:
        assert again.takeover_warning() == ''
    else:
        assert_took_over(again, killed)
    fresh_lab.assert_rolled_back(UNIT, cut_over)
