# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The support matrix tests what meta/runtime.yml declares: the oldest end (requirements-oldest.txt, .venv-oldest/,
scripts/matrix.sh) is the lowest ansible-core series requires_ansible admits, the newest end (requirements-dev.txt,
.venv/) is admitted too."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import REPO_ROOT, read_yaml


def _ansible_core_pin(name):
    with open(os.path.join(REPO_ROOT, name)) as handle:
        for line in handle:
            if re.match(r'ansible-core\s*==', line):
                return Version(next(iter(Requirement(line.split('#')[0].strip()).specifier)).version)
    raise AssertionError('%s pins no ansible-core' % name)


def _requires_ansible():
    return SpecifierSet(read_yaml(os.path.join(REPO_ROOT, 'meta', 'runtime.yml'))['requires_ansible'])


def test_oldest_is_the_declared_minimum():
    lower = [Version(spec.version) for spec in _requires_ansible() if spec.operator in ('>=', '~=')]
    assert len(lower) == 1, 'requires_ansible needs one lower bound'
    oldest = _ansible_core_pin('requirements-oldest.txt')
    assert oldest in _requires_ansible()
    assert oldest.release[:2] == lower[0].release[:2], (
        'requirements-oldest.txt tests ansible-core %s, meta/runtime.yml declares %s' % (oldest, _requires_ansible()))


def test_newest_is_admitted():
    newest = _ansible_core_pin('requirements-dev.txt')
    assert newest in _requires_ansible()
    assert newest > _ansible_core_pin('requirements-oldest.txt')
