# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cutover role gathers for its report (pchat_report), built from the decisions' own functions, for the
report's tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.pchat.cutover.plugins.module_utils import cutover_logic

SCRIPT_ROOM = '<script>alert(1)</script> & co'
LEGACY, TARGET, SIP = 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com'
USER_DN = 'CN=OCSChat,CN=Users,DC=contoso,DC=com'
CONTACT_DN = 'CN={6F0C},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'


def _pools(legacy_state, target_state, rooms=()):
    return [{'fqdn': LEGACY, 'kind': 'group_chat_2010', 'state': legacy_state, 'pool_state': None,
             'counts': {'categories': None, 'rooms': None, 'members': None, 'messages': None}},
            {'fqdn': TARGET, 'kind': 'persistent_chat_2013', 'state': target_state, 'pool_state': 'Normal',
             'counts': {'categories': 4, 'rooms': len(rooms), 'members': 1234567, 'messages': None},
             'rooms': list(rooms)}]


def report(mode='run', failed_phase=None):
    before = {'legacy_pool': LEGACY, 'target_pool': TARGET, 'sip_address': SIP, 'psrp_path': 'wsman',
              'pools': _pools('started', 'stopped'), 'owner': {'kind': 'user', 'dns': [USER_DN]}, 'endpoint': None,
              'backup': None,
              'migration': {'status': 'not_started', 'blockers': [], 'import_warnings': ['13 room_renamed (accepted)'],
                            'preview': {'counts': {'categories': 4, 'rooms': 18, 'members': 141},
                                        'warning_kinds': {'room_renamed': 13, 'federated_user': 3}},
                            'unverifiable': ['message history: no Lync cmdlet counts a room\'s messages']}}
    rooms = [{'name': 'Engineering_Backend_Release room 0001', 'category': 'Engineering_Backend', 'disabled': False,
              'members': ['sip:a@contoso.com'] * 8}, {'name': SCRIPT_ROOM, 'category': 'Sales', 'disabled': False,
                                                      'members': []}]
    after = copy.deepcopy(before)
    after.update(pools=_pools('disabled', 'started', rooms), owner={'kind': 'contact', 'dns': [CONTACT_DN]},
                 endpoint={'sip_address': SIP, 'pool_fqdn': TARGET, 'dn': CONTACT_DN})
    after['migration'] = {'status': 'done', 'comparison': {'matches': True, 'summary': '4 of 4 categories and 18 of 18 '
                                                           'rooms present'},
                          'unverifiable': before['migration']['unverifiable']}
    phases, started = [], 1795690000.0
    for name, seconds, changed in (('preflight', 3.5, False), ('disable', 4.0, True), ('migrate', 7500.0, True),
                                   ('delete', 1.2, True), ('recreate', 2.0, True), ('start', 3.0, True),
                                   ('verify', 6.1, False)):
        if name == failed_phase:
            break
        begin = phases[-1]['start'] + phases[-1]['duration'] if phases else started
        phases.append(cutover_logic.phase_record(name, begin, begin + seconds,
                                                 {'changed': changed, 'summary': '%s done' % name}))
    verdict = None if mode == 'check' or failed_phase else cutover_logic.verdict(dict(after, message_test={
        'result': 'Success', 'error': None}))
    return {
        'unit': 'contoso_group_chat', 'mode': mode, 'stamp': '20261126T100000Z', 'legacy_pool': LEGACY,
        'target_pool': TARGET, 'sip_address': SIP, 'plan': cutover_logic.plan(before), 'before': before,
        'after': None if failed_phase else after, 'phases': phases,
        'migration_prepare': {'steps': [{'step': 'backup', 'summary': 'exported the database', 'seconds': 4.0}]},
        'migration': {'steps': [{'step': 'import', 'summary': 'imported', 'seconds': 7400.0}],
                      'counts': {'rooms': {'migrated': 1800, 'already_present': 0, 'skipped': 0},
                                 'messages': {'migrated': None, 'already_present': None, 'skipped': None}}},
        'verdict': verdict,
        'failure': {'phase': failed_phase, 'task': 'Import', 'error': 'the front end dropped the connection'}
        if failed_phase else None,
        'unit_state': {'backup_file': '/state/gc.contoso.com/backups/OCSChat-1.json',
                       'migration': {'steps': {'backup': {'file': 'C:\\PchatMigration\\b.zip'}}}},
        'finished': '2026-11-26T12:10:00Z'}
