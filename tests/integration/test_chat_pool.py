# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_pool and chat_pool_info through PowerShell remoting against the Lync emulator; every change is checked in
`lab inspect` (the lab store), every check-mode run against a fingerprint of the whole lab."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

LEGACY, LEGACY_2007R2 = 'gc.contoso.com', 'gc2.contoso.com'
TARGET, TARGET_2 = 'pcpool.contoso.com', 'pcpool2.contoso.com'
OCS_POWERSHELL = {'PCHAT_PSRP_PATH': 'OcsPowershell'}
# What the lab's inventory says about the legacy pools (inventories/lab/hosts.yml): the compliance servers, and the
# OCS 2007 R2 pool's servers (it is not in the Lync topology).
LEGACY_POOLS = [{'fqdn': LEGACY, 'compliance_servers': ['gccomp01.contoso.com']},
                {'fqdn': LEGACY_2007R2, 'servers': ['gc2-01.contoso.com'],
                 'compliance_servers': ['gc2comp01.contoso.com']}]


def pool_task(run, fqdn, state, check_mode=False, **extra):
    result = run('chat_pool', dict(fqdn=fqdn, state=state, **extra), check_mode=check_mode, diff=True)
    assert not result.failed, result
    return result


def converge(run, observer, fqdn, state, **extra):
    """chat_pool in check mode (nothing changes, the same actions are announced), for real, then again (no
    change); returns the real run."""
    before = observer.fingerprint()
    preview = pool_task(run, fqdn, state, check_mode=True, **extra)
    assert observer.fingerprint() == before
    assert not preview.requests.changing()
    real = pool_task(run, fqdn, state, **extra)
    assert real.changed and real['actions'] == preview['actions']
    assert real['diff'] == preview['diff'] and real['diff']['after'] == {'state': state}
    again = pool_task(run, fqdn, state, **extra)
    assert not again.changed and again['actions'] == [] and not again.requests.changing()
    return real


def test_info_tells_every_kind_and_matches_the_lab(run, clean_lab):
    observer = clean_lab
    result = run('chat_pool_info', {'fqdns': [LEGACY, LEGACY_2007R2, TARGET, TARGET_2], 'legacy_pools': LEGACY_POOLS})
    assert not result.failed and not result.changed, result
    pools = result['pools']
    assert [p['kind'] for p in pools] == ['group_chat_2010', 'group_chat_2007r2', 'persistent_chat_2013',
                                          'persistent_chat_2013']
    truth = dict((p['fqdn'], p) for p in observer.inspect()['pools'])
    for pool in pools:
        assert (pool['state'], pool['pool_state']) == (truth[pool['fqdn']]['state'], truth[pool['fqdn']]['pool_state'])
        read = dict(((s['fqdn'], v['name']), (v['status'], v['start_mode'])) for s in pool['servers']
                    for v in s['services'] if v['name'] != 'W3SVC')  # IIS: checked in test_platform_topology.py
        lab_services = observer.services(pool['fqdn'], compliance=True)
        if pool['kind'] == 'persistent_chat_2013':  # Get-CsWindowsService tells no start mode
            lab_services = dict((key, (status, None)) for key, (status, _mode) in lab_services.items())
        assert read == lab_services
    assert pools[0]['counts'] == {'categories': None, 'rooms': None, 'members': None, 'messages': None}
    assert pools[2]['counts'] == {'categories': 0, 'rooms': 0, 'members': 0, 'messages': None}
    # every server of the Persistent Chat pool is listed, the standby one too (only the active ones decide)
    assert [(s['fqdn'], s['active']) for s in pools[2]['servers']] == [
        ('pc01.contoso.com', True), ('pc02.contoso.com', True), ('pc03.contoso.com', False)]


def test_info_reads_each_listing_once(run, clean_lab):
    result = run('chat_pool_info', {'fqdns': [LEGACY, TARGET]})
    assert not result.failed, result
    reads = dict(result.requests.per_cmdlet())
    assert reads == {'Import-Module': 1, 'Get-CsService': 1, 'Get-CsTrustedApplicationPool': 1,
                     'Get-CsTrustedApplicationComputer': 1, 'Get-WmiObject': 2, 'Get-CsWindowsService': 3,
                     'Get-CsPersistentChatState': 1, 'Get-CsPersistentChatRoom': 1, 'Get-CsPersistentChatCategory': 1}
    assert result['pipelines'] == len(result.requests.pipelines)


def test_legacy_pool_disabled_stopped_started_on_every_server(run, clean_lab):
    observer = clean_lab
    managed = {'legacy_pools': LEGACY_POOLS[:1]}
    others = observer.services(LEGACY, chat_only=False, compliance=True)
    group_chat = observer.services(LEGACY, compliance=True)  # Lookup and Channel on gc01 and gc02, Compliance
    assert len(group_chat) == 5 and set(group_chat.values()) == {('running', 'automatic')}
    iis = [('gc01.contoso.com', 'W3SVC'), ('gc02.contoso.com', 'W3SVC')]  # hosts the Group Chat Web service

    disabled = converge(run, observer, LEGACY, 'disabled', kind='legacy', **managed)
    assert set(observer.services(LEGACY, compliance=True).values()) == {('stopped', 'disabled')}
    assert [others_now for key, others_now in observer.services(LEGACY, chat_only=False).items() if key in iis] == \
        [('stopped', 'disabled')] * 2
    assert observer.pool(LEGACY)['state'] == 'disabled' and disabled['pool']['state'] == 'disabled'
    assert disabled['changed_servers'] == ['gc01.contoso.com', 'gc02.contoso.com', 'gccomp01.contoso.com']
    # Windows service control by name, found by display name: one Set-Service per Group Chat service and IIS
    assert disabled.requests.count('Set-Service', with_='StartupType') == 7
    assert disabled.requests.count('Stop-CsWindowsService') == 0
    assert disabled['actions'][-1].startswith('stop LyncGroupChatCompliance on gccomp01.contoso.com')  # last
    unchanged = dict((key, value) for key, value in observer.services(LEGACY, chat_only=False, compliance=True).items()
                     if key not in group_chat and key not in iis)
    assert unchanged == dict((key, value) for key, value in others.items() if key not in group_chat and key not in iis)

    started = converge(run, observer, LEGACY, 'started', **managed)  # the rollback: disabled becomes automatic first
    assert started['actions'][0].startswith('start LyncGroupChatCompliance on gccomp01.contoso.com')  # first
    assert set(observer.services(LEGACY, compliance=True).values()) == {('running', 'automatic')}
    assert observer.pool(LEGACY)['state'] == 'started'
    converge(run, observer, LEGACY, 'stopped', **managed)  # stopped, not kept from starting
    assert set(observer.services(LEGACY, compliance=True).values()) == {('stopped', 'automatic')}


def test_persistent_chat_pool_started_on_all_servers_then_stopped(run, clean_lab):
    observer = clean_lab
    chat = observer.services(TARGET)
    assert sorted(set(name for _server, name in chat)) == ['RTCPCHAT', 'RTCPCHATCOMP']  # not the cited RTCCHAT
    others = dict((k, v) for k, v in observer.services(TARGET, chat_only=False).items() if k not in chat)

    started = converge(run, observer, TARGET, 'started', kind='persistent_chat_2013')
    assert set(observer.services(TARGET).values()) == {('running', 'automatic')}  # pc03 (standby) too
    assert started['changed_servers'] == ['pc01.contoso.com', 'pc02.contoso.com', 'pc03.contoso.com']
    assert started.requests.count('Start-CsWindowsService') == 6
    assert observer.pool(TARGET)['state'] == 'started' and observer.pool(TARGET)['pool_state'] == 'Normal'

    stopped = converge(run, observer, TARGET, 'stopped')
    assert set(status for status, _mode in observer.services(TARGET).values()) == {'stopped'}
    assert stopped.requests.count('Stop-CsWindowsService') == 6
    assert observer.pool(TARGET)['state'] == 'stopped'
    after = dict((k, v) for k, v in observer.services(TARGET, chat_only=False).items() if k not in chat)
    assert after == others  # RTCCLSAGT, RTCREPLICA, WinRM, W32Time untouched


def test_a_failed_over_pool_is_not_started_and_its_state_not_toggled(run, clean_lab):
    observer = clean_lab
    _output, errors = observer.lync('Set-CsPersistentChatState', Identity='PersistentChatServer:%s' % TARGET,
                                    PoolState='FailedOver', Confirm=False)
    assert not errors
    before = observer.fingerprint()
    info = run('chat_pool_info', {'fqdns': [TARGET]})
    assert info['pools'][0]['pool_state'] == 'FailedOver'
    refused = run('chat_pool', {'fqdn': TARGET, 'state': 'started'})
    assert refused.failed
    assert 'FailedOver' in refused['msg'] and 'Set-CsPersistentChatState' in refused['msg']
    assert not refused.requests.changing()
    assert observer.fingerprint() == before
    assert observer.pool(TARGET)['pool_state'] == 'FailedOver'
    # stopping is allowed in a fail-over (only starting needs pool state Normal); it changes nothing here
    assert not pool_task(run, TARGET, 'stopped').changed


@pytest.mark.parametrize('fqdn, args, words', [
    (LEGACY, {'state': 'stopped', 'kind': 'persistent_chat_2013'},
     ['pool gc.contoso.com is a group_chat_2010 pool, not persistent_chat_2013', 'nothing was changed']),
    (TARGET, {'state': 'stopped', 'kind': 'legacy'}, ['is a persistent_chat_2013 pool, not legacy']),
    (LEGACY_2007R2, {'state': 'disabled', 'kind': 'group_chat_2010', 'legacy_pools': LEGACY_POOLS},
     ['is a group_chat_2007r2 pool']),
    (TARGET, {'state': 'disabled'}, ['a Persistent Chat pool is started or stopped, not disabled']),
    ('nosuchpool.contoso.com', {'state': 'stopped'}, ['pool nosuchpool.contoso.com was not found', 'check fqdn']),
    ('not a pool!', {'state': 'stopped'}, ['fqdn']),
])
def test_bad_input_fails_clearly_and_changes_nothing(run, clean_lab, fqdn, args, words):
    observer = clean_lab
    before = observer.fingerprint()
    result = run('chat_pool', dict(fqdn=fqdn, **args))
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert not result.requests.changing()
    assert observer.fingerprint() == before


def test_a_malformed_fqdn_fails_before_connecting(run):
    result = run('chat_pool', {'fqdn': 'gc.contoso.com; Stop-Computer', 'state': 'stopped'})
    assert result.failed and 'fqdn' in result['msg']
    assert result.requests.lines == []


def test_legacy_pool_through_ocspowershell_reads_unknown_and_needs_wsman_to_change(run, clean_lab):
    observer = clean_lab
    before = observer.fingerprint()
    info = run('chat_pool_info', {'fqdns': [LEGACY, TARGET]}, env=OCS_POWERSHELL)
    assert not info.failed, info
    legacy, target = info['pools']
    assert legacy['state'] == 'unknown' and set(s['state'] for s in legacy['servers']) == {'unknown'}
    assert target['state'] == 'stopped'  # a Persistent Chat pool reads fine on Lync's own endpoint
    assert set(line['path'] for line in info.requests.lines) == {'/OcsPowershell'}
    assert info.requests.count('Import-Module') == 0 and info.requests.count('Get-WmiObject') == 0

    refused = run('chat_pool', {'fqdn': LEGACY, 'state': 'disabled'}, env=OCS_POWERSHELL)
    assert refused.failed
    assert 'set psrp_path to wsman' in refused['msg'] and 'Nothing was changed' in refused['msg']
    assert not refused.requests.changing()
    assert observer.fingerprint() == before
