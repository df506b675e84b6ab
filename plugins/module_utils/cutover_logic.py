# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's decisions, in plain Python: which phases are left to do (preflight's plan), whether the cutover
holds (verify's verdict), which phases a tag selection runs, what a phase reports, and the report's figures.

The roles gather facts with the ``_info`` modules and hand them to these functions through the filter plugins in
``plugins/filter/cutover.py``; the roles only call, register and show. Inputs are the ``_info`` modules' return
values, so every function here is unit-tested on plain dicts (tests/unit/test_cutover_logic.py).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os

PHASES = ('preflight', 'disable', 'migrate', 'files', 'delete', 'recreate', 'start', 'verify')
CHANGING_PHASES = ('disable', 'migrate', 'files', 'delete', 'recreate', 'start')
LEGACY_KINDS = ('group_chat_2010', 'group_chat_2007r2')
TARGET_KIND = 'persistent_chat_2013'
STOPPED_STATES = ('stopped', 'disabled')


class FactsError(ValueError):
    """The facts handed to a decision are not what the _info modules return (a bug in a role, not bad input)."""


def _pool(pools, fqdn):
    for pool in pools or []:
        if (pool.get('fqdn') or '').lower() == (fqdn or '').lower():
            return pool
    return None


def _require(facts, *keys):
    missing = [key for key in keys if key not in facts]
    if missing:
        raise FactsError('cutover facts lack %s' % ', '.join(missing))


def _same_pool(left, right):
    return (left or '').lower() == (right or '').lower()


def plan(facts):
    """Preflight's plan from what the _info modules read.

    ``facts``: ``legacy_pool``, ``target_pool``, ``sip_address`` (the unit), ``pools`` (chat_pool_info's pools for
    both), ``owner`` (sip_address_info's answer for the SIP URI: kind, dns), ``endpoint`` (legacy_endpoint_info's
    endpoint with that SIP URI, or None), ``migration`` (chat_migration_info's result: ``status``, ``blockers``,
    ``import_warnings``), ``backup`` (the well-known user's recorded backup file, or None) and ``psrp_path``;
    optionally ``files`` (chat_files_info's result: the uploaded files, copied by the ``files`` phase after the
    import, as the migration guide orders it).

    Returns ``{'phases': {phase: bool}, 'left': [phases to run, in order], 'blockers': [...], 'notes': [...]}``:
    a phase is True when it has something to do; ``blockers`` are reasons the cutover must not start.
    """
    _require(facts, 'legacy_pool', 'target_pool', 'sip_address', 'pools', 'owner', 'endpoint', 'migration')
    blockers, notes = [], []
    legacy = _pool(facts['pools'], facts['legacy_pool'])
    target = _pool(facts['pools'], facts['target_pool'])
    owner = facts['owner'] or {'kind': 'none', 'dns': []}
    endpoint = facts['endpoint']
    migration = facts['migration'] or {}
    sip = facts['sip_address']

    if _same_pool(facts['legacy_pool'], facts['target_pool']):
        blockers.append('pchat_legacy_pool and pchat_target_pool are the same pool (%s)' % facts['legacy_pool'])
    if legacy is None:
        blockers.append('the legacy pool %s was not found' % facts['legacy_pool'])
    elif legacy.get('kind') not in LEGACY_KINDS:
        blockers.append('%s is a %s pool, not a legacy Group Chat pool (Lync 2010 or OCS 2007 R2)'
                        % (legacy['fqdn'], legacy.get('kind')))
    if target is None:
        blockers.append('the Persistent Chat pool %s was not found' % facts['target_pool'])
    elif target.get('kind') != TARGET_KIND:
        blockers.append('%s is a %s pool, not a Lync Server 2013 Persistent Chat pool'
                        % (target['fqdn'], target.get('kind')))

    phases = dict((name, False) for name in CHANGING_PHASES)
    if legacy is not None:
        phases['disable'] = legacy.get('state') != 'disabled'
        if phases['disable'] and facts.get('psrp_path') == 'OcsPowershell':
            blockers.append('disabling %s needs Windows service control on its Group Chat servers, which the '
                            'OcsPowershell endpoint does not offer: set pchat_psrp_path to wsman (WinRM)'
                            % legacy['fqdn'])

    status = migration.get('status')
    phases['migrate'] = status != 'done'
    if phases['migrate']:
        blockers.extend('migration: %s' % text for text in migration.get('blockers') or [])

    kind = owner.get('kind')
    endpoint_here = bool(endpoint) and _same_pool(endpoint.get('pool_fqdn'), facts['target_pool'])
    phases['delete'] = kind == 'user'
    phases['recreate'] = not endpoint_here
    if kind == 'conflict':
        blockers.append('%s is owned by several objects (%s); a cutover needs exactly one owner: remove the extra '
                        'ones first' % (sip, '; '.join(owner.get('dns') or [])))
    elif kind == 'contact' and not endpoint:
        blockers.append('%s is owned by %s, a contact that is not a Persistent Chat endpoint: remove or change it '
                        'first' % (sip, '; '.join(owner.get('dns') or [])))
    elif kind == 'contact' and not endpoint_here:
        notes.append('%s is a Persistent Chat endpoint on %s: recreate moves it to %s (remove + new)'
                     % (sip, endpoint.get('pool_fqdn'), facts['target_pool']))
    if kind in ('none', 'contact') and not facts.get('backup'):
        notes.append('the well-known user is gone and no backup of it is recorded: a rollback could not restore it')
    if kind == 'none':
        notes.append('%s has no owner: legacy clients cannot connect until the recreate phase runs' % sip)

    if target is not None:
        # the migrate phase stops the target's chat services for the import: whatever state it is in now, they are
        # started again after it
        phases['start'] = target.get('state') != 'started' or phases['migrate']
        if target.get('pool_state') not in (None, 'Normal'):
            blockers.append('%s is in pool state %s (a disaster-recovery fail-over): the cutover checks the pool '
                            'state, it does not toggle it; fail back first' % (target['fqdn'], target.get('pool_state')))
    notes.extend(migration.get('import_warnings') or [])
    files = facts.get('files')
    if files is not None:
        phases['files'] = files.get('status') == 'to_copy'
        notes.extend(files_notes(files))
    if legacy is not None:
        notes.extend(legacy_notes(legacy))
    return {'phases': phases, 'left': [name for name in CHANGING_PHASES if phases[name]], 'blockers': blockers,
            'notes': notes}


def files_notes(files):
    """What the plan says about the uploaded files (chat_files_info's result)."""
    status = files.get('status')
    if status == 'manual_step':
        return ['uploaded files: %s' % files.get('manual_step')]
    if status == 'to_copy':
        return ['uploaded files: %s' % files.get('summary')]
    return []


def legacy_notes(pool):
    """What the plan says about the parts of a legacy pool the topology does not show: its compliance server and
    its IIS-hosted Web service."""
    notes = []
    if pool.get('kind') in LEGACY_KINDS and pool.get('servers') and not any(
            s.get('role') == 'compliance' for s in pool['servers']):
        notes.append('no Group Chat compliance server is named for %s (pchat_legacy_compliance_servers): if compliance '
                     'is deployed, its service runs on a computer of its own, which no cmdlet names, and it stays '
                     'running' % pool.get('fqdn'))
    web = (pool.get('web_service') or {}).get('summary')
    if web:
        notes.append('%s: %s' % (pool.get('fqdn'), web))
    return notes


def _check(name, ok, detail):
    return {'name': name, 'ok': bool(ok), 'detail': detail}


def verdict(facts):
    """Verify's verdict: whether a legacy client would connect as before, and what could not be proven.

    ``facts``: ``sip_address``, ``legacy_pool``, ``target_pool``, ``owner``, ``endpoint``, ``pools`` (as for
    :func:`plan`), ``migration`` (chat_migration_info: ``status``, ``comparison`` of the recorded export with the
    target's rooms and categories, ``unverifiable``) and ``message_test`` (chat_pool_info's synthetic message
    result, or None when it was not run).

    Returns ``{'passed': bool, 'checks': [{'name', 'ok', 'detail'}], 'unverified': [...]}``.
    """
    _require(facts, 'sip_address', 'legacy_pool', 'target_pool', 'owner', 'endpoint', 'pools', 'migration')
    owner = facts['owner'] or {'kind': 'none', 'dns': []}
    endpoint = facts['endpoint'] or {}
    target = _pool(facts['pools'], facts['target_pool']) or {}
    legacy = _pool(facts['pools'], facts['legacy_pool']) or {}
    migration = facts['migration'] or {}
    comparison = migration.get('comparison') or {}
    owner_dns = [dn.lower() for dn in owner.get('dns') or []]
    checks = [
        _check('the SIP URI is owned by exactly one object, a contact (no user)', owner.get('kind') == 'contact',
               '%s %s' % (owner.get('kind'), '; '.join(owner.get('dns') or []))),
        _check('that contact is the Persistent Chat endpoint on the target pool',
               bool(endpoint) and _same_pool(endpoint.get('pool_fqdn'), facts['target_pool'])
               and (endpoint.get('dn') or '').lower() in owner_dns,
               'endpoint %s on %s' % (endpoint.get('dn'), endpoint.get('pool_fqdn')) if endpoint else 'no endpoint'),
        _check('the Persistent Chat pool is started (active servers, pool state Normal)',
               target.get('state') == 'started' and target.get('pool_state') in (None, 'Normal'),
               '%s is %s (pool state %s)' % (facts['target_pool'], target.get('state'), target.get('pool_state'))),
        _check('the legacy Group Chat pool is stopped', legacy.get('state') in STOPPED_STATES,
               '%s is %s' % (facts['legacy_pool'], legacy.get('state'))),
        _check('the migrated categories and rooms are on the target as exported (names, members, managers)',
               migration.get('status') == 'done' and comparison.get('matches') is True,
               comparison.get('summary') or 'no completed migration is recorded'),
    ]
    test = facts.get('message_test')
    if test is not None:
        checks.append(_check('a test message reaches the Persistent Chat pool (Test-CsPersistentChatMessage)',
                             test.get('result') == 'Success',
                             '%s%s' % (test.get('result'), (': %s' % test['error']) if test.get('error') else '')))
    unverified = list(migration.get('unverifiable') or [])
    if test is None:
        unverified.append('no synthetic message was sent (set pchat_verify_test_sender and pchat_verify_test_receiver '
                          'to run Test-CsPersistentChatMessage)')
    manual_steps = []
    files = facts.get('files')
    if files is None:
        unverified.append('the uploaded files were not compared in this run (chat_files_info)')
    elif files.get('status') == 'manual_step':
        manual_steps.append(files.get('manual_step'))
    elif files.get('status') == 'done_by_hand':
        unverified.append('uploaded files: copied by hand, as pchat_files_copied_by_hand says (not checked)')
    else:
        counts = files.get('counts') or {}
        kept = ('; %d newer on the target, kept' % counts['newer_on_target']) if counts.get('newer_on_target') else ''
        checks.append(_check('the uploaded files are in the Persistent Chat file store (size and time compared)',
                             files.get('status') in ('in_sync', 'copied'), '%s%s' % (files.get('summary'), kept)))
    if legacy and legacy.get('servers') and not any(s.get('role') == 'compliance' for s in legacy['servers']):
        unverified.append('no Group Chat compliance server is named (pchat_legacy_compliance_servers): if compliance '
                          'was deployed, its service was not stopped')
    passed = all(check['ok'] for check in checks)
    return {'passed': passed, 'checks': checks, 'unverified': unverified, 'manual_steps': manual_steps,
            'status': verdict_status(passed, manual_steps)}


def verdict_status(passed, manual_steps):
    """PASSED, PASSED, manual step pending (every check held, but something must still be done by hand), or
    FAILED."""
    if not passed:
        return 'FAILED'
    return 'PASSED, manual step pending' if manual_steps else 'PASSED'


def phases_to_run(run_tags, skip_tags):
    """The phases a tag selection runs, in order. Preflight always runs (it makes the plan); with no tag selected
    (``all``) every phase runs; ``never`` is never special here."""
    run = set(run_tags or ['all'])
    skip = set(skip_tags or [])
    selected = []
    for phase in PHASES:
        wanted = 'all' in run or phase in run or (phase == 'preflight')
        if wanted and (phase not in skip or phase == 'preflight'):
            selected.append(phase)
    return selected


def phases_left(plan, run_tags, skip_tags):
    """The phases to run after preflight, in order: those the tags select that the plan has work for, and verify
    (which proves the result even when nothing was left to do)."""
    selected = phases_to_run(run_tags, skip_tags)
    return [phase for phase in PHASES[1:] if phase in selected and
            (phase == 'verify' or (plan or {}).get('phases', {}).get(phase))]


def failed_phase(recorded, plan, run_tags, skip_tags, lease_taken):
    """The phase a failed run stopped in: the lease when it was never taken, else the first phase due (preflight,
    then the plan's) that has no record."""
    if not lease_taken:
        return 'lease'
    done = set(record['name'] for record in recorded or [])
    due = ['preflight'] + (phases_left(plan, run_tags, skip_tags) if plan else [])
    for phase in due:
        if phase not in done:
            return phase
    return 'report'


def phase_record(name, started, finished, outcome, failed=None):
    """What the umbrella keeps of one phase: name, start, duration, changed, summary (and the error when it failed).
    ``outcome`` is what the phase role set (``{'changed': bool, 'summary': str}``); a phase that set nothing
    (skipped, or failed before its end) is recorded as unchanged."""
    outcome = outcome or {}
    if not isinstance(outcome, dict):
        raise FactsError('phase %s reported %r; a phase reports {changed, summary}' % (name, outcome))
    record = {'name': name, 'start': round(float(started), 3), 'started': _iso(started),
              'duration': round(max(0.0, float(finished) - float(started)), 2),
              'changed': bool(outcome.get('changed')), 'summary': outcome.get('summary') or ''}
    if failed:
        record['failed'] = True
        record['error'] = failed
    return record


def next_phase_record(name, recorded, run_started, now, outcome):
    """The record of the phase that just ended: it started when the previous one ended (or the run started)."""
    started = float(run_started)
    if recorded:
        last = recorded[-1]
        started = float(last['start']) + float(last['duration'])
    return phase_record(name, started, now, outcome)


def nothing_changed(recorded):
    """True when no phase of this run changed anything (verify may then judge what preflight read)."""
    return not any(record.get('changed') for record in recorded or [])


def _iso(timestamp):
    return datetime.datetime.fromtimestamp(float(timestamp), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def format_duration(seconds):
    """'2 h 05 min', '4 min 12 s', '3.4 s' — hours and minutes for what a person reads in a report."""
    seconds = float(seconds or 0)
    if seconds < 60:
        return '%.1f s' % seconds
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return '%d min %02d s' % (minutes, secs)
    hours, minutes = divmod(minutes, 60)
    return '%d h %02d min' % (hours, minutes)


def format_count(value):
    """Thousands separators (1,000,000); None is an unknown count."""
    if value is None:
        return 'unknown'
    return '{:,}'.format(int(value))


def set_only(options):
    """The options that are set (not None, not ''): module_defaults must not pass an unset variable as null, which a
    module would take as a value instead of falling back to its PCHAT_* environment variable and its default."""
    return dict((key, value) for key, value in (options or {}).items() if value is not None and value != '')


# The connection settings without which no module can run, as (option, variable, environment variable).
REQUIRED_CONNECTION = (('ldap_url', 'pchat_ldap_url', 'PCHAT_LDAP_URL'),
                       ('psrp_host', 'pchat_psrp_host', 'PCHAT_PSRP_HOST'))


def missing_connection(options, environ=None):
    """The pchat_* variables that are missing, neither set nor given by their PCHAT_* environment variable, so the
    cutover fails before it takes the lock rather than at its first module call naming a module option."""
    environ = os.environ if environ is None else environ
    return [variable for option, variable, env in REQUIRED_CONNECTION
            if not (options or {}).get(option) and not environ.get(env)]
