# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-only twins: in check mode they answer exactly as without it and change nothing (no changing cmdlet,
the lab's fingerprint unchanged); bad input fails naming the object; and after a cutover of the lab's first unit
chat_pool_info lists the migrated rooms and its message test proves a legacy client would be served."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

RECORD_ARGS = {'source_pool': 'gc.contoso.com', 'target_pool': 'pcpool.contoso.com',
               'source_db_instance': 'gcsql.contoso.com\\groupchat', 'source_db_name': 'GroupChat'}
INFO = [
    ('chat_pool_info', {'fqdns': ['gc.contoso.com', 'gc2.contoso.com', 'pcpool.contoso.com'], 'rooms': True,
                        'legacy_pools': [{'fqdn': 'gc2.contoso.com', 'servers': ['gc2-01.contoso.com']}]}),
    ('chat_files_info', {'source_pool': 'gc.contoso.com', 'target_pool': 'pcpool.contoso.com',
                         'source_dir': '\\\\gc01.contoso.com\\GroupChatFiles'}),
    ('legacy_endpoint_info', {}),
    ('chat_migration_info', RECORD_ARGS),
    ('directory_user_info', {'sam_account_name': 'OCSChat2'}),
    ('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com',
                                            'sip:PersistentChatService-pcpool@contoso.com']}),
]
VOLATILE = ('invocation', 'seconds')


def answer(result):
    return dict((key, value) for key, value in result.items() if key not in VOLATILE)


def with_record(args, tmp_path):
    return dict(args, record_file=str(tmp_path / 'migration.json')) if 'source_db_instance' in args else args


@pytest.mark.parametrize('name, args', INFO, ids=[name for name, _args in INFO])
def test_check_mode_answers_the_same_and_changes_nothing(run, clean_lab, tmp_path, name, args):
    args = with_record(args, tmp_path)
    before = clean_lab.fingerprint()
    checked = run(name, args, check_mode=True)
    assert not checked.failed and not checked.changed, checked
    assert clean_lab.fingerprint() == before and not checked.requests.changing()
    plain = run(name, args)
    assert answer(plain) == answer(checked)


@pytest.mark.parametrize('name, args, words', [
    ('chat_pool_info', {'fqdns': ['pcpool.contoso.com', 'nopool.contoso.com']},
     ['pool nopool.contoso.com was not found']),
    ('chat_pool_info', {'fqdns': ['pcpool.contoso.com'], 'message_test': {
        'registrar_pool': 'lyncpool.contoso.com', 'sender': 'pctest1@contoso.com', 'receiver': 'sip:pctest2@contoso.com'}},
     ['message_test.sender']),
    ('chat_pool_info', {'fqdns': ['pcpool.contoso.com'], 'message_test': {
        'registrar_pool': 'lyncpool.contoso.com', 'sender': 'sip:pctest1@contoso.com',
        'receiver': 'sip:pctest2@contoso.com', 'sender_username': 'CONTOSO\\pctest1'}},
     ['all of sender_username, sender_password', 'missing']),
    ('legacy_endpoint_info', {'sip_address': 'OCSChat@contoso.com'}, ["lacks the 'sip:' prefix"]),
    ('legacy_endpoint_info', {'pool_fqdn': 'gc.contoso.com'}, ['gc.contoso.com']),
    ('chat_migration_info', dict(RECORD_ARGS, source_db_instance='nosql.contoso.com\\gc'), ['nosql.contoso.com']),
    ('chat_migration_info', dict(RECORD_ARGS, target_pool='pcpool .contoso.com'), ['target_pool']),
])
def test_bad_input_fails_naming_the_object(run, clean_lab, tmp_path, name, args, words):
    before = clean_lab.fingerprint()
    result = run(name, with_record(args, tmp_path))
    assert result.failed, result
    for word in words:
        assert word in result['msg'], result['msg']
    assert clean_lab.fingerprint() == before


def test_after_the_cutover_info_lists_the_rooms_and_the_message_test_passes(run, clean_lab, directory, tmp_path):
    """The lab's first unit cut over (legacy pool disabled, data migrated, well-known user deleted, legacy endpoint
    created, Persistent Chat started), then read as the verify phase does."""
    observer = clean_lab
    observer.set_chat_services('gc.contoso.com', 'Stopped', 'Disabled')
    migrated = run('chat_migration', dict(RECORD_ARGS, record_file=str(tmp_path / 'migration.json'),
                                          export_dir='C:\\Windows\\Temp', accept_warnings=[
                                              'category_flattened', 'federated_user', 'invitations_off', 'room_renamed',
                                              'root_managers']))
    assert not migrated.failed, migrated
    directory.delete('CN=OCSChat,CN=Users,DC=contoso,DC=com')
    assert run('legacy_endpoint', {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'}).changed
    assert run('chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'started'}).changed

    test = {'registrar_pool': 'lyncpool.contoso.com', 'sender': 'sip:pctest1@contoso.com',
            'receiver': 'sip:pctest2@contoso.com'}
    info = run('chat_pool_info', {'fqdns': ['pcpool.contoso.com'], 'rooms': True, 'message_test': test})
    assert not info.failed, info
    pool = info['pools'][0]
    truth = observer.pool('pcpool.contoso.com')
    assert pool['state'] == 'started' == truth['state']
    assert sorted((r['name'], r['category']) for r in pool['rooms']) == sorted(
        (r['name'], r['category']) for r in truth['rooms'])
    assert sorted(c['name'] for c in pool['categories']) == sorted(c['name'] for c in truth['categories'])
    assert pool['counts']['rooms'] == len(truth['rooms']) and pool['counts']['messages'] is None
    # the test users' credentials registered on the front end (Set-CsTestUserCredential, at lab set-up)
    assert pool['message_test']['result'] == 'Success', pool['message_test']
    assert pool['message_test']['credentials'] == 'registered' and info['message_test'] == pool['message_test']
    sent = [p for p in info.requests.pipelines if p['cmdlets'] == ['Test-CsPersistentChatMessage']]
    assert [p['parameters'][0] for p in sent] == [['TargetFqdn', 'SenderSipAddress', 'ReceiverSipAddress',
                                                  'ChatRoomUri']]


def _credentials(lab, password=None):
    with open(os.path.join(lab['LAB_DIR'], 'lab-state.json')) as handle:
        right = json.load(handle)['test_user_password']
    return right, {'sender_username': 'CONTOSO\\pctest1', 'sender_password': right,
                   'receiver_username': 'pctest2@contoso.com', 'receiver_password': password or right}


def test_the_message_test_reaches_the_pool_through_the_registrar_as_the_reference_says(run, clean_lab, lab):
    """Test-CsPersistentChatMessage on the real path: to the Registrar pool, in a room of the Persistent Chat pool,
    with the test users' credentials given (PSCredentials over the wire) or registered; what it needs missing is
    "not run" with why, and a preview sends nothing."""
    assert clean_lab.set_chat_services('pcpool.contoso.com', 'Running') == 6
    base = {'registrar_pool': 'lyncpool.contoso.com', 'sender': 'sip:pctest1@contoso.com',
            'receiver': 'sip:pctest2@contoso.com', 'pool': 'pcpool.contoso.com'}
    no_room = run('chat_pool_info', {'fqdns': [], 'message_test': base})
    assert not no_room.failed and 'has no enabled chat room' in no_room['message_test']['not_run'], no_room
    assert no_room.requests.count('Test-CsPersistentChatMessage') == 0
    clean_lab.store_execute("INSERT INTO categories (pool_fqdn, name) VALUES ('pcpool.contoso.com', 'Tests')")
    clean_lab.store_execute("INSERT INTO rooms (pool_fqdn, category_id, name) SELECT pool_fqdn, id, 'Cutover test' "
                            "FROM categories WHERE pool_fqdn = 'pcpool.contoso.com' AND name = 'Tests'")

    right, credentials = _credentials(lab)
    given = run('chat_pool_info', {'fqdns': [], 'message_test': dict(base, **credentials)})
    assert given['message_test']['result'] == 'Success' and given['message_test']['credentials'] == 'given', given
    assert given['message_test']['room'] == 'Cutover test'
    sent = [p for p in given.requests.pipelines if p['cmdlets'] == ['Test-CsPersistentChatMessage']][0]
    assert sent['parameters'][0][-2:] == ['SenderCredential', 'ReceiverCredential']
    assert given.requests.runspaces and len(given.requests.pipelines) <= 5  # lean: room, users, policies, test

    _right, wrong = _credentials(lab, right + 'x')
    failed = run('chat_pool_info', {'fqdns': [], 'message_test': dict(base, **wrong)})
    assert failed['message_test']['result'] == 'Failure' and 'pctest2' in failed['message_test']['error']
    assert 'credentials given' in failed['message_test']['hint']
    assert right not in failed.stdout and right + 'x' not in failed.stdout

    to_the_chat_pool = run('chat_pool_info', {
        'fqdns': [], 'message_test': dict(base, registrar_pool='pcpool.contoso.com')})
    assert 'is not a Registrar pool' in to_the_chat_pool['message_test']['error']  # [ref] -TargetFqdn

    clean_lab.store_execute("DELETE FROM user_policies WHERE sip = 'sip:pctest2@contoso.com'")
    no_policy = run('chat_pool_info', {'fqdns': [], 'message_test': base})
    assert 'policy Global, which does not enable Persistent Chat' in no_policy['message_test']['not_run']
    assert no_policy.requests.count('Test-CsPersistentChatMessage') == 0

    preview = run('chat_pool_info', {'fqdns': [], 'message_test': base}, check_mode=True)
    assert 'a preview does not send one' in preview['message_test']['not_run']
    assert preview.requests.pipelines == []
