# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The YAML examples of the README, the role READMEs and docs/ work against the installed tarball: a playbook or a
list of tasks passes `ansible-playbook --syntax-check` (roles, modules and playbooks of the collection resolved), and
every `pchat_` variable an example sets is one a role's argument spec declares (issue 19: READMEs described variables
that no longer existed)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
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
def test_an_example_is_valid_against_the_installed_collection(document, block, installed, tmp_path):
    data = yaml.safe_load(block)
    unknown = sorted(pchat_keys(data) - declared_variables())
    assert not unknown, '%s sets variables no role declares: %s' % (document, unknown)
    playbook = as_playbook(data)
    if playbook is None:
        return
    path = tmp_path / 'example.yml'
    path.write_text(yaml.safe_dump(playbook))
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=installed)
    run([tool('ansible-playbook'), '--syntax-check', '-i', 'localhost,', str(path)], env=env)
