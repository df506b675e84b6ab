# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # What names one unit's data migration: chat_migration and chat_migration_info share it.
    DOCUMENTATION = r'''
options:
  source_pool:
    description:
      - FQDN of the legacy Group Chat pool (Lync Server 2010 or OCS 2007 R2), for example V(gc.contoso.com).
    type: str
    required: true
  target_pool:
    description:
      - FQDN of the Lync Server 2013 Persistent Chat pool, for example V(pcpool.contoso.com).
    type: str
    required: true
  source_db_instance:
    description:
      - SQL Server instance of the Group Chat database, C(<sql server FQDN>\<instance>), as
        C(Export-CsPersistentChatData -DBInstance) takes it. The Group Chat database is not in the Lync 2013
        topology, so it cannot be discovered. Required to read or move the data (not to mark a migration
        superseded).
    type: str
  source_db_name:
    description:
      - Name of the Group Chat database (C(-DBName)). Without it the cmdlet assumes Lync 2013's Persistent Chat
        database name, which a Group Chat database does not have.
    type: str
  categories:
    description:
      - Only these categories (and their sub-categories and rooms), as C(-Scope) of the export. Empty = all.
    type: list
    elements: str
    default: []
  record_file:
    description:
      - JSON file on the controller where the migration records each completed step (the cutover role keeps it in
        the unit's state folder). A completed import recorded there is never repeated.
    type: path
    required: true
  accept_warnings:
    description:
      - Kinds of import warnings you have read and accept. Any other warning of the C(-WhatIf) import stops the
        migration before anything is written, as the migration guide asks. Kinds - V(category_flattened),
        V(room_renamed), V(root_managers), V(invitations_off), V(federated_user), V(category_managers),
        V(unrecognised) (a warning whose text the collection does not know).
    type: list
    elements: str
    choices: [category_flattened, room_renamed, root_managers, invitations_off, federated_user, category_managers,
              unrecognised]
    default: []
  target_db_instance:
    description:
      - SQL Server instance of the Persistent Chat database. By default it is read from the topology (the pool's
        C(PersistentChatDatabase) and that service's C(SqlInstanceName)).
    type: str
  export_dir:
    description:
      - Folder on the front end (a Windows path) for the backup, the export, the rehearsal's scratch export and the
        import report. It must exist and the connecting account must be able to write there.
    type: str
    default: 'C:\PchatMigration'
'''
