# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pytest set-up: make the repository importable as ``ansible_collections.pchat.cutover``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A collections root whose ansible_collections/pchat/cutover points back at this checkout.
COLLECTIONS_ROOT = os.path.join(REPO_ROOT, '.ansible', 'collections')


def _ensure_collection_link():
    ns_dir = os.path.join(COLLECTIONS_ROOT, 'ansible_collections', 'pchat')
    link = os.path.join(ns_dir, 'cutover')
    if not os.path.isdir(ns_dir):
        os.makedirs(ns_dir)
    if not os.path.lexists(link):
        try:
            os.symlink(os.path.relpath(REPO_ROOT, ns_dir), link)
        except FileExistsError:  # another pytest process made it first
            pass


_ensure_collection_link()
for path in (COLLECTIONS_ROOT, REPO_ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)
os.environ['ANSIBLE_COLLECTIONS_PATH'] = COLLECTIONS_ROOT

# Fixtures of the suites that run against the lab already running (tests/runner, tests/secrets): the lab of LAB_DIR,
# and the collection built and installed once per session, as an execution environment has it.
from running_lab import running_lab  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import
from runner_job import installed_collection  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import
