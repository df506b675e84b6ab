# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of pchat.cutover.cutover_report: writes the report files on the controller (report_writer.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from jinja2 import TemplateError

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.pchat.cutover.plugins.plugin_utils import report_writer

SPEC = dict(report=dict(type='dict', required=True), report_dir=dict(type='path', required=True),
            keep_latest=dict(type='bool', default=True))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validated = ArgumentSpecValidator(SPEC).validate(self._task.args)
        if validated.error_messages:
            result.update(failed=True, msg='pchat.cutover.cutover_report: %s' % '; '.join(validated.error_messages))
            return result
        params = validated.validated_parameters
        try:
            written = report_writer.write(params['report'], params['report_dir'], keep_latest=params['keep_latest'])
        except (OSError, ValueError, KeyError, TypeError, TemplateError) as error:
            result.update(failed=True, msg='the report of %s could not be written to %s: %s'
                          % (params['report'].get('unit'), params['report_dir'], error))
            return result
        result.update(changed=False, **written)
        return result
