# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite runs on the lab it is given (LAB_DIR, default .lab; LAB_IP, default 127.0.0.1), which
must be up (`make lab`, or `scripts/test.sh` brings it up before the suite); it never brings up one of its own.
Each test starts from the seeded lab (`python -m lab reset`, under a second) with no unit state and no lease."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from support import ROOT, Lab


@pytest.fixture(scope='session')
def lab():
    lab_dir = os.path.join(ROOT, os.environ.get('LAB_DIR') or '.lab')
    if not os.path.exists(os.path.join(lab_dir, 'connection.json')):
        pytest.fail('no lab at %s: bring it up first (make lab, or LAB_DIR=... LAB_IP=... .venv/bin/python -m lab '
                    'up); the reliability suite uses the lab it is given' % lab_dir, pytrace=False)
    given = Lab(lab_dir, os.environ.get('LAB_IP') or '127.0.0.1')
    given.lab('status')
    yield given
    given.quiesce()


@pytest.fixture
def fresh_lab(lab):
    """The seeded lab; afterwards, every run of the test dead, its holds over, and no password in any output."""
    lab.reset()
    yield lab
    runs = list(lab.runs)
    lab.quiesce()
    for run in runs:
        leaked = [s for s in lab.secrets if s in run.output]
        assert not leaked, 'a password is in the output of %s' % ' '.join(run.command[:2])
