# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role defaults: what `ansible-doc -t role` shows of the installed tarball is what the roles really use.

ansible-core validates a role's variables against meta/argument_specs.yml but never applies the defaults written
there: the value a role uses when a variable is unset comes from its defaults/main.yml. So, for every shipped role
and every entry point: each optional variable is set in defaults/main.yml (a role used alone would otherwise fail
on an undefined variable) to the default ansible-doc shows; a variable with choices is the exception (left
undefined: a null would fail the choices check, and the tasks read it with default(None)). And as an included
role's defaults win over its caller's, a variable has the same default in every role that sets one."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from conftest import clean_env, read_yaml, run, tool


@pytest.fixture(scope='module')
def role_docs(installed):
    root = os.path.join(installed, 'ansible_collections', 'pchat', 'cutover')
    roles = sorted(name for name in os.listdir(os.path.join(root, 'roles'))
                   if os.path.isfile(os.path.join(root, 'roles', name, 'meta', 'argument_specs.yml')))
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=installed)
    docs = json.loads(run([tool('ansible-doc'), '-t', 'role', '--json'] + ['pchat.cutover.' + r for r in roles],
                          env=env).stdout)
    assert sorted(docs) == ['pchat.cutover.' + r for r in roles]
    defaults = {}
    for role in roles:
        path = os.path.join(root, 'roles', role, 'defaults', 'main.yml')
        defaults[role] = (read_yaml(path) or {}) if os.path.isfile(path) else {}
    return {name.split('.')[-1]: doc for name, doc in docs.items()}, defaults


def _options(doc):
    for entry, spec in sorted(doc['entry_points'].items()):
        for name, option in sorted((spec.get('options') or {}).items()):
            yield entry, name, option


def _with_choices(docs):
    return {name for doc in docs.values() for _entry, name, option in _options(doc) if option.get('choices')}


def test_documented_defaults_are_the_real_ones(role_docs):
    docs, defaults = role_docs
    choices = _with_choices(docs)
    wrong = []
    for role, doc in sorted(docs.items()):
        for entry, name, option in _options(doc):
            where = '%s (%s) %s' % (role, entry, name)
            real = defaults[role].get(name)
            if option.get('required'):
                if name in defaults[role]:
                    wrong.append('%s: required, yet defaults/main.yml sets it to %r' % (where, real))
                continue
            if name not in defaults[role] and name not in choices:
                wrong.append('%s: optional but not in defaults/main.yml (undefined when the role is used alone)' % where)
            if option.get('default') != real:
                wrong.append('%s: ansible-doc shows default %r, defaults/main.yml has %r' % (
                    where, option.get('default'), real))
    assert not wrong, '\n'.join(wrong)


def _choices_of(docs):
    return {name: option['choices'] for doc in docs.values() for _entry, name, option in _options(doc)
            if option.get('choices')}


def test_variables_with_choices_are_never_null(role_docs):
    """A variable with choices is left undefined, or set to one of its choices (a null fails the check)."""
    docs, defaults = role_docs
    choices = _choices_of(docs)
    set_anyway = ['%s: %s=%r' % (role, name, defaults[role][name]) for role in sorted(defaults)
                  for name in sorted(choices) if name in defaults[role] and defaults[role][name] not in choices[name]]
    assert not set_anyway, 'a default for a variable with choices fails its argument check: %s' % set_anyway


def test_one_default_per_variable_across_roles(role_docs):
    _docs, defaults = role_docs
    seen = {}
    for role in sorted(defaults):
        for name, value in defaults[role].items():
            seen.setdefault(name, {}).setdefault(json.dumps(value, sort_keys=True), []).append(role)
    differing = {name: values for name, values in seen.items() if len(values) > 1}
    assert not differing, 'different defaults in different roles (an included role\'s win): %s' % differing


def test_the_two_defaults_once_documented_wrong(role_docs):
    """pchat_migration_export_dir was shown as C:\\\\PchatMigration, pchat_report_dir as ~/.pchat-cutover/reports."""
    docs, _defaults = role_docs
    options = dict((name, option) for _entry, name, option in _options(docs['cutover']))
    assert options['pchat_migration_export_dir']['default'] == 'C:\\PchatMigration'
    assert options['pchat_report_dir']['default'] == '{{ pchat_state_dir }}/reports'
