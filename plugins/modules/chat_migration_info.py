#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_migration_info
short_description: Where a unit's data migration stands, and what the import will convert or refuse
version_added: 0.2.0
description:
  - Reads O(record_file) and the Persistent Chat pool's rooms and categories. When the recorded import is complete
    and the pool still holds what it predicted, the status is V(done) and nothing else is read (no export).
  - Otherwise it reads the Group Chat database's room directory (C(Export-CsPersistentChatData -Level RoomDirectory
    -AsBytes), which changes nothing) and predicts the import with Lync's documented conversions - flattened
    categories, prefixed room names, names over 256 characters, root managers, invitations, federated users and
    principals not provisioned in AD - as blockers (errors the import would report) and warnings by kind.
  - With O(rehearse), it also rehearses the migration before anything changes, while the legacy pool still runs.
    It runs C(Export-CsPersistentChatData) of the Group Chat database to a scratch file in O(export_dir)
    (C(<source pool>-rehearsal.zip), overwritten by the next rehearsal, removed after it on the WinRM path), then
    C(Import-CsPersistentChatData -WhatIf) of that file into the Persistent Chat pool. Every error, every warning of a
    kind not in O(accept_warnings), and a SQL instance the front end cannot reach from the remote session (the second
    hop), are RV(blockers); RV(rehearsal) lists every warning with its room and conversion, and how long the export
    and the C(-WhatIf) import took.
  - Read-only twin of M(pchat.cutover.chat_migration); the preflight phase plans from it.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.migration
  - pchat.cutover.platform
  - pchat.cutover.lease
  - pchat.cutover.directory
  - pchat.cutover.info_module
options:
  rehearse:
    description:
      - Rehearse the export and the C(-WhatIf) import (see above) when the migration is not done. The export reads the
        whole Group Chat database, so it takes as long as the weekend's export will.
      - It writes only the scratch export file on the front end; nothing the cutover manages changes.
    type: bool
    default: false
  lookup_sip_address:
    description:
      - The legacy Group Chat's well-known SIP URI (its Lookup service account). When the migration is not done, the
        task reports in RV(lookup_account_rooms) the rooms of the Group Chat data that name it as a member, manager or
        presenter - a person's account, not the Lookup service's.
    type: str
seealso:
  - module: pchat.cutover.chat_migration
'''

EXAMPLES = r'''
- name: Where does the migration stand?
  pchat.cutover.chat_migration_info:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    source_db_instance: gcsql.contoso.com\groupchat
    source_db_name: GroupChat
    record_file: /var/lib/pchat/gc.contoso.com/migration.json
  register: migration
'''

RETURN = r'''
status:
  description: V(done) (the recorded import is on the pool), V(incomplete) (recorded, but the pool no longer holds
    it), V(in_progress) (some steps recorded) or V(not_started).
  returned: always
  type: str
  sample: not_started
steps:
  description: The steps recorded, by name.
  returned: always
  type: dict
  sample:
    backup:
      done: true
      at: '2026-11-28T02:15:00Z'
      database: pcsql.contoso.com\pchat
      file: C:\PchatMigration\pcpool.contoso.com-backup-20261128T021500Z.zip
      warnings: []
    import:
      done: true
      at: '2026-11-28T02:15:02Z'
      file: C:\PchatMigration\gc.contoso.com-export-20261128T021500Z.zip
      report: C:\PchatMigration\pcpool.contoso.com-import-20261128T021500Z.html
      comparison: 4 of 4 categories and 18 of 18 rooms present
      warnings: []
comparison:
  description: With a recorded export, how the pool matches it (C(matches), C(summary), C(missing_categories),
    C(missing_rooms), C(different), C(not_compared) (what the prediction left out and was not checked)); V(null)
    otherwise.
  returned: always
  type: dict
  sample:
    matches: false
    summary: 4 of 4 categories and 17 of 18 rooms present
    missing_categories: []
    missing_rooms: [Engineering_Support_Backlog room 0011]
    different: []
blockers:
  description: What the import would refuse (errors), each naming the object and the fix; empty when V(done).
  returned: always
  type: list
  elements: str
  sample:
    - 'principal not provisioned: sip:leaver042@contoso.com is a member of chat rooms but not in Active Directory;
      remove it from the rooms (legacy Group Chat administration) or restore the account'
import_warnings:
  description: The warnings the import would give, by kind, and whether each kind is accepted.
  returned: always
  type: list
  elements: str
  sample:
    - 2 category_flattened warning(s) (accepted)
    - '13 room_renamed warning(s): the -WhatIf import will stop on them unless accepted with
      pchat_migration_accept_warnings'
preview:
  description: When not V(done), the predicted C(counts), C(warning_kinds) and up to 20 C(examples).
  returned: always
  type: dict
  sample:
    counts: {categories: 4, rooms: 18, members: 141, disabled_rooms_left_out: 2}
    warning_kinds: {category_flattened: 2, room_renamed: 13}
    examples:
      - Category "Support" becomes "Engineering_Support"
      - Room "Backlog room 0011" becomes "Engineering_Support_Backlog room 0011"
rehearsal:
  description: With O(rehearse) and a migration not done, the rehearsal - C(file) (the scratch export),
    C(export_seconds), C(whatif_seconds), C(errors), C(warnings) (each C(kind) and C(text)), C(warning_kinds) (counts),
    C(export_warnings) and C(blockers) (also in RV(blockers)); else V(null).
  returned: always
  type: dict
  sample: {file: 'C:\PchatMigration\gc.contoso.com-rehearsal.zip', export_seconds: 1.2, whatif_seconds: 0.8,
           errors: [], warnings: [], warning_kinds: {room_renamed: 13}, export_warnings: [], blockers: [], skipped: null}
lookup_account_rooms:
  description: With O(lookup_sip_address) and a migration not done, the rooms of the Group Chat data that name it.
  returned: when O(lookup_sip_address) is set and the migration is not done
  type: list
  elements: str
  sample: []
superseded:
  description: Migrations recorded before and superseded since (a rollback started the legacy pool again), oldest
    first, each with C(at) and its C(steps).
  returned: always
  type: list
  sample: [{at: '2026-12-05T23:10:00Z', steps: [backup, export, check, import]}]
  elements: dict
not_predicted:
  description: When not V(done), what the export does not show and the prediction therefore leaves out (each a
    sentence; never a blocker). Empty when the export shows everything the prediction reads.
  returned: when not V(done)
  type: list
  sample: []
  elements: str
member_policies:
  description: When not V(done), the Persistent Chat policies of the members of the rooms the import will create
    (C(policies), C(checked), C(enabled), C(without) (named, with the policy that manages each), C(unknown),
    C(not_found), C(not_checked), C(groups), C(warnings), C(blocker) (V(null), or why nobody could use the pool)).
  returned: when not V(done)
  type: dict
  sample: {checked: 180, enabled: 162, without: ['sip:labuser00010@contoso.com (Global)'], unknown: [],
           not_found: [], blocker: null}
unverifiable:
  description: What the cmdlets cannot prove about the migration (message history, files).
  returned: always
  type: list
  elements: str
  sample:
    - "message history: no Lync cmdlet counts or reads a room's messages, so the history is proven only by the import
      completing without errors (its -Report on the front end lists what it wrote)"
    - "files posted in rooms: Lync's export does not carry them (copy them by hand, as the migration guide says)"
psrp_pipelines:
  description: How many PowerShell pipelines the task sent to the front end (a count, for anyone counting round trips).
  returned: always
  type: int
  sample: 3
'''

from ansible_collections.pchat.cutover.plugins.module_utils.migration_backend import MIGRATION_SPEC, MigrationBackend
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def read_migration(module):
    validate_fqdn(module.params['source_pool'], 'source_pool')
    validate_fqdn(module.params['target_pool'], 'target_pool')
    backend = MigrationBackend(module.platform, module.params, check_mode=True, keeper=module.keeper)
    result = backend.info(rehearse=module.params['rehearse'])
    result['changed'] = False
    return result


def main():
    module = PchatModule(argument_spec=dict(MIGRATION_SPEC, rehearse=dict(type='bool', default=False),
                                            lookup_sip_address=dict(type='str')),
                         uses=('platform',))
    module.run(lambda: read_migration(module))


if __name__ == '__main__':
    main()
