# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab put back as `make lab` seeded it between tests: `python -m lab reset`'s code (lab/reset.py, tested in
tests/emulator/test_lab_reset.py) with its LDAP connections kept open for the session, so a reset takes a few
tenths of a second."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from lab import reset as lab_reset
from lab.config import LabConfig


class LabReset(object):
    def __init__(self, lab_dir):
        self.config = LabConfig({'LAB_DIR': lab_dir})
        with open(self.config.state_file) as handle:
            self.state = json.load(handle)
        self.connections = lab_reset.Connections(self.config, self.state)

    def restore(self):
        return lab_reset.reset(self.config, self.state, self.connections)

    def close(self):
        self.connections.close()
