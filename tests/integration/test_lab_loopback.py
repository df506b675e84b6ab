# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A second lab (LAB_IP=127.0.0.2, ...) adds its address to ``lo`` for Samba to bind to; `make lab-down` removes it
again, and only when the lab added it: an address that was there before stays. On the real interface, with the
lab's own functions (lab/samba.py), for an address no lab uses; no Samba is started."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess

import pytest

from lab import samba
from lab.config import LabConfig

UNUSED = '127.0.0.250'


def on_lo(address):
    shown = subprocess.run(['ip', '-o', 'addr', 'show', 'dev', 'lo'], capture_output=True, text=True, check=True)
    return (' %s/' % address) in shown.stdout


@pytest.fixture
def config(tmp_path):
    if on_lo(UNUSED):
        pytest.skip('%s is already on lo: not this test\'s to add or remove' % UNUSED)
    yield LabConfig({'LAB_DIR': str(tmp_path / 'lab')})
    if on_lo(UNUSED):  # leave the machine as found, whatever the test did
        subprocess.run(['ip', 'addr', 'del', UNUSED + '/8', 'dev', 'lo'], check=False)


def test_lab_down_removes_the_address_the_lab_added(config):
    assert samba.ensure_loopback_address(UNUSED, config=config) is True
    assert on_lo(UNUSED)
    assert samba.ensure_loopback_address(UNUSED, config=config) is False  # a restart: already there, still ours
    assert samba.release_loopback_address(config) == UNUSED
    assert not on_lo(UNUSED)
    assert samba.release_loopback_address(config) is None  # nothing left to remove


def test_an_address_the_lab_found_stays(config):
    subprocess.run(['ip', 'addr', 'add', UNUSED + '/8', 'dev', 'lo'], check=True)
    assert samba.ensure_loopback_address(UNUSED, config=config) is False
    assert samba.release_loopback_address(config) is None
    assert on_lo(UNUSED)
    assert on_lo('127.0.0.1')
