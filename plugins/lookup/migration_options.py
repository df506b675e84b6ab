# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: migration_options
short_description: The options of a unit's data migration, from the unit's variables
version_added: 0.3.0
description:
  - Builds the options that M(pchat.cutover.chat_migration) and M(pchat.cutover.chat_migration_info) share (doc
    fragment C(pchat.cutover.migration)) from the unit's variables - C(pchat_legacy_pool), C(pchat_target_pool),
    C(pchat_state_dir) (the record file in the unit's folder, as the filter C(pchat.cutover.unit_paths) names it) and
    the C(pchat_migration_*) variables - so that every role that reads or runs the migration names it the same way,
    alone or inside the C(cutover) and C(rollback) roles.
  - A variable that is not set (or null, or empty) is left out, so the module takes its own default; except
    C(pchat_migration_source_db_name), which defaults to V(GroupChat) as in the roles (without it the cmdlet
    assumes Lync 2013's database name, which a Group Chat database does not have).
author:
  - pchat.cutover contributors (@pchat-cutover)
options: {}
'''

EXAMPLES = r'''
- name: Where the data migration of this unit stands
  pchat.cutover.chat_migration_info:
  module_defaults:
    pchat.cutover.chat_migration_info: "{{ lookup('pchat.cutover.migration_options') }}"
'''

RETURN = r'''
_raw:
  description: One dict, the options (C(source_pool), C(target_pool), C(source_db_instance), C(source_db_name),
    C(target_db_instance), C(export_dir), C(categories), C(accept_warnings), C(record_file)) that are set.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.pchat.cutover.plugins.plugin_utils import cutover_logic, unit_state

# option: the unit's variable it comes from
_FROM_VARIABLE = (
    ('source_pool', 'pchat_legacy_pool'),
    ('target_pool', 'pchat_target_pool'),
    ('source_db_instance', 'pchat_migration_source_db_instance'),
    ('source_db_name', 'pchat_migration_source_db_name'),
    ('target_db_instance', 'pchat_migration_target_db_instance'),
    ('export_dir', 'pchat_migration_export_dir'),
    ('categories', 'pchat_migration_categories'),
    ('accept_warnings', 'pchat_migration_accept_warnings'),
)

# the roles' defaults (their argument specs; tests/unit/test_migration_options_lookup.py holds them equal)
ROLE_DEFAULTS = {'source_db_name': 'GroupChat'}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError('pchat.cutover.migration_options takes no terms: it reads the unit\'s variables')
        variables = variables or {}

        def value(name):
            return self._templar.template(variables[name]) if name in variables else None

        options = dict((option, value(name)) for option, name in _FROM_VARIABLE)
        options.update((option, default) for option, default in ROLE_DEFAULTS.items() if options[option] in (None, ''))
        if not options['source_pool']:
            raise AnsibleLookupError('pchat.cutover.migration_options: pchat_legacy_pool is not set')
        if not value('pchat_state_dir'):
            raise AnsibleLookupError('pchat.cutover.migration_options: pchat_state_dir is not set')
        options['record_file'] = unit_state.paths(options['source_pool'], value('pchat_state_dir'))['record_file']
        return [cutover_logic.set_only(options)]
