# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's figures, computed once in Python (the templates only lay them out), its file names, and the job
artifact."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys

from ansible_collections.pchat.cutover.plugins.module_utils import cutover_report

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import report_fixtures  # noqa: E402 pylint: disable=wrong-import-position


def test_a_passed_run_reads_in_hours_minutes_and_thousands():
    view = cutover_report.report_view(report_fixtures.report())
    assert view['outcome'] == 'PASSED' and view['failure'] is None and not view['preview']
    migrate = [p for p in view['phases'] if p['name'] == 'migrate'][0]
    assert migrate['duration'] == '2 h 05 min' and migrate['outcome'] == 'changed'
    assert len(migrate['bar']) == cutover_report.BAR_WIDTH  # the slowest phase fills the bar
    assert dict(view['pools'])['After'][1][6] == '1,234,567'  # the target's members
    assert view['migration']['counts'][0] == ['rooms', '1,800', '0', '0']
    assert view['migration']['counts'][1][1] == 'not countable'
    assert view['backups'] == ['/state/gc.contoso.com/backups/OCSChat-1.json']
    assert view['unverified'] and all(row[1] == 'ok' for row in view['checks'])


def test_a_failed_run_names_the_phase_what_changed_before_and_what_to_do():
    view = cutover_report.report_view(report_fixtures.report(failed_phase='delete'))
    assert view['outcome'] == 'FAILED in phase delete'
    assert view['failure']['changed_before'] == ['disable', 'migrate']
    assert 'run the cutover again' in view['failure']['next'] and view['failure']['task'] == 'Import'
    lease = cutover_report.report_view(dict(report_fixtures.report(failed_phase='preflight'),
                                            failure={'phase': 'lease', 'task': 't', 'error': 'e'}))
    assert 'lease' in lease['failure']['next']


def test_a_preview_says_so_and_verifies_nothing():
    view = cutover_report.report_view(report_fixtures.report(mode='check'))
    assert view['preview'] and view['outcome'].startswith('PREVIEW') and view['checks'] == []
    assert [p['outcome'] for p in view['phases'] if p['name'] == 'disable'] == ['would change']


def test_report_files_and_the_job_artifact(tmp_path):
    report = report_fixtures.report()
    files = cutover_report.report_files(report, str(tmp_path))
    assert files['markdown'] == str(tmp_path / 'contoso_group_chat-20261126T100000Z-run.md')
    assert files['html_latest'] == str(tmp_path / 'contoso_group_chat-latest.html')
    backup = tmp_path / 'OCSChat.json'
    backup.write_text(json.dumps({'format': 'x', 'dn': report_fixtures.USER_DN}))
    report['unit_state']['backup_file'] = str(backup)
    artifact = cutover_report.unit_artifact(report, '/state/gc.contoso.com', files)
    assert artifact['backup']['dn'] == report_fixtures.USER_DN and artifact['outcome'] == 'PASSED'
    assert artifact['migration'] == report['unit_state']['migration']


def test_a_run_without_the_test_message_reads_not_verified():
    report = report_fixtures.report('run')
    report['verdict'] = dict(report['verdict'], passed=False, status='not_verified')
    assert cutover_report.report_view(report)['outcome'] == 'NOT VERIFIED'
