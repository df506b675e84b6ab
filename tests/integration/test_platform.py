# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chat_pool_info, chat_pool and legacy_endpoint on the lab driver: a copy of the lab store per test, the lab's
real Samba AD for endpoints (checked with an independent LDAP search)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import sqlite3

import ldap3
import pytest

from conftest import copy_lab_store
from module_runner import run_module

CONTACTS = 'CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
POOLS = 'CN=Pools,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'


@pytest.fixture
def store(lab, tmp_path):
    """A private copy of the lab store (sqlite backup API, so the WAL is included)."""
    path = str(tmp_path / 'platform.sqlite')
    copy_lab_store(lab['PCHAT_LAB_PATH'], path)
    return path


@pytest.fixture
def env(lab_env, store):
    return dict(lab_env, PCHAT_LAB_PATH=store)


def query(path, sql, args=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def digest(path):
    """A digest of every row of the store, to prove check mode wrote nothing."""
    conn = sqlite3.connect(path)
    try:
        rows = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            rows.extend(conn.execute('SELECT * FROM "%s" ORDER BY 1' % table).fetchall())
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        conn.close()


def pool_info(env, fqdn):
    result = run_module('chat_pool_info', {'fqdn': fqdn}, env=env)
    assert not result.failed, result
    return result['pools'][0]


def test_pool_info_shapes_and_counts(env, store):
    result = run_module('chat_pool_info', {}, env=env)
    assert not result.failed, result
    pools = dict((p['fqdn'], p) for p in result['pools'])
    legacy, target = pools['gc.contoso.com'], pools['pcpool.contoso.com']
    assert legacy['kind'] == 'group_chat_2010' and legacy['state'] == 'started' and legacy['pool_state'] is None
    assert target['kind'] == 'persistent_chat_2013' and target['state'] == 'stopped' and target['pool_state'] == 'Normal'
    assert {s['name'] for s in legacy['servers'][0]['services']} >= {'GroupChatLookup', 'GroupChatChannel', 'GroupChatWeb'}
    assert [s['active'] for s in target['servers']] == [True, True, False]
    rooms = query(store, "SELECT COUNT(*) FROM rooms WHERE pool_fqdn = 'gc.contoso.com'")[0][0]
    messages = query(store, "SELECT COUNT(*) FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.pool_fqdn = 'gc.contoso.com'")[0][0]
    assert legacy['counts']['rooms'] == rooms > 0
    assert legacy['counts']['messages'] == messages > 0
    assert legacy['counts']['categories'] > 0 and legacy['counts']['members'] > 0
    assert target['counts'] == {'categories': 0, 'rooms': 0, 'members': 0, 'messages': 0}


@pytest.mark.parametrize('fqdn, words', [
    ('nopool.contoso.com', ['does not exist', 'known pools: gc.contoso.com, gc2.contoso.com, pcpool.contoso.com']),
    ("gc.contoso.com' OR '1'='1", ['not a fully qualified domain name']),
])
def test_pool_info_bad_pool(env, fqdn, words):
    result = run_module('chat_pool_info', {'fqdn': fqdn}, env=env)
    assert result.failed
    for word in words:
        assert word in result['msg']


def test_missing_store_is_explained(lab_env, tmp_path):
    result = run_module('chat_pool_info', {}, env=dict(lab_env, PCHAT_LAB_PATH=str(tmp_path / 'none.sqlite')))
    assert result.failed and 'make lab' in result['msg']
    assert not (tmp_path / 'none.sqlite').exists()


def test_disable_legacy_pool_check_then_real_then_idempotent(env, store):
    before = digest(store)
    preview = run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'disabled'}, check_mode=True, diff=True,
                         env=env)
    assert preview.changed and sorted(preview['changed_servers']) == ['gc01.contoso.com', 'gc02.contoso.com']
    assert preview['diff']['before']['state'] == 'started' and preview['diff']['after']['state'] == 'disabled'
    assert digest(store) == before

    real = run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'disabled', 'kind': 'legacy'}, env=env)
    assert real.changed and real['pool']['state'] == 'disabled'
    assert query(store, "SELECT DISTINCT status, start_mode FROM services WHERE server_fqdn LIKE 'gc0%'") == [
        ('stopped', 'disabled')]
    again = run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'disabled'}, env=env)
    assert not again.changed and again['changed_servers'] == []


def test_every_transition(env, store):
    for state in ('stopped', 'disabled', 'started', 'disabled', 'stopped', 'started'):
        result = run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': state}, env=env)
        assert result.changed, (state, result)
        assert pool_info(env, 'gc.contoso.com')['state'] == state
        assert not run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': state}, env=env).changed
    # stopped from disabled leaves the services startable again
    run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'disabled'}, env=env)
    run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'stopped'}, env=env)
    assert query(store, "SELECT DISTINCT start_mode FROM services WHERE server_fqdn LIKE 'gc0%'") == [('manual',)]


def test_partial_pool_is_reported_and_converged_server_by_server(env, store):
    conn = sqlite3.connect(store)
    conn.execute("UPDATE services SET status = 'stopped' WHERE server_fqdn = 'gc02.contoso.com'")
    conn.commit()
    conn.close()
    assert pool_info(env, 'gc.contoso.com')['state'] == 'partial'
    result = run_module('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'started'}, env=env)
    assert result.changed and result['changed_servers'] == ['gc02.contoso.com']
    assert result['pool']['state'] == 'started'


def test_persistent_chat_pool_starts_only_active_servers(env, store):
    result = run_module('chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'started', 'kind': 'persistent_chat_2013'},
                        diff=True, env=env)
    assert result.changed, result
    assert sorted(result['changed_servers']) == ['pc01.contoso.com', 'pc02.contoso.com']
    assert result['pool']['state'] == 'started'
    assert query(store, "SELECT status FROM services WHERE server_fqdn = 'pc03.contoso.com'") == [('stopped',)]
    assert not run_module('chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'started'}, env=env).changed


def test_failed_over_pool_is_checked_not_toggled(env, store):
    conn = sqlite3.connect(store)
    conn.execute("UPDATE pools SET pool_state = 'FailedOver' WHERE fqdn = 'pcpool.contoso.com'")
    conn.commit()
    conn.close()
    before = digest(store)
    result = run_module('chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'started'}, env=env)
    assert result.failed and 'FailedOver' in result['msg'] and 'never toggles' in result['msg']
    assert digest(store) == before


def test_kind_guard_and_unknown_pool_change_nothing(env, store):
    before = digest(store)
    wrong = run_module('chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'disabled', 'kind': 'legacy'}, env=env)
    assert wrong.failed and 'is persistent_chat_2013, not legacy' in wrong['msg']
    unknown = run_module('chat_pool', {'fqdn': 'gc9.contoso.com', 'state': 'disabled'}, env=env)
    assert unknown.failed and 'does not exist' in unknown['msg']
    assert digest(store) == before


# -- legacy endpoints ----------------------------------------------------------------------------------------

@pytest.fixture
def well_known(env, test_ou, unique, ldap_admin):
    """A stand-in for the well-known user, with its own SIP URI, and cleanup of any endpoint contact for it."""
    sip = 'sip:gc%s@contoso.com' % unique
    dn = 'CN=gc%s,%s' % (unique, test_ou)
    assert ldap_admin.add(dn, ['top', 'person', 'organizationalPerson', 'user'],
                          {'sAMAccountName': 'gc' + unique, 'userAccountControl': 546,
                           'msRTCSIP-PrimaryUserAddress': sip})
    yield {'sip': sip, 'dn': dn}
    ldap_admin.search(CONTACTS, '(msRTCSIP-PrimaryUserAddress=%s)' % sip, search_scope=ldap3.LEVEL, attributes=['1.1'])
    for entry in list(ldap_admin.response):
        if entry.get('type') == 'searchResEntry':
            ldap_admin.delete(entry['dn'])


def contacts_for(ldap_admin, sip):
    ldap_admin.search(CONTACTS, '(msRTCSIP-PrimaryUserAddress=%s)' % sip, search_scope=ldap3.LEVEL,
                      attributes=['objectClass', 'msRTCSIP-PrimaryHomeServer', 'msRTCSIP-OwnerUrn', 'displayName'])
    return [e for e in ldap_admin.response if e.get('type') == 'searchResEntry']


def test_endpoint_lifecycle(env, store, well_known, ldap_admin):
    args = {'sip_address': well_known['sip'], 'pool_fqdn': 'pcpool.contoso.com'}
    refused = run_module('legacy_endpoint', args, env=env)
    assert refused.failed
    assert well_known['dn'] in refused['msg'] and 'user' in refused['msg']
    assert contacts_for(ldap_admin, well_known['sip']) == []

    preview = run_module('legacy_endpoint', dict(args, replaces=well_known['dn']), check_mode=True, diff=True, env=env)
    assert not preview.failed, preview
    assert preview.changed and preview['action'] == 'created'
    assert preview['assumed_removed'] == [well_known['dn']]
    assert preview['diff']['after']['pool_fqdn'] == 'pcpool.contoso.com'
    assert contacts_for(ldap_admin, well_known['sip']) == []

    still_refused = run_module('legacy_endpoint', dict(args, replaces=well_known['dn']), env=env)
    assert still_refused.failed and well_known['dn'] in still_refused['msg']

    assert ldap_admin.delete(well_known['dn'])
    created = run_module('legacy_endpoint', args, diff=True, env=env)
    assert not created.failed, created
    assert created.changed and created['action'] == 'created'
    contacts = contacts_for(ldap_admin, well_known['sip'])
    assert len(contacts) == 1
    contact = contacts[0]
    assert contact['dn'] == created['endpoint']['dn']
    assert 'contact' in contact['attributes']['objectClass']
    assert contact['attributes']['msRTCSIP-OwnerUrn'] == 'urn:application:persistentchat'
    assert contact['attributes']['msRTCSIP-PrimaryHomeServer'] == 'CN=pcpool.contoso.com,%s' % POOLS
    assert query(store, 'SELECT pool_fqdn, contact_dn FROM endpoints WHERE sip_address = ?',
                 (well_known['sip'].lower(),)) == [('pcpool.contoso.com', contact['dn'])]

    owner = run_module('sip_address_info', {'sip_addresses': [well_known['sip']]}, env=env)
    expected = {'kind': 'contact', 'dns': [contact['dn']], 'owners': [{'dn': contact['dn'], 'kind': 'contact'}]}
    assert owner['owners'][well_known['sip']] == expected

    again = run_module('legacy_endpoint', args, env=env)
    assert not again.changed and again['endpoint']['dn'] == contact['dn']

    renamed = run_module('legacy_endpoint', dict(args, display_name="Chat x'); DROP TABLE endpoints;--"), env=env)
    assert renamed.changed and renamed['action'] == 'recreated'
    assert contacts_for(ldap_admin, well_known['sip'])[0]['attributes']['displayName'] == \
        "Chat x'); DROP TABLE endpoints;--"
    assert query(store, 'SELECT display_name FROM endpoints WHERE sip_address = ?', (well_known['sip'].lower(),)) == [
        ("Chat x'); DROP TABLE endpoints;--",)]

    check_remove = run_module('legacy_endpoint', {'sip_address': well_known['sip'], 'state': 'absent'},
                              check_mode=True, env=env)
    assert check_remove.changed and len(contacts_for(ldap_admin, well_known['sip'])) == 1
    removed = run_module('legacy_endpoint', {'sip_address': well_known['sip'], 'state': 'absent'}, env=env)
    assert removed.changed and removed['action'] == 'removed'
    assert contacts_for(ldap_admin, well_known['sip']) == []
    assert query(store, 'SELECT COUNT(*) FROM endpoints WHERE sip_address = ?', (well_known['sip'].lower(),)) == [(0,)]
    assert not run_module('legacy_endpoint', {'sip_address': well_known['sip'], 'state': 'absent'}, env=env).changed


def test_endpoint_moves_between_persistent_chat_pools(env, store, well_known, ldap_admin, unique):
    second = 'pc%s.contoso.com' % unique
    second_dn = 'CN=%s,%s' % (second, POOLS)
    assert ldap_admin.add(second_dn, ['top', 'container'])
    conn = sqlite3.connect(store)
    conn.execute("INSERT INTO pools VALUES (?, 'persistent_chat_2013', 'Lync Server 2013 Persistent Chat', 'Normal', ?)",
                 (second, second_dn))
    conn.commit()
    conn.close()
    try:
        assert ldap_admin.delete(well_known['dn'])
        first = run_module('legacy_endpoint', {'sip_address': well_known['sip'], 'pool_fqdn': 'pcpool.contoso.com',
                                               'display_name': 'Group Chat'}, env=env)
        assert first.changed
        moved = run_module('legacy_endpoint', {'sip_address': well_known['sip'], 'pool_fqdn': second}, diff=True, env=env)
        assert moved.changed and moved['action'] == 'moved'
        assert moved['diff']['before']['pool_fqdn'] == 'pcpool.contoso.com' and moved['diff']['after']['pool_fqdn'] == second
        contacts = contacts_for(ldap_admin, well_known['sip'])
        assert len(contacts) == 1
        assert contacts[0]['attributes']['msRTCSIP-PrimaryHomeServer'] == second_dn
        assert contacts[0]['attributes']['displayName'] == 'Group Chat'  # kept across the move
    finally:
        for entry in contacts_for(ldap_admin, well_known['sip']):
            ldap_admin.delete(entry['dn'])
        ldap_admin.delete(second_dn)


@pytest.mark.parametrize('args, words', [
    ({'sip_address': 'OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'}, ["lacks the 'sip:' prefix"]),
    ({'sip_address': 'sip:a b@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'}, ['malformed']),
    ({'sip_address': 'sip:x@contoso.com', 'pool_fqdn': 'nopool.contoso.com'}, ['does not exist']),
    ({'sip_address': 'sip:x@contoso.com', 'pool_fqdn': 'gc.contoso.com'}, ['is a legacy Group Chat pool']),
    ({'sip_address': 'sip:x@contoso.com', 'pool_fqdn': "pcpool.contoso.com'; DROP TABLE pools;--"},
     ['not a fully qualified domain name']),
    ({'sip_address': 'sip:x@contoso.com'}, ['pool_fqdn']),
])
def test_endpoint_bad_input_changes_nothing(env, store, ldap_admin, args, words):
    before = digest(store)
    result = run_module('legacy_endpoint', args, env=env)
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert digest(store) == before
    assert contacts_for(ldap_admin, 'sip:x@contoso.com') == []


def test_endpoint_needs_the_directory(env, store):
    no_directory = dict((k, v) for k, v in env.items() if k != 'PCHAT_LDAP_URL')
    result = run_module('legacy_endpoint', {'sip_address': 'sip:x@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'},
                        env=no_directory)
    assert result.failed and 'ldap_url' in result['msg']


def test_refused_while_the_real_well_known_user_exists(env, store, ldap_admin):
    result = run_module('legacy_endpoint', {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'},
                        env=env)
    assert result.failed
    assert 'owned by user CN=OCSChat,CN=Users,DC=contoso,DC=com' in result['msg']
    assert contacts_for(ldap_admin, 'sip:OCSChat@contoso.com') == []
