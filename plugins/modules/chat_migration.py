#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_migration
short_description: Migrate a legacy Group Chat pool's data to a Persistent Chat pool, as Microsoft's guide does it
version_added: 0.1.0
description:
  - Runs the data migration of one cutover unit in the steps of the migration guide, through the Lync front end's
    remote PowerShell, each step recorded in O(record_file) so that a run killed anywhere and run again does only
    what is left, and a completed import is never repeated.
  - V(backup) exports the Persistent Chat pool's database (found from the topology, or O(target_db_instance)) to a
    file in O(export_dir) on the front end, as its backup; the file is returned and recorded.
  - V(export) exports the Group Chat database to a file in O(export_dir) (C(Export-CsPersistentChatData)); the legacy
    pool must be stopped (the disable phase), unless O(force). It also reads the room directory back
    (C(-Level RoomDirectory -AsBytes)) to predict the import with Lync's documented conversions.
  - V(check) runs C(Import-CsPersistentChatData -WhatIf); every error, and every warning of a kind not in
    O(accept_warnings), stops the migration here, before anything is written.
  - V(import) runs the import (the Persistent Chat pool's chat services must be stopped; the migrate role stops
    them), then compares the pool's categories and rooms (names, categories, members, managers, presenters) with
    the prediction; an import that did not leave them there fails.
  - Message history cannot be counted through the cmdlets; the result says so (see
    M(pchat.cutover.chat_migration_info)).
  - Disabled rooms are not migrated - an export from a Group Chat database leaves them out, as the guide intends
    (re-enable a room on the legacy pool to migrate it).
  - Export and import run as long cmdlets - their progress is shown while they work - and when the operator stops the
    run (Ctrl-C, SIGTERM) they are stopped on the front end. The task then fails saying whether the front end confirmed
    the stop, and that the import's outcome is unknown (run again, the import overwrites by name). Before the import
    is sent, O(record_file) names the runspace pool it runs in; if this process dies while it works, the next run
    closes that runspace pool on the front end (which stops what still runs there) before importing again.
  - O(state=superseded) marks the recorded migration as no longer current (a rollback started the legacy pool
    again, so users post there); the next run with O(state=present) backs up, exports, checks and imports anew.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.migration
  - pchat.cutover.platform
  - pchat.cutover.lease
  - pchat.cutover.directory
attributes:
  check_mode:
    support: full
    description: Reports what each step would do (the export's prediction included) and writes nothing, neither on
      the front end nor in O(record_file).
  diff_mode:
    support: none
    description: The result lists each step's outcome instead.
options:
  state:
    description:
      - V(present) runs O(steps). V(superseded) moves the recorded steps aside (kept in the record as
        C(superseded)), so that the next V(present) migrates anew; O(steps) is ignored then.
    type: str
    choices: [present, superseded]
    default: present
  steps:
    description:
      - The steps to run, in this order whatever the order given.
    type: list
    elements: str
    choices: [backup, export, check, import]
    default: [backup, export, check, import]
  force:
    description:
      - Export although the legacy pool still runs, and import again although the recorded import is complete.
    type: bool
    default: false
seealso:
  - module: pchat.cutover.chat_migration_info
  - module: pchat.cutover.chat_pool
'''

EXAMPLES = r'''
- name: Migrate the Group Chat data (all steps)
  pchat.cutover.chat_migration:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    source_db_instance: gcsql.contoso.com\groupchat
    source_db_name: GroupChat
    export_dir: C:\PchatMigration
    record_file: /var/lib/pchat/gc.contoso.com/migration.json
    accept_warnings: [category_flattened, room_renamed, root_managers]

- name: After a rollback started the legacy pool again, the next cutover migrates anew
  pchat.cutover.chat_migration:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    source_db_instance: gcsql.contoso.com\groupchat
    record_file: /var/lib/pchat/gc.contoso.com/migration.json
    state: superseded
'''

RETURN = r'''
steps:
  description: Each step run, in order, with C(step), C(changed), C(summary), C(seconds) and what it produced (C(file),
    C(counts), C(warning_kinds), C(comparison), C(report)).
  returned: always
  type: list
  elements: dict
  sample:
    - step: export
      changed: true
      seconds: 0.1
      file: C:\PchatMigration\gc.contoso.com-export-20261128T021500Z.zip
      counts: {categories: 4, rooms: 18, members: 141, disabled_rooms_left_out: 2}
      warnings: []
      summary: 'exported gc.contoso.com to C:\PchatMigration\gc.contoso.com-export-20261128T021500Z.zip: 4 categories,
        18 rooms, 141 member entries'
    - step: import
      changed: true
      seconds: 0.3
      report: C:\PchatMigration\pcpool.contoso.com-import-20261128T021500Z.html
      comparison:
        matches: true
        summary: 4 of 4 categories and 18 of 18 rooms present
        missing_categories: []
        missing_rooms: []
        different: []
      summary: imported C:\PchatMigration\gc.contoso.com-export-20261128T021500Z.zip into pcpool.contoso.com; 4 of 4
        categories and 18 of 18 rooms present
counts:
  description: Per object kind (C(categories), C(rooms), C(members), C(messages)), how many were C(migrated),
    C(already_present) or C(skipped); message counts are V(null) (no cmdlet counts messages).
  returned: always
  type: dict
  sample:
    categories: {migrated: 4, already_present: 0, skipped: 0}
    rooms: {migrated: 18, already_present: 0, skipped: 0}
    members: {migrated: 141, already_present: 0, skipped: 0}
    messages: {migrated: null, already_present: null, skipped: null}
summary:
  description: With O(state=superseded), what was done.
  returned: when O(state=superseded)
  type: str
  sample: 'the recorded migration (backup, check, export, import) is superseded: the next cutover exports and imports anew'
record:
  description: The migration record after the task (what O(record_file) holds).
  returned: always
  type: dict
  sample:
    format: pchat.cutover/migration-record/v1
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    steps:
      backup:
        done: true
        at: '2026-11-28T02:15:00Z'
        database: pcsql.contoso.com\pchat
        file: C:\PchatMigration\pcpool.contoso.com-backup-20261128T021500Z.zip
        warnings: []
      export:
        done: true
        at: '2026-11-28T02:15:00Z'
        file: C:\PchatMigration\gc.contoso.com-export-20261128T021500Z.zip
        settings: {database: gcsql.contoso.com\groupchat, database_name: GroupChat, categories: []}
        fingerprint: 65afca92367e5d1a30f6fea840fc01c86482152ed36766d3b6444f04d8b0636f
        warnings: []
      check:
        done: true
        at: '2026-11-28T02:15:01Z'
        file: C:\PchatMigration\gc.contoso.com-export-20261128T021500Z.zip
        warning_kinds: {category_flattened: 2, room_renamed: 13}
        needs: [category_flattened, room_renamed]
    counts: {categories: 4, rooms: 18, members: 141, disabled_rooms_left_out: 2}
    expected:
      categories:
        engineering: {name: Engineering, invitations: true}
      rooms:
        audit room 0001:
          name: Audit room 0001
          category: Engineering
          disabled: false
          members: [sip:labuser00002@contoso.com, sip:labuser00041@contoso.com]
          managers: [sip:labuser00001@contoso.com]
          presenters: []
psrp_pipelines:
  description: How many PowerShell pipelines the task sent to the front end (a count, for anyone counting round trips).
  returned: always
  type: int
  sample: 9
'''

from ansible_collections.pchat.cutover.plugins.module_utils.migration_backend import MIGRATION_SPEC, STEPS, MigrationBackend
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def migrate(module):
    params = module.params
    validate_fqdn(params['source_pool'], 'source_pool')
    validate_fqdn(params['target_pool'], 'target_pool')
    if params['state'] == 'superseded':
        backend = MigrationBackend(None, params, module.check_mode, keeper=module.keeper)
        outcome = backend.supersede()
        return dict(outcome, steps=[], counts=backend.counts([]), record=backend.record)
    backend = MigrationBackend(module.platform, params, module.check_mode, keeper=module.keeper)
    outcomes = backend.run([step for step in STEPS if step in params['steps']])
    return {'changed': any(o['changed'] for o in outcomes), 'steps': outcomes, 'counts': backend.counts(outcomes),
            'record': backend.record}


def main():
    spec = dict(MIGRATION_SPEC)
    spec.update(state=dict(type='str', choices=['present', 'superseded'], default='present'),
                steps=dict(type='list', elements='str', choices=list(STEPS), default=list(STEPS)),
                force=dict(type='bool', default=False))
    module = PchatModule(argument_spec=spec, uses=('platform',))
    module.run(lambda: migrate(module))


if __name__ == '__main__':
    main()
