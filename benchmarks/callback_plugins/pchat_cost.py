# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark callback: per host, the tasks run (ok, changed, skipped, failed) and the LDAP searches and PowerShell
pipelines the modules report; written as JSON to $PCHAT_COST_FILE at the end of the playbook."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: pchat_cost
type: aggregate
short_description: Count tasks, LDAP searches and PowerShell pipelines per host (benchmarks only)
description:
  - Writes the counts as JSON to the file named by the environment variable PCHAT_COST_FILE.
requirements:
  - enabled in callbacks_enabled
'''

import collections
import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'pchat_cost'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.hosts = collections.defaultdict(collections.Counter)

    def _count(self, result, outcome):
        counts = self.hosts[result._host.get_name()]
        counts[outcome] += 1
        payload = result._result
        for item in payload.get('results') or [payload]:
            if isinstance(item, dict):
                counts['ldap_searches'] += int(item.get('ldap_searches') or 0)
                counts['psrp_pipelines'] += int(item.get('psrp_pipelines') or 0)
                counts['module_runs'] += 1 if ('ldap_searches' in item or 'psrp_pipelines' in item) else 0

    def v2_runner_on_ok(self, result):
        self._count(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_skipped(self, result):
        self._count(result, 'skipped')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, 'failed')

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['PCHAT_COST_FILE'], 'w') as handle:
            json.dump(self.hosts, handle, indent=2, sort_keys=True)
