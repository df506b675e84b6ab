#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_migration
short_description: Copy a legacy Group Chat pool's categories, rooms, members and history to a Persistent Chat pool
version_added: 0.1.0
description:
  - Copies categories, rooms with their settings, members, managers and presenters, and the message history of the
    legacy Group Chat pool O(source_pool) to the Persistent Chat 2013 pool O(target_pool).
  - By default everything is migrated, disabled rooms and the whole history included; O(rooms), O(since) and
    O(include_disabled_rooms) only narrow it. Everything not migrated is counted as skipped, with the reason.
  - Applies the conversions of Lync's C(Import-CsPersistentChatData). The category tree is flattened, each
    sub-category's name prefixed with its parents' names (joined by C(_)), and the root category is not copied.
    Names longer than 256 characters are skipped with that reason. The root category's managers become managers of
    every room, and a room in a category with invitations off gets invitations off (listed in
    RV(conversion_warnings)). Uploaded files are not migrated, as with Lync.
  - With the lab driver the copy is resumable and never duplicates. Every copied object keeps its source's stable
    key, so a run killed at any moment (even SIGKILL mid-batch) and run again copies exactly what is missing. It
    streams, so memory stays flat whatever the history size. After copying it verifies every room (message count
    and content checksum, source against target) and fails, naming the rooms, if they differ.
  - With the psrp driver it runs C(Export-CsPersistentChatData) against the Group Chat database,
    C(Import-CsPersistentChatData -WhatIf) as a gate, then the import. It compares the target's categories and rooms
    before and after to decide C(changed) and success. The cmdlets do not count messages, so that verification is
    coarser; see the collection's docs/psrp.md.
  - When the directory options are given, the rooms' SIP members are resolved with batched look-ups (as
    M(pchat.cutover.sip_address_info) does). Those that are not users are returned in RV(unresolved_members),
    and migrated or skipped according to O(unresolved_members); they are never dropped silently.
  - Refuses to run while the source pool is still started (the disable phase comes first), unless O(force=true).
    In check mode it previews anyway and says so in RV(preview_notes), because in a previewed cutover the disable
    task before it did not really stop the pool.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.platform
  - pchat.cutover.directory
attributes:
  check_mode:
    support: full
    description: Reports what would be copied, per kind, and copies nothing.
  diff_mode:
    support: full
    description: The target pool's counts before and after.
options:
  source_pool:
    description: FQDN of the legacy Group Chat pool (Lync Server 2010 or OCS 2007 R2 Group Chat).
    type: str
    required: true
  target_pool:
    description: FQDN of the Persistent Chat 2013 pool.
    type: str
    required: true
  since:
    description:
      - Only messages sent on or after this date (V(2026-01-01)) or time (V(2026-01-01T08:00:00Z), UTC).
      - Older messages are counted as skipped.
    type: str
  rooms:
    description:
      - Only these rooms (names, compared without regard to case). A name that does not exist fails the task.
    type: list
    elements: str
  include_disabled_rooms:
    description: Migrate rooms that are disabled on the source (they stay disabled on the target).
    type: bool
    default: true
  batch_size:
    description:
      - Messages per transaction (lab driver). After a kill, at most this many are copied again.
    type: int
    default: 5000
  unresolved_members:
    description:
      - What to do with room members whose SIP URI is not a user in the directory (only with the directory options).
      - V(migrate) copies them as the source has them (Lync's import reports "principal not provisioned" for them);
        V(skip) leaves them out and counts them as skipped. Either way they are listed in RV(unresolved_members).
    type: str
    choices: [migrate, skip]
    default: migrate
  force:
    description: Run although the source pool is still started (messages written after the copy are not migrated).
    type: bool
    default: false
  source_db_instance:
    description:
      - psrp driver only, required with it. SQL Server instance of the Group Chat database, as
        V(gcsql.contoso.com\\gcinstance).
    type: str
  source_db_name:
    description: psrp driver only. Name of the Group Chat database, when not the default.
    type: str
  target_db_instance:
    description:
      - psrp driver only, required with it. SQL Server instance of the Persistent Chat database.
    type: str
  export_file:
    description:
      - psrp driver only, required with it. Path of the export zip on O(psrp_host), as
        V(D:\\pchat\\gc-export.zip).
    type: str
seealso:
  - module: pchat.cutover.chat_pool
  - module: pchat.cutover.sip_address_info
'''

EXAMPLES = r'''
- name: Migrate everything from the legacy pool (after it was disabled)
  pchat.cutover.chat_migration:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
  register: migration

- name: Only two rooms and the last year of history, leaving out members no longer in AD
  pchat.cutover.chat_migration:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    rooms: [Release room 0001, Support room 0002]
    since: "2025-11-24"
    unresolved_members: skip
    ldap_url: ldaps://dc01.contoso.com
    bind_dn: CN=svc-pchat,OU=Service,DC=contoso,DC=com
    bind_password: "{{ vault_bind_password }}"
'''

RETURN = r'''
counts:
  description: Per kind (C(categories), C(rooms), C(members), C(messages)) the numbers C(migrated) (in this run),
    C(already_present) (copied by an earlier run) and C(skipped).
  returned: success
  type: dict
  sample:
    messages: {migrated: 2000, already_present: 0, skipped: 0}
    rooms: {migrated: 20, already_present: 0, skipped: 0}
skipped_reasons:
  description: Why things were skipped, each with C(kind), C(reason) and C(count).
  returned: success
  type: list
  elements: dict
unresolved_members:
  description: SIP members that are not users in the directory (at most 1000 listed), each with C(principal),
    C(kind) (V(none), V(contact) or V(conflict)) and C(rooms) (how many rooms list them).
  returned: success
  type: list
  elements: dict
unresolved_total:
  description: How many distinct unresolved members there are.
  returned: success
  type: int
conversion_warnings:
  description: Conversions that changed something (for example invitations turned off), at most 1000; with the psrp
    driver, the warning streams of the export and the imports.
  returned: success
  type: list
  elements: str
overwritten:
  description: Target categories and rooms that existed with the same name before the migration and were
    overwritten, as Lync's import does.
  returned: success
  type: list
  elements: str
rooms:
  description:
    - Per migrated room (lab driver, not in check mode) its C(name), C(disabled), and the message count and content
      checksum of the source (C(source_messages), C(source_checksum)) and of the target's migrated copy
      (C(target_messages), C(target_checksum)), as verified after the copy. The verify phase compares these with
      M(pchat.cutover.chat_pool_info)'s room details later.
  returned: success
  type: list
  elements: dict
verification:
  description: C(rooms_checked) and C(mismatched) (rooms whose message count or checksum differ; the task fails if any).
  returned: success
  type: dict
preview_notes:
  description: In check mode, what a real run would do differently (for example refuse while the source pool is started).
  returned: success
  type: list
  elements: str
source_state:
  description: State of the source pool when the task ran (V(started), V(stopped), V(disabled), V(partial)).
  returned: success
  type: str
duration:
  description: Seconds the migration took.
  returned: success
  type: float
messages_per_second:
  description: Messages migrated per second in this run.
  returned: success
  type: float
'''

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec
from ansible_collections.pchat.cutover.plugins.module_utils.directory import client_from_module
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.migration_lab import KINDS, LabMigration
from ansible_collections.pchat.cutover.plugins.module_utils.platform import (
    LEGACY_KINDS, platform_from_module, require_pool,
)
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def parse_since(value):
    """'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM[:SS][Z]' as the store's 'YYYY-MM-DDTHH:MM:SSZ' (UTC)."""
    if not value:
        return None
    text = value.strip().rstrip('Z').replace(' ', 'T')
    for pattern in ('%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M'):
        try:
            return datetime.datetime.strptime(text, pattern).strftime('%Y-%m-%dT%H:%M:%SZ')
        except ValueError:
            continue
    raise PchatError("since %r is not a date or time; write it as '2026-01-31' or '2026-01-31T08:00:00Z' (UTC)." % value)


def check_pools(module, platform):
    params = module.params
    source = require_pool(platform, validate_fqdn(params['source_pool'], 'source_pool'), 'source_pool')
    target = require_pool(platform, validate_fqdn(params['target_pool'], 'target_pool'), 'target_pool')
    if source['kind'] not in LEGACY_KINDS:
        raise PchatError('source_pool %r is a %s pool; the source must be a legacy Group Chat pool.'
                         % (source['fqdn'], source['kind']))
    if target['kind'] != 'persistent_chat_2013':
        raise PchatError('target_pool %r is a %s pool; the target must be a Persistent Chat 2013 pool.'
                         % (target['fqdn'], target['kind']))
    if source['state'] in ('started', 'partial') and not params['force'] and not module.check_mode:
        raise PchatError('source pool %r is still %s: clients could write messages the copy would miss. Disable it '
                         'first (pchat.cutover.chat_pool state=disabled), or set force: true to copy anyway.'
                         % (source['fqdn'], source['state']))
    return source, target


def make_resolver(directory):
    if directory is None:
        return None

    def resolve(uris):
        owners = directory.find_sip_owners(uris)
        return dict((uri, answer['kind']) for uri, answer in owners.items())
    return resolve


def lab_migration(module, platform, directory, source, target):
    params = module.params
    options = {
        'since': parse_since(params['since']),
        'rooms': params['rooms'],
        'include_disabled_rooms': params['include_disabled_rooms'],
        'batch_size': params['batch_size'],
        'unresolved_members': params['unresolved_members'],
    }
    before = dict(target['counts'])
    migration = LabMigration(platform.conn, source['fqdn'], target['fqdn'], options, make_resolver(directory),
                             module.check_mode)
    result = migration.run()
    if module.check_mode:
        after = dict(before)
        for kind in KINDS:
            after[kind] = (after.get(kind) or 0) + result['counts'][kind]['migrated']
    else:
        after = platform.counts(target['fqdn'])
    result['changed'] = any(result['counts'][kind]['migrated'] for kind in KINDS) or bool(result['overwritten'])
    result['diff'] = {'before': {target['fqdn']: before}, 'after': {target['fqdn']: after}}
    if result['verification']['mismatched']:
        rooms = ', '.join(m['room'] for m in result['verification']['mismatched'][:20])
        raise PchatError('verification failed: %d rooms differ between %s and %s after the copy (%s). Run the task again '
                         'to complete them; if they still differ, the target was changed by something else.'
                         % (len(result['verification']['mismatched']), source['fqdn'], target['fqdn'], rooms),
                         details=result)
    return result


def psrp_migration(module, platform, source, target):
    params = module.params
    for name in ('source_db_instance', 'target_db_instance', 'export_file'):
        if not params[name]:
            raise PchatError('%s is required with driver psrp (Export-/Import-CsPersistentChatData address the databases '
                             'and the export zip directly).' % name)
    if params['rooms'] or not params['include_disabled_rooms'] or params['unresolved_members'] == 'skip':
        raise PchatError('rooms, include_disabled_rooms: false and unresolved_members: skip are lab-driver options: Lync\'s '
                         'export has no room filter (mark rooms you do not want as disabled before the export instead).')
    before = platform.room_counts(target['fqdn'])
    result = {'counts': dict((kind, {'migrated': None, 'already_present': None, 'skipped': None}) for kind in KINDS),
              'skipped_reasons': [], 'unresolved_members': [], 'unresolved_total': 0, 'overwritten': [],
              'verification': {'rooms_checked': 0, 'mismatched': []}, 'rooms': [], 'duration': 0.0,
              'messages_per_second': None}
    started = datetime.datetime.now()
    if module.check_mode:
        result.update(changed=True, conversion_warnings=['check mode: the export and import were not run'],
                      diff={'before': {target['fqdn']: before}, 'after': {target['fqdn']: 'after export and import'}})
        return result
    since = parse_since(params['since'])
    export = platform.export_chat_data(params['source_db_instance'], params['export_file'], since=since,
                                       db_name=params['source_db_name'])
    gate = platform.import_chat_data(params['target_db_instance'], params['export_file'], what_if=True)
    imported = platform.import_chat_data(params['target_db_instance'], params['export_file'])
    after = platform.room_counts(target['fqdn'])
    if (after.get('rooms') or 0) < (before.get('rooms') or 0):
        raise PchatError('after the import %s has %s rooms, fewer than the %s before; check the import report.'
                         % (target['fqdn'], after.get('rooms'), before.get('rooms')))
    for kind in ('categories', 'rooms', 'members'):
        if after.get(kind) is not None and before.get(kind) is not None:
            result['counts'][kind]['migrated'] = after[kind] - before[kind]
    result['conversion_warnings'] = [w for step in (export, gate, imported) for w in step.get('warnings', [])]
    result['duration'] = round((datetime.datetime.now() - started).total_seconds(), 3)
    result['changed'] = after != before
    result['diff'] = {'before': {target['fqdn']: before}, 'after': {target['fqdn']: after}}
    return result


def main():
    spec = connection_argument_spec(
        source_pool=dict(type='str', required=True),
        target_pool=dict(type='str', required=True),
        since=dict(type='str'),
        rooms=dict(type='list', elements='str'),
        include_disabled_rooms=dict(type='bool', default=True),
        batch_size=dict(type='int', default=5000),
        unresolved_members=dict(type='str', choices=['migrate', 'skip'], default='migrate'),
        force=dict(type='bool', default=False),
        source_db_instance=dict(type='str'),
        source_db_name=dict(type='str'),
        target_db_instance=dict(type='str'),
        export_file=dict(type='str'),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    try:
        parse_since(module.params['since'])
        if module.params['batch_size'] < 1:
            raise PchatError('batch_size must be at least 1.')
        validate_fqdn(module.params['source_pool'], 'source_pool')
        validate_fqdn(module.params['target_pool'], 'target_pool')
    except PchatError as exc:
        module.fail_json(**exc.fail_kwargs())
    directory = client_from_module(module) if module.params['ldap_url'] else None
    platform = platform_from_module(module, directory)
    try:
        source, target = check_pools(module, platform)
        if platform.name == 'lab':
            result = lab_migration(module, platform, directory, source, target)
        else:
            result = psrp_migration(module, platform, source, target)
        result['source_state'] = source['state']
        result['preview_notes'] = []
        if module.check_mode and source['state'] in ('started', 'partial') and not module.params['force']:
            result['preview_notes'].append('source pool %s is %s: a real run refuses until it is disabled (the disable '
                                           'phase) or force is set' % (source['fqdn'], source['state']))
    except PchatError as exc:
        platform.close()
        if directory is not None:
            directory.close()
        module.fail_json(**exc.fail_kwargs())
    platform.close()
    if directory is not None:
        result['searches'] = directory.searches
        directory.close()
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
