#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cutover_report
short_description: Write the report of a cutover or rollback run of one unit (Markdown and HTML)
version_added: 0.3.0
description:
  - Writes, on the controller, the report of what a cutover, a preview or a rollback of one unit did, from what the
    run gathered (O(report)). A cutover's report opens with the unit's outage window (measured by a run, estimated
    from the migration's rehearsal by a preview), then the plan and its blockers, each phase with its timing and
    changes (a failed or interrupted one included), the data migration and its rehearsal, the rooms on the
    Persistent Chat pool, the SIP URI's owner, the pools, the backups, the verification and what could not be
    verified.
  - A rollback's report (O(report) with C(kind=rollback)) says what the rollback changed, how the well-known user
    came back, and what stays on the Persistent Chat pool.
  - The files are C(<unit>-<stamp>-<mode>.md) and C(.html) in O(report_dir) (a rollback's
    C(<unit>-<stamp>-rollback.md)), and C(<unit>-latest.md) and C(.html) copies when O(keep_latest).
  - The same writer writes the failure report of a run the operator stopped (Ctrl-C), from the action plugin of
    the module that was running.
  - This is an action plugin, it runs on the controller and needs no connection.
author:
  - pchat.cutover contributors (@pchat-cutover)
attributes:
  check_mode:
    support: full
    description: Writes the report in check mode too; a preview's report is its output. Never reports a change.
  diff_mode:
    support: none
    description: A report is an artifact, not managed state.
options:
  report:
    description:
      - What the run gathered, as the C(cutover) and C(rollback) roles compute it once at the end of the run
        (C(pchat_report_input)); see the report role's README for the keys.
    type: dict
    required: true
  report_dir:
    description: Folder of the reports on the controller (created, mode 0750).
    type: path
    required: true
  keep_latest:
    description: Also write C(<unit>-latest.md) and C(<unit>-latest.html).
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Write the report of the run
  pchat.cutover.cutover_report:
    report: "{{ pchat_report }}"
    report_dir: /var/log/pchat-cutover
'''

RETURN = r'''
files:
  description: The files written.
  returned: always
  type: dict
  sample:
    markdown: /var/log/pchat-cutover/contoso_group_chat-20261128T020000Z-run.md
    html: /var/log/pchat-cutover/contoso_group_chat-20261128T020000Z-run.html
    markdown_latest: /var/log/pchat-cutover/contoso_group_chat-latest.md
    html_latest: /var/log/pchat-cutover/contoso_group_chat-latest.html
outcome:
  description: The run's outcome as the report states it.
  returned: always
  type: str
  sample: PASSED
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(report=dict(type='dict', required=True),
                                              report_dir=dict(type='path', required=True),
                                              keep_latest=dict(type='bool', default=True)),
                           supports_check_mode=True)
    module.fail_json(msg='pchat.cutover.cutover_report runs on the controller as an action plugin; it was called '
                         'as a module. Call it as a task (pchat.cutover.cutover_report) in a playbook.')


if __name__ == '__main__':
    main()
