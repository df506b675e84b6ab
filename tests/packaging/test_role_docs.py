# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each role README's table of variables is the one scripts/role_docs.py makes from the role's argument spec
(issue 19: READMEs described variables that did not exist, and missed some that did)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

from conftest import REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'scripts'))
import role_docs  # noqa: E402  pylint: disable=wrong-import-position

ROLES = sorted(os.listdir(os.path.join(REPO_ROOT, 'roles')))


@pytest.mark.parametrize('role', ROLES)
def test_the_readme_lists_the_variables_of_the_argument_spec(role):
    role_dir = os.path.join(REPO_ROOT, 'roles', role)
    with open(os.path.join(role_dir, 'README.md')) as handle:
        readme = handle.read()
    assert role_docs.BEGIN in readme and role_docs.END in readme, '%s/README.md has no generated table' % role
    assert role_docs.updated(readme, role_docs.table(role_dir)) == readme, \
        'roles/%s/README.md: its table of variables is stale; run make role-docs' % role


def test_a_variable_added_to_the_spec_makes_the_table_stale(tmp_path):
    role_dir = tmp_path / 'example'
    (role_dir / 'meta').mkdir(parents=True)
    (role_dir / 'meta' / 'argument_specs.yml').write_text(
        'argument_specs:\n  main:\n    short_description: x\n    options:\n'
        '      pchat_a: {type: str, required: true, description: "A | b."}\n')
    readme = role_docs.updated('# example\n', role_docs.table(str(role_dir)))
    assert '| `pchat_a` | str | required | A \\| b. |' in readme
    (role_dir / 'meta' / 'argument_specs.yml').write_text(
        'argument_specs:\n  main:\n    short_description: x\n    options:\n'
        '      pchat_a: {type: str, required: true, description: "A | b."}\n'
        '      pchat_b: {type: list, elements: str, default: [], description: B.}\n')
    assert role_docs.updated(readme, role_docs.table(str(role_dir))) != readme
    assert '| `pchat_b` | list of str | `[]` | B. |' in role_docs.updated(readme, role_docs.table(str(role_dir)))
