# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The format of the data migration's record (``<state_dir>/<unit>/migration.json``): written by chat_migration
(migration_backend.py) on the host that runs it, read back on the controller as part of a unit's state
(plugins/plugin_utils/unit_state.py), which also checks a record handed over by an earlier job against it. It stands
alone so that the controller reads it without importing the migration's backend."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

FORMAT = 'pchat.cutover/migration-record/v1'
