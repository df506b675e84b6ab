# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 18 on the real path (module -> psrp -> emulator -> Samba): what the product does where Microsoft's public
sources are silent or say otherwise than the lab first guessed.

* The export: with the emulator's ``export_layout`` knob at ``other`` the undocumented parts of the export are named
  otherwise, as a real export may; what the cutover can still count on is what Microsoft's PChat2Teams sample reads.
  The prediction says what it could not predict and invents no blocker; the import is still compared with what the
  cmdlets list.
* The members' Persistent Chat policies (Get-CsPersistentChatPolicy, Get-CsUser's PersistentChatPolicy): warned
  with counts and names, a blocker when nobody could use the pool, in a bounded number of pipelines.
* Decisions on an error's identity: with the ``error_identity`` knob at ``other`` the errors Microsoft documents no
  identity for get another one; "absent" and "the export file is gone" are still told right."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from test_chat_migration import SOURCE, TARGET, Migration, expected_rooms, outcomes, target_rooms

LAB_POLICY = 'tag:PersistentChatUsers'


@pytest.fixture
def migration(run, clean_lab, tmp_path):
    assert clean_lab.set_chat_services(SOURCE, 'Stopped', 'Disabled') == 7
    return Migration(run, str(tmp_path / 'state' / SOURCE / 'migration.json'))


# -- the export: fail soft -----------------------------------------------------------------------------------------
def test_an_export_showing_only_what_microsoft_documents_is_predicted_as_far_as_it_goes(migration, observer):
    full = migration.info()
    assert not full.failed and full['not_predicted'] == [] and full['preview']['counts']['categories'] == 4, full
    observer.knobs(export_layout='other')
    info = migration.info()
    assert not info.failed, info
    assert info['blockers'] == []  # nothing invented from a part or an attribute the export does not have
    said = ' '.join(info['not_predicted'])
    for part in ('categories after the import', 'which category a room is in', 'by UPN only',
                 'principals not provisioned', 'disabled rooms the export left out'):
        assert part in said, part
    counts = info['preview']['counts']
    assert counts['categories'] is None and counts['disabled_rooms_left_out'] is None
    assert counts['rooms'] == full['preview']['counts']['rooms'] == 18
    assert info['preview']['warning_kinds'] == {}  # the conversions need the categories: not predicted, not guessed
    # the members are still checked, by their UPN (what the export shows)
    assert info['member_policies']['checked'] == full['member_policies']['checked'] > 0


def test_the_import_of_such_an_export_is_compared_with_what_the_cmdlets_list(migration, observer):
    observer.knobs(export_layout='other')
    expected = expected_rooms(observer.pool(SOURCE))
    real = migration.migrate()
    assert not real.failed and outcomes(real)['import'] is True, real
    assert target_rooms(observer) == expected  # the lab's import read its own file whole
    info = migration.info()
    assert info['status'] == 'done', info
    compared = info['comparison']
    assert compared['matches'] is True and compared['summary'].startswith('4 categories (not predicted)')
    assert any('found by the name they were exported with' in text for text in compared['not_compared'])
    assert any('members of 18 rooms' in text for text in compared['not_compared'])


def test_a_room_missing_after_such_an_import_is_still_found_missing(migration, observer):
    observer.knobs(export_layout='other')
    assert not migration.migrate().failed
    gone = sorted(target_rooms(observer))[0]
    observer.store_execute('DELETE FROM messages WHERE room_id IN (SELECT id FROM rooms WHERE pool_fqdn = ? AND name '
                           '= ?)', TARGET, gone)
    observer.store_execute('DELETE FROM room_principals WHERE room_id IN (SELECT id FROM rooms WHERE pool_fqdn = ? AND '
                           'name = ?)', TARGET, gone)
    assert observer.store_execute('DELETE FROM rooms WHERE pool_fqdn = ? AND name = ?', TARGET, gone) == 1
    info = migration.info()
    assert info['status'] == 'incomplete' and info['comparison']['matches'] is False, info
    assert len(info['comparison']['missing_rooms']) == 1 and gone.endswith(info['comparison']['missing_rooms'][0])


# -- Persistent Chat policies ----------------------------------------------------------------------------------
def test_members_without_a_policy_are_named_and_counted_in_bounded_reads(migration, observer):
    info = migration.info()
    policies = info['member_policies']
    assert [p['identity'] for p in policies['policies']] == ['Global', LAB_POLICY]
    # the lab's policy is assigned to every lab user but every tenth (docs/lab.md): those are named
    without = [text.split(' ')[0] for text in policies['without']]
    assert without and all(int(sip[len('sip:labuser'):].split('@')[0]) % 10 == 0 for sip in without), without
    assert policies['enabled'] == policies['checked'] - len(without) and policies['blocker'] is None
    assert any('%d of the %d members' % (len(without), policies['checked']) in text for text in policies['warnings'])
    assert info.requests.count('Get-CsPersistentChatPolicy') == 1 and info.requests.count('Get-CsUser') == 1
    assert info.requests.count('Get-CsPool') == 0  # no site policy: no site read


def test_nobody_able_to_use_the_pool_is_a_blocker(migration, observer):
    observer.store_execute('UPDATE chat_policies SET enable_persistent_chat = 0 WHERE identity = ?', LAB_POLICY)
    policies = migration.info()['member_policies']
    assert policies['enabled'] == 0 and 'no Persistent Chat policy enables Persistent Chat' in policies['blocker']
    observer.store_execute('UPDATE chat_policies SET enable_persistent_chat = 1 WHERE identity = ?', LAB_POLICY)
    observer.store_execute("DELETE FROM user_policies")  # the policy exists, but nobody is assigned it
    policies = migration.info()['member_policies']
    assert policies['enabled'] == 0 and policies['blocker'].startswith('none of the %d members' % policies['checked'])


def test_a_site_policy_manages_users_without_a_per_user_one(migration, observer):
    observer.store_execute("INSERT INTO chat_policies VALUES ('site:Redmond', NULL, 1)")
    observer.store_execute("DELETE FROM user_policies")
    info = migration.info()
    policies = info['member_policies']
    # lab users are homed on lyncpool.contoso.com, in site Redmond (docs/lab.md): the site's policy manages them
    assert policies['enabled'] == policies['checked'] > 0 and not policies['without'], policies
    assert info.requests.count('Get-CsPool') >= 1  # the home pool's site is read from the topology
    observer.store_execute("UPDATE chat_policies SET enable_persistent_chat = 0 WHERE identity = 'site:Redmond'")
    policies = migration.info()['member_policies']
    assert policies['enabled'] == 0 and all(text.endswith('(site:Redmond)') for text in policies['without']), policies


# -- decisions on an error's identity --------------------------------------------------------------------------
def test_absent_objects_are_told_whatever_identity_their_errors_have(run, clean_lab, directory):
    clean_lab.knobs(error_identity='other')
    missing = run('chat_pool_info', {'fqdns': ['nopool.contoso.com']})
    assert missing.failed and 'pool nopool.contoso.com was not found' in missing['msg'], missing
    absent = run('legacy_endpoint_info', {'sip_address': 'sip:OCSChat@contoso.com'})
    assert not absent.failed and absent['endpoint'] is None, absent
    # the recreate waits for Lync's view of AD to forget the deleted user: a filter, not an identity's error
    directory.delete('CN=OCSChat,CN=Users,DC=contoso,DC=com')
    created = run('legacy_endpoint', {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': TARGET})
    assert not created.failed and created.changed, created
    assert clean_lab.endpoints('sip:OCSChat@contoso.com')
    sent = [(p['cmdlets'][0], p['parameters'][0]) for p in created.requests.pipelines]
    assert ('Get-CsAdUser', ['Filter']) in sent and ('Get-CsAdUser', ['Identity']) not in sent


def test_an_export_file_gone_from_the_front_end_is_seen_with_test_path(migration, observer):
    assert not migration.migrate(steps=['backup', 'export']).failed
    export_file = migration.record()['steps']['export']['file']
    os.unlink(observer.front_end_file(export_file))  # the folder was cleaned between two runs
    observer.knobs(error_identity='other')
    again = migration.migrate(steps=['check'])
    assert again.failed and 'is no longer on' in again['msg'] and 'run again to export' in again['msg'], again
    assert 'export' not in migration.record()['steps']
    sent = [(p['cmdlets'][0], p['parameters'][0]) for p in again.requests.pipelines]
    assert ('Test-Path', ['Path', 'PathType']) in sent
    rerun = migration.migrate(steps=['export', 'check'])
    assert not rerun.failed and outcomes(rerun) == {'export': True, 'check': True}, rerun
