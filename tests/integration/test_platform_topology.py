# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Lync topology does not say, on the real path (module -> pypsrp -> the emulator over HTTPS/NTLM ->
the lab's store, disks and Samba), each checked with the lab's own view (`lab inspect`, the files on disk):

* an OCS 2007 R2 Group Chat pool is not in the topology (Merge-CsLegacyTopology does not merge Group Chat): the
  inventory names its servers (legacy_pools), and it is read, disabled and started through Windows service control;
* the Group Chat compliance service runs on a computer of its own, named by the inventory: disabled after the Group
  Chat servers, started before them; the Web service is hosted by IIS: stopped with them, or left (web_service);
* the files uploaded to the legacy rooms are copied into the Persistent Chat file store (chat_files), idempotently,
  with a preview that changes nothing, and a manual step where the front end cannot copy them;
* a Skype for Business Server 2015 front end (module SkypeForBusiness) is driven like a Lync Server 2013 one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

import pytest

from lab import file_stores, topology

LEGACY, LEGACY_2007R2 = topology.LEGACY_POOL, topology.LEGACY_POOL_2
TARGET, TARGET_2 = topology.TARGET_POOL, topology.TARGET_POOL_2
R2 = {'fqdn': LEGACY_2007R2, 'servers': ['gc2-01.contoso.com'], 'compliance_servers': ['gc2comp01.contoso.com']}
REPOSITORY = topology.LEGACY_FILE_REPOSITORIES[LEGACY]
TARGET_FOLDER = '\\\\%s\\LyncShare\\1-PersistentChatServer-1' % topology.FILE_STORE
OCS_POWERSHELL = {'PCHAT_PSRP_PATH': 'OcsPowershell'}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ok(result):
    assert not result.failed, result.get('msg', result)
    return result


def services(observer, fqdn):
    """{(server, name): (status, start mode)} of a legacy pool's Group Chat servers (every service but WinRM and
    W32Time) and of its compliance server, from `lab inspect`."""
    pool = observer.pool(fqdn)
    return dict(((server['fqdn'], service['name']), (service['status'], service['start_mode']))
                for server in pool['servers'] + pool['compliance_servers'] for service in server['services']
                if service['name'] not in ('WinRM', 'W32Time'))


# -- OCS 2007 R2 Group Chat: outside the topology ---------------------------------------------------------------
def test_an_ocs_2007_r2_pool_is_refused_without_its_servers_and_named_fix(run, clean_lab):
    before = clean_lab.fingerprint()
    refused = run('chat_pool_info', {'fqdns': [LEGACY_2007R2]})
    assert refused.failed
    assert 'not in the Lync topology' in refused['msg'] and 'pchat_legacy_servers' in refused['msg']
    refused = run('chat_pool', {'fqdn': LEGACY_2007R2, 'state': 'disabled'})
    assert refused.failed and 'pchat_legacy_servers' in refused['msg'] and not refused.requests.changing()
    assert clean_lab.fingerprint() == before


def test_an_ocs_2007_r2_pool_named_by_the_inventory_is_read_disabled_and_started(run, clean_lab):
    observer = clean_lab
    info = ok(run('chat_pool_info', {'fqdns': [LEGACY_2007R2], 'legacy_pools': [R2]}))
    (pool,) = info['pools']
    assert (pool['kind'], pool['in_topology'], pool['state']) == ('group_chat_2007r2', False, 'started')
    assert [(s['fqdn'], s['role']) for s in pool['servers']] == [
        ('gc2-01.contoso.com', 'group_chat'), ('gc2comp01.contoso.com', 'compliance')]
    read = dict(((s['fqdn'], v['name']), (v['status'], v['start_mode'])) for s in pool['servers']
                for v in s['services'])
    assert read == services(observer, LEGACY_2007R2)  # IIS included: web_service stop manages it
    assert info.requests.count('Get-CsTrustedApplicationPool') == 1  # looked for, not found: no topology guess
    assert info.requests.count('Get-WmiObject') == 2

    before = observer.fingerprint()
    preview = ok(run('chat_pool', {'fqdn': LEGACY_2007R2, 'state': 'disabled', 'legacy_pools': [R2]},
                     check_mode=True))
    assert preview.changed and observer.fingerprint() == before and not preview.requests.changing()
    disabled = ok(run('chat_pool', {'fqdn': LEGACY_2007R2, 'state': 'disabled', 'kind': 'legacy',
                                    'legacy_pools': [R2]}))
    assert disabled['actions'] == preview['actions']
    assert disabled['actions'][-1].startswith('stop OcsGroupChatCompliance on gc2comp01.contoso.com')  # last
    assert set(services(observer, LEGACY_2007R2).values()) == {('stopped', 'disabled')}
    assert observer.pool(LEGACY_2007R2)['state'] == 'disabled'
    assert not ok(run('chat_pool', {'fqdn': LEGACY_2007R2, 'state': 'disabled', 'legacy_pools': [R2]})).changed
    started = ok(run('chat_pool', {'fqdn': LEGACY_2007R2, 'state': 'started', 'legacy_pools': [R2]}))
    assert started['actions'][0].startswith('start OcsGroupChatCompliance on gc2comp01.contoso.com')  # first
    assert set(services(observer, LEGACY_2007R2).values()) == {('running', 'automatic')}


def test_explicit_service_names_and_a_misspelt_one(run, clean_lab):
    named = dict(R2, service_names=['OcsGroupChatLookup', 'OcsGroupChatChannel', 'OcsGroupChatCompliance'])
    (pool,) = ok(run('chat_pool_info', {'fqdns': [LEGACY_2007R2], 'legacy_pools': [named]}))['pools']
    assert sorted(v['name'] for s in pool['servers'] for v in s['services']) == [
        'OcsGroupChatChannel', 'OcsGroupChatCompliance', 'OcsGroupChatLookup', 'W3SVC']
    before = clean_lab.fingerprint()
    typo = run('chat_pool', {'fqdn': LEGACY_2007R2, 'state': 'disabled',
                             'legacy_pools': [dict(named, service_names=['OcsGroupChatLookup', 'OcsGroupChatChanel',
                                                                         'OcsGroupChatCompliance'])]})
    assert typo.failed and 'OcsGroupChatChanel' in typo['msg'] and 'misspelt' in typo['msg']
    assert clean_lab.fingerprint() == before


def test_the_inventory_cannot_contradict_the_topology(run, clean_lab):
    before = clean_lab.fingerprint()
    wrong = run('chat_pool', {'fqdn': LEGACY, 'state': 'disabled',
                              'legacy_pools': [{'fqdn': LEGACY, 'servers': ['gc01.contoso.com']}]})
    assert wrong.failed and 'is in the Lync topology with the servers gc01.contoso.com, gc02.contoso.com' in wrong['msg']
    assert clean_lab.fingerprint() == before


def test_the_web_service_left_alone_is_said_so(run, clean_lab):
    observer = clean_lab
    leave = {'fqdn': LEGACY, 'compliance_servers': ['gccomp01.contoso.com'], 'web_service': 'leave'}
    disabled = ok(run('chat_pool', {'fqdn': LEGACY, 'state': 'disabled', 'legacy_pools': [leave]}))
    assert 'W3SVC was left as it is' in disabled['pool']['web_service']['summary']
    states = services(observer, LEGACY)
    assert states[('gc01.contoso.com', 'W3SVC')] == ('running', 'automatic')
    assert states[('gccomp01.contoso.com', 'LyncGroupChatCompliance')] == ('stopped', 'disabled')
    assert observer.pool(LEGACY)['state'] == 'disabled'  # every Group Chat service: Lookup, Channel, Compliance


def test_the_migration_finds_the_r2_pool_named_by_the_inventory(run, clean_lab, tmp_path):
    info = ok(run('chat_migration_info', {
        'source_pool': LEGACY_2007R2, 'target_pool': TARGET_2, 'legacy_pools': [R2],
        'source_db_instance': topology.db_instance(LEGACY_2007R2), 'source_db_name': topology.db_name(LEGACY_2007R2),
        'record_file': str(tmp_path / 'migration.json')}))
    assert info['status'] == 'not_started' and info['preview']['counts']


# -- uploaded files -------------------------------------------------------------------------------------------
def files_args(**extra):
    return dict({'source_pool': LEGACY, 'target_pool': TARGET, 'source_dir': REPOSITORY}, **extra)


def on_disk(observer, unc):
    root = file_stores.local_path(observer.lab_dir, unc)
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root).replace(os.sep, '\\')
            found[relative] = (os.path.getsize(path), int(os.path.getmtime(path)))
    return found


def test_uploaded_files_are_previewed_copied_once_and_checked(run, clean_lab):
    observer = clean_lab
    source = on_disk(observer, REPOSITORY)
    assert len(source) == 7 and on_disk(observer, TARGET_FOLDER) == {}
    before = observer.fingerprint()
    info = ok(run('chat_files_info', files_args()))
    assert (info['status'], info['target_dir'], info['target_from']) == ('to_copy', TARGET_FOLDER, 'topology')
    assert info['counts']['to_copy'] == 7 and info['counts']['to_copy_bytes'] == sum(s for s, _t in source.values())
    preview = ok(run('chat_files', files_args(), check_mode=True, diff=True))
    assert preview.changed and preview['status'] == 'to_copy' and preview['summary'].startswith('would copy 7 of 7')
    assert preview['diff'] == {'before': {'missing_files': 7}, 'after': {'missing_files': 0}}
    assert observer.fingerprint() == before and not preview.requests.changing()

    copied = ok(run('chat_files', files_args()))
    assert copied.changed and copied['status'] == 'copied' and copied['counts']['copied'] == 7
    assert on_disk(observer, TARGET_FOLDER) == source  # same names, sizes and last write times
    # the target folder made, one copy for the whole tree, the target listed again
    assert (copied.requests.count('New-Item'), copied.requests.count('Copy-Item'),
            copied.requests.count('Get-ChildItem')) == (1, 1, 3)
    again = ok(run('chat_files', files_args()))
    assert not again.changed and again['status'] == 'in_sync' and again['counts']['present'] == 7
    assert not again.requests.changing()


def test_only_what_is_missing_or_older_is_copied_and_newer_files_are_kept(run, clean_lab):
    observer = clean_lab
    ok(run('chat_files', files_args()))
    target = file_stores.local_path(observer.lab_dir, TARGET_FOLDER)
    os.unlink(os.path.join(target, 'Sales', 'contacts.csv'))
    older = os.path.join(target, 'readme.txt')
    with open(older, 'wb') as handle:
        handle.write(b'stale')
    os.utime(older, (1000000000, 1000000000))
    newer = os.path.join(target, 'Support', 'runbook.pdf')
    os.utime(newer, (2000000000, 2000000000))  # posted again on the new pool by a legacy client
    result = ok(run('chat_files', files_args()))
    assert result.changed and sorted(result['files'], key=str.lower) == ['readme.txt', 'Sales\\contacts.csv']
    assert result['newer_on_target'] == ['Support\\runbook.pdf'] and result['counts']['newer_on_target'] == 1
    assert result.requests.count('Copy-Item') == 2  # one per receiving folder: the root and Sales
    assert int(os.path.getmtime(newer)) == 2000000000
    source = on_disk(observer, REPOSITORY)
    assert on_disk(observer, TARGET_FOLDER)['readme.txt'] == source['readme.txt']


@pytest.mark.parametrize('args, env, why', [
    (files_args(), OCS_POWERSHELL, 'offers no file cmdlets'),
    (files_args(source_dir=None), None, 'pchat_legacy_file_store does not name it'),
    (files_args(source_dir='\\\\gc01.contoso.com\\NoSuchShare'), None, 'cannot be listed from the front end'),
], ids=['ocs-powershell', 'no-repository', 'unreachable-repository'])
def test_where_the_cutover_cannot_copy_it_says_the_manual_step_and_changes_nothing(run, clean_lab, args, env, why):
    before = clean_lab.fingerprint()
    result = ok(run('chat_files', dict((k, v) for k, v in args.items() if v is not None), env=env))
    assert not result.changed and result['status'] == 'manual_step'
    step = result['manual_step']
    assert why in step and TARGET_FOLDER in step and 'xcopy' in step and '/E /I /D /Y' in step
    assert result['target_dir'] == TARGET_FOLDER  # found through Get-CsService on either path
    assert clean_lab.fingerprint() == before and not result.requests.changing()


def test_a_target_folder_given_by_the_inventory_is_used(run, clean_lab):
    folder = '\\\\%s\\LyncShare\\Elsewhere' % topology.FILE_STORE
    result = ok(run('chat_files', files_args(target_dir=folder)))
    assert result['target_from'] == 'inventory' and result['counts']['copied'] == 7
    assert on_disk(clean_lab, folder) == on_disk(clean_lab, REPOSITORY)
    assert result.requests.count('Get-CsService') == 0  # nothing to discover


def test_files_copied_by_hand_are_taken_at_the_operators_word(run, clean_lab):
    result = ok(run('chat_files_info', files_args(copied_by_hand=True)))
    assert result['status'] == 'done_by_hand' and result.requests.pipelines == []


# -- Skype for Business Server 2015 ---------------------------------------------------------------------------
def lab_up(frontend):
    proc = subprocess.run([sys.executable, '-m', 'lab', 'up'], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, LAB_FRONTEND=frontend), check=False)
    assert proc.returncode == 0 and 'front end: ' in proc.stdout, proc.stdout + proc.stderr


def test_a_skype_for_business_server_2015_front_end_is_driven_through_its_module(run, clean_lab):
    lab_up('sfb2015')
    try:
        info = ok(run('chat_pool_info', {'fqdns': [TARGET, LEGACY]}))
        assert [p['kind'] for p in info['pools']] == ['persistent_chat_2013', 'group_chat_2010']
        assert info.requests.calls('Import-Module') == [['Name', 'PassThru']]
    finally:
        lab_up('lync2013')


def test_the_info_twin_reports_a_wrong_target_for_the_plan_and_the_module_refuses_it(run, clean_lab):
    before = clean_lab.fingerprint()
    info = ok(run('chat_files_info', files_args(target_pool=LEGACY)))
    assert info['status'] == 'unknown' and 'is not a Persistent Chat pool' in info['summary']
    refused = run('chat_files', files_args(target_pool=LEGACY))
    assert refused.failed and 'is not a Persistent Chat pool' in refused['msg']
    assert clean_lab.fingerprint() == before
