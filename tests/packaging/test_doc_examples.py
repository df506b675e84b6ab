# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The YAML examples of the README, the role READMEs and docs/ work against the installed tarball: a playbook or a
list of tasks passes `ansible-playbook --syntax-check` (roles, modules and playbooks of the collection resolved), and
every `pchat_` variable an example sets is one a role's argument spec declares, and every module option an example
gives - in a task or in `module_defaults`, for a module or for an action group - is one the module documents
(issue 19: READMEs described variables that no longer existed and `driver: psrp`, an option that was gone)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import re

import pytest
import yaml

from conftest import REPO_ROOT, clean_env, read_yaml, run, tool

BLOCK = re.compile(r'```ya?ml\n(.*?)```', re.S)
DOCUMENTS = ['README.md'] + sorted(os.path.relpath(p, REPO_ROOT) for p in
                                   glob.glob(os.path.join(REPO_ROOT, 'roles', '*', 'README.md')) +
                                   glob.glob(os.path.join(REPO_ROOT, 'docs', '*.md')))


def examples():
    found = []
    for document in DOCUMENTS:
        with open(os.path.join(REPO_ROOT, document)) as handle:
            for number, block in enumerate(BLOCK.findall(handle.read()), 1):
                found.append(pytest.param(document, block, id='%s#%d' % (document, number)))
    return found


def declared_variables():
    names = set()
    for spec in glob.glob(os.path.join(REPO_ROOT, 'roles', '*', 'meta', 'argument_specs.yml')):
        for entry in (read_yaml(spec).get('argument_specs') or {}).values():
            names.update(entry.get('options') or {})
    return names


def pchat_keys(value):
    """Every key starting pchat_ in a YAML value, at any depth; an inventory's group and host names are not
    variables (the keys of its ``children`` and ``hosts``)."""
    if isinstance(value, dict):
        names = set(k for k in value if str(k).startswith('pchat_'))
        for key, item in value.items():
            if key in ('children', 'hosts') and isinstance(item, dict):
                names.discard(key)
                names |= set().union(*[pchat_keys(v) for v in item.values()]) if item else set()
            else:
                names |= pchat_keys(item)
        return names
    if isinstance(value, list):
        return set().union(*[pchat_keys(v) for v in value]) if value else set()
    return set()


@pytest.fixture(scope='session')
def module_options(installed):
    """{module: set of its options and their aliases}, as ansible-doc shows the installed collection's modules."""
    names = sorted('pchat.cutover.' + os.path.basename(p)[:-3]
                   for p in glob.glob(os.path.join(REPO_ROOT, 'plugins', 'modules', '*.py')))
    docs = json.loads(run([tool('ansible-doc'), '--json'] + names,
                          env=clean_env(ANSIBLE_COLLECTIONS_PATH=installed)).stdout)
    options = {}
    for name, entry in docs.items():
        known = set()
        for option, spec in (entry['doc'].get('options') or {}).items():
            known.add(option)
            known.update(spec.get('aliases') or [])
        options[name] = known
    return options


def action_groups():
    runtime = read_yaml(os.path.join(REPO_ROOT, 'meta', 'runtime.yml'))
    groups = {}
    for group, members in runtime['action_groups'].items():
        names = []
        for member in members:
            if isinstance(member, dict):  # metadata: extend_group
                for other in member['metadata']['extend_group']:
                    names.extend(runtime['action_groups'][other.split('.')[-1]])
            else:
                names.append(member)
        groups['group/pchat.cutover.' + group] = ['pchat.cutover.' + name for name in names]
    return groups


def module_uses(value, found=None):
    """(module or group, its arguments) of every task and module_defaults entry at any depth of an example."""
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if key == 'module_defaults' and isinstance(item, dict):
                found.extend((name, args) for name, args in item.items() if str(name).startswith(('pchat.', 'group/pchat.')))
            elif str(key).startswith('pchat.cutover.') and isinstance(item, dict):
                found.append((key, item))
            else:
                module_uses(item, found)
    elif isinstance(value, list):
        for item in value:
            module_uses(item, found)
    return found


def unknown_options(data, options):
    groups = action_groups()
    wrong = []
    for name, args in module_uses(data):
        if not isinstance(args, dict):
            continue  # a template ("{{ ... }}") given to module_defaults: its keys are not in the example
        for module in groups.get(name, [name]):
            if module not in options:
                continue  # a role or a playbook of the collection, not a module
            wrong.extend('%s: %s (for %s)' % (name, key, module) for key in args if key not in options[module])
    return wrong


def as_playbook(data):
    """The example as a playbook, or None when it is not one (a variables file, an inventory, a build file)."""
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    if all('hosts' in item or 'ansible.builtin.import_playbook' in item for item in data):
        return data
    return [{'hosts': 'localhost', 'gather_facts': False, 'tasks': data}]  # a list of tasks


def test_the_documents_have_examples_to_check():
    assert len(examples()) >= 15, [p.id for p in examples()]


@pytest.mark.parametrize('document, block', examples())
def test_an_example_is_valid_against_the_installed_collection(document, block, installed, module_options, tmp_path):
    data = yaml.safe_load(block)
    unknown = sorted(pchat_keys(data) - declared_variables())
    assert not unknown, '%s sets variables no role declares: %s' % (document, unknown)
    wrong = unknown_options(data, module_options)
    assert not wrong, '%s gives options the module does not take: %s' % (document, wrong)
    playbook = as_playbook(data)
    if playbook is None:
        return
    path = tmp_path / 'example.yml'
    path.write_text(yaml.safe_dump(playbook))
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=installed)
    run([tool('ansible-playbook'), '--syntax-check', '-i', 'localhost,', str(path)], env=env)


def test_the_option_check_names_what_a_module_does_not_take(module_options):
    example = yaml.safe_load('''
- hosts: localhost
  module_defaults:
    group/pchat.cutover.platform: {psrp_host: fe01, driver: psrp}
  tasks:
    - name: A directory module given a platform option
      pchat.cutover.unit_lock: {name: gc.contoso.com, psrp_host: fe01, ldap_url: ldaps://dc01}
''')
    wrong = unknown_options(example, module_options)
    assert 'group/pchat.cutover.platform: driver (for pchat.cutover.chat_pool)' in wrong
    assert 'pchat.cutover.unit_lock: psrp_host (for pchat.cutover.unit_lock)' in wrong
    assert not [line for line in wrong if 'ldap_url' in line or ': psrp_host (for pchat.cutover.chat_pool)' in line]
