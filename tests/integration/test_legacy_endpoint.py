# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""legacy_endpoint and legacy_endpoint_info: New-/Remove-CsPersistentChatEndpoint on the emulator, the contact it
writes to the lab's AD checked over our own LDAP connection, the SIP owner check against the well-known user,
and the wait for Lync's view of AD (the ad_replication_lag_s knob) after the user's LDAP delete."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest

SIP = 'sip:OCSChat@contoso.com'
USER_DN = 'CN=OCSChat,CN=Users,DC=contoso,DC=com'
TARGET, TARGET_2 = 'pcpool.contoso.com', 'pcpool2.contoso.com'
CONTACTS = 'CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
POLL_SECONDS = 5  # endpoint_backend.POLL_SECONDS


def pool_dn(fqdn):
    return 'CN=%s,CN=Pools,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com' % fqdn


class Endpoint(object):
    def __init__(self, run):
        self.run = run

    def __call__(self, check_mode=False, **args):
        args.setdefault('sip_address', SIP)
        if args.get('state', 'present') == 'present':
            args.setdefault('pool_fqdn', TARGET)
        return self.run('legacy_endpoint', args, check_mode=check_mode, diff=True)

    def info(self, **args):
        return self.run('legacy_endpoint_info', args)


@pytest.fixture
def endpoint(run, clean_lab):
    return Endpoint(run)


@pytest.fixture
def user_deleted(endpoint, directory):
    """The cutover's delete phase done: the well-known user is gone from AD."""
    directory.delete(USER_DN)
    return USER_DN


def test_refused_while_the_well_known_user_owns_the_sip_uri(endpoint, observer):
    before = observer.fingerprint()
    refused = endpoint()
    assert refused.failed
    assert "'%s' is owned by user %s" % (SIP, USER_DN) in refused['msg']
    assert 'directory_user state=absent' in refused['msg']
    assert refused.requests.count('New-CsPersistentChatEndpoint') == 0
    assert observer.fingerprint() == before


def test_created_as_lync_writes_it_idempotent_and_read_back(endpoint, user_deleted, observer, directory):
    before = observer.fingerprint()
    preview = endpoint(check_mode=True, display_name='Group Chat (legacy clients)')
    assert preview.changed and preview['action'] == 'created' and preview['owners_before']['kind'] == 'none'
    assert observer.fingerprint() == before

    created = endpoint(display_name='Group Chat (legacy clients)')
    assert not created.failed and created.changed and created['action'] == 'created', created
    dn = created['endpoint']['dn']
    assert dn.endswith(',' + CONTACTS) and dn.startswith('CN={')
    contact = directory.entry(dn)['attributes']
    assert 'contact' in [c.lower() for c in contact['objectClass']]
    assert contact['msRTCSIP-PrimaryUserAddress'] == SIP
    assert contact['msRTCSIP-PrimaryHomeServer'] == pool_dn(TARGET)
    assert contact['msRTCSIP-OwnerUrn'] == 'urn:application:persistentchat'
    assert contact['displayName'] == 'Group Chat (legacy clients)'
    assert [(e['dn'], e['pool']) for e in observer.endpoints(SIP)] == [(dn, TARGET)]
    assert created['diff'] == {'before': {}, 'after': created['endpoint']}
    assert created.requests.calls('New-CsPersistentChatEndpoint') == [
        ['SipAddress', 'PersistentChatPoolFqdn', 'DisplayName', 'PassThru', 'Confirm']]

    again = endpoint(display_name='Group Chat (legacy clients)')
    assert not again.changed and again['action'] == 'none' and not again.requests.changing()
    assert again['endpoint'] == created['endpoint']

    one = endpoint.info(sip_address=SIP.upper().replace('SIP:', 'sip:'))
    assert not one.failed and one['endpoint'] == created['endpoint']
    of_pool = endpoint.info(pool_fqdn=TARGET)
    automatic = 'sip:PersistentChatService-pcpool@contoso.com'
    assert sorted(e['sip_address'] for e in of_pool['endpoints']) == [SIP, automatic]
    every = endpoint.info()
    assert sorted((e['sip_address'], e['pool_fqdn']) for e in every['endpoints']) == sorted(
        (e['sip_address'], e['pool']) for e in observer.endpoints())


def test_new_display_name_recreates_and_a_move_is_remove_then_new(endpoint, user_deleted, observer):
    first = endpoint()['endpoint']
    renamed = endpoint(display_name='Legacy chat')
    assert renamed['action'] == 'recreated' and renamed['endpoint']['display_name'] == 'Legacy chat'
    assert [e['display_name'] for e in observer.endpoints(SIP)] == ['Legacy chat']

    before = observer.fingerprint()
    preview = endpoint(check_mode=True, pool_fqdn=TARGET_2)
    assert preview.changed and preview['action'] == 'moved' and preview['endpoint']['pool_fqdn'] == TARGET_2
    assert observer.fingerprint() == before

    moved = endpoint(pool_fqdn=TARGET_2)
    assert moved['action'] == 'moved' and moved['endpoint_before']['pool_fqdn'] == TARGET
    assert [p['cmdlets'][0] for p in moved.requests.changing()] == ['Remove-CsPersistentChatEndpoint',
                                                                    'New-CsPersistentChatEndpoint']
    assert [(e['pool'], e['display_name']) for e in observer.endpoints(SIP)] == [(TARGET_2, 'Legacy chat')]
    assert first['dn'] not in [e['dn'] for e in observer.endpoints()]
    assert not endpoint(pool_fqdn=TARGET_2).changed


def test_removed_then_absent_is_no_change(endpoint, user_deleted, observer):
    endpoint()
    before = observer.fingerprint()
    preview = endpoint(check_mode=True, state='absent')
    assert preview.changed and preview['action'] == 'removed' and preview['endpoint'] is None
    assert observer.fingerprint() == before
    removed = endpoint(state='absent')
    assert removed.changed and removed['diff']['after'] == {}
    assert removed.requests.calls('Remove-CsPersistentChatEndpoint') == [['Identity', 'Confirm']]
    assert observer.endpoints(SIP) == []
    gone = endpoint(state='absent')
    assert not gone.changed and gone['action'] == 'none'
    assert endpoint.info(sip_address=SIP)['endpoint'] is None


def test_creation_waits_until_lyncs_view_of_ad_forgets_the_deleted_user(endpoint, observer, directory):
    lag = 4
    observer.knobs(ad_replication_lag_s=lag)
    directory.delete(USER_DN)
    deleted_at = time.time()
    created = endpoint()
    assert not created.failed and created['action'] == 'created', created
    assert 0 < created['waited_seconds'] <= lag + POLL_SECONDS + 1
    assert created.requests.count('Get-CsAdUser') >= 2
    new = [p for p in created.requests.pipelines if p['cmdlets'] == ['New-CsPersistentChatEndpoint']]
    assert new[0]['ts'] - deleted_at >= lag - 1  # not before Lync's view forgot the user (1 s: whenChanged's grain)
    assert [e['pool'] for e in observer.endpoints(SIP)] == [TARGET]


def test_a_short_directory_wait_fails_cleanly_having_created_nothing(endpoint, observer, directory):
    observer.knobs(ad_replication_lag_s=120)
    directory.delete(USER_DN)
    before = observer.fingerprint()
    started = time.time()
    failed = endpoint(directory_wait=1)
    assert failed.failed
    assert 'still sees a user with %s' % SIP.lower() in failed['msg'] and 'nothing was created' in failed['msg']
    assert time.time() - started < 1 + 3  # directory_wait, and not a whole poll interval more
    assert failed.requests.count('New-CsPersistentChatEndpoint') == 0
    assert observer.fingerprint() == before and observer.endpoints(SIP) == []


@pytest.mark.parametrize('args, words', [
    ({'sip_address': 'OCSChat@contoso.com'}, ["lacks the 'sip:' prefix"]),
    ({'pool_fqdn': 'gc.contoso.com'}, ['pool_fqdn gc.contoso.com is a Lync Server 2010 Group Chat pool']),
    ({'pool_fqdn': 'nopool.contoso.com'}, ['pool_fqdn nopool.contoso.com is neither a Persistent Chat pool']),
    ({'pool_fqdn': None}, ['pool_fqdn']),
    ({'display_name': 'x' * 300}, ['display_name must be 1 to 256 characters']),
])
def test_bad_input_fails_clearly_and_changes_nothing(endpoint, user_deleted, observer, args, words):
    before = observer.fingerprint()
    result = endpoint(**args)
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert not result.requests.changing()
    assert observer.fingerprint() == before
