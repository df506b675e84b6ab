# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's decisions (plan, verdict, phase records, connection settings) on plain dicts shaped as the _info
modules return them, through the public functions the filters call (the report's figures: test_cutover_report.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.pchat.cutover.plugins.plugin_utils import cutover_logic as logic

LEGACY, TARGET, SIP = 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com'
USER_DN = 'CN=OCSChat,CN=Users,DC=contoso,DC=com'
CONTACT_DN = 'CN={6F0C1C8E},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'


def before_cutover():
    return {
        'legacy_pool': LEGACY, 'target_pool': TARGET, 'sip_address': SIP, 'psrp_path': 'wsman', 'backup': None,
        'pools': [{'fqdn': LEGACY, 'kind': 'group_chat_2010', 'state': 'started', 'pool_state': None},
                  {'fqdn': TARGET, 'kind': 'persistent_chat_2013', 'state': 'stopped', 'pool_state': 'Normal'}],
        'owner': {'kind': 'user', 'dns': [USER_DN]},
        'endpoint': None,
        'migration': {'status': 'not_started', 'blockers': [], 'import_warnings': ['2 federated members lose access']},
    }


def after_cutover():
    facts = before_cutover()
    facts['pools'][0]['state'] = 'disabled'
    facts['pools'][1]['state'] = 'started'
    facts['owner'] = {'kind': 'contact', 'dns': [CONTACT_DN]}
    facts['endpoint'] = {'sip_address': SIP, 'pool_fqdn': TARGET, 'dn': CONTACT_DN}
    facts['migration'] = {'status': 'done', 'blockers': [], 'import_warnings': [], 'steps': {'import': {'done': True}},
                          'comparison': {'matches': True, 'summary': '20 rooms, 5 categories as exported'},
                          'unverifiable': ['message history: no cmdlet counts messages']}
    facts['backup'] = '/state/backups/OCSChat.json'
    facts['message_test'] = {'result': 'Success', 'error': None}
    facts['files'] = {'status': 'copied', 'summary': 'copied 7 of 7 uploaded files (66,634 bytes) to \\\\fs01\\x',
                      'counts': {'files': 7, 'copied': 7, 'newer_on_target': 0}}
    return facts


# -- plan -----------------------------------------------------------------------------------------------------
def test_a_fresh_unit_plans_every_phase_in_order():
    result = logic.plan(before_cutover())
    assert result['left'] == ['disable', 'migrate', 'delete', 'recreate', 'start']
    assert result['blockers'] == []
    assert '2 federated members lose access' in result['notes']


def test_a_cut_over_unit_plans_nothing():
    result = logic.plan(after_cutover())
    assert result['left'] == [] and result['blockers'] == []
    assert not any(result['phases'].values())


def test_a_stopped_but_not_disabled_legacy_pool_still_plans_disable():
    facts = after_cutover()
    facts['pools'][0]['state'] = 'stopped'  # someone stopped it by hand: it could be started again
    assert logic.plan(facts)['left'] == ['disable']


def test_a_partly_started_target_plans_start():
    facts = after_cutover()
    facts['pools'][1]['state'] = 'partial'
    assert logic.plan(facts)['left'] == ['start']


def test_a_migration_left_to_do_on_a_started_target_plans_start_after_it():
    facts = after_cutover()  # the target runs, but no completed import is known (say, a controller without state)
    facts['migration'] = {'status': 'not_started', 'blockers': [], 'import_warnings': []}
    assert logic.plan(facts)['left'] == ['migrate', 'start']  # migrate stops the target's services for the import


def test_migration_blockers_block_only_while_migration_is_left_to_do():
    facts = before_cutover()
    facts['migration']['blockers'] = ['principal sip:gone@contoso.com is not provisioned in AD (room Sales)']
    assert logic.plan(facts)['blockers'] == ['migration: principal sip:gone@contoso.com is not provisioned in AD '
                                             '(room Sales)']
    done = after_cutover()
    done['migration']['blockers'] = ['anything']
    assert logic.plan(done)['blockers'] == []


@pytest.mark.parametrize('owner, endpoint, expected_phases, blocker', [
    ({'kind': 'conflict', 'dns': [USER_DN, CONTACT_DN]}, None, ['recreate'], 'owned by several objects'),
    ({'kind': 'contact', 'dns': ['CN=Somebody,OU=Contacts,DC=contoso,DC=com']}, None, ['recreate'],
     'not a Persistent Chat endpoint'),
    ({'kind': 'none', 'dns': []}, None, ['recreate'], None),
])
def test_who_owns_the_sip_uri_decides_delete_and_recreate(owner, endpoint, expected_phases, blocker):
    facts = after_cutover()
    facts['owner'], facts['endpoint'] = owner, endpoint
    result = logic.plan(facts)
    assert result['left'] == expected_phases
    if blocker:
        assert any(blocker in text for text in result['blockers']), result['blockers']
    else:
        assert result['blockers'] == []


def test_an_endpoint_on_another_pool_is_recreated_with_a_note():
    facts = after_cutover()
    facts['endpoint']['pool_fqdn'] = 'pcpool2.contoso.com'
    result = logic.plan(facts)
    assert result['left'] == ['recreate'] and result['blockers'] == []
    assert any('moves it to pcpool.contoso.com' in note for note in result['notes'])


def test_the_recreate_after_the_delete_is_predicted_by_the_plan_for_a_preview():
    predicted = logic.plan(before_cutover())['predicted']
    assert list(predicted) == ['recreate'] and predicted['recreate']['changed'] is True
    assert ('would create the legacy endpoint %s on %s after the delete phase of %s' % (SIP, TARGET, USER_DN)
            in predicted['recreate']['summary'])
    moved = after_cutover()
    moved['endpoint']['pool_fqdn'] = 'pcpool2.contoso.com'  # recreate without a delete: the module previews it
    assert logic.plan(moved)['predicted'] == {} and logic.plan(after_cutover())['predicted'] == {}


def test_no_owner_and_no_backup_are_noted_when_the_migration_record_shows_a_cutover_under_way():
    facts = after_cutover()
    facts['owner'], facts['endpoint'], facts['backup'] = {'kind': 'none', 'dns': []}, None, None
    result = logic.plan(facts)
    assert result['blockers'] == []
    assert any('no backup' in note for note in result['notes'])
    assert any('has no owner' in note and "migration record has import" in note for note in result['notes'])


def test_a_sip_uri_nobody_owns_without_any_state_of_the_unit_is_a_typo_that_blocks():
    facts = before_cutover()
    facts['sip_address'] = 'sip:OCSChatt@contoso.com'
    facts['unit_dir'] = '/state/gc.contoso.com'
    facts['owner'] = {'kind': 'none', 'dns': [], 'similar': ['sip:OCSChat@contoso.com']}
    blockers = logic.plan(facts)['blockers']
    assert len(blockers) == 1, blockers
    for text in ('nothing in Active Directory carries sip:OCSChatt@contoso.com', '/state/gc.contoso.com',
                 'pchat_sip_address is probably mistyped', 'similar SIP URI: sip:OCSChat@contoso.com',
                 'Nothing was changed'):
        assert text in blockers[0]


def test_a_backup_alone_makes_a_unit_resumed():
    facts = before_cutover()
    facts['owner'], facts['backup'] = {'kind': 'none', 'dns': []}, '/state/backups/x.json'
    assert logic.plan(facts)['blockers'] == []


@pytest.mark.parametrize('details, rooms, problem', [
    ({'sip_enabled': False, 'home_server': None}, [], 'not enabled for Lync'),
    ({'sip_enabled': True, 'home_server': None}, [], 'homed on no Lync pool'),
    ({'sip_enabled': True, 'home_server': 'CN=lyncpool'}, ['Sales', 'Support'], 'names it in 2 chat room(s)'),
    ({'sip_enabled': True, 'home_server': 'CN=lyncpool'}, [], None),
    ({'sip_enabled': None, 'home_server': None}, [], None),  # not read (a scan): nothing is claimed
])
def test_a_user_owner_must_look_like_the_lookup_service_account(details, rooms, problem):
    facts = before_cutover()
    facts['owner'] = {'kind': 'user', 'dns': [USER_DN], 'owners': [dict(details, dn=USER_DN, kind='user')]}
    facts['migration']['lookup_account_rooms'] = rooms
    blockers = logic.plan(facts)['blockers']
    if problem is None:
        assert blockers == []
    else:
        assert len(blockers) == 1 and problem in blockers[0] and USER_DN in blockers[0], blockers
        assert 'not the legacy Group Chat\'s Lookup service account' in blockers[0]


def test_a_superseded_migration_is_migrated_again_and_says_it_overwrites():
    facts = after_cutover()
    facts['pools'][0]['state'] = 'started'  # the rollback started the legacy pool again
    facts['migration'] = {'status': 'not_started', 'steps': {}, 'superseded': [{'at': 'x', 'steps': {'import': {}}}],
                          'blockers': [], 'import_warnings': []}
    result = logic.plan(facts)
    assert result['left'] == ['disable', 'migrate', 'start'] and result['blockers'] == []
    assert any('exports and imports anew' in note and 'overwrites' in note for note in result['notes'])


def test_wrong_pool_kinds_and_missing_pools_block():
    facts = before_cutover()
    facts['pools'][0]['kind'] = 'persistent_chat_2013'
    facts['pools'] = facts['pools'][:1]
    blockers = logic.plan(facts)['blockers']
    assert any('not a legacy Group Chat pool' in b for b in blockers)
    assert any('pcpool.contoso.com was not found' in b for b in blockers)


def test_the_same_pool_twice_blocks():
    facts = before_cutover()
    facts['target_pool'] = LEGACY.upper()
    assert any('the same pool' in b for b in logic.plan(facts)['blockers'])


def test_a_failed_over_target_blocks_instead_of_being_toggled():
    facts = before_cutover()
    facts['pools'][1]['pool_state'] = 'FailedOver'
    assert any('FailedOver' in b and 'fail back' in b for b in logic.plan(facts)['blockers'])


def test_disable_through_ocspowershell_is_refused_before_anything_changes():
    facts = before_cutover()
    facts['psrp_path'] = 'OcsPowershell'
    assert any('set pchat_psrp_path to wsman' in b for b in logic.plan(facts)['blockers'])
    done = after_cutover()
    done['psrp_path'] = 'OcsPowershell'  # nothing left to disable: that endpoint is fine
    assert logic.plan(done)['blockers'] == []


def test_pool_fqdns_compare_case_insensitively():
    facts = after_cutover()
    facts['target_pool'] = TARGET.upper()
    facts['legacy_pool'] = LEGACY.upper()
    assert logic.plan(facts)['left'] == []


def test_facts_missing_a_key_are_a_role_bug_named_as_such():
    facts = before_cutover()
    del facts['endpoint']
    with pytest.raises(logic.FactsError, match='endpoint'):
        logic.plan(facts)


# -- verdict --------------------------------------------------------------------------------------------------
def test_a_complete_cutover_passes_and_says_what_it_could_not_prove():
    result = logic.verdict(after_cutover())
    assert result['passed'] is True
    assert all(check['ok'] for check in result['checks']) and len(result['checks']) == 7
    assert result['unverified'] == ['message history: no cmdlet counts messages']
    assert result['status'] == 'passed' and result['outcome'] == 'PASSED' and result['manual_steps'] == []


@pytest.mark.parametrize('breakage, failing', [
    (lambda f: f.update(owner={'kind': 'conflict', 'dns': [USER_DN, CONTACT_DN]}), 'exactly one object'),
    (lambda f: f['endpoint'].update(dn='CN=other,DC=contoso,DC=com'), 'Persistent Chat endpoint on the target'),
    (lambda f: f['endpoint'].update(pool_fqdn='pcpool2.contoso.com'), 'Persistent Chat endpoint on the target'),
    (lambda f: f['pools'][1].update(state='partial'), 'pool is started'),
    (lambda f: f['pools'][1].update(pool_state='FailedOver'), 'pool is started'),
    (lambda f: f['pools'][0].update(state='partial'), 'legacy Group Chat pool is stopped'),
    (lambda f: f['migration']['comparison'].update(matches=False), 'as exported'),
    (lambda f: f['migration'].update(status='incomplete'), 'as exported'),
    (lambda f: f['message_test'].update(result='Failure', error='timeout'), 'test message'),
    (lambda f: f['files'].update(status='to_copy'), 'uploaded files'),
])
def test_each_check_fails_on_its_own(breakage, failing):
    facts = after_cutover()
    breakage(facts)
    result = logic.verdict(facts)
    assert result['passed'] is False
    assert [check['name'] for check in result['checks'] if not check['ok']] == [
        name for name in (check['name'] for check in result['checks']) if failing in name]


def test_without_a_message_test_the_cutover_is_not_verified_never_passed():
    facts = after_cutover()
    facts['message_test'] = None
    result = logic.verdict(facts)
    assert result['passed'] is False and result['status'] == 'not_verified' and len(result['checks']) == 6
    assert all(check['ok'] for check in result['checks'])
    assert 'pchat_verify_registrar_pool' in result['not_verified']
    assert result['not_verified'] in result['unverified']


def test_a_message_test_that_could_not_run_says_why_and_is_not_verified():
    facts = after_cutover()
    facts['message_test'] = {'not_run': 'sip:a@contoso.com is managed by Persistent Chat policy Global, which does not '
                                        'enable Persistent Chat', 'result': None}
    result = logic.verdict(facts)
    assert result['status'] == 'not_verified' and result['passed'] is False
    assert 'policy Global' in result['not_verified'] and len(result['checks']) == 6


def test_a_failed_check_fails_whatever_the_message_test():
    facts = after_cutover()
    facts['message_test'] = None
    facts['pools'][1]['state'] = 'stopped'
    assert logic.verdict(facts)['status'] == 'failed'


def test_a_failed_message_test_gives_the_hint_on_credentials():
    facts = after_cutover()
    facts['message_test'] = {'result': 'Failure', 'error': 'No test user credential', 'hint': 'Set-CsTestUserCredential'}
    result = logic.verdict(facts)
    message = [c for c in result['checks'] if 'Test-CsPersistentChatMessage' in c['name']][0]
    assert result['status'] == 'failed' and 'Set-CsTestUserCredential' in message['detail']


def test_what_the_comparison_could_not_check_is_unverified():
    facts = after_cutover()
    facts['migration']['comparison']['not_compared'] = ['members of 18 rooms: the export does not name them']
    result = logic.verdict(facts)
    assert result['passed'] is True
    assert 'after the import, members of 18 rooms: the export does not name them' in result['unverified']


def test_members_without_a_persistent_chat_policy_are_notes_and_nobody_at_all_is_a_blocker():
    facts = before_cutover()
    facts['migration']['member_policies'] = {'blocker': None, 'warnings': ['3 of the 40 members ... cannot use it']}
    facts['migration']['not_predicted'] = ['presenters: the export shows managers, members and creators only']
    result = logic.plan(facts)
    assert result['blockers'] == []
    assert 'Persistent Chat policy: 3 of the 40 members ... cannot use it' in result['notes']
    assert any(n.startswith('not predicted from the export: presenters') for n in result['notes'])
    facts['migration']['member_policies']['blocker'] = 'none of the 40 members checked ...'
    assert logic.plan(facts)['blockers'] == ['Persistent Chat policy: none of the 40 members checked ...']
    done = after_cutover()
    done['migration']['member_policies'] = {'blocker': 'none of the 40 members checked ...'}
    assert logic.plan(done)['blockers'] == []  # nothing left to migrate: the policies are not the cutover's now


def test_uploaded_files_the_cutover_cannot_copy_make_the_verdict_passed_with_a_manual_step():
    facts = after_cutover()
    step = 'Copy the files ... xcopy "\\\\gc01\\GroupChatFiles" "\\\\fs01\\x\\" /E /I /D /Y. Why: OcsPowershell'
    facts['files'] = {'status': 'manual_step', 'manual_step': step, 'summary': 'manual step pending', 'counts': {}}
    result = logic.verdict(facts)
    assert result['passed'] is True and result['manual_steps'] == [step]
    assert result['status'] == 'manual_step_pending' and result['outcome'] == 'PASSED, manual step pending'
    assert not any('uploaded files' in check['name'] for check in result['checks'])
    facts['files'] = {'status': 'done_by_hand', 'summary': 'copied by hand', 'counts': {}}
    result = logic.verdict(facts)
    assert result['status'] == 'passed' and any('copied by hand' in text for text in result['unverified'])
    facts['files'] = None
    assert any('not compared' in text for text in logic.verdict(facts)['unverified'])
    facts['pools'][1]['state'] = 'partial'
    assert logic.verdict(facts)['status'] == 'failed'


def test_the_plan_copies_files_only_when_some_are_missing_and_notes_a_manual_step():
    facts = before_cutover()
    facts['files'] = {'status': 'to_copy', 'summary': 'to copy: 7 of 7 uploaded files (66,634 bytes) to X',
                      'manual_step': None}
    result = logic.plan(facts)
    assert result['left'] == ['disable', 'migrate', 'files', 'delete', 'recreate', 'start']
    assert any('to copy: 7 of 7' in note for note in result['notes'])
    facts['files'] = {'status': 'manual_step', 'manual_step': 'Copy by hand: xcopy ...'}
    result = logic.plan(facts)
    assert 'files' not in result['left'] and result['blockers'] == []
    assert 'uploaded files: Copy by hand: xcopy ...' in result['notes']
    facts['files'] = {'status': 'in_sync'}
    assert 'files' not in logic.plan(facts)['left']


def test_a_legacy_pool_without_a_compliance_server_and_its_web_service_are_noted():
    facts = before_cutover()
    facts['pools'][0].update(servers=[{'fqdn': 'gc01.contoso.com', 'role': 'group_chat'}],
                             web_service={'policy': 'stop', 'summary': 'IIS W3SVC managed with the Group Chat services'})
    notes = logic.plan(facts)['notes']
    assert any('no Group Chat compliance server is named for gc.contoso.com' in note for note in notes)
    assert 'gc.contoso.com: IIS W3SVC managed with the Group Chat services' in notes
    facts['pools'][0]['servers'].append({'fqdn': 'gccomp01.contoso.com', 'role': 'compliance'})
    assert not any('compliance server' in note for note in logic.plan(facts)['notes'])


def test_no_endpoint_at_all_fails_without_crashing():
    facts = after_cutover()
    facts['endpoint'] = None
    result = logic.verdict(facts)
    assert result['passed'] is False and 'no endpoint' in str(result['checks'])


def test_verdict_does_not_change_its_input():
    facts = after_cutover()
    frozen = copy.deepcopy(facts)
    logic.verdict(facts)
    logic.plan(facts)
    assert facts == frozen


# -- phase records, settings -----------------------------------------------------------------------------
def test_a_phase_record_has_its_duration_and_outcome():
    record = logic.phase_record('migrate', 100.0, 7300.5, {'changed': True, 'summary': 'imported 20 rooms'})
    assert record == {'name': 'migrate', 'start': 100.0, 'started': '1970-01-01T00:01:40Z', 'duration': 7200.5,
                      'changed': True, 'summary': 'imported 20 rooms'}
    failed = logic.phase_record('delete', 10, 12, None, failed='LDAP down')
    assert failed['failed'] is True and failed['error'] == 'LDAP down' and failed['changed'] is False
    with pytest.raises(logic.FactsError):
        logic.phase_record('start', 0, 1, 'started')


def test_missing_connection_names_the_variables_unless_the_environment_has_them():
    assert logic.missing_connection({'ldap_url': None, 'psrp_host': ''}, {}) == ['pchat_ldap_url', 'pchat_psrp_host']
    assert logic.missing_connection({'ldap_url': 'ldaps://dc01'}, {'PCHAT_PSRP_HOST': 'fe01'}) == []


def test_set_only_drops_unset_options():
    assert logic.set_only({'ldap_url': 'ldaps://dc01', 'ldap_timeout': None, 'ldap_search_base': '', 'ldap_validate_certs': False}) == {
        'ldap_url': 'ldaps://dc01', 'ldap_validate_certs': False}


def test_nothing_changed_reads_the_phase_records():
    first = logic.phase_record('preflight', 1000.0, 1003.5, {'changed': False, 'summary': 'plan'})
    second = logic.phase_record('disable', 1003.5, 1010.0, {'changed': True, 'summary': 'off'})
    assert (first['start'], first['duration']) == (1000.0, 3.5) and (second['start'], second['duration']) == (1003.5, 6.5)
    assert logic.nothing_changed([first]) and not logic.nothing_changed([first, second])


@pytest.mark.parametrize('settings, blocker, note', [
    (None, None, None),
    ({'sender': None, 'receiver': None, 'registrar_pool': None, 'credentials': 0}, None, 'NOT VERIFIED'),
    ({'sender': 'sip:a@x.com', 'receiver': None, 'registrar_pool': 'lyncpool.x.com', 'credentials': 0},
     'both pchat_verify_test_sender and pchat_verify_test_receiver', None),
    ({'sender': 'sip:a@x.com', 'receiver': 'sip:b@x.com', 'registrar_pool': None, 'credentials': 0},
     'pchat_verify_registrar_pool', None),
    ({'sender': 'sip:a@x.com', 'receiver': 'sip:b@x.com', 'registrar_pool': 'lyncpool.x.com', 'credentials': 2},
     'all four', None),
    ({'sender': 'sip:a@x.com', 'receiver': 'sip:b@x.com', 'registrar_pool': 'lyncpool.x.com', 'credentials': 4},
     None, None),
])
def test_test_message_settings_that_cannot_work_block_before_any_change(settings, blocker, note):
    facts = before_cutover()
    facts['verify'] = settings
    result = logic.plan(facts)
    found = [b for b in result['blockers'] if b.startswith('verify:')]
    assert (blocker in found[0]) if blocker else found == []
    assert any(note in n for n in result['notes']) if note else not any(n.startswith('verify:') for n in result['notes'])
