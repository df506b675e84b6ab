# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology as the cmdlets show it: pools, computers, sites, services and their databases, the trusted
application pools of legacy Group Chat and how the two legacy kinds are told apart; Persistent Chat state."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab import topology

PC = topology.TARGET_POOL
STATE = 'PersistentChatServer:' + PC


def by_identity(result):
    return dict((o['Identity'], o) for o in result.outputs)


def test_get_service_persistent_chat_server(ocs):
    services = by_identity(ocs.run('Get-CsService', PersistentChatServer=None))
    assert set(services) == {STATE, 'PersistentChatServer:' + topology.TARGET_POOL_2}
    service = services[STATE]
    assert service.type_names[0] == 'Microsoft.Rtc.Management.Xds.DisplayPersistentChatServer'
    assert service['PoolFqdn'] == PC and service['Role'] == 'PersistentChatServer'
    assert service['ActiveServers'] == ['pc01.contoso.com', 'pc02.contoso.com']
    assert service['InactiveServers'] == ['pc03.contoso.com']
    assert service['SiteId'] == topology.SITE_REDMOND and service['ServiceId'].startswith('1-PersistentChatServer-')


def test_a_persistent_chat_pool_leads_to_its_database(ocs):
    """PersistentChatServer.PersistentChatDatabase names the store; the store names SQL server and instance:
    together they are Export/Import's -DBInstance."""
    store_identity = by_identity(ocs.run('Get-CsService', PersistentChatServer=None))[STATE]['PersistentChatDatabase']
    store = ocs.run('Get-CsService', Identity=store_identity)
    assert store.ok and len(store.outputs) == 1
    db = store.outputs[0]
    assert db['Role'] == 'PersistentChatStore'
    assert '%s\\%s' % (db['PoolFqdn'], db['SqlInstanceName']) == topology.db_instance(PC)
    assert STATE in db['DependentServiceList']
    assert {o['Identity'] for o in ocs.run('Get-CsService', PersistentChatDatabase=None).outputs} == {
        'PersistentChatStore:pcsql.contoso.com', 'PersistentChatStore:pcsql2.contoso.com'}


def test_get_service_filters(ocs):
    assert {o['Role'] for o in ocs.run('Get-CsService', PoolFqdn=PC).outputs} == {'PersistentChatServer'}
    assert by_identity(ocs.run('Get-CsService', Filter='Registrar:*'))
    missing = ocs.run('Get-CsService', Identity='PersistentChatServer:nosuch.contoso.com')
    assert missing.outputs == [] and missing.errors[0].category == 'ObjectNotFound'
    assert ocs.run('Get-CsService', MonitoringServer=None).outputs == []


def test_get_pool_and_computers(ocs):
    pools = by_identity(ocs.run('Get-CsPool'))
    assert set(pools) >= {PC, topology.LEGACY_POOL, topology.FRONT_END_POOL}
    assert topology.LEGACY_POOL_2 not in pools  # OCS 2007 R2 Group Chat is not in the Lync topology
    assert [c.to_string for c in pools[PC]['Computers']] == ['pc01.contoso.com', 'pc02.contoso.com',
                                                             'pc03.contoso.com']
    assert pools[PC]['Services'] == [STATE]
    assert [o['Fqdn'] for o in ocs.run('Get-CsComputer', Pool=PC).outputs] == [
        'pc01.contoso.com', 'pc02.contoso.com', 'pc03.contoso.com']
    assert ocs.run('Get-CsPool', Site='BackCompatSite').outputs == []  # Group Chat is never merged into it


def test_legacy_group_chat_pools_are_trusted_application_pools(ocs):
    computers = ocs.run('Get-CsComputer', Pool=topology.LEGACY_POOL)
    assert computers.outputs == [] and computers.errors[0].error_id.startswith('PoolNotFound,')
    listed = ocs.run('Get-CsTrustedApplicationComputer', Pool=topology.LEGACY_POOL).outputs
    assert [o['Identity'] for o in listed] == ['gc01.contoso.com', 'gc02.contoso.com']
    assert listed[0].type_names[0] == 'Microsoft.Rtc.Management.Xds.DisplayComputer'
    applications = by_identity(ocs.run('Get-CsTrustedApplication'))
    assert applications['gc.contoso.com/urn:application:groupchat']['TrustedApplicationPoolFqdn'] == 'gc.contoso.com'
    assert ocs.run('Get-CsTrustedApplication', Identity='gc.contoso.com/groupchat').outputs  # prefix optional


def test_an_ocs_2007_r2_group_chat_pool_is_not_in_the_topology(ocs, wsman):
    """Merge-CsLegacyTopology merges domains, user services, Registrar, Mediation Server, Edge Server and a few
    applications (its reference lists them), not Group Chat: no topology cmdlet shows the R2 pool or its servers,
    while Windows service control still reaches them."""
    pools = by_identity(ocs.run('Get-CsTrustedApplicationPool'))
    assert set(pools) == {'TrustedApplicationPool:' + topology.LEGACY_POOL}
    lync2010 = pools['TrustedApplicationPool:' + topology.LEGACY_POOL]
    assert lync2010.type_names[0] == 'Microsoft.Rtc.Management.Xds.DisplayExternalServer'
    assert lync2010['SiteId'] == topology.SITE_REDMOND and lync2010['Version'] == 5
    missing = ocs.run('Get-CsTrustedApplicationPool', Identity='TrustedApplicationPool:' + topology.LEGACY_POOL_2)
    assert missing.outputs == [] and missing.errors[0].category == 'ObjectNotFound'
    assert [o['Identity'] for o in ocs.run('Get-CsTrustedApplication').outputs] == [
        topology.LEGACY_POOL + '/urn:application:groupchat']
    assert ocs.run('Get-CsTrustedApplicationComputer', Pool=topology.LEGACY_POOL_2).errors[0].error_id.startswith(
        'PoolNotFound,')
    assert not [o for o in ocs.run('Get-CsService').outputs if topology.LEGACY_POOL_2 in o['Identity']]
    found = wsman.run('Get-WmiObject', Class='Win32_Service', ComputerName=['gc2-01.contoso.com'],
                      Filter="DisplayName LIKE '%Group Chat%'").outputs
    assert [o['Name'] for o in found] == ['OcsGroupChatChannel', 'OcsGroupChatLookup']
    sites = by_identity(ocs.run('Get-CsSite'))
    assert sites[topology.SITE_BACKCOMPAT]['Kind'] == 'BackCompatSite'
    assert sites[topology.SITE_REDMOND]['Kind'] == 'Central'


def test_persistent_chat_state_is_read_and_set(ocs):
    state = ocs.run('Get-CsPersistentChatState', Identity=STATE).outputs[0]
    assert state.type_names[0] == 'Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.' \
                                  'PersistentChatState'
    assert state['PoolState'].name == 'Normal' and state['PoolState'].value == 0
    assert ocs.run('Set-CsPersistentChatState', Identity=STATE, PoolState='FailedOver', Confirm=False).ok
    assert ocs.run('Get-CsPersistentChatState', Identity=STATE).outputs[0]['PoolState'].name == 'FailedOver'
    assert ocs.run('Set-CsPersistentChatState', PoolState='Normal', Confirm=False).failure.error_id.startswith(
        'IdentityRequired,')


def test_active_servers(ocs):
    assert ocs.run('Set-CsPersistentChatActiveServer', Identity=STATE, ActiveServers={'Add': ['pc03.contoso.com'],
                                                                                      'Remove': 'pc01.contoso.com'},
                   Confirm=False).ok
    service = by_identity(ocs.run('Get-CsService', PersistentChatServer=None))[STATE]
    assert service['ActiveServers'] == ['pc02.contoso.com', 'pc03.contoso.com']
    stranger = ocs.run('Set-CsPersistentChatActiveServer', Identity=STATE, ActiveServers={'Add': 'gc01.contoso.com'},
                       Confirm=False)
    assert stranger.failure.error_id.startswith('ServerNotInPool,')
    assert ocs.run('Set-CsPersistentChatActiveServer', Identity=STATE, Swap=None, Confirm=False).ok
    assert by_identity(ocs.run('Get-CsService', PersistentChatServer=None))[STATE]['ActiveServers'] == [
        'pc01.contoso.com']


def test_a_persistent_chat_pool_leads_to_its_file_store(ocs):
    """PersistentChatServer.FileStore names a FileStore service; its UncPath is the share (assumption: the property
    names, docs/lab-emulator.md)."""
    service = by_identity(ocs.run('Get-CsService', PersistentChatServer=None))[STATE]
    assert service['FileStore'] == 'FileStore:' + topology.FILE_STORE
    store = ocs.run('Get-CsService', Identity=service['FileStore']).outputs[0]
    assert store.type_names[0] == 'Microsoft.Rtc.Management.Xds.DisplayFileStore' and store['Role'] == 'FileStore'
    assert store['UncPath'] == '\\\\%s\\LyncShare' % topology.FILE_STORE and store['IsDfsShare'] is False
    assert STATE in store['DependentServiceList']
    assert [o['Identity'] for o in ocs.run('Get-CsService', FileStore=None).outputs] == [service['FileStore']]
