# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup pchat.cutover.migration_options: the migration's options from the unit's variables, the record file
where unit_state keeps it, unset variables left to the module's defaults."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import pytest
import yaml

from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core 2.19 templates only the strings it trusts (those of inventories, playbooks and roles)
    from ansible.template import trust_as_template
except ImportError:  # older ansible-core templates every string
    def trust_as_template(value):
        return value

from ansible_collections.pchat.cutover.plugins.lookup.migration_options import ROLE_DEFAULTS, LookupModule
from ansible_collections.pchat.cutover.plugins.plugin_utils import unit_state

UNIT = {
    'pchat_legacy_pool': 'GC.contoso.com', 'pchat_target_pool': 'pcpool.contoso.com',
    'pchat_migration_source_db_instance': 'gcsql.contoso.com\\groupchat', 'pchat_migration_source_db_name': 'GroupChat',
    'pchat_migration_target_db_instance': None, 'pchat_migration_export_dir': '',
    'pchat_migration_categories': [], 'pchat_migration_accept_warnings': ['room_renamed'],
}


def options(variables):
    loader = DataLoader()
    lookup = LookupModule(loader=loader, templar=Templar(loader=loader, variables=variables))
    return lookup.run([], variables=variables)[0]


def test_the_options_come_from_the_unit_variables(tmp_path):
    variables = dict(UNIT, pchat_state_dir=str(tmp_path), pchat_unit_target='pcpool.contoso.com',
                     pchat_target_pool=trust_as_template('{{ pchat_unit_target }}'))  # rendered
    assert options(variables) == {
        'source_pool': 'GC.contoso.com', 'target_pool': 'pcpool.contoso.com',
        'source_db_instance': 'gcsql.contoso.com\\groupchat', 'source_db_name': 'GroupChat',
        'accept_warnings': ['room_renamed'], 'categories': [],  # the unset (None, '') are left out
        'record_file': unit_state.paths('GC.contoso.com', str(tmp_path))['record_file'],
    }


def test_without_the_pool_or_the_state_folder_it_says_which(tmp_path):
    with pytest.raises(AnsibleLookupError, match='pchat_legacy_pool is not set'):
        options(dict(UNIT, pchat_legacy_pool=None, pchat_state_dir=str(tmp_path)))
    with pytest.raises(AnsibleLookupError, match='pchat_state_dir is not set'):
        options(dict(UNIT))


def test_its_default_database_name_is_the_roles_default(tmp_path):
    variables = dict(UNIT, pchat_state_dir=str(tmp_path), pchat_migration_source_db_name=None)
    assert options(variables)['source_db_name'] == ROLE_DEFAULTS['source_db_name']
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    specs = glob.glob(os.path.join(root, 'roles', '*', 'meta', 'argument_specs.yml'))
    defaults = set()
    for path in specs:
        with open(path) as handle:
            option = yaml.safe_load(handle)['argument_specs']['main']['options'].get('pchat_migration_source_db_name')
        if option:
            defaults.add(option.get('default'))
    assert defaults == {ROLE_DEFAULTS['source_db_name']}
