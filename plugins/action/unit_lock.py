# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of pchat.cutover.unit_lock: the module, supervised (plugin_utils/supervised.py), and asked again while
it answers that the unit is busy - the run that held it is gone but one of its modules still works on this host
(an import stopping after the operator's Ctrl-C) - showing what that module does, for up to ``wait`` seconds."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.pchat.cutover.plugins.plugin_utils.supervised import SupervisedAction, progress_line, _say

ASK_EVERY_SECONDS = 1.0
SHOW_EVERY_SECONDS = 5.0


class ActionModule(SupervisedAction):

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        wait = int(self._task.args.get('wait', 900))
        started = time.monotonic()
        shown = 0.0
        while True:
            result = super(ActionModule, self).run(tmp, task_vars)
            if result.get('failed') or not result.get('busy') or result.get('interrupted'):
                return result
            waited = time.monotonic() - started
            if waited >= wait:
                result['failed'] = True
                result['msg'] = '%s It did not end within %d s (wait).' % (result.get('msg', ''), wait)
                return result
            if waited - shown >= SHOW_EVERY_SECONDS or not shown:
                _say(progress_line(task_vars.get('inventory_hostname', ''), 'lease', waited,
                                   'waiting for the earlier run\'s module (pid %s) to end: %s'
                                   % ((result.get('holder') or {}).get('worker'), result.get('progress') or 'working')))
                shown = waited or 0.001
            time.sleep(ASK_EVERY_SECONDS)
