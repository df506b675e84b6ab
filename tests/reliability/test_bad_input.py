# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile and malformed input, across every module and the roles' variables: each is a clear error that names
the input, and a fingerprint of the whole lab (every directory object's uSNChanged, every store row) taken before
and after proves nothing changed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from module_runner import run_module  # noqa: E402 pylint: disable=wrong-import-position
from state_snapshot import snapshot  # noqa: E402 pylint: disable=wrong-import-position

from conftest import LAB_DIR  # noqa: E402 pylint: disable=wrong-import-position

LONG = 'x' * 5000
POOLS = {'source_pool': 'gc.contoso.com', 'target_pool': 'pcpool.contoso.com'}

# (id, module, arguments, words the message must contain: the input named, and what is wrong)
MODULE_CASES = [
    ('user: SIP without prefix', 'directory_user', {'sip_address': 'OCSChat@contoso.com', 'state': 'absent'}, ['OCSChat@contoso.com', 'sip:']),
    ('user: SIP filter metacharacters', 'directory_user', {'sip_address': 'sip:*)(objectClass=*', 'state': 'absent'}, ['sip:*)(objectClass=*', 'malformed']),
    ('user: SIP wildcard', 'directory_user', {'sip_address': 'sip:*@contoso.com', 'state': 'absent'}, ['sip:*@contoso.com']),
    ('user: SIP too long', 'directory_user', {'sip_address': 'sip:' + LONG + '@contoso.com', 'state': 'absent'}, ['too long']),
    ('user: SIP non-ASCII', 'directory_user', {'sip_address': 'sip:jöhn@contoso.com', 'state': 'absent'}, ['sip:jöhn@contoso.com']),
    ('user: SIP domain without dot', 'directory_user', {'sip_address': 'sip:a@localhost', 'state': 'absent'}, ['sip:a@localhost']),
    ('user: sAMAccountName metacharacters', 'directory_user', {'sam_account_name': '*)(cn=*', 'state': 'absent'}, ['*)(cn=*', 'sAMAccountName']),
    ('user: sAMAccountName too long', 'directory_user', {'sam_account_name': 'a' * 21}, ['a' * 21]),
    ('user: DN malformed', 'directory_user', {'dn': 'CN=x,,DC=contoso', 'state': 'absent'}, ['CN=x,,DC=contoso', 'distinguished name']),
    ('user: DN unescaped comma value', 'directory_user', {'dn': 'CN=Doe, Jane=x,DC=contoso,DC=com', 'state': 'absent'}, ['Doe, Jane=x']),
    ('user: unknown OU', 'directory_user', {'sam_account_name': 'nobody42', 'path': 'OU=Nowhere,DC=contoso,DC=com'},
     ['OU=Nowhere,DC=contoso,DC=com', 'does not exist']),
    ('user: path not a DN', 'directory_user', {'sam_account_name': 'nobody43', 'path': 'not a dn'}, ['not a dn']),
    ('user: reserved attribute', 'directory_user', {'sam_account_name': 'OCSChat', 'attributes': {'unicodePwd': 'x'}}, ['unicodePwd']),
    ('user: attribute name injection', 'directory_user', {'sam_account_name': 'OCSChat', 'attributes': {'cn)(x': 'y'}}, ['cn)(x']),
    ('user: restore from missing file', 'directory_user', {'restore_from': '/nonexistent/backup.json'}, ['/nonexistent/backup.json']),
    ('user: name too long', 'directory_user', {'sam_account_name': 'nobody44', 'name': LONG}, ['name']),
    ('user: wrong type for attributes', 'directory_user', {'sam_account_name': 'OCSChat', 'attributes': ['displayName']}, ['attributes']),
    ('user: wrong type for sip_enabled', 'directory_user', {'sam_account_name': 'OCSChat', 'sip_enabled': 'perhaps'}, ['sip_enabled']),
    ('info: malformed URI in list', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com', 'bad uri']}, ['bad uri', 'malformed']),
    ('info: zero batch size', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com'], 'batch_size': 0}, ['batch_size']),
    ('info: list of wrong type', 'sip_address_info', {'sip_addresses': {'a': 1}}, ['sip_addresses']),
    ('pool: FQDN with SQL', 'chat_pool', {'fqdn': "gc.contoso.com'; DROP TABLE pools;--", 'state': 'disabled'}, ["DROP TABLE pools", 'fully qualified']),
    ('pool: unknown pool', 'chat_pool', {'fqdn': 'nopool.contoso.com', 'state': 'disabled'}, ['nopool.contoso.com', 'does not exist']),
    ('pool: bad state', 'chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'paused'}, ['state', 'paused']),
    ('pool: kind guard', 'chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'disabled', 'kind': 'legacy'}, ['pcpool.contoso.com', 'not legacy']),
    ('pool: non-ASCII FQDN', 'chat_pool', {'fqdn': 'gç.contoso.com', 'state': 'stopped'}, ['gç.contoso.com']),
    ('pool info: unknown pool', 'chat_pool_info', {'fqdn': 'gc9.contoso.com'}, ['gc9.contoso.com', 'does not exist']),
    ('endpoint: legacy pool as target', 'legacy_endpoint', {'sip_address': 'sip:x1@contoso.com', 'pool_fqdn': 'gc.contoso.com'},
     ['gc.contoso.com', 'legacy Group Chat pool']),
    ('endpoint: unknown pool', 'legacy_endpoint', {'sip_address': 'sip:x1@contoso.com', 'pool_fqdn': 'pc9.contoso.com'}, ['pc9.contoso.com', 'does not exist']),
    ('endpoint: URI owned by a user', 'legacy_endpoint', {'sip_address': 'sip:labuser00001@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'},
     ['sip:labuser00001@contoso.com', 'owned by user']),
    ('endpoint: malformed URI', 'legacy_endpoint', {'sip_address': 'sip:x y@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'}, ['sip:x y@contoso.com']),
    ('endpoint: display name too long', 'legacy_endpoint', {'sip_address': 'sip:x1@contoso.com', 'pool_fqdn': 'pcpool.contoso.com', 'display_name': LONG},
     ['display_name']),
    ('endpoint: replaces not a DN', 'legacy_endpoint', {'sip_address': 'sip:x1@contoso.com', 'pool_fqdn': 'pcpool.contoso.com', 'replaces': 'x=,'},
     ['replaces']),
    ('migration: legacy pool as target', 'chat_migration', dict(POOLS, target_pool='gc.contoso.com', force=True), ['gc.contoso.com', 'Persistent Chat 2013']),
    ('migration: PC pool as source', 'chat_migration', dict(POOLS, source_pool='pcpool.contoso.com', force=True), ['pcpool.contoso.com', 'legacy Group Chat']),
    ('migration: room with SQL', 'chat_migration', dict(POOLS, rooms=["x' OR '1'='1"], force=True), ["x' OR '1'='1", 'do not exist']),
    ('migration: bad since', 'chat_migration', dict(POOLS, since='2026-02-30', force=True), ['2026-02-30']),
    ('migration: negative batch', 'chat_migration', dict(POOLS, batch_size=-5, force=True), ['batch_size']),
    ('migration: source still running', 'chat_migration', POOLS, ['gc.contoso.com', 'still started']),
    ('migration: bad choice', 'chat_migration', dict(POOLS, unresolved_members='drop', force=True), ['unresolved_members', 'drop']),
    ('connection: wrong password', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com'], 'bind_password': 'wrong'}, ['invalid credentials']),
    ('connection: plain ldap bind', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com'], 'ldap_url': 'ldap://127.0.0.1'},
     ['ldap://127.0.0.1', 'clear text']),
    ('connection: unreachable', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com'], 'ldap_url': 'ldaps://127.0.0.1:1'},
     ['ldaps://127.0.0.1:1', 'cannot reach']),
    ('connection: wrong CA', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com'], 'ca_file': '/etc/ssl/certs/ca-certificates.crt'}, ['certificate']),
    ('connection: bind DN injection', 'sip_address_info', {'sip_addresses': ['sip:ok@contoso.com'], 'bind_dn': 'CN=x)(|(cn=*),DC=contoso'},
     ['CN=x)(|(cn=*),DC=contoso']),
    ('connection: missing lab store', 'chat_pool_info', {'lab_path': '/nonexistent/platform.sqlite'}, ['/nonexistent/platform.sqlite', 'make lab']),
    ('connection: unknown driver', 'chat_pool_info', {'driver': 'ssh'}, ['driver', 'ssh']),
]

# (id, extra vars, words): role variables, through the cutover playbook (argument specs and modules)
ROLE_CASES = [
    ('role: missing target pool', {'pchat_target_pool': None}, ['pchat_target_pool']),
    ('role: malformed SIP URI', {'pchat_sip_address': 'ocschat@contoso.com'}, ['ocschat@contoso.com', 'sip:']),
    ('role: batch size not a number', {'pchat_migration_batch_size': 'many'}, ['pchat_migration_batch_size']),
    ('role: bad unresolved choice', {'pchat_migration_unresolved_members': 'drop'}, ['pchat_migration_unresolved_members']),
    ('role: legacy pool swapped for the target', {'pchat_target_pool': 'gc2.contoso.com'}, ['gc2.contoso.com', 'Persistent Chat 2013']),
]


@pytest.fixture(scope='module')
def baseline(rlab):
    rlab.reset()
    return snapshot(LAB_DIR)


def test_the_table_is_big_enough():
    assert len(MODULE_CASES) + len(ROLE_CASES) >= 40


@pytest.mark.parametrize('module, args, words', [c[1:] for c in MODULE_CASES], ids=[c[0] for c in MODULE_CASES])
def test_module_input(rlab, baseline, module, args, words):
    env = dict((k, v) for k, v in rlab.connection.items())
    result = run_module(module, args, env=env)
    assert result.failed, result
    message = result.get('msg', '') + ' ' + str(result.get('malformed', ''))
    for word in words:
        assert word in message, message
    assert rlab.connection['PCHAT_BIND_PASSWORD'] not in result.stdout + result.stderr
    assert snapshot(LAB_DIR) == baseline


@pytest.mark.parametrize('extra, words', [c[1:] for c in ROLE_CASES], ids=[c[0] for c in ROLE_CASES])
def test_role_variables(rlab, baseline, extra, words):
    import json  # pylint: disable=import-outside-toplevel
    result = rlab.run('cutover', '-e', json.dumps(extra))
    assert result.returncode != 0
    for word in words:
        assert word in result.stdout, result.stdout[-3000:]
    assert snapshot(LAB_DIR) == baseline
