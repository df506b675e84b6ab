# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent Chat endpoints: AD contacts written as Lync writes them, SIP-URI conflicts as Lync sees AD (with the
AD replication lag knob), reads by SIP address, DN, display name and pool."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time
import uuid

import ldap3
import pytest

from lab import names, topology
from lab.emulator.knobs import Knobs

CONTACT = 'Microsoft.Rtc.Management.ADConnect.Schema.OCSPersistentChatContact'
PC = topology.TARGET_POOL


def new_endpoint(ocs, sip, pool=PC, **extra):
    return ocs.run('New-CsPersistentChatEndpoint', SipAddress=sip, PersistentChatPoolFqdn=pool, Confirm=False, **extra)


def attributes(ldap, dn):
    ldap.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=['*'])
    return ldap.entries[0]


@pytest.fixture
def sip_user(ldap):
    """A SIP-enabled user of the test's own, deleted afterwards if the test did not."""
    token = uuid.uuid4().hex[:8]
    dn = 'CN=ep-%s,%s' % (token, names.USERS_OU_DN)
    sip = 'sip:ep-%s@contoso.com' % token
    assert ldap.add(dn, ['top', 'person', 'organizationalPerson', 'user'], {
        'sAMAccountName': 'ep-%s' % token, 'userAccountControl': 546, 'msRTCSIP-PrimaryUserAddress': sip,
        'msRTCSIP-UserEnabled': 'TRUE', 'displayName': 'Endpoint test %s' % token}), ldap.result
    yield dn, sip
    ldap.delete(dn)


def test_every_persistent_chat_pool_has_its_automatic_endpoint(ocs):
    result = ocs.run('Get-CsPersistentChatEndpoint')
    assert result.ok
    homes = dict((o['SipAddress'], o['HomeServer']) for o in result.outputs)
    for pool in (topology.TARGET_POOL, topology.TARGET_POOL_2):
        sip, _display, dn = topology.automatic_endpoint(pool)
        assert homes[sip] == topology.pool_dn(pool)


def test_new_endpoint_writes_the_contact_lync_writes(ocs, ldap):
    result = new_endpoint(ocs, 'sip:chatrooms@contoso.com', DisplayName='Chat rooms', PassThru=None)
    assert result.ok and result.errors == [], result
    contact = result.outputs[0]
    assert contact.type_names[0] == CONTACT
    dn = contact['DistinguishedName']
    assert dn.startswith('CN={') and dn.endswith(',' + names.APPLICATION_CONTACTS_DN)
    assert contact['Identity'].to_string == dn
    assert contact['SipAddress'] == 'sip:chatrooms@contoso.com' and contact['DisplayName'] == 'Chat rooms'
    entry = attributes(ldap, dn)
    assert 'contact' in entry.objectClass.values
    assert entry['msRTCSIP-PrimaryUserAddress'].value == 'sip:chatrooms@contoso.com'
    assert entry['msRTCSIP-PrimaryHomeServer'].value == topology.pool_dn(PC)
    assert entry['msRTCSIP-OwnerUrn'].value == topology.PERSISTENT_CHAT_OWNER_URN
    assert entry['msRTCSIP-UserEnabled'].value is True


def test_new_endpoint_without_pass_thru_writes_nothing_to_the_output(ocs, ldap):
    result = new_endpoint(ocs, 'sip:quiet@contoso.com')
    assert result.ok and result.outputs == []
    assert ocs.run('Get-CsPersistentChatEndpoint', Identity='sip:quiet@contoso.com').outputs


@pytest.mark.parametrize('sip', ['sip:OCSChat@contoso.com', 'sip:ocschat@CONTOSO.com'])
def test_the_well_known_user_blocks_its_sip_uri(ocs, ldap, sip):
    result = new_endpoint(ocs, sip)
    assert result.failure.error_id == ('SipAddressInUse,Microsoft.Rtc.Management.AD.Cmdlets.'
                                       'NewPersistentChatEndpointCmdlet')
    assert names.WELL_KNOWN_DN in result.failure.message
    assert result.failure.category == 'ResourceExists'


def test_a_contact_blocks_its_sip_uri_too(ocs):
    sip, _display, dn = topology.automatic_endpoint(PC)
    result = new_endpoint(ocs, sip, pool=topology.TARGET_POOL_2)
    assert result.failure.error_id.startswith('SipAddressInUse,') and dn in result.failure.message


@pytest.mark.parametrize('sip,reason', [('ocschat@contoso.com', 'InvalidSipAddress'),
                                        ('sip:someone@fabrikam.com', 'InvalidSipDomain')])
def test_invalid_sip_addresses(ocs, sip, reason):
    assert new_endpoint(ocs, sip).failure.error_id.startswith(reason + ',')


@pytest.mark.parametrize('pool', [topology.LEGACY_POOL, 'nosuch.contoso.com'])
def test_only_a_persistent_chat_pool_takes_an_endpoint(ocs, pool):
    assert new_endpoint(ocs, 'sip:x-%s@contoso.com' % uuid.uuid4().hex[:6], pool=pool).failure.error_id.startswith(
        'PoolNotFound,')


def test_get_by_sip_dn_display_name_and_pool(ocs):
    created = new_endpoint(ocs, 'sip:finder@contoso.com', DisplayName='Finder Endpoint', PassThru=None).outputs[0]
    dn = created['DistinguishedName']
    for identity in ('sip:finder@contoso.com', dn, 'Finder Endpoint', 'Finder*'):
        found = ocs.run('Get-CsPersistentChatEndpoint', Identity=identity)
        assert [o['DistinguishedName'] for o in found.outputs] == [dn], identity
    by_pool = ocs.run('Get-CsPersistentChatEndpoint', PersistentChatPoolFqdn=PC).outputs
    assert dn in [o['DistinguishedName'] for o in by_pool]
    other = ocs.run('Get-CsPersistentChatEndpoint', PersistentChatPoolFqdn=topology.TARGET_POOL_2).outputs
    assert dn not in [o['DistinguishedName'] for o in other]


def test_get_unknown_identity_is_a_not_found_error(ocs):
    result = ocs.run('Get-CsPersistentChatEndpoint', Identity='sip:nobody@contoso.com')
    assert result.ok and result.outputs == []
    assert result.errors[0].error_id == 'Identity,Microsoft.Rtc.Management.AD.Cmdlets.GetPersistentChatEndpointCmdlet'
    assert result.errors[0].message == 'Management object not found for identity "sip:nobody@contoso.com".'
    assert result.errors[0].category == 'ObjectNotFound'


def test_remove_endpoint(ocs, ldap):
    dn = new_endpoint(ocs, 'sip:goner@contoso.com', PassThru=None).outputs[0]['DistinguishedName']
    result = ocs.run('Remove-CsPersistentChatEndpoint', Identity='sip:goner@contoso.com', Confirm=False)
    assert result.ok and result.errors == []
    assert not ldap.search(dn, '(objectClass=*)', search_scope=ldap3.BASE)
    missing = ocs.run('Remove-CsPersistentChatEndpoint', Identity='sip:goner@contoso.com', Confirm=False)
    assert missing.errors[0].category == 'ObjectNotFound'


def test_a_user_deleted_over_ldap_still_blocks_while_ad_lags(ocs, ldap, scratch, sip_user):
    dn, sip = sip_user
    Knobs(scratch).update(ad_replication_lag_s=4)
    assert ocs.run('Get-CsAdUser', Identity=sip).outputs  # Lync's view has seen the user
    assert ldap.delete(dn)
    blocked = new_endpoint(ocs, sip)
    assert blocked.failure.error_id.startswith('SipAddressInUse,') and dn in blocked.failure.message
    assert [o['DistinguishedName'] for o in ocs.run('Get-CsAdUser', Identity=sip).outputs] == [dn]
    assert ocs.run('Get-CsUser', Identity=sip).outputs
    deadline = time.time() + 10
    while ocs.run('Get-CsAdUser', Identity=sip).outputs and time.time() < deadline:
        time.sleep(0.5)
    assert ocs.run('Get-CsAdUser', Identity=sip).outputs == []
    assert new_endpoint(ocs, sip).ok


def test_without_lag_a_deleted_user_frees_the_uri_at_once(ocs, ldap, sip_user):
    dn, sip = sip_user
    assert ocs.run('Get-CsAdUser', Identity=sip).outputs
    assert new_endpoint(ocs, sip).failure.error_id.startswith('SipAddressInUse,')
    assert ldap.delete(dn)
    assert new_endpoint(ocs, sip).ok


def test_hold_point_after_the_contact_is_written(ocs, scratch):
    Knobs(scratch).update(hold=[{'cmdlet': 'New-CsPersistentChatEndpoint', 'point': 'contact-written',
                                 'seconds': 0.2, 'times': 1}])
    assert new_endpoint(ocs, 'sip:held@contoso.com').ok
    with open(Knobs(scratch).holds_path) as handle:
        assert '"point": "contact-written"' in handle.read()
