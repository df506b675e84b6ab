# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the emulator's transport tests: one private emulator process per session (harness.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from tests.emulator import harness


@pytest.fixture(scope='session')
def lab_connection():
    return harness.lab_connection()


@pytest.fixture(scope='session')
def emulator(tmp_path_factory, lab_connection):
    """One emulator (Negotiate only, Basic refused) for the whole session."""
    running = harness.make_emulator(str(tmp_path_factory.mktemp('emulator')), lab_connection).start()
    yield running
    running.stop()


@pytest.fixture(scope='session')
def basic_emulator(tmp_path_factory, lab_connection):
    """An emulator started with LAB_PSRP_ALLOW_BASIC=1."""
    running = harness.make_emulator(str(tmp_path_factory.mktemp('basic-emulator')), lab_connection,
                                    allow_basic=True).start()
    yield running
    running.stop()


@pytest.fixture
def knobs(emulator):
    emulator.knobs.reset()
    yield emulator.knobs
    emulator.knobs.reset()
