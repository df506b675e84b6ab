# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cutover's decisions, in plain Python, on the controller: which phases are left to do (preflight's plan),
whether the cutover holds (verify's verdict), what a phase reports, and which connection settings are missing.

The roles gather facts with the ``_info`` modules and hand them to the public functions here through the filter
plugins in ``plugins/filter/cutover.py``; the roles only call, register and show. Inputs are the ``_info`` modules'
return values, so every function here is unit-tested, through the public ones, on plain dicts
(tests/unit/test_cutover_logic.py). Names with a leading underscore are this file's own.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os

CHANGING_PHASES = ('disable', 'migrate', 'files', 'delete', 'recreate', 'start')
_LEGACY_KINDS = ('group_chat_2010', 'group_chat_2007r2')
_TARGET_KIND = 'persistent_chat_2013'
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
    elif legacy.get('kind') not in _LEGACY_KINDS:
        blockers.append('%s is a %s pool, not a legacy Group Chat pool (Lync 2010 or OCS 2007 R2)'
                        % (legacy['fqdn'], legacy.get('kind')))
    if target is None:
        blockers.append('the Persistent Chat pool %s was not found' % facts['target_pool'])
    elif target.get('kind') != _TARGET_KIND:
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
    elif kind == 'user':
        blockers.extend(_not_the_lookup_account(sip, owner, migration))
    resumed = _resumed_from(facts)
    if kind == 'none' and not resumed:
        blockers.append(_no_owner_message(sip, owner, facts))
    if kind in ('none', 'contact') and not facts.get('backup'):
        notes.append('the well-known user is gone and no backup of it is recorded: a rollback could not restore it')
    if kind == 'none' and resumed:
        notes.append('%s has no owner: legacy clients cannot connect until the recreate phase runs (%s)'
                     % (sip, resumed))
    if migration.get('superseded') and phases['migrate']:
        notes.append('a rollback started the legacy pool again after the last migration: this run exports and imports '
                     'anew (the import overwrites what the first one wrote on %s, by name)' % facts['target_pool'])
    if target is not None:
        # the migrate phase stops the target's chat services for the import: whatever state it is in now, they are
        # started again after it
        phases['start'] = target.get('state') != 'started' or phases['migrate']
        if target.get('pool_state') not in (None, 'Normal'):
            blockers.append('%s is in pool state %s (a disaster-recovery fail-over): the cutover checks the pool '
                            'state, it does not toggle it; fail back first' % (target['fqdn'], target.get('pool_state')))
    rehearsal = migration.get('rehearsal') or {}
    if rehearsal.get('skipped'):
        notes.append('the migration was not rehearsed before the disable: %s; the migrate phase\'s -WhatIf import '
                     'decides' % rehearsal['skipped'])
    elif not rehearsal:
        notes.extend(migration.get('import_warnings') or [])  # predicted only; the rehearsal's are exact
    policies = migration.get('member_policies') or {}
    if phases['migrate'] and policies.get('blocker'):
        blockers.append('Persistent Chat policy: %s' % policies['blocker'])
    notes.extend('Persistent Chat policy: %s' % text for text in policies.get('warnings') or [])
    notes.extend('not predicted from the export: %s' % text for text in migration.get('not_predicted') or [])
    verify_problem, verify_note = _message_test_settings(facts.get('verify'))
    if verify_problem:
        blockers.append(verify_problem)
    if verify_note:
        notes.append(verify_note)
    files = facts.get('files')
    if files is not None:
        phases['files'] = files.get('status') == 'to_copy'
        notes.extend(_files_notes(files))
    if legacy is not None:
        notes.extend(_legacy_notes(legacy))
    left = [name for name in CHANGING_PHASES if phases[name]]
    summary = '%s -> %s (%s owned by %s): left to do: %s; notes: %s' % (
        facts['legacy_pool'], facts['target_pool'], sip, 'nobody' if kind == 'none' else 'a %s' % kind,
        ', '.join(left) or 'nothing, verify only', '; '.join(notes) or 'none')
    refusal = ('the cutover of %s cannot start (%d blocker(s), all in the report): %s'
               % (facts['legacy_pool'], len(blockers), '; '.join(blockers))) if blockers else ''
    return {'phases': phases, 'left': left, 'blockers': blockers, 'notes': notes, 'summary': summary,
            'refusal': refusal, 'predicted': _predicted_previews(facts, phases, owner)}


def _predicted_previews(facts, phases, owner):
    """What a preview cannot ask a module because an earlier phase of the same run would change what the module
    reads: {phase: {changed, summary}}. A preview deletes nothing, so the well-known user still owns the SIP URI when
    recreate comes; legacy_endpoint would refuse it. The plan says what the recreate would do instead."""
    if not (phases.get('delete') and phases.get('recreate')):
        return {}
    return {'recreate': {'changed': True, 'predicted': True, 'summary': (
        'would create the legacy endpoint %s on %s after the delete phase of %s (predicted by the plan: a preview '
        'deletes nothing)' % (facts['sip_address'], facts['target_pool'],
                              '; '.join(owner.get('dns') or []) or 'the well-known user'))}}


def _resumed_from(facts):
    """What of this unit's own state shows an earlier run of it (so that a SIP URI nobody owns is a cutover under
    way, not a typo): its backup of the well-known user, or its migration record; '' when nothing does."""
    migration = facts.get('migration') or {}
    if facts.get('backup'):
        return 'the unit\'s backup of the well-known user is %s' % facts['backup']
    if migration.get('steps') or migration.get('superseded'):
        return 'the unit\'s migration record has %s' % (', '.join(sorted(migration.get('steps') or {})) or
                                                        'a superseded migration')
    return ''


def _no_owner_message(sip, owner, facts):
    similar = owner.get('similar') or []
    return ('nothing in Active Directory carries %s, and this unit has no state of an earlier run (no backup of the '
            'well-known user and no migration record in %s, nor handed over in pchat_units): it is not a cutover under '
            'way, so pchat_sip_address is probably mistyped. Set it to the legacy Group Chat\'s Lookup service account '
            '(by default sip:OCSChat@<SIP domain>)%s. Nothing was changed.'
            % (sip, facts.get('unit_dir') or 'the unit\'s state folder',
               '; users with a similar SIP URI: %s' % ', '.join(similar) if similar else ''))


def _not_the_lookup_account(sip, owner, migration):
    """Why the user that owns the SIP URI cannot be the legacy Group Chat's Lookup service account (which must be a
    SIP-enabled user homed on a Lync pool, and is no chat room's member), or []."""
    found = (owner.get('owners') or [{}])[0]
    dn = found.get('dn') or '; '.join(owner.get('dns') or [])
    problems = []
    if found.get('sip_enabled') is False:
        problems.append('it is not enabled for Lync (msRTCSIP-UserEnabled is not TRUE)')
    if found.get('sip_enabled') is not None and not found.get('home_server'):
        problems.append('it is homed on no Lync pool (no msRTCSIP-PrimaryHomeServer)')
    rooms = migration.get('lookup_account_rooms') or []
    if rooms:
        problems.append('the Group Chat data names it in %d chat room(s) (e.g. %s): it is a person\'s account'
                        % (len(rooms), ', '.join('"%s"' % r for r in rooms[:3])))
    if not problems:
        return []
    return ['%s is owned by the user %s, which is not the legacy Group Chat\'s Lookup service account: %s. Check '
            'pchat_sip_address (the cutover deletes that user); nothing was changed.' % (sip, dn, '; '.join(problems))]


def _message_test_settings(settings):
    """(blocker, note) about verify's test message, from its settings (``registrar_pool``, ``sender``,
    ``receiver``, ``credentials``: how many of the four credential variables are set): settings that cannot work
    are found before the first change, not at the end of the weekend."""
    if settings is None:
        return None, None
    users = [bool(settings.get(key)) for key in ('sender', 'receiver')]
    credentials = int(settings.get('credentials') or 0)
    if any(users) and not all(users):
        return ('verify: set both pchat_verify_test_sender and pchat_verify_test_receiver (Test-CsPersistentChatMessage '
                'needs two test users), or neither'), None
    if not any(users):
        return None, ('verify: no test users are set (pchat_verify_test_sender, pchat_verify_test_receiver, '
                      'pchat_verify_registrar_pool), so no test message is sent and the cutover will be NOT VERIFIED, '
                      'never PASSED')
    if not settings.get('registrar_pool'):
        return ('verify: set pchat_verify_registrar_pool to the Registrar pool of the test users '
                '(Test-CsPersistentChatMessage -TargetFqdn is the Registrar pool; Get-CsService -PersistentChatServer '
                'shows the Persistent Chat pool\'s Registrar)'), None
    if credentials not in (0, 4):
        return ('verify: set all four of pchat_verify_test_sender_username, _sender_password, _receiver_username and '
                '_receiver_password, or none (then the credentials registered on the front end with '
                'Set-CsTestUserCredential are used)'), None
    return None, None


def _files_notes(files):
    """What the plan says about the uploaded files (chat_files_info's result)."""
    status = files.get('status')
    if status == 'manual_step':
        return ['uploaded files: %s' % files.get('manual_step')]
    if status == 'to_copy':
        return ['uploaded files: %s' % files.get('summary')]
    return []


def _legacy_notes(pool):
    """What the plan says about the parts of a legacy pool the topology does not show: its compliance server and
    its IIS-hosted Web service."""
    notes = []
    if pool.get('kind') in _LEGACY_KINDS and pool.get('servers') and not any(
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

    ``message_test`` is None when no test users are set, ``{'not_run': why}`` when verify could not run it, else
    the result (``result``, ``error``, ``hint``).

    Returns ``{'passed': bool, 'status': 'passed' | 'manual_step_pending' | 'failed' | 'not_verified', 'outcome': how
    the report says it, 'checks': [{'name', 'ok', 'detail'}], 'unverified': [...], 'not_verified': why or None,
    'manual_steps': [...]}``: without a test message the cutover is not verified, never passed; with a step left to
    do by hand (the uploaded files on OcsPowershell) it passed with that step pending.
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
    unverified = list(migration.get('unverifiable') or [])
    unverified.extend('after the import, %s' % text for text in comparison.get('not_compared') or [])
    not_verified = None
    if test is None:
        not_verified = ('no test message was sent: set pchat_verify_registrar_pool, pchat_verify_test_sender and '
                        'pchat_verify_test_receiver to run Test-CsPersistentChatMessage')
    elif test.get('not_run'):
        not_verified = 'no test message was sent: %s' % test['not_run']
    else:
        checks.append(_check('a test message reaches the Persistent Chat pool (Test-CsPersistentChatMessage)',
                             test.get('result') == 'Success',
                             '%s%s%s' % (test.get('result'), (': %s' % test['error']) if test.get('error') else '',
                                         (' (%s)' % test['hint']) if test.get('hint') and test.get('result') != 'Success'
                                         else '')))
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
    if not_verified:
        unverified.append(not_verified)
    failed = not all(check['ok'] for check in checks)
    # Never PASSED without the test message, the one check that a client reaches the pool: "not verified" says why.
    status = 'failed' if failed else ('not_verified' if not_verified else
                                      ('manual_step_pending' if manual_steps else 'passed'))
    return {'passed': status in ('passed', 'manual_step_pending'), 'status': status, 'checks': checks,
            'unverified': unverified, 'not_verified': not_verified, 'manual_steps': manual_steps,
            'outcome': OUTCOMES[status]}


# What the report and verify say of a verdict's status.
OUTCOMES = {'passed': 'PASSED', 'manual_step_pending': 'PASSED, manual step pending', 'not_verified': 'NOT VERIFIED',
            'failed': 'FAILED'}


def phase_record(name, started, finished, outcome, failed=None):
    """What the umbrella keeps of one phase: name, start, duration, changed, summary (and the error when it failed).
    ``outcome`` is what the phase role set (``{'changed': bool, 'summary': str}``); a phase that set nothing
    (skipped, or failed before its end) is recorded as unchanged."""
    outcome = outcome or {}
    if not isinstance(outcome, dict):
        raise FactsError('phase %s reported %r; a phase reports {changed, summary}' % (name, outcome))
    record = {'name': name, 'start': round(float(started), 3), 'started': utc_time(started),
              'duration': round(max(0.0, float(finished) - float(started)), 2),
              'changed': bool(outcome.get('changed')), 'summary': outcome.get('summary') or ''}
    if failed:
        record['failed'] = True
        record['error'] = failed
    return record


def nothing_changed(recorded):
    """True when no phase of this run changed anything (verify may then judge what preflight read)."""
    return not any(record.get('changed') for record in recorded or [])


def utc_time(timestamp):
    """'2026-11-26T10:00:04Z' of an epoch timestamp (the phase records' and the report's times)."""
    return datetime.datetime.fromtimestamp(float(timestamp), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def set_only(options):
    """The options that are set (not None, not ''): module_defaults must not pass an unset variable as null, which a
    module would take as a value instead of falling back to its PCHAT_* environment variable and its default."""
    return dict((key, value) for key, value in (options or {}).items() if value is not None and value != '')


# The connection settings without which no module can run, as (option, variable, environment variable).
_REQUIRED_CONNECTION = (('ldap_url', 'pchat_ldap_url', 'PCHAT_LDAP_URL'),
                        ('psrp_host', 'pchat_psrp_host', 'PCHAT_PSRP_HOST'))


def missing_connection(options, environ=None):
    """The pchat_* variables that are missing, neither set nor given by their PCHAT_* environment variable, so the
    cutover fails before it takes the lock rather than at its first module call naming a module option."""
    environ = os.environ if environ is None else environ
    return [variable for option, variable, env in _REQUIRED_CONNECTION
            if not (options or {}).get(option) and not environ.get(env)]
