# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report of one cutover unit, computed once: ``report_view`` turns what the run gathered (plan, facts before
and after, phases, migration, verdict, failure; or, for a rollback, each step's result) into rows of text that the
Markdown and the HTML template only lay out. ``unit_artifact`` is what the run hands out as a job artifact (AWX), so
that a later job - the rollback on another controller - has the backup and the migration record without this
controller's disk.

Every sentence here is in the run's tense: a preview (check mode) says what a run would do and shows nothing as read
"after" (nothing ran after); a run says what it did. Nothing in a report is a Python repr: every value is flattened
to text (lists joined, dicts as 'key: value'), and ``markdown_cell`` escapes for Markdown only what CommonMark would
otherwise read as markup.

Runs on the controller only: the report action and report_writer.py call ``report_view``, ``report_files``,
``markdown_cell`` and ``html_cell``, the filter ``unit_artifact``; names with a leading underscore are this file's
own (tests/unit/test_cutover_report.py tests them through ``report_view`` and the rendered reports)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

from ansible_collections.pchat.cutover.plugins.plugin_utils.cutover_logic import (
    CHANGING_PHASES, OUTCOMES, STOPPED_STATES, utc_time,
)

_PHASE_LABELS = {
    'lease': 'Take the unit\'s lease', 'handover': 'Put the handed-over unit state in place',
    'preflight': 'Check and plan', 'disable': 'Disable the legacy Group Chat pool',
    'migrate': 'Migrate categories, rooms, members and history',
    'files': 'Copy the uploaded files into the Persistent Chat file store',
    'delete': 'Delete the well-known user (after a backup)',
    'recreate': 'Recreate the SIP URI as a legacy endpoint', 'start': 'Start the Persistent Chat pool',
    'verify': 'Verify that a legacy client connects as before',
}
_BAR_WIDTH = 40
_MAX_ROOMS = 200
_MAX_WARNINGS = 100
_COUNT_LABELS = (('categories', 'categories'), ('rooms', 'rooms'), ('members', 'member entries'),
                 ('disabled_rooms_left_out', 'disabled rooms (left out, as the guide asks)'))
_MESSAGES_NOT_COUNTED = ('no Lync cmdlet counts or reads a room\'s messages, so the history is proven only by the '
                         'import completing without errors (its -Report on the front end lists what it wrote)')

# What the error of a failed run says, and what to do next (report_view: _next_step).
_HELD_MARKERS = ('is locked: another cutover or rollback', 'is still working', 'named by two inventory hosts')
_BIND_MARKERS = ('rejected the credentials', 'refused the kerberos bind', 'refused a kerberos bind',
                 'kerberos bind to', 'ldap_bind_password is not', 'ldap_bind_method=kerberos')
_REACH_MARKERS = ('cannot reach the directory', 'tls with', 'ldap_ca_file', 'no ldap server given', 'is not an ldap url')
_LOST_MARKERS = ('is no longer this run\'s',)
_NEXT_STEPS = {
    'preflight': 'Fix what the blockers name, then run the %(what)s again (nothing was changed).',
    'verify': 'Read the failed checks; fix what they name (or roll back with pchat.cutover.rollback), then run the '
              'cutover again: it does only what is left.',
}
_DEFAULT_NEXT = ('Fix what the error names, then run the %(what)s again: every %(step)s converges, so it does only '
                 'what is left.')

_ROLLBACK_STEPS = (
    ('endpoint', 'Remove the legacy endpoint'),
    ('user', 'Restore the well-known user from its backup'),
    ('legacy_pool', 'Start the legacy Group Chat pool'),
    ('migration', 'Mark the recorded migration superseded'),
    ('target_pool', 'Stop the Persistent Chat pool (pchat_rollback_stop_target)'),
)
# What Microsoft's Lync Server 2013 docs say that bears on a rollback (docs/cutover.md cites the pages).
_GUIDE_ON_ROLLBACK = (
    'Microsoft\'s migration guide for Lync Server 2013 ("Migration process - details") describes no rollback. Its '
    '"Coexistence considerations" page says that a Persistent Chat pool and a legacy Group Chat pool can run side by '
    'side, that the categories and rooms of one do not interact with the other\'s, that a legacy client connects to '
    'one pool at a time, and that Lync 2013 clients reach only the Persistent Chat pool. So a Persistent Chat pool left '
    'started beside the legacy pool is a supported state, but its migrated rooms stay open to Lync 2013 clients: what '
    'they post there is not on the legacy pool, and the next cutover imports again, overwriting the migrated items by '
    'name (the guide: items already on the target "will be overwritten when the legacy data is migrated"). '
    'pchat_rollback_stop_target: true stops the Persistent Chat pool, so that only the legacy pool takes posts until '
    'the next cutover (whose migration stops the Persistent Chat services before the import anyway, as the guide '
    'requires); leave it false when that pool also serves rooms of its own that must stay up.')


# -- text ---------------------------------------------------------------------------------------------------------
def _text(value):
    """Any value as text a person reads: lists joined with commas, dicts as 'key: value; ...', never a repr."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, dict):
        return '; '.join('%s: %s' % (key, _text(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set)):
        return ', '.join(_text(item) for item in value)
    return '%s' % (value,)


_ASCII_PUNCTUATION = r'!"#$%&\'()*+,\-./:;<=>?@\[\\\]^_`{|}~'


def markdown_cell(value):
    """``value`` as Markdown text that reads as it is, in a table cell or a line: a backslash is doubled only where
    CommonMark would read it as an escape (before ASCII punctuation), so C:\\PchatMigration stays as it is; the
    characters that would break a table or become markup (| < > * ` [ ] and _ at a word's edge) are escaped; line
    breaks become spaces; an empty value is a dash."""
    value = _text(value).replace('\r', '').replace('\n', ' ')
    if value == '':
        return '—'
    value = re.sub(r'\\(?=[%s])' % _ASCII_PUNCTUATION, r'\\\\', value)
    value = re.sub(r'([|<>*`\[\]])', r'\\\1', value)
    return re.sub(r'(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])', r'\\_', value)


def html_cell(value):
    """``value`` as text for the HTML template (which escapes it): an empty value is a dash."""
    value = _text(value)
    return '—' if value == '' else value


def _format_duration(seconds):
    """'2 h 05 min', '4 min 12 s', '3.4 s' — hours and minutes for what a person reads in a report."""
    seconds = float(seconds or 0)
    if seconds < 60:
        return '%.1f s' % seconds
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return '%d min %02d s' % (minutes, secs)
    hours, minutes = divmod(minutes, 60)
    return '%d h %02d min' % (hours, minutes)


def _format_count(value):
    """Thousands separators (1,000,000); None is an unknown count."""
    if value is None:
        return 'unknown'
    return '{:,}'.format(int(value))


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _stamp(stamp):
    """'2026-11-26T10:00:00Z' of a report's stamp ('20261126T100000Z', when the run took the lease)."""
    found = re.match(r'^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$', _text(stamp))
    return '%s-%s-%sT%s:%s:%sZ' % found.groups() if found else _text(stamp)


def _signal(value):
    """The signal that interrupted the run ('SIGINT'), or None (a template may have rendered None as text)."""
    value = _text(value)
    return value if value.startswith('SIG') else None


def _pool(facts, fqdn):
    for pool in _get(facts, 'pools') or []:
        if (pool.get('fqdn') or '').lower() == (fqdn or '').lower():
            return pool
    return None


# -- what the run did, phase by phase -------------------------------------------------------------------------------
def _failed_record(report):
    """The record of the phase the run failed (or was interrupted) in, which never reached its own record; None when
    the run did not fail or the phase is already recorded."""
    failure = report.get('failure') or {}
    phase = failure.get('phase')
    if not phase:
        return None
    started, ended = _number(failure.get('started')), _number(failure.get('at'))
    for record in report.get('phases') or []:
        if record.get('name') == phase and (started is None or (_number(record.get('start')) or 0) >= started - 0.01):
            return None
    record = {'name': phase, 'changed': False, 'summary': _text(failure.get('error')), 'failed': True,
              'interrupted': _signal(failure.get('interrupted'))}
    if started is not None:
        record.update(start=started, started=utc_time(started))
        if ended is not None:
            record['duration'] = round(max(0.0, ended - started), 2)
    return record


def _records(report):
    records = [dict(record) for record in report.get('phases') or []]
    failed = _failed_record(report)
    return records + [failed] if failed else records


def _phase_rows(records, preview):
    slowest = max([record.get('duration') or 0 for record in records] + [0])
    rows = []
    for index, record in enumerate(records, 1):
        seconds = record.get('duration')
        width = int(round((seconds or 0) / slowest * _BAR_WIDTH)) if slowest else 0
        if record.get('interrupted'):
            outcome = 'INTERRUPTED by %s' % record['interrupted']
        elif record.get('failed'):
            outcome = 'FAILED'
        elif record.get('changed'):
            outcome = 'would change' if preview else 'changed'
        else:
            outcome = 'unchanged'
        rows.append({'index': index, 'name': record.get('name'), 'label': _PHASE_LABELS.get(record.get('name'), ''),
                     'duration': _format_duration(seconds) if seconds is not None else 'unknown', 'outcome': outcome,
                     'summary': record.get('summary') or '',
                     'bar': '█' * max(width, 1 if (seconds or 0) > 0 else 0)})
    return rows


def _phase_end(record):
    return (_number(record.get('start')) or 0) + (_number(record.get('duration')) or 0)


# -- the outage window -------------------------------------------------------------------------------------------
def _outage(report, preview, records):
    """The outage of the unit's legacy clients: from the legacy pool's stop to the Persistent Chat pool's start.
    Measured from the run's phase records (the disable phase's start to the start phase's end); in a preview,
    estimated from the migration's rehearsal. Where the run cannot know a figure, it says why instead."""
    plan = report.get('plan') or {}
    before = report.get('before') or {}
    legacy = _pool(before, report.get('legacy_pool')) or {}
    target = _pool(before, report.get('target_pool')) or {}
    stopped_before = legacy.get('state') in STOPPED_STATES
    if preview:
        return _outage_estimate(report, plan, legacy, stopped_before)
    by_name = dict((record.get('name'), record) for record in records)
    disable, start = by_name.get('disable'), by_name.get('start')
    failure = report.get('failure') or {}
    stop_of_run = failure.get('phase')
    if not plan:
        return {'figure': 'none', 'kind': 'none', 'text': 'this run stopped before its plan (in %s), so it stopped '
                'nothing: the legacy pool runs as it did.' % stop_of_run}
    if stopped_before:
        began = 'began before this run (the legacy pool %s was already %s when it started)' % (
            legacy.get('fqdn'), legacy.get('state'))
        if start and not start.get('failed'):
            return {'figure': 'not measured', 'kind': 'began earlier',
                    'text': '%s; it ended when this run started the Persistent Chat pool %s at %s.'
                            % (began, report.get('target_pool'), utc_time(_phase_end(start)))}
        if target.get('state') == 'started' and not plan.get('phases', {}).get('start'):
            return {'figure': 'none', 'kind': 'none', 'text': 'none in this run: the legacy pool was already %s and '
                    'the Persistent Chat pool %s already started (an earlier run cut over).'
                    % (legacy.get('state'), report.get('target_pool'))}
        return {'figure': 'not ended', 'kind': 'open', 'text': '%s, and it has not ended: the Persistent Chat pool %s '
                'has not started yet (%s). Legacy clients are without chat until a run starts it.'
                % (began, report.get('target_pool'), _why_not_started(start, failure))}
    if not disable or disable.get('start') is None:
        return {'figure': 'none', 'kind': 'none', 'text': 'this run did not stop the legacy pool %s (%s).'
                % (legacy.get('fqdn') or report.get('legacy_pool'),
                   'it stopped in %s' % stop_of_run if stop_of_run else 'the disable phase did not run')}
    begin = _number(disable['start'])
    if start and not start.get('failed') and start.get('start') is not None:
        end = _phase_end(start)
        return {'figure': _format_duration(end - begin), 'kind': 'measured',
                'text': 'measured by this run, from the legacy pool\'s stop (the disable of %s began at %s) to the '
                        'Persistent Chat pool\'s start (the start of %s ended at %s).'
                        % (report.get('legacy_pool'), utc_time(begin), report.get('target_pool'), utc_time(end))}
    if target.get('state') == 'started' and not plan.get('phases', {}).get('start') and not failure:
        last = [record for record in records if record.get('changed')][-1:]
        end = _phase_end(last[0]) if last else _phase_end(disable)
        return {'figure': _format_duration(end - begin), 'kind': 'measured',
                'text': 'measured by this run, from the legacy pool\'s stop (the disable of %s began at %s) to the '
                        'end of its last change (%s, at %s): the Persistent Chat pool %s was already started.'
                        % (report.get('legacy_pool'), utc_time(begin), last[0].get('name') if last else 'disable',
                           utc_time(end), report.get('target_pool'))}
    return {'figure': 'not ended', 'kind': 'open',
            'text': 'open: the legacy pool %s stopped at %s and the Persistent Chat pool %s has not started yet (%s). '
                    'Legacy clients are without chat until a run starts it.'
                    % (report.get('legacy_pool'), utc_time(begin), report.get('target_pool'),
                       _why_not_started(start, failure))}


def _why_not_started(start, failure):
    if start and start.get('failed'):
        return 'the start phase failed'
    if failure.get('phase'):
        return 'the run stopped in %s' % failure['phase']
    return 'the start phase did not run in this run (tags?)'


def _outage_estimate(report, plan, legacy, stopped_before):
    if not plan:
        return {'figure': 'not estimated', 'kind': 'not estimated',
                'text': 'the preview stopped before its plan (in %s).' % _get(report, 'failure', 'phase')}
    phases = plan.get('phases') or {}
    if stopped_before:
        return {'figure': 'already begun', 'kind': 'began earlier',
                'text': 'the legacy pool %s is already %s: the outage began before this preview; a run ends it when it '
                        'starts the Persistent Chat pool %s.' % (legacy.get('fqdn'), legacy.get('state'),
                                                                 report.get('target_pool'))}
    if not any(phases.get(name) for name in CHANGING_PHASES):
        return {'figure': 'none', 'kind': 'none', 'text': 'a run would change nothing: no outage.'}
    if not phases.get('migrate'):
        return {'figure': 'not estimated', 'kind': 'not estimated',
                'text': 'no migration is left; the disable, deletion, endpoint and start are not rehearsed, so no '
                        'figure is estimated.'}
    rehearsal = _get(report, 'before', 'migration', 'rehearsal')
    if not rehearsal:
        return {'figure': 'not estimated', 'kind': 'not estimated',
                'text': 'the migration was not rehearsed (pchat_migration_rehearsal is false, or preflight did not '
                        'read the migration).'}
    if rehearsal.get('skipped'):
        return {'figure': 'not estimated', 'kind': 'not estimated',
                'text': 'the rehearsal was skipped: %s.' % rehearsal['skipped']}
    export, whatif = _number(rehearsal.get('export_seconds')), _number(rehearsal.get('whatif_seconds'))
    if export is None or whatif is None:
        return {'figure': 'not estimated', 'kind': 'not estimated',
                'text': 'the rehearsal failed: %s.' % (_text(rehearsal.get('blockers')) or 'it measured no times')}
    blocked = ' A run would not start: the preview found blockers (see the plan).' if plan.get('blockers') else ''
    return {'figure': 'at least %s' % _format_duration(export + 2 * whatif), 'kind': 'estimated',
            'text': 'estimated from the rehearsal, from the legacy pool\'s stop to the Persistent Chat pool\'s start: '
                    'the export of the Group Chat data (%s in the rehearsal), the -WhatIf '
                    'import (%s) and the import itself, which is not rehearsed and takes at least as long as the '
                    '-WhatIf (%s). Not included: the disable, the backup of the Persistent Chat database, the deletion '
                    'of the user, the endpoint and the start.%s'
                    % (_format_duration(export), _format_duration(whatif), _format_duration(whatif), blocked)}


# -- the data migration ------------------------------------------------------------------------------------------
def _room_of(warning):
    """The chat room (or, failing that, the first quoted name) a warning of the import is about."""
    found = re.search(r'[Cc]hat room "([^"]*)"', warning) or re.search(r'"([^"]*)"', warning)
    return found.group(1) if found else ''


def _rehearsal(report, preview):
    migration = _get(report, 'before', 'migration') or {}
    rehearsal = migration.get('rehearsal')
    accepted = report.get('accepted_warnings')
    view = {'ran': False, 'note': '', 'fields': [], 'errors': [], 'export_warnings': [], 'warnings': [],
            'warnings_more': 0, 'kinds': []}
    if not migration:
        view['note'] = 'Not read: preflight did not read the migration.'
        return view
    if not rehearsal:
        view['note'] = ('Not rehearsed: the migration is done.' if migration.get('status') == 'done' else
                        'Not rehearsed (pchat_migration_rehearsal is false): the migrate phase\'s -WhatIf import '
                        'decides after the disable.')
        return view
    if rehearsal.get('skipped'):
        view['note'] = 'Not rehearsed: %s; the migrate phase\'s own -WhatIf import decides.' % rehearsal['skipped']
        return view
    warnings = rehearsal.get('warnings') or []
    view.update(ran=True, note=(
        'Preflight exported the Group Chat data while the legacy pool still ran and tried its import with -WhatIf '
        '(nothing written to the Persistent Chat pool).' + (' A run exports again after the disable.' if preview else
                                                            ' The migrate phase exported again after the disable.')))
    view['fields'] = [['Scratch export on the front end', rehearsal.get('file')],
                      ['Export', _format_duration(rehearsal['export_seconds'])
                       if rehearsal.get('export_seconds') is not None else 'did not finish'],
                      ['-WhatIf import', _format_duration(rehearsal['whatif_seconds'])
                       if rehearsal.get('whatif_seconds') is not None else 'did not finish'],
                      ['Errors', _format_count(len(rehearsal.get('errors') or []))],
                      ['Warnings', _format_count(len(warnings))]]
    view['errors'] = [_text(error) for error in rehearsal.get('errors') or []]
    view['export_warnings'] = [_text(item) for item in rehearsal.get('export_warnings') or []]
    rows = []
    for warning in warnings:
        body = _text(warning.get('text') if isinstance(warning, dict) else warning)
        rows.append([warning.get('kind') if isinstance(warning, dict) else '', _room_of(body), body])
    view['warnings'], view['warnings_more'] = rows[:_MAX_WARNINGS], max(0, len(rows) - _MAX_WARNINGS)
    kinds = rehearsal.get('warning_kinds') or {}
    view['kinds'] = [[kind, _format_count(count), 'not known' if accepted is None else
                      ('accepted' if kind in (accepted or []) else 'NOT accepted: a blocker')]
                     for kind, count in sorted(kinds.items())]
    return view


def _counts(report, preview):
    if preview:
        predicted = _get(report, 'before', 'migration', 'preview', 'counts') or {}
        return {'header': ['Kind', 'A run would migrate (predicted from the export\'s room directory)'],
                'rows': [[label, _format_count(predicted[key])] for key, label in _COUNT_LABELS if key in predicted]}
    counts = _get(report, 'migration', 'counts') or {}
    rows = []
    for key, label in _COUNT_LABELS[:3]:
        values = counts.get(key) or {}
        if values:
            rows.append([label] + [_format_count(values.get(column)) if values.get(column) is not None else '—'
                                   for column in ('migrated', 'already_present', 'skipped')])
    return {'header': ['Kind', 'Migrated', 'Already present', 'Skipped'], 'rows': rows}


def _unverifiable(report):
    """What no cmdlet can check (from the migration facts): the message history, said once, and the rest."""
    items = list(_get(report, 'after', 'migration', 'unverifiable') or _get(report, 'before', 'migration',
                                                                            'unverifiable') or [])
    messages = [item for item in items if item.startswith('message history:')]
    rest = [item for item in items if not item.startswith('message history:')]
    said = messages[0].split(':', 1)[1].strip() if messages else _MESSAGES_NOT_COUNTED
    return 'Messages are not counted: %s.' % said, rest, items


def _migration_section(report, preview):
    steps = list(_get(report, 'migration_prepare', 'steps') or []) + list(_get(report, 'migration', 'steps') or [])
    recorded = _get(report, 'unit_state', 'migration', 'steps') or {}
    before = _get(report, 'before', 'migration') or {}
    after = _get(report, 'after', 'migration') or {}
    messages, unverifiable, _all = _unverifiable(report)
    superseded = before.get('superseded') or []
    if superseded and _get(report, 'plan', 'phases', 'migrate'):
        superseded_note = ('A rollback (%s) superseded the earlier migration: the legacy pool took posts again, so %s; '
                           'the import %s what the first one wrote on %s, by name.'
                           % (_text(_get(superseded[-1], 'at')) or 'an earlier run',
                              'a run would migrate again' if preview else 'this run migrates again',
                              'would overwrite' if preview else 'overwrites', report.get('target_pool')))
    elif superseded:
        superseded_note = '%d earlier migration(s) were superseded by a rollback.' % len(superseded)
    else:
        superseded_note = ''
    items = [['Status %s' % ('now' if preview else 'before the run'), before.get('status')]]
    if not preview:
        items.append(['Status after the run', after.get('status') if after else 'not read'])
        items.append(['Comparison with the export', _get(after, 'comparison', 'summary') or
                      _get(before, 'comparison', 'summary')])
        items += [['Backup of the Persistent Chat database', _get(recorded, 'backup', 'file')],
                  ['Export of the Group Chat data', _get(recorded, 'export', 'file')],
                  ['Import report on the front end', _get(recorded, 'import', 'report')]]
    return {
        'steps_header': ['Step', 'What the run would do' if preview else 'What happened', 'Duration'],
        'steps': [[s.get('step'), s.get('summary'), _format_duration(s.get('seconds'))] for s in steps],
        'counts': _counts(report, preview),
        'messages': messages,
        'status_rows': items,
        'superseded': superseded_note,
        'rehearsal': _rehearsal(report, preview),
        'blockers': [_text(blocker) for blocker in before.get('blockers') or []],
        'unverifiable': unverifiable,
    }


# -- pools, owner, rooms -----------------------------------------------------------------------------------------
def _pool_rows(facts):
    rows = []
    for pool in (facts or {}).get('pools') or []:
        counts = pool.get('counts') or {}
        rows.append([pool.get('fqdn'), pool.get('kind'), pool.get('state'), pool.get('pool_state') or '',
                     _format_count(counts.get('categories')), _format_count(counts.get('rooms')),
                     _format_count(counts.get('members'))])
    return rows


def _owner_row(label, facts):
    owner = (facts or {}).get('owner') or {}
    return [label, owner.get('kind') or 'not read', '; '.join(owner.get('dns') or []) or '']


def _room_rows(rooms):
    rows = [[room.get('name'), room.get('category'), 'yes' if room.get('disabled') else 'no',
             _format_count(len(room.get('members') or [])), _format_count(len(room.get('managers') or []))]
            for room in sorted(rooms, key=lambda room: (room.get('name') or '').lower())]
    return rows[:_MAX_ROOMS], max(0, len(rows) - _MAX_ROOMS)


def _rooms(report, preview):
    """The rooms on the Persistent Chat pool, from the latest read that listed them."""
    target = report.get('target_pool')
    after, before = _pool(report.get('after'), target), _pool(report.get('before'), target)
    predicted = _get(report, 'before', 'migration', 'preview', 'counts', 'rooms')
    changed = any(record.get('changed') for record in report.get('phases') or [])
    if not preview and not changed and before is not None and 'rooms' in before:
        source, rooms = 'as preflight read them (no phase of this run changed anything)', before['rooms']
    elif not preview and after is not None and 'rooms' in after:
        source = 'as verify read them after the run'
        rooms = after['rooms']
    elif before is not None and 'rooms' in before:
        source = 'as preflight read them before the %s' % ('preview\'s plan' if preview else 'run\'s first change')
        rooms = before['rooms']
        if preview and _get(report, 'plan', 'phases', 'migrate') and predicted is not None:
            source += '; a run would import %s rooms (predicted)' % _format_count(predicted)
        elif not preview:
            source += '; verify did not list them after the run'
    else:
        return {'rows': [], 'omitted': 0, 'note': 'Not read.'}
    rows, omitted = _room_rows(rooms)
    note = '%s room(s) on %s, %s.' % (_format_count(len(rooms)), target, source)
    return {'rows': rows, 'omitted': omitted, 'note': note}


# -- the failure ---------------------------------------------------------------------------------------------------
def _next_step(failure, kind='cutover', preview=False):
    """What to do after ``failure``, following what its error says: the unit locked by another run, the directory
    unreachable or refusing the bind, the lease lost, an interrupt, or the phase's own advice."""
    error = _text(failure.get('error')).lower()
    what = 'preview' if preview else kind
    holder = failure.get('holder') if isinstance(failure.get('holder'), dict) else None
    if holder or any(marker in error for marker in _HELD_MARKERS):
        by = (' (held by pid %s on %s since %s, until %s unless renewed)'
              % (holder.get('pid'), holder.get('host'), holder.get('started'), holder.get('expires'))) if holder else ''
        return ('Another cutover or rollback of this unit holds its lease%s: wait for it to finish, then run the %s '
                'again. This run took no lease and changed nothing.' % (by, what))
    if any(marker in error for marker in _BIND_MARKERS):
        return ('The directory refused this run\'s bind: check pchat_ldap_bind_dn and pchat_ldap_bind_password (or, with '
                'Kerberos, the ticket and principal), then run the %s again. This run took no lease and changed '
                'nothing.' % what)
    if any(marker in error for marker in _REACH_MARKERS):
        return ('This run could not reach the directory: check pchat_ldap_url, that the domain controller is up and '
                'its port open from this controller, and pchat_ldap_ca_file, then run the %s again. This run took no lease '
                'and changed nothing.' % what)
    if any(marker in error for marker in _LOST_MARKERS):
        return ('This run lost the unit\'s lease to another run, and stopped without writing anything more: find out '
                'what that run is doing before you run the %s again.' % what)
    signal = _signal(failure.get('interrupted'))
    if signal:
        return ('The operator stopped the run (%s) in %s. Run the %s again: it finds out what the stopped step left '
                'and does only what is left.' % (signal, failure.get('phase'), what))
    if failure.get('phase') == 'lease':
        return ('This run could not take the unit\'s lease: fix what the error names, then run the %s again. It took '
                'no lease and changed nothing.' % what)
    template = _NEXT_STEPS.get(failure.get('phase'), _DEFAULT_NEXT) if kind == 'cutover' else _DEFAULT_NEXT
    return template % {'what': what, 'step': 'phase' if kind == 'cutover' else 'step'}


def _failure_view(report, records, preview, kind='cutover'):
    failure = report.get('failure')
    if not failure:
        return None
    changed = [record['name'] for record in records if record.get('changed') and not record.get('failed')]
    return {'phase': failure.get('phase'), 'task': failure.get('task'), 'error': _text(failure.get('error')),
            'interrupted': _signal(failure.get('interrupted')),
            'changed_before': 'nothing (a preview changes nothing)' if preview else (', '.join(changed) or 'nothing'),
            'next': _next_step(failure, kind, preview)}


# -- the report ----------------------------------------------------------------------------------------------------
def report_view(report):
    """Everything both templates show, as text; ``report`` is what the cutover (or rollback) role gathered (see the
    report role's README)."""
    if report.get('kind') == 'rollback':
        return _rollback_view(report)
    preview = report.get('mode') == 'check'
    records = _records(report)
    failure = report.get('failure')
    verdict = report.get('verdict')
    plan = report.get('plan') or {}
    if failure:
        outcome = 'FAILED in phase %s' % failure.get('phase')
    elif verdict is None:
        outcome = 'PREVIEW (nothing changed, nothing verified)' if preview else 'NOT VERIFIED'
    else:
        outcome = OUTCOMES.get(verdict.get('status')) or ('PASSED' if verdict.get('passed') else 'FAILED')
    started = records[0].get('started') if records else None
    total = sum(record.get('duration') or 0 for record in records)
    backup = _get(report, 'unit_state', 'backup_file')
    migration = _migration_section(report, preview)
    _messages, _rest, unverifiable = _unverifiable(report)
    unverified = [item for item in (verdict or {}).get('unverified') or [] if item not in unverifiable]
    view = {
        'kind': 'cutover',
        'title': 'Cutover report: %s (%s)' % (report.get('unit'), 'PREVIEW, check mode' if preview else 'run'),
        'preview': preview,
        'outcome': outcome,
        'unit': report.get('unit'),
        'outage': _outage(report, preview, records),
        'sip_address': report.get('sip_address'),
        'fields': [['Unit', report.get('unit')], ['Mode', 'check (preview: nothing was changed)' if preview else 'run'],
                   ['Legacy pool', report.get('legacy_pool')], ['Persistent Chat pool', report.get('target_pool')],
                   ['SIP URI', report.get('sip_address')], ['Started', started or ''],
                   ['Finished', report.get('finished') or ''], ['Duration', _format_duration(total)],
                   ['Outcome', outcome]],
        'failure': _failure_view(report, records, preview),
        'plan': {'title': 'What a run would change (the plan)' if preview else 'Plan (left to do when the run started)',
                 'header': ['Step', 'A run would do it' if preview else 'Left to do'],
                 'rows': [[_PHASE_LABELS[p], 'yes' if _get(plan, 'phases', p) else 'no'] for p in CHANGING_PHASES]
                 if plan else [],
                 'blockers': [_text(blocker) for blocker in plan.get('blockers') or []],
                 'blockers_title': 'Blockers (%d; %s)' % (len(plan.get('blockers') or []), 'the preview fails on them'
                                                          if preview else 'the run stops before its first change'),
                 'notes': [_text(note) for note in plan.get('notes') or []]},
        'phases': _phase_rows(records, preview),
        'total': _format_duration(total),
        'migration': migration,
        'owners': ([_owner_row('Now (read by preflight)', report.get('before'))] if preview else
                   [_owner_row('Before', report.get('before')), _owner_row('After', report.get('after'))]),
        'pools': ([['Now (read by preflight)', _pool_rows(report.get('before'))]] if preview else
                  [['Before', _pool_rows(report.get('before'))], ['After', _pool_rows(report.get('after'))]]),
        'after_note': ('A preview reads nothing after: the plan above says what a run would change.' if preview else ''),
        'rooms': _rooms(report, preview),
        'backups': [backup] if backup else [],
        'no_backups': 'None (a preview writes no backups).' if preview else 'None recorded.',
        'no_checks': 'Not run (a preview does not verify).' if preview else 'No checks ran.',
        'checks': [[c.get('name'), 'ok' if c.get('ok') else 'FAILED', c.get('detail') or ''] for c in
                   (verdict or {}).get('checks') or []],
        'unverified': unverified,
        'unverified_elsewhere': bool(verdict) and len(unverified) < len((verdict or {}).get('unverified') or []),
        'manual_steps': [_text(step) for step in (verdict or {}).get('manual_steps') or []],
        'files': _files_section(report),
        'legacy': _legacy_parts(report),
    }
    return view


def _files_section(report):
    """The uploaded files: where from, where to, what was copied, or the manual step."""
    files = _get(report, 'after', 'files') or _get(report, 'before', 'files')
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
            rows.append([label, _format_count(counts[key])])
    return {'rows': rows, 'manual_step': files.get('manual_step')}


def _legacy_parts(report):
    """The legacy pool's servers by role (Group Chat, compliance) and what became of its IIS-hosted Web service."""
    legacy = None
    for facts in (report.get('after'), report.get('before')):
        legacy = legacy or _pool(facts, report.get('legacy_pool'))
    if not legacy or not legacy.get('servers'):
        return None
    rows = [[s.get('fqdn'), s.get('role') or 'group_chat', s.get('state'),
             ', '.join('%s %s/%s' % (x.get('name'), x.get('status'), x.get('start_mode')) for x in s.get('services') or [])]
            for s in legacy['servers']]
    return {'servers': rows, 'in_topology': legacy.get('in_topology'),
            'web_service': (legacy.get('web_service') or {}).get('summary')}


# -- the rollback report -------------------------------------------------------------------------------------------
def _step_outcome(result, preview):
    if not isinstance(result, dict) or not result:
        return 'not run'
    if result.get('failed'):
        return 'FAILED'
    if result.get('skipped'):
        return 'skipped'
    if result.get('changed'):
        return 'would change' if preview else 'changed'
    return 'unchanged'


def _user_text(result, backup, preview):
    """How the well-known user came back: reanimated (its tombstone: the same objectSid and objectGUID) or recreated
    (a new object), compared with the backup taken before the cutover."""
    restored = result.get('restored')
    dn = result.get('dn') or (backup or {}).get('dn') or 'the user'
    sid, guid = result.get('object_sid'), result.get('object_guid')
    old_sid, old_guid = (backup or {}).get('object_sid'), (backup or {}).get('object_guid')
    if restored == 'reanimated':
        if preview:
            return ('would reanimate %s from its tombstone, which keeps its objectSid (%s) and objectGUID (%s)'
                    % (dn, old_sid or sid, old_guid or guid))
        same = bool(sid) and sid == old_sid and guid == old_guid
        return ('reanimated %s from its tombstone: objectSid %s and objectGUID %s, %s' % (
            dn, sid, guid, 'the same as in the backup taken before the cutover, so what granted rights to it still does'
            if same else 'which differ from the backup\'s (%s, %s)' % (old_sid, old_guid)))
    if restored == 'recreated':
        return ('%s %s from the backup as a new object (its tombstone is gone): %s objectSid and objectGUID, not the '
                'ones before the cutover (%s, %s), so rights granted to the old SID do not apply to it'
                % ('would recreate' if preview else 'recreated', dn,
                   'a new' if preview or not sid else 'the new %s, %s:' % (sid, guid), old_sid, old_guid))
    if restored == 'present':
        return '%s was there already: nothing restored' % dn
    return _text(result.get('summary'))


def _rollback_rows(report, preview):
    steps = report.get('rollback') or {}
    backup = _get(report, 'unit_state', 'backup')
    failure = report.get('failure') or {}
    rows, details = [], []
    for key, label in _ROLLBACK_STEPS:
        result = steps.get(key) if isinstance(steps.get(key), dict) else None
        outcome = _step_outcome(result, preview)
        what = _text((result or {}).get('summary') or (result or {}).get('msg'))
        if key == 'user' and result and not result.get('failed') and not result.get('skipped'):
            what = _user_text(result, backup, preview)
            details += ['%s: %s' % (label, _text(item)) for item in result.get('warnings_detail') or []]
        if key == 'user' and outcome == 'skipped':
            what = 'no backup of the user is known, and it still exists'
        if key == 'target_pool' and not steps.get('stop_target') and outcome in ('skipped', 'not run'):
            outcome = 'left started' if not failure else outcome
            what = ('pchat_rollback_stop_target is false: the Persistent Chat pool keeps running with the migrated '
                    'rooms')
        if outcome == 'not run' and failure:
            what = 'not reached: the rollback stopped at "%s"' % failure.get('task')
        rows.append([label, outcome, what])
    return rows, details


def _rollback_rooms(report):
    """What stays on the Persistent Chat pool: the rooms read at the end of the rollback, or else those the
    superseded migration recorded."""
    target = report.get('target_pool')
    read = _pool(_get(report, 'rollback', 'target_read'), target)
    if read is not None and 'rooms' in read:
        rows, omitted = _room_rows(read['rooms'])
        return {'rows': rows, 'omitted': omitted, 'state': read.get('state'),
                'note': '%s room(s) stay on %s (%s), as the rollback read them at its end: the rollback removes no '
                        'room.' % (_format_count(len(read['rooms'])), target, read.get('state'))}
    record = _get(report, 'unit_state', 'migration') or {}
    superseded = (record.get('superseded') or [{}])[-1] or {}
    expected = _get(superseded, 'expected', 'rooms') or _get(record, 'expected', 'rooms') or {}
    if expected:
        rooms = [dict(room, members=room.get('members') or [], managers=room.get('managers') or [])
                 for room in expected.values()]
        rows, omitted = _room_rows(rooms)
        return {'rows': rows, 'omitted': omitted, 'state': None,
                'note': '%s room(s) the migration wrote to %s stay there (as the migration record lists them; the '
                        'pool was not read).' % (_format_count(len(rooms)), target)}
    return {'rows': [], 'omitted': 0, 'state': None,
            'note': 'Not read, and no migration is recorded: whatever the cutover migrated stays on %s.' % target}


def _rollback_view(report):
    """The rollback report: what the rollback changed, what stays on the Persistent Chat pool, and what Microsoft's
    guide says of a Persistent Chat pool left started."""
    preview = report.get('mode') == 'check'
    failure = report.get('failure')
    rows, details = _rollback_rows(report, preview)
    steps = report.get('rollback') or {}
    stop_target = bool(steps.get('stop_target'))
    if failure:
        outcome = 'FAILED at "%s"' % failure.get('task')
    elif preview:
        outcome = 'PREVIEW (nothing changed)'
    else:
        outcome = 'ROLLED BACK'
    rooms = _rollback_rooms(report)
    if preview:
        choice = ('A run would stop the Persistent Chat pool (pchat_rollback_stop_target: true).' if stop_target else
                  'A run would leave the Persistent Chat pool started (pchat_rollback_stop_target: false).')
    else:
        choice = ('This rollback stopped the Persistent Chat pool (pchat_rollback_stop_target: true).' if stop_target
                  else 'This rollback left the Persistent Chat pool started (pchat_rollback_stop_target: false).')
    failed = _failure_view(report, [], preview, kind='rollback')
    if failed and not preview:
        failed['changed_before'] = ', '.join(row[0].lower() for row in rows if row[1] == 'changed') or 'nothing'
    view = {
        'kind': 'rollback',
        'title': 'Rollback report: %s (%s)' % (report.get('unit'), 'PREVIEW, check mode' if preview else 'run'),
        'preview': preview, 'outcome': outcome, 'unit': report.get('unit'), 'sip_address': report.get('sip_address'),
        'fields': [['Unit', report.get('unit')], ['Mode', 'check (preview: nothing was changed)' if preview else 'run'],
                   ['Legacy pool', report.get('legacy_pool')], ['Persistent Chat pool', report.get('target_pool')],
                   ['SIP URI', report.get('sip_address')], ['Started', _stamp(report.get('stamp'))],
                   ['Finished', report.get('finished') or ''], ['Outcome', outcome]],
        'failure': failed,
        'steps_title': 'What the rollback would change' if preview else 'What the rollback changed',
        'steps_header': ['Step', 'Outcome', 'What %s' % ('it would do' if preview else 'it did')],
        'steps': rows, 'details': details,
        'rooms': rooms,
        'guide': _GUIDE_ON_ROLLBACK, 'choice': choice,
        'backups': [b for b in [_get(report, 'unit_state', 'backup_file')] if b],
    }
    return view


# -- files and artifacts -----------------------------------------------------------------------------------------
def report_files(report, report_dir):
    """Where the report of ``report`` goes: <unit>-<stamp>-<mode>.md/.html (a rollback's: -rollback.md, or
    -rollback-check.md for its preview), and <unit>-latest.md/.html."""
    name = re.sub(r'[^A-Za-z0-9._-]', '_', str(report.get('unit')))
    mode = report.get('mode')
    if report.get('kind') == 'rollback':
        mode = 'rollback-check' if mode == 'check' else 'rollback'
    base = os.path.join(os.path.expanduser(report_dir), '%s-%s-%s' % (name, report.get('stamp'), mode))
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
