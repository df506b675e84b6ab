# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The running lab (LAB_DIR, as `make test` brought it up; never brought up or down here) and the collection built
and installed as an execution environment has it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from running_lab import LabNotRunning, RunningLab  # noqa: E402 pylint: disable=wrong-import-position
from runner_job import install_collection  # noqa: E402 pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def running_lab():
    try:
        return RunningLab()
    except LabNotRunning as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope='session')
def installed_collection(tmp_path_factory):
    return install_collection(str(tmp_path_factory.mktemp('collection')))
