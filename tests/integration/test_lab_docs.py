# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/lab.md names exactly the variables the lab writes to $LAB_DIR/connection.env (it once listed PCHAT_DRIVER
and PCHAT_LAB_PATH, gone with the lab driver)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_connection_env_is_documented_as_written(lab):
    with open(os.path.join(lab['LAB_DIR'], 'connection.env')) as handle:
        written = set(re.findall(r'^(PCHAT_[A-Z_]+)=', handle.read(), re.M))
    with open(os.path.join(REPO_ROOT, 'docs', 'lab.md')) as handle:
        row = next(line for line in handle if line.startswith('| `connection.env` |'))
    documented = set(re.findall(r'`(PCHAT_[A-Z_]+)', row))
    assert len(written) >= 10
    assert documented == written, (sorted(documented - written), sorted(written - documented))
