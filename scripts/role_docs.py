# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each role README's table of variables, generated from the role's meta/argument_specs.yml (what ansible-core
validates and `ansible-doc -t role` shows), so that the README cannot describe variables the role does not have.

The table sits between the two markers below; the rest of the README is written by hand.
tests/packaging/test_role_docs.py fails when a README's table is not what this script writes.

Usage: role_docs.py [--check] [ROLES_DIR]   (default: roles/ of this repository; `make role-docs` writes)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import sys

import yaml

BEGIN = '<!-- BEGIN variables: generated from meta/argument_specs.yml by scripts/role_docs.py (make role-docs) -->'
END = '<!-- END variables -->'
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _text(value):
    if isinstance(value, list):
        value = ' '.join(str(v) for v in value)
    return re.sub(r'\s+', ' ', str(value or '')).strip().replace('|', '\\|')


def _default(spec):
    if 'default' not in spec:
        return 'required' if spec.get('required') else ''
    return '`%s`' % json.dumps(spec['default']).replace('|', '\\|')


def _type(spec):
    kind = spec.get('type', 'str')
    if spec.get('elements'):
        kind += ' of ' + spec['elements']
    if spec.get('choices'):
        kind += ': ' + ', '.join('`%s`' % c for c in spec['choices'])
    return kind


def table(role_dir):
    """The generated part of the README of the role in ``role_dir`` (markers included)."""
    with open(os.path.join(role_dir, 'meta', 'argument_specs.yml')) as handle:
        entries = yaml.safe_load(handle)['argument_specs']
    lines = [BEGIN]
    for entry, body in entries.items():
        if len(entries) > 1 or entry != 'main':
            lines += ['', 'Entry point `%s`: %s' % (entry, _text(body.get('short_description')))]
        options = body.get('options') or {}
        lines.append('')
        if not options:
            lines.append('No variables.')
            continue
        lines += ['| variable | type | default | description |', '|---|---|---|---|']
        for name in sorted(options):
            spec = options[name] or {}
            lines.append('| `%s` | %s | %s | %s |' % (name, _type(spec), _default(spec), _text(spec.get('description'))))
    lines += ['', 'The full reference: `ansible-doc -t role pchat.cutover.%s`.' % os.path.basename(role_dir), END]
    return '\n'.join(lines)


def updated(readme, generated):
    """The README's text with the generated part in place: between the markers, else a new section "Variables"
    before "## Example", else at the end."""
    if BEGIN in readme and END in readme:
        start, stop = readme.index(BEGIN), readme.index(END) + len(END)
        return readme[:start] + generated + readme[stop:]
    section = '## Variables\n\n' + generated + '\n\n'
    match = re.search(r'^## Example', readme, re.M)
    if match:
        return readme[:match.start()] + section + readme[match.start():]
    return readme.rstrip('\n') + '\n\n' + section.rstrip('\n') + '\n'


def main(argv):
    check = '--check' in argv
    args = [a for a in argv if a != '--check']
    roles_dir = args[0] if args else os.path.join(ROOT, 'roles')
    stale = []
    for role in sorted(os.listdir(roles_dir)):
        role_dir = os.path.join(roles_dir, role)
        readme_path = os.path.join(role_dir, 'README.md')
        if not os.path.isfile(os.path.join(role_dir, 'meta', 'argument_specs.yml')):
            continue
        with open(readme_path) as handle:
            readme = handle.read()
        new = updated(readme, table(role_dir))
        if new != readme:
            stale.append(role)
            if not check:
                with open(readme_path, 'w') as handle:
                    handle.write(new)
    if check and stale:
        sys.exit('role READMEs whose variables are not the argument specs\': %s (run make role-docs)' % ', '.join(stale))
    print('%s: %s' % ('stale' if check else 'written', ', '.join(stale) or 'none'))


if __name__ == '__main__':
    main(sys.argv[1:])
