# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every key of every module's RETURN, nested keys included, has a sample, as ansible-doc shows it from the
installed tarball (what Galaxy, Automation Hub and the docs site render)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from conftest import REPO_ROOT, clean_env, run, tool


def _keys(returns, prefix=''):
    for name, spec in sorted((returns or {}).items()):
        yield prefix + name, spec
        yield from _keys(spec.get('contains'), prefix + name + '.')


def test_every_return_key_has_a_sample(installed):
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and not name.startswith('_'))
    docs = json.loads(run([tool('ansible-doc'), '--json'] + ['pchat.cutover.' + m for m in modules],
                          env=clean_env(ANSIBLE_COLLECTIONS_PATH=installed)).stdout)
    assert sorted(docs) == ['pchat.cutover.' + m for m in modules]
    missing, count = [], 0
    for module, doc in sorted(docs.items()):
        assert doc.get('return'), '%s has no RETURN' % module
        for key, spec in _keys(doc['return']):
            count += 1
            if 'sample' not in spec:
                missing.append('%s: %s' % (module, key))
    assert count > 80, count
    assert not missing, 'RETURN keys without a sample:\n' + '\n'.join(missing)
