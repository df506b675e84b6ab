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
  - Read-only twin of M(pchat.cutover.chat_migration); the preflight phase plans from it.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.migration
  - pchat.cutover.platform
  - pchat.cutover.directory
  - pchat.cutover.info_module
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
steps:
  description: The steps recorded, by name.
  returned: always
  type: dict
comparison:
  description: With a recorded export, how the pool matches it (C(matches), C(summary), C(missing_categories),
    C(missing_rooms), C(different), C(not_compared) (what the prediction left out and was not checked)); V(null)
    otherwise.
  returned: always
  type: dict
blockers:
  description: What the import would refuse (errors), each naming the object and the fix; empty when V(done).
  returned: always
  type: list
  elements: str
import_warnings:
  description: The warnings the import would give, by kind, and whether each kind is accepted.
  returned: always
  type: list
  elements: str
preview:
  description: When not V(done), the predicted C(counts), C(warning_kinds) and up to 20 C(examples).
  returned: always
  type: dict
not_predicted:
  description: When not V(done), what the export does not show and the prediction therefore leaves out (each a
    sentence; never a blocker). Empty when the export shows everything the prediction reads.
  returned: when not V(done)
  type: list
  elements: str
member_policies:
  description: When not V(done), the Persistent Chat policies of the members of the rooms the import will create
    (C(policies), C(checked), C(enabled), C(without) (named, with the policy that manages each), C(unknown),
    C(not_found), C(not_checked), C(groups), C(warnings), C(blocker) (V(null), or why nobody could use the pool)).
  returned: when not V(done)
  type: dict
unverifiable:
  description: What the cmdlets cannot prove about the migration (message history, files).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.pchat.cutover.plugins.module_utils.migration_backend import MIGRATION_SPEC, MigrationBackend
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn


def read_migration(module):
    validate_fqdn(module.params['source_pool'], 'source_pool')
    validate_fqdn(module.params['target_pool'], 'target_pool')
    result = MigrationBackend(module.platform, module.params, check_mode=True).info()
    result['changed'] = False
    return result


def main():
    module = PchatModule(argument_spec=dict(MIGRATION_SPEC), uses=('platform',))
    module.run(lambda: read_migration(module))


if __name__ == '__main__':
    main()
