# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report of one cutover unit, computed once: ``report_view`` turns what the run gathered (plan, facts before
and after, phases, migration, verdict, failure) into rows of text that the Markdown and the HTML template only lay
out. ``unit_artifact`` is what the run hands out as a job artifact (AWX), so that a later job - the rollback on
another controller - has the backup and the migration record without this controller's disk."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

from ansible_collections.pchat.cutover.plugins.module_utils.cutover_logic import (
    CHANGING_PHASES, OUTCOMES, format_count, format_duration,
)

PHASE_LABELS = {
    'preflight': 'Check and plan', 'disable': 'Disable the legacy Group Chat pool',
    'migrate': 'Migrate categories, rooms, members and history',
    'files': 'Copy the uploaded files into the Persistent Chat file store',
    'delete': 'Delete the well-known user (after a backup)',
    'recreate': 'Recreate the SIP URI as a legacy endpoint', 'start': 'Start the Persistent Chat pool',
    'verify': 'Verify that a legacy client connects as before',
}
BAR_WIDTH = 40
MAX_ROOMS = 200
NEXT_STEPS = {
    'lease': 'Another cutover or rollback of this unit holds its lease, or the directory cannot be reached: wait for it, '
             'or fix the connection, then run the cutover again.',
    'preflight': 'Fix what the blockers name, then run the cutover again (nothing was changed).',
    'verify': 'Read the failed checks; fix what they name (or roll back with pchat.cutover.rollback), then run the '
              'cutover again: it does only what is left.',
}
DEFAULT_NEXT = 'Fix what the error names, then run the cutover again: every phase converges, so it does only what is left.'


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _pool_rows(facts):
    rows = []
    for pool in (facts or {}).get('pools') or []:
        counts = pool.get('counts') or {}
        rows.append([pool.get('fqdn'), pool.get('kind'), pool.get('state'), pool.get('pool_state') or '',
                     format_count(counts.get('categories')), format_count(counts.get('rooms')),
                     format_count(counts.get('members')), format_count(counts.get('messages'))])
    return rows


def _owner_row(label, facts):
    owner = (facts or {}).get('owner') or {}
    return [label, owner.get('kind') or 'not read', '; '.join(owner.get('dns') or []) or '']


def _phase_rows(phases, preview):
    slowest = max([p.get('duration') or 0 for p in phases] + [0])
    rows = []
    for index, phase in enumerate(phases, 1):
        seconds = phase.get('duration') or 0
        width = int(round(seconds / slowest * BAR_WIDTH)) if slowest else 0
        if phase.get('failed'):
            outcome = 'FAILED'
        elif phase.get('changed'):
            outcome = 'would change' if preview else 'changed'
        else:
            outcome = 'unchanged'
        rows.append({'index': index, 'name': phase.get('name'), 'label': PHASE_LABELS.get(phase.get('name'), ''),
                     'duration': format_duration(seconds), 'outcome': outcome, 'summary': phase.get('summary') or '',
                     'bar': '█' * max(width, 1 if seconds > 0 else 0)})
    return rows


def _migration_section(report):
    steps = list(_get(report, 'migration_prepare', 'steps') or []) + list(_get(report, 'migration', 'steps') or [])
    record = _get(report, 'unit_state', 'migration') or {}
    recorded = record.get('steps') or {}
    before = _get(report, 'before', 'migration') or {}
    after = _get(report, 'after', 'migration') or {}
    counts = _get(report, 'migration', 'counts') or {}
    count_rows = []
    for kind in ('categories', 'rooms', 'members', 'messages'):
        values = counts.get(kind) or {}
        if values:
            count_rows.append([kind] + [format_count(values.get(c)) if values.get(c) is not None else 'not countable'
                                        for c in ('migrated', 'already_present', 'skipped')])
    preview = before.get('preview') or {}
    kinds = preview.get('warning_kinds') or {}
    return {
        'steps': [[s.get('step'), s.get('summary'), format_duration(s.get('seconds'))] for s in steps],
        'counts': count_rows,
        'backup_file': _get(recorded, 'backup', 'file'),
        'export_file': _get(recorded, 'export', 'file'),
        'import_report': _get(recorded, 'import', 'report'),
        'status_before': before.get('status'), 'status_after': after.get('status'),
        'comparison': _get(after, 'comparison', 'summary') or _get(before, 'comparison', 'summary'),
        'warning_kinds': [[kind, format_count(count)] for kind, count in sorted(kinds.items())],
        'blockers': before.get('blockers') or [],
        'unverifiable': after.get('unverifiable') or before.get('unverifiable') or [],
        'predicted': [[kind, format_count(value)] for kind, value in sorted((preview.get('counts') or {}).items())],
    }


def _files_section(report):
    """The uploaded files: where from, where to, what was copied, or the manual step."""
    files = report.get('files') or _get(report, 'after', 'files') or _get(report, 'before', 'files')
    if not files:
        return None
    counts = files.get('counts') or {}
    rows = [['Status', files.get('status')], ['Group Chat file repository', files.get('source_dir')],
            ['Persistent Chat file store folder', '%s%s' % (files.get('target_dir') or 'not found',
                                                            ' (from the %s)' % files['target_from']
                                                            if files.get('target_from') else '')],
            ['Summary', files.get('summary')]]
    for key, label in (('files', 'Files in the repository'), ('bytes', 'Bytes in the repository'),
                       ('copied', 'Files copied'), ('copied_bytes', 'Bytes copied'), ('to_copy', 'Files to copy'),
                       ('present', 'Already present'), ('newer_on_target', 'Newer on the target (kept)')):
        if counts.get(key) is not None:
            rows.append([label, format_count(counts[key])])
    return {'rows': rows, 'manual_step': files.get('manual_step')}


def _legacy_parts(report):
    """The legacy pool's servers by role (Group Chat, compliance) and what became of its IIS-hosted Web service."""
    legacy = None
    for facts in (report.get('after'), report.get('before')):
        for pool in (facts or {}).get('pools') or []:
            if (pool.get('fqdn') or '').lower() == (report.get('legacy_pool') or '').lower():
                legacy = legacy or pool
    if not legacy or not legacy.get('servers'):
        return None
    rows = [[s.get('fqdn'), s.get('role') or 'group_chat', s.get('state'),
             ', '.join('%s %s/%s' % (x.get('name'), x.get('status'), x.get('start_mode')) for x in s.get('services') or [])]
            for s in legacy['servers']]
    return {'servers': rows, 'in_topology': legacy.get('in_topology'),
            'web_service': (legacy.get('web_service') or {}).get('summary')}


def _rooms(report):
    pools = _get(report, 'after', 'pools') or []
    rooms = []
    for pool in pools:
        for room in pool.get('rooms') or []:
            rooms.append([room.get('name'), room.get('category'), 'yes' if room.get('disabled') else 'no',
                          format_count(len(room.get('members') or []))])
    return rooms[:MAX_ROOMS], len(rooms)


def report_view(report):
    """Everything both templates show, as text; ``report`` is what the cutover role gathered (see its README)."""
    preview = report.get('mode') == 'check'
    phases = report.get('phases') or []
    failure = report.get('failure')
    verdict = report.get('verdict')
    plan = report.get('plan') or {}
    if failure:
        outcome = 'FAILED in phase %s' % failure.get('phase')
    elif verdict is None:
        outcome = 'PREVIEW (nothing changed, nothing verified)' if preview else 'NOT VERIFIED'
    else:
        outcome = OUTCOMES.get(verdict.get('status')) or ('PASSED' if verdict.get('passed') else 'FAILED')
    changed = [p['name'] for p in phases if p.get('changed')]
    started = phases[0].get('started') if phases else None
    total = sum(p.get('duration') or 0 for p in phases)
    rooms, room_total = _rooms(report)
    backup = _get(report, 'unit_state', 'backup_file')
    view = {
        'title': 'Cutover report: %s (%s)' % (report.get('unit'), 'PREVIEW, check mode' if preview else 'run'),
        'preview': preview,
        'outcome': outcome,
        'sip_address': report.get('sip_address'),
        'fields': [['Unit', report.get('unit')], ['Mode', 'check (preview: nothing was changed)' if preview else 'run'],
                   ['Legacy pool', report.get('legacy_pool')], ['Persistent Chat pool', report.get('target_pool')],
                   ['SIP URI', report.get('sip_address')], ['Started', started or ''],
                   ['Finished', report.get('finished') or ''], ['Duration', format_duration(total)],
                   ['Outcome', outcome]],
        'failure': None,
        'plan': {'rows': [[PHASE_LABELS[p], 'yes' if _get(plan, 'phases', p) else 'no'] for p in CHANGING_PHASES]
                 if plan else [],
                 'blockers': plan.get('blockers') or [], 'notes': plan.get('notes') or []},
        'phases': _phase_rows(phases, preview),
        'total': format_duration(total),
        'migration': _migration_section(report),
        'owners': [_owner_row('Before', report.get('before')), _owner_row('After', report.get('after'))],
        'pools': [['Before', _pool_rows(report.get('before'))], ['After', _pool_rows(report.get('after'))]],
        'rooms': rooms, 'rooms_omitted': room_total - len(rooms),
        'backups': [backup] if backup else [],
        'checks': [[c.get('name'), 'ok' if c.get('ok') else 'FAILED', c.get('detail') or ''] for c in
                   (verdict or {}).get('checks') or []],
        'unverified': (verdict or {}).get('unverified') or [],
        'manual_steps': (verdict or {}).get('manual_steps') or [],
        'files': _files_section(report),
        'legacy': _legacy_parts(report),
    }
    if failure:
        view['failure'] = {'phase': failure.get('phase'), 'task': failure.get('task'),
                           'error': failure.get('error'), 'changed_before': changed,
                           'next': NEXT_STEPS.get(failure.get('phase'), DEFAULT_NEXT)}
    return view


def report_files(report, report_dir):
    """Where the report of ``report`` goes: <unit>-<stamp>-<mode>.md/.html, and <unit>-latest.md/.html."""
    name = re.sub(r'[^A-Za-z0-9._-]', '_', str(report.get('unit')))
    base = os.path.join(os.path.expanduser(report_dir), '%s-%s-%s' % (name, report.get('stamp'), report.get('mode')))
    latest = os.path.join(os.path.expanduser(report_dir), '%s-latest' % name)
    return {'markdown': base + '.md', 'html': base + '.html', 'markdown_latest': latest + '.md',
            'html_latest': latest + '.html'}


def unit_artifact(report, unit_dir, files):
    """The unit's state for a later job: the backup snapshot itself (no secrets are ever in it), the migration
    record, the report files and the outcome."""
    state = report.get('unit_state') or {}
    snapshot = None
    if state.get('backup_file'):
        try:
            with open(state['backup_file']) as handle:
                snapshot = json.load(handle)
        except (OSError, ValueError):
            snapshot = None
    return {'unit_dir': unit_dir, 'legacy_pool': report.get('legacy_pool'), 'sip_address': report.get('sip_address'),
            'backup_file': state.get('backup_file'), 'backup': snapshot, 'migration': state.get('migration'),
            'reports': dict((k, v) for k, v in (files or {}).items() if v), 'outcome': report_view(report)['outcome'],
            'mode': report.get('mode')}
