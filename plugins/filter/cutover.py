# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's decisions as filters, so the roles call them instead of computing them in Jinja: the plan, the
verdict, a phase's record, the connection settings, and where a unit's state lives and how it is handed from job to job. The logic lives in
plugins/plugin_utils (cutover_logic.py, cutover_report.py, unit_state.py), runs on the controller only, and is
unit-tested in tests/unit; each filter is documented in a YAML file beside this one."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.pchat.cutover.plugins.plugin_utils import cutover_logic, cutover_report, unit_state


def _wrap(function):
    def filter_function(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except cutover_logic.FactsError as exc:
            raise AnsibleFilterError('pchat.cutover.%s: %s' % (function.__name__, exc))
    filter_function.__name__ = function.__name__
    return filter_function


def unit_handover(units, state_dir, legacy_pool):
    """The files of the unit's state handed out by an earlier job (unit_state.handed_over)."""
    try:
        return unit_state.handed_over(units, state_dir, legacy_pool)
    except ValueError as exc:
        raise AnsibleFilterError('pchat.cutover.unit_handover: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {
            'cutover_plan': _wrap(cutover_logic.plan),
            'cutover_verdict': _wrap(cutover_logic.verdict),
            'phase_record': _wrap(cutover_logic.phase_record),
            'nothing_changed': cutover_logic.nothing_changed,
            'missing_connection': cutover_logic.missing_connection,
            'set_only': cutover_logic.set_only,
            'unit_artifact': cutover_report.unit_artifact,
            'unit_handover': unit_handover,
            'unit_paths': unit_state.paths,
        }
