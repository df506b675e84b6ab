# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's decisions as filters, so the roles call them instead of computing them in Jinja.
The logic and its tests live in module_utils/cutover_logic.py; each filter is documented in a YAML file beside
this one."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.pchat.cutover.plugins.module_utils import cutover_logic


def _wrap(function):
    def filter_function(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except cutover_logic.FactsError as exc:
            raise AnsibleFilterError('pchat.cutover.%s: %s' % (function.__name__, exc))
    filter_function.__name__ = function.__name__
    return filter_function


class FilterModule(object):
    def filters(self):
        return {
            'cutover_plan': _wrap(cutover_logic.plan),
            'cutover_verdict': _wrap(cutover_logic.verdict),
            'cutover_phases': _wrap(cutover_logic.phases_to_run),
            'phase_record': _wrap(cutover_logic.phase_record),
            'duration': cutover_logic.format_duration,
            'thousands': cutover_logic.format_count,
        }
