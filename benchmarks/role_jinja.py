# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How much Jinja the roles' tasks hold (run on demand: `make benchmarks`, or this file alone).

Counts the characters of every templated expression (``{{ ... }}``, ``{% ... %}``) and of every bare condition
(``when``, ``that``, ``changed_when``, ``failed_when``, ``until``) in roles/*/tasks/*.yml, and the expressions that
span more than one line. Target (issue 19): at most 3,000 characters, none longer than one line. The roles' vars
and defaults files are data (the report's input, the module defaults) and are counted apart.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = re.compile(r'\{\{.*?\}\}|\{%.*?%\}', re.S)
CONDITIONS = ('when', 'that', 'changed_when', 'failed_when', 'until')


def strings(value, key=None):
    """(key, string) of every string in a YAML value, at any depth."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(strings(v, k))
    elif isinstance(value, list):
        for item in value:
            found.extend(strings(item, key))
    elif isinstance(value, str):
        found.append((key, value))
    return found


def measure(pattern):
    chars, multiline, files = 0, [], 0
    for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
        files += 1
        with open(path) as handle:
            data = yaml.safe_load(handle)
        for key, text in strings(data):
            expressions = TEMPLATE.findall(text)
            if not expressions and key in CONDITIONS:
                expressions = [text]
            for expression in expressions:
                compact = re.sub(r'\s+', ' ', expression).strip()
                chars += len(compact)
                if '\n' in expression.strip():
                    multiline.append('%s: %s...' % (os.path.relpath(path, ROOT), compact[:70]))
    return files, chars, multiline


def main():
    files, chars, multiline = measure('roles/*/tasks/*.yml')
    print('role tasks: %d files, %d characters of Jinja (target <= 3000: %.2fx), %d expression(s) over one line'
          % (files, chars, chars / 3000.0, len(multiline)))
    for line in multiline:
        print('  multi-line: ' + line)
    files, chars, _multiline = measure('roles/*/vars/*.yml')
    print('role vars (data: the report input, module defaults): %d files, %d characters of Jinja' % (files, chars))


if __name__ == '__main__':
    main()
