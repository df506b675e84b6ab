# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cutover role gathers for its report (pchat_report), and what the rollback role gathers for its own, built
from the decisions' own functions and shaped as the lab's runs return them, for the report's tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.pchat.cutover.plugins.plugin_utils import cutover_logic

SCRIPT_ROOM = '<script>alert(1)</script> & co'
LEGACY, TARGET, SIP = 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com'
USER_DN = 'CN=OCSChat,CN=Users,DC=contoso,DC=com'
CONTACT_DN = 'CN={6F0C},CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
EXPORT_DIR = 'C:\\PchatMigration'
SID, GUID = 'S-1-5-21-4271929891-1662676477-4227213745-1102', '665e4a41-3d6d-430e-88dd-9baf06ec7fd1'
RENAMED = ('Chat room "Meeting room 0003" becomes "Engineering_Support_Meeting room 0003": rooms of a sub-category '
           'are prefixed with their parent categories\' names.')
FEDERATED = ('Federated user "sip:partner030@fabrikam.com" is migrated, but Persistent Chat Server does not support '
             'federation: the user will not be able to access the chat rooms.')
ROOMS = [{'name': 'Engineering_Backend_Release room 0001', 'category': 'Engineering_Backend', 'disabled': False,
          'members': ['sip:a@contoso.com'] * 8, 'managers': ['sip:m@contoso.com']},
         {'name': SCRIPT_ROOM, 'category': 'Sales', 'disabled': False, 'members': [], 'managers': []}]
START = 1795690000.0  # 2026-11-26T10:46:40Z


def _pools(legacy_state, target_state, rooms=()):
    return [{'fqdn': LEGACY, 'kind': 'group_chat_2010', 'state': legacy_state, 'pool_state': None,
             'counts': {'categories': None, 'rooms': None, 'members': None, 'messages': None}},
            {'fqdn': TARGET, 'kind': 'persistent_chat_2013', 'state': target_state, 'pool_state': 'Normal',
             'counts': {'categories': 4, 'rooms': len(rooms), 'members': 1234567, 'messages': None},
             'rooms': list(rooms)}]


def rehearsal(warnings=2, skipped=None, failed=False):
    """What chat_migration_info's rehearsal returns (preflight): ``warnings`` of them, the first the renamed room."""
    texts = [RENAMED, FEDERATED] + ['Chat room "Room %04d" becomes "Sales_Room %04d": rooms of a sub-category are '
                                    'prefixed with their parent categories\' names.' % (n, n) for n in range(warnings)]
    texts = texts[:warnings]
    kinds = {}
    for text in texts:
        kind = 'federated_user' if text.startswith('Federated') else 'room_renamed'
        kinds[kind] = kinds.get(kind, 0) + 1
    outcome = {'file': EXPORT_DIR + '\\gc.contoso.com-rehearsal.zip', 'export_seconds': 120.0, 'whatif_seconds': 30.0,
               'errors': [], 'warnings': [{'kind': 'federated_user' if t.startswith('Federated') else 'room_renamed',
                                           'text': t} for t in texts],
               'warning_kinds': kinds, 'export_warnings': [], 'blockers': [], 'skipped': skipped}
    if skipped:
        outcome.update(export_seconds=None, whatif_seconds=None, warnings=[], warning_kinds={})
    if failed:
        outcome.update(whatif_seconds=None, warnings=[], warning_kinds={},
                       errors=['Cannot open database "pchat" requested by the login.'],
                       blockers=['the rehearsal\'s -WhatIf import into pcpool.contoso.com failed: the SQL instance '
                                 'refused the login'])
    return outcome


def report(mode='run', failed_phase=None, warnings=2, superseded=False, rehearsed=None):
    """What the cutover role gathers: a run (or a preview) of one unit that migrates 18 rooms, PASSED unless
    ``failed_phase`` failed; ``rehearsed`` replaces the rehearsal."""
    migration_before = {
        'status': 'not_started', 'blockers': [], 'import_warnings': ['13 room_renamed (accepted)'],
        'preview': {'counts': {'categories': 4, 'rooms': 18, 'members': 141, 'disabled_rooms_left_out': 2},
                    'warning_kinds': {'room_renamed': 13, 'federated_user': 3}},
        'unverifiable': ['message history: no Lync cmdlet counts or reads a room\'s messages, so the history is '
                         'proven only by the import completing without errors (its -Report on the front end lists '
                         'what it wrote)', 'files posted in rooms: Lync\'s export does not carry them'],
        'rehearsal': rehearsal(warnings) if rehearsed is None else rehearsed,
        'superseded': [{'at': '2026-11-20T10:00:00Z', 'steps': {'import': {'done': True}}}] if superseded else []}
    before = {'legacy_pool': LEGACY, 'target_pool': TARGET, 'sip_address': SIP, 'psrp_path': 'wsman',
              'pools': _pools('started', 'stopped'), 'owner': {'kind': 'user', 'dns': [USER_DN]}, 'endpoint': None,
              'backup': None, 'migration': migration_before}
    after = copy.deepcopy(before)
    after.update(pools=_pools('disabled', 'started', ROOMS), owner={'kind': 'contact', 'dns': [CONTACT_DN]},
                 endpoint={'sip_address': SIP, 'pool_fqdn': TARGET, 'dn': CONTACT_DN})
    after['migration'] = {'status': 'done', 'comparison': {'matches': True, 'summary': '4 of 4 categories and 18 of 18 '
                                                           'rooms present'},
                          'unverifiable': migration_before['unverifiable']}
    phases = []
    for name, seconds, changed in (('preflight', 3.5, False), ('disable', 4.0, True), ('migrate', 7500.0, True),
                                   ('delete', 1.2, True), ('recreate', 2.0, True), ('start', 3.0, True),
                                   ('verify', 6.1, False)):
        if name == failed_phase:
            break
        begin = phases[-1]['start'] + phases[-1]['duration'] if phases else START
        summary = '%s %s' % ('would change' if mode == 'check' else 'changed', name) if changed else 'nothing'
        phases.append(cutover_logic.phase_record(name, begin, begin + seconds, {'changed': changed, 'summary': summary}))
    verdict = None if mode == 'check' or failed_phase else cutover_logic.verdict(dict(after, message_test={
        'result': 'Success', 'error': None}))
    failed_at = phases[-1]['start'] + phases[-1]['duration'] if phases else START
    return {
        'kind': 'cutover', 'unit': 'contoso_group_chat', 'mode': mode, 'stamp': '20261126T100000Z',
        'legacy_pool': LEGACY, 'target_pool': TARGET, 'sip_address': SIP, 'plan': cutover_logic.plan(before),
        # a preview's verify reads again what preflight read (nothing changed): the report must not show it as "after"
        'before': before, 'after': None if failed_phase else (copy.deepcopy(before) if mode == 'check' else after),
        'phases': phases,
        'migration_prepare': {'steps': [{'step': 'backup', 'summary': 'exported the database to %s\\b.zip' % EXPORT_DIR,
                                         'seconds': 4.0}]},
        'migration': {'steps': [{'step': 'import', 'summary': 'imported', 'seconds': 7400.0}],
                      'counts': {'rooms': {'migrated': 1800, 'already_present': 0, 'skipped': 0},
                                 'messages': {'migrated': None, 'already_present': None, 'skipped': None}}},
        'accepted_warnings': ['room_renamed', 'federated_user'],
        'verdict': verdict,
        'failure': {'phase': failed_phase, 'task': 'Import', 'error': 'the front end dropped the connection',
                    'interrupted': None, 'started': failed_at, 'at': failed_at + 61.0}
        if failed_phase else None,
        'unit_state': {'backup_file': '/state/gc.contoso.com/backups/OCSChat-1.json',
                       'migration': {'steps': {'backup': {'file': EXPORT_DIR + '\\b.zip'}}}},
        'finished': '2026-11-26T12:10:00Z'}


def rollback(mode='run', restored='reanimated', stop_target=False, failed_at=None, read_target=True):
    """What the rollback role gathers after a cutover: each step's module result (``failed_at``: the step that
    failed; the later ones never ran)."""
    preview = mode == 'check'
    backup = {'dn': USER_DN, 'object_sid': SID, 'object_guid': GUID, 'taken_at': '2026-11-26T10:05:00Z'}
    new_sid, new_guid = (SID, GUID) if restored == 'reanimated' else ('S-1-5-21-1-2-3-2001', '0f0f0f0f-0000-4000-8000-1')
    steps = {
        'endpoint': {'changed': True, 'summary': '%s the endpoint %s' % ('would remove' if preview else 'removed', SIP),
                     'endpoint_before': {'sip_address': SIP, 'dn': CONTACT_DN, 'pool_fqdn': TARGET}},
        'user': {'changed': True, 'restored': restored, 'dn': USER_DN, 'object_sid': new_sid, 'object_guid': new_guid,
                 'warnings_detail': ['group CN=Chat Owners,OU=Groups,DC=contoso,DC=com no longer exists; membership '
                                     'not restored.'] if restored == 'recreated' else [],
                 'summary': 'restored (%s) %s' % (restored, USER_DN)},
        'legacy_pool': {'changed': True, 'summary': '%s 7 service change(s) on %s, leaving it started'
                                                    % ('would make' if preview else 'made', LEGACY)},
        'migration': {'changed': True, 'summary': 'the recorded migration (backup, check, export, import) is '
                                                  'superseded: the next cutover exports and imports anew'},
        'target_pool': ({'changed': True, 'summary': 'made 6 service change(s) on %s, leaving it stopped' % TARGET}
                        if stop_target else {'changed': False, 'skipped': True,
                                             'false_condition': 'pchat_rollback_stop_target | bool'}),
        'target_read': {'pools': _pools('started', 'stopped' if stop_target else 'started', ROOMS)}
        if read_target else None,
        'stop_target': stop_target,
    }
    failure = None
    if failed_at:
        names = ['endpoint', 'user', 'legacy_pool', 'migration', 'target_pool', 'target_read']
        steps[failed_at] = {'failed': True, 'msg': 'Start-CsWindowsService failed on gc01.contoso.com: Access is '
                                                   'denied.'}
        for later in names[names.index(failed_at) + 1:]:
            steps[later] = None
        failure = {'phase': 'rollback', 'task': 'Start the legacy Group Chat pool again',
                   'error': steps[failed_at]['msg'], 'interrupted': None, 'at': START + 30}
    return {'kind': 'rollback', 'unit': 'contoso_group_chat', 'mode': mode, 'stamp': '20261127T080000Z',
            'legacy_pool': LEGACY, 'target_pool': TARGET, 'sip_address': SIP, 'rollback': steps, 'failure': failure,
            'unit_state': {'backup_file': '/state/gc.contoso.com/backups/OCSChat-1.json', 'backup': backup,
                           'migration': {'steps': {}, 'superseded': [{'at': '2026-11-27T08:00:05Z', 'expected': {
                               'rooms': dict((room['name'].lower(), room) for room in ROOMS)}}]}},
            'finished': '2026-11-27T08:00:40Z'}
