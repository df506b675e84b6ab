# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data migration of one cutover unit, in the steps of Microsoft's migration guide, each recorded so that a
run killed anywhere and run again does only what is left, and a completed import is never repeated:

1. ``backup``: the Persistent Chat pool's database exported to a file on the front end (its backup, named in the
   record and the report);
2. ``export``: the Group Chat database exported to a file on the front end (the legacy pool must be stopped), and
   its room directory read back to predict what the import will make of it (chat_data.predict);
3. ``check``: ``Import-CsPersistentChatData -WhatIf``: every error, and every warning of a kind the user has not
   accepted by name, stops the migration here, before anything is written;
4. ``import``: the real import (the target pool's chat services must be stopped), then the pool's categories and
   rooms compared with the prediction; an import that did not leave them there fails.

The record is a JSON file on the controller (``record_file``), written atomically after every step, and only while
the run still holds the unit's lease (a module of a run that lost it writes nothing: lease_keeper.py).

Export and import run as long cmdlets (psrp_session.call_long): their progress is reported while they work, and when
the operator stops the run they are stopped on the front end, not abandoned. Before the import starts, the record
names the runspace pool it runs in; if the process dies while it works (a crash, SIGKILL), the next run closes that
runspace pool on the front end - which stops what still runs there - before it imports again.

Before the first change of a cutover, ``rehearse`` (chat_migration_info, preflight) runs the export and the
``-WhatIf`` import while the legacy pool still runs: what would stop the migration after the disable (an unaccepted
warning, an error, a SQL instance the front end cannot reach) stops the cutover before it instead.

A rollback that starts the legacy pool again supersedes the recorded migration (``supersede``): users post there
again, so the next cutover exports and imports anew (the import overwrites what the first one wrote, by name).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import time

from ansible_collections.pchat.cutover.plugins.module_utils import chat_data, chat_policy
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import LeaseLost
from ansible_collections.pchat.cutover.plugins.module_utils.lync import LEGACY_2007R2, LEGACY_2010, PERSISTENT_CHAT
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_session import Stopped
from ansible_collections.pchat.cutover.plugins.module_utils.migration_record import FORMAT as RECORD_FORMAT

STEPS = ('backup', 'export', 'check', 'import')
# The options chat_migration and chat_migration_info share (doc fragment pchat.cutover.migration).
MIGRATION_SPEC = dict(
    source_pool=dict(type='str', required=True),
    target_pool=dict(type='str', required=True),
    source_db_instance=dict(type='str'),
    source_db_name=dict(type='str'),
    categories=dict(type='list', elements='str', default=[]),
    record_file=dict(type='path', required=True),
    accept_warnings=dict(type='list', elements='str', default=[], choices=list(chat_data.ACCEPTABLE_KINDS)),
    target_db_instance=dict(type='str'),
    export_dir=dict(type='str', default='C:\\PchatMigration'),
)
UNVERIFIABLE = [
    'message history: no Lync cmdlet counts or reads a room\'s messages, so the history is proven only by the '
    'import completing without errors (its -Report on the front end lists what it wrote)',
    'files posted in rooms: Lync\'s export does not carry them (copy them by hand, as the migration guide says)',
]


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')


def windows_join(folder, name):
    return folder.rstrip('\\/') + '\\' + name


def progress_text(step, progress):
    """What a long step reports while it works, from the cmdlet's newest progress record (if the front end writes
    any: Lync's documentation does not say; the elapsed time is shown either way)."""
    if not progress:
        return step
    text = ': '.join(part for part in (progress.get('activity'), progress.get('status')) if part)
    if progress.get('percent') is not None:
        text += ' (%d%%)' % progress['percent']
    return '%s: %s' % (step, text) if text else step


class MigrationBackend(object):
    """One unit's migration; ``platform`` is a LyncPlatform. Every method raises PchatError on failure."""

    def __init__(self, platform, params, check_mode, keeper=None):
        self.platform = platform
        self.params = params
        self.check_mode = check_mode
        self.keeper = keeper  # the run's lease, held while the module works (None when used on its own)
        self.source = params['source_pool'].lower()
        self.target = params['target_pool'].lower()
        self.record_file = os.path.expanduser(params['record_file'])
        self.record = self.load_record()
        self._target_view = None
        self._prediction = None

    # -- the record ------------------------------------------------------------------------------------
    def load_record(self):
        try:
            with open(self.record_file) as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            record = None
        fresh = {'format': RECORD_FORMAT, 'source_pool': self.source, 'target_pool': self.target, 'steps': {}}
        if not isinstance(record, dict) or record.get('format') != RECORD_FORMAT:
            return fresh
        if (record.get('source_pool'), record.get('target_pool')) != (self.source, self.target):
            raise PchatError('the migration record %s is of %s -> %s, not of this unit (%s -> %s); give each unit its '
                             'own record file.' % (self.record_file, record.get('source_pool'),
                                                   record.get('target_pool'), self.source, self.target))
        return record

    def save_record(self):
        if self.check_mode:
            return
        if self.keeper is not None:
            self.keeper.fence()  # raises LeaseLost: a run that lost the unit writes nothing
        self.record['updated'] = _now()
        folder = os.path.dirname(self.record_file)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            tmp = self.record_file + '.tmp'
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w') as handle:
                json.dump(self.record, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.record_file)  # the record is whole, old or new, never torn
        except OSError as exc:
            raise PchatError('cannot write the migration record %s (%s); check pchat_state_dir.' % (self.record_file, exc))

    def check_record_folder(self):
        """Fail before anything changes when the record could not be written (record_file's folder, or the nearest
        one that exists, is not a folder this controller can write to)."""
        existing = os.path.dirname(os.path.abspath(self.record_file))
        while not os.path.exists(existing) and os.path.dirname(existing) != existing:
            existing = os.path.dirname(existing)
        if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
            raise PchatError('cannot write the migration record %s: %s is not a folder this controller can write to. '
                             'Check pchat_state_dir (record_file); nothing was changed.' % (self.record_file, existing))

    def step(self, name):
        return self.record['steps'].get(name) or {}

    def mark(self, name, **values):
        values.setdefault('at', _now())
        self.record['steps'][name] = values
        self.save_record()

    def watcher(self, step):
        """The watch of a long cmdlet: reports its progress as the run's work (nothing stops it from here: an
        interrupt and a lost lease stop it through the session's stop_reason)."""
        def watch(_elapsed, progress):
            if self.keeper is not None:
                self.keeper.report(progress_text(step, progress))
            return None
        return watch

    # -- what the platform holds -----------------------------------------------------------------------
    def source_db(self):
        if not self.params.get('source_db_instance'):
            raise PchatError('source_db_instance (pchat_migration_source_db_instance) is not set: the SQL instance of '
                             'the Group Chat database of %s, sqlserver.fqdn\\instance. It is not in the Lync 2013 '
                             'topology, so it cannot be discovered; nothing was changed.' % self.source)
        return self.params['source_db_instance'], self.params.get('source_db_name')

    def target_db(self):
        if not self.params.get('target_db_instance'):
            self.params['target_db_instance'] = self.platform.chat_database(self.target)
        return self.params['target_db_instance']

    def target_view(self):
        """The target pool's rooms and categories (read once per run)."""
        if self._target_view is None:
            self._target_view = (self.platform.rooms(self.target), self.platform.categories(self.target))
        return self._target_view

    def prediction(self):
        """Read the source's room directory and predict the import (read-only; once per run)."""
        if self._prediction is None:
            self._prediction = self._predict()
        return self._prediction

    def _predict(self):
        instance, name = self.source_db()
        data, warnings = self.platform.export_room_directory(instance, name, self.params.get('categories'))
        directory = chat_data.read_room_directory(data)
        domains = set(chat_data.sip_domain(p['uri']) for p in directory['principals'].values() if p['dn'] and p['uri'])
        predicted = chat_data.predict(directory, domains)
        predicted['export_warnings'] = warnings
        return predicted

    def comparison(self):
        expected = self.record.get('expected')
        if not expected:
            return None
        rooms, categories = self.target_view()
        return chat_data.compare(expected, rooms, categories)

    def require_pools(self):
        source = self.platform.require_pool(self.source, (LEGACY_2010, LEGACY_2007R2), 'source_pool')
        target = self.platform.require_pool(self.target, (PERSISTENT_CHAT,), 'target_pool')
        return source, target

    # -- status ----------------------------------------------------------------------------------------
    def status(self):
        """done (the recorded import is there), in_progress (some steps recorded), not_started."""
        if self.step('import').get('done'):
            compared = self.comparison()
            if compared is not None and compared['matches']:
                return 'done', compared
            return 'incomplete', compared
        return ('in_progress' if self.record['steps'] else 'not_started'), None

    def info(self, rehearse=False):
        self.check_record_folder()
        status, compared = self.status()
        result = {'status': status, 'steps': self.record['steps'], 'comparison': compared,
                  'superseded': self.record.get('superseded') or [],
                  'unverifiable': list(UNVERIFIABLE), 'blockers': [], 'import_warnings': [], 'preview': None,
                  'rehearsal': None}
        if status != 'done':
            predicted = self.prediction()
            accepted = set(self.params.get('accept_warnings') or [])
            kinds = {}
            for kind, _text in predicted['warnings']:
                kinds[kind] = kinds.get(kind, 0) + 1
            result['blockers'] = list(predicted['errors'])
            result['import_warnings'] = ['%d %s warning(s)%s' % (count, kind, ' (accepted)' if kind in accepted else
                                                                 ': the -WhatIf import will stop on them unless accepted with '
                                                                 'pchat_migration_accept_warnings')
                                         for kind, count in sorted(kinds.items())]
            result['preview'] = {'counts': predicted['counts'], 'warning_kinds': kinds,
                                 'examples': [text for _kind, text in predicted['warnings'][:20]]}
            lookup = (self.params.get('lookup_sip_address') or '').lower()
            if lookup:
                result['lookup_account_rooms'] = sorted(
                    room['name'] for room in predicted['rooms'].values()
                    if lookup in room['members'] or lookup in room['managers'] or lookup in room['presenters'])
            result['not_predicted'] = list(predicted['not_predicted'])
            result['member_policies'] = self.member_policies()
            if rehearse:
                result['rehearsal'] = self.rehearse()
                result['blockers'].extend(result['rehearsal']['blockers'])
        return result

    def rehearse(self):
        """The migration rehearsed before anything changes, while the legacy pool still runs: the Group Chat data
        exported to a scratch file in export_dir (the export only reads the database) and that file imported with
        -WhatIf into the Persistent Chat pool (nothing is written). Every error, and every warning of a kind not
        accepted by name, is a blocker; a SQL instance the front end cannot reach from the remote session (the
        second hop) is one too. A warning that the target pool's services run is not: the migrate phase stops them."""
        instance, db_name = self.source_db()
        name = windows_join(self.params['export_dir'], '%s-rehearsal.zip' % self.source)
        outcome = {'file': name, 'export_seconds': None, 'whatif_seconds': None, 'errors': [], 'warnings': [],
                   'export_warnings': [], 'warning_kinds': {}, 'blockers': [], 'skipped': None}
        try:
            source, _target = self.require_pools()
        except PchatError as error:
            # a pool that is not what the unit says: preflight's plan names it as a blocker of its own
            outcome['skipped'] = 'the pools cannot be migrated between: %s' % error.msg
            return outcome
        if not self.platform.session.on_winrm:
            # the scratch export could not be removed again (Lync's endpoint has no Remove-Item): a preview would leave
            # a file on the front end
            outcome['skipped'] = ('Lync\'s OcsPowershell endpoint offers no Remove-Item to remove the rehearsal\'s '
                                  'scratch export again: set pchat_psrp_path to wsman to rehearse')
            return outcome
        if source['state'] in ('stopped', 'disabled') or self.record['steps']:
            # too late to rehearse before the disable: the migrate phase's own -WhatIf gate decides now
            if self.record['steps']:
                outcome['skipped'] = 'the migration has begun (recorded steps: %s)' % ', '.join(sorted(self.record['steps']))
            else:
                outcome['skipped'] = 'the legacy pool %s is already %s' % (self.source, source['state'])
            return outcome
        started = time.time()
        try:
            outcome['export_warnings'] = self.platform.export_to_file(
                instance, db_name, name, scope=self.params.get('categories'), watch=self.watcher('rehearsal: export'))
        except PchatError as error:
            if isinstance(error, Stopped):
                raise
            outcome['blockers'].append('the rehearsal could not export the Group Chat data: %s' % error.msg)
            return outcome
        outcome['export_seconds'] = round(time.time() - started, 1)
        started = time.time()
        try:
            result = self.platform.import_file(self.target_db(), name, what_if=True,
                                               watch=self.watcher('rehearsal: -WhatIf import'))
        except PchatError as error:
            if isinstance(error, Stopped):
                raise
            outcome['blockers'].append('the rehearsal\'s -WhatIf import into %s failed: %s' % (self.target, error.msg))
            return outcome
        outcome['whatif_seconds'] = round(time.time() - started, 1)
        self.platform.remove_file(name)  # on WinRM (checked above)
        warnings = [text for text in result.warnings if chat_data.classify_warning(text) != 'target_running']
        outcome['errors'] = [self.platform.second_hop_advice(e['message']) or e['message'] for e in result.errors]
        outcome['warnings'] = [{'kind': chat_data.classify_warning(text), 'text': text} for text in warnings]
        reasons, kinds = chat_data.gate(outcome['errors'], warnings, self.params.get('accept_warnings'))
        outcome['warning_kinds'] = kinds
        outcome['blockers'] = ['the rehearsal\'s -WhatIf import: %s' % reason for reason in reasons]
        return outcome

    def supersede(self):
        """The recorded migration no longer counts (a rollback started the legacy pool again, so users post there):
        its steps move to ``superseded`` and the next migration exports and imports anew."""
        if not self.record['steps']:
            return {'changed': False, 'summary': 'no migration is recorded: nothing to supersede'}
        entry = {'at': _now(), 'steps': self.record['steps'], 'expected': self.record.get('expected'),
                 'counts': self.record.get('counts')}
        if not self.check_mode:
            self.record.setdefault('superseded', []).append(entry)
            self.record['steps'] = {}
            self.record.pop('expected', None)
            self.save_record()
        return {'changed': True, 'summary': 'the recorded migration (%s) is superseded: the next cutover exports and '
                                            'imports anew' % ', '.join(sorted(entry['steps']))}

    def member_policies(self):
        """Whether the migrated rooms' members can use the target pool: their Persistent Chat policies
        (chat_policy.assess), read in a bounded number of pipelines (Get-CsPersistentChatPolicy once, Get-CsUser
        -LdapFilter for the members, Get-CsPool for their sites only when site policies exist)."""
        predicted = self.prediction()
        asked = predicted['principals']['users']
        policies = self.platform.chat_policies()
        users, not_read = self.platform.lync_users(asked) if asked else ([], [])
        sites = {}
        if any(p['identity'].lower().startswith('site:') for p in policies):
            sites = self.platform.pool_sites(u['registrar_pool'] for u in users if not u['policy'])
        return chat_policy.assess(asked, users, not_read, policies, sites, predicted['principals'], self.target)

    # -- steps -----------------------------------------------------------------------------------------
    def run(self, steps):
        if not self.check_mode:
            self.check_record_folder()
        done = []
        for name in steps:
            started = time.time()
            outcome = getattr(self, 'step_' + name)()
            outcome.update(step=name, seconds=round(time.time() - started, 1))
            done.append(outcome)
        return done

    def step_backup(self):
        backup = self.step('backup')
        if backup.get('done'):
            return {'changed': False, 'file': backup['file'], 'summary': 'backed up before, to %s' % backup['file']}
        self.require_pools()
        target_db = self.target_db()
        name = windows_join(self.params['export_dir'], '%s-backup-%s.zip' % (self.target, _stamp()))
        if self.check_mode:
            return {'changed': True, 'file': None, 'summary': 'would export %s (%s) to %s' % (self.target, target_db, name)}
        warnings = self.platform.export_to_file(target_db, None, name, watch=self.watcher('backup'))
        self.mark('backup', done=True, file=name, database=target_db, warnings=warnings)
        return {'changed': True, 'file': name, 'warnings': warnings,
                'summary': 'exported the Persistent Chat database %s to %s' % (target_db, name)}

    def step_export(self):
        export = self.step('export')
        instance, db_name = self.source_db()
        settings = {'database': instance, 'database_name': db_name, 'categories': self.params.get('categories') or []}
        if export.get('done') and export.get('settings') == settings:
            return {'changed': False, 'file': export['file'], 'counts': self.record.get('counts'),
                    'summary': 'exported before, to %s' % export['file']}
        source, _target = self.require_pools()
        still_running = source['state'] not in ('stopped', 'disabled') and not self.params.get('force')
        if still_running and not self.check_mode:  # a preview runs before the disable phase really stopped it
            raise PchatError('the Group Chat pool %s is %s: the migration guide exports only once every Group Chat '
                             'service is stopped (messages posted later would be lost). Run the disable phase first '
                             '(or set force to export anyway).' % (self.source, source['state']))
        predicted = self.prediction()
        name = windows_join(self.params['export_dir'], '%s-export-%s.zip' % (self.source, _stamp()))
        summary = '%s categories, %d rooms, %d member entries' % (
            'unknown' if predicted['counts']['categories'] is None else predicted['counts']['categories'],
            predicted['counts']['rooms'], predicted['counts']['members'])
        if self.check_mode:
            return {'changed': True, 'file': None, 'counts': predicted['counts'],
                    'summary': 'would export %s (%s) to %s: %s' % (self.source, instance, name, summary)}
        warnings = self.platform.export_to_file(instance, db_name, name, scope=self.params.get('categories'),
                                                watch=self.watcher('export'))
        self.record['expected'] = {'categories': predicted['categories'], 'rooms': predicted['rooms']}
        self.record['counts'] = predicted['counts']
        self.record['steps'].pop('check', None)  # a new export must pass the gate again
        self.record['steps'].pop('import', None)
        self.mark('export', done=True, file=name, settings=settings, warnings=warnings,
                  fingerprint=chat_data.fingerprint(predicted))
        return {'changed': True, 'file': name, 'counts': predicted['counts'], 'warnings': warnings,
                'summary': 'exported %s to %s: %s' % (self.source, name, summary)}

    def _export_file(self, what):
        export = self.step('export')
        if not export.get('done'):
            if self.check_mode:
                return None
            raise PchatError('%s needs the export step first (no export of %s is recorded in %s).'
                             % (what, self.source, self.record_file))
        return export['file']

    def forget_missing_export(self, result, file_name):
        """The recorded export is gone from the front end (its folder cleaned since): the record goes back to before
        the export, so that the next run exports anew instead of failing on the same missing file. Whether the file
        is gone is asked (``Test-Path``, WinRM path), not read from the error: Microsoft documents no error identity
        for a missing file. Without Test-Path (OcsPowershell) the guess is an error naming a missing file
        (docs/psrp.md, first real run)."""
        if not result.errors:
            return
        present = self.platform.file_exists(file_name)
        if present is None:
            present = not any((error['error_id'] or '').startswith('PathNotFound') or
                              'could not find file' in (error['message'] or '').lower() for error in result.errors)
        if not present:
            for step in ('export', 'check', 'import'):
                self.record['steps'].pop(step, None)
            self.save_record()
            raise PchatError('the export recorded in %s, %s, is no longer on %s (was the folder cleaned?). The record '
                             'now stands before the export: run again to export the Group Chat data anew.'
                             % (self.record_file, file_name, self.platform.host))

    def step_check(self):
        accepted = sorted(set(self.params.get('accept_warnings') or []))
        file_name = self._export_file('the -WhatIf import')
        check = self.step('check')
        if check.get('done') and check.get('file') == file_name and set(check.get('needs') or []) <= set(accepted):
            return {'changed': False, 'warning_kinds': check.get('warning_kinds'),
                    'summary': 'the -WhatIf import passed before'}
        if file_name is None:  # check mode before any export: the prediction is the preview
            predicted = self.prediction()
            kinds = sorted(set(kind for kind, _t in predicted['warnings']))
            return {'changed': True, 'warning_kinds': kinds, 'blockers': predicted['errors'],
                    'summary': 'would run the -WhatIf import; predicted: %d errors, warnings of kinds %s'
                               % (len(predicted['errors']), ', '.join(kinds) or 'none')}
        result = self.platform.import_file(self.target_db(), file_name, what_if=True)
        self.forget_missing_export(result, file_name)
        errors = [e['message'] for e in result.errors]
        reasons, kinds = chat_data.gate(errors, result.warnings, accepted)
        if reasons:
            advice = (' Fix what each error names in the Group Chat data or on %s (the migration guide fixes every '
                      'error of the -WhatIf import before importing), then run again.' % self.target) if errors else ''
            raise PchatError('the -WhatIf import of %s into %s stops the migration (nothing was written): %s.%s'
                             % (file_name, self.target, '; '.join(reasons[:10]).rstrip('.'), advice),
                             details={'errors': errors, 'warnings': result.warnings, 'warning_kinds': kinds})
        if not self.check_mode:
            self.mark('check', done=True, file=file_name, warning_kinds=kinds, needs=sorted(kinds))
        return {'changed': True, 'warning_kinds': kinds,
                'summary': 'the -WhatIf import passed: no errors; %s' % chat_data.describe_kinds(kinds)}

    def end_leftover_import(self):
        """An earlier import whose process died while it worked (no end recorded) may still run on the front end, in
        the runspace pool its record names: close that pool (which stops it) before importing again."""
        started = self.step('import')
        if not started.get('started') or started.get('done') or started.get('ended') or not started.get('shell'):
            return None
        closed = self.platform.session.end_shell(started['shell'])
        self.mark('import', **dict(started, ended=True, leftover_closed=closed))
        return closed

    def step_import(self):
        file_name = self._export_file('the import')
        status, compared = self.status()
        if status == 'done' and not self.params.get('force'):
            return {'changed': False, 'comparison': compared, 'summary': 'imported before; %s' % compared['summary']}
        if file_name is not None and not self.step('check').get('done'):
            raise PchatError('the import needs the -WhatIf check to pass first (run the check step).')
        _source, target = self.require_pools()
        running = [(server['fqdn'], service['name']) for server in target['servers']
                   for service in server['services'] if service['status'] != 'stopped']
        if running and not self.check_mode:
            raise PchatError('the Persistent Chat services of %s still run (%s): the migration guide imports only into '
                             'a stopped pool. Stop them first (pchat.cutover.chat_pool state=stopped; the migrate '
                             'role does that).' % (self.target, ', '.join('%s on %s' % (n, s) for s, n in running)))
        if self.check_mode:
            return {'changed': True, 'summary': 'would import %s into %s' % (file_name or 'the export', self.target)}
        leftover = self.end_leftover_import()
        again = bool(self.step('import').get('started'))
        report = windows_join(self.params['export_dir'], '%s-import-%s.html' % (self.target, _stamp()))
        shell = self.platform.session.runspace_id  # recorded before the import is sent
        self.mark('import', done=False, started=_now(), file=file_name, report=report, shell=shell)
        try:
            result = self.platform.import_file(self.target_db(), file_name, what_if=False, report=report,
                                               watch=self.watcher('import'))
        except Stopped as stopped:
            self.record_stop('import', stopped)
            raise PchatError('%s The import\'s outcome on the front end is unknown (it writes room by room): run the '
                             'cutover again; it imports the same export again, and the import overwrites what this one '
                             'wrote, by name.' % stopped.msg, details=stopped.details)
        self.forget_missing_export(result, file_name)
        if result.errors:
            raise self.platform.call_error(
                'Import-CsPersistentChatData', {'DBInstance': self.target_db(), 'FileName': file_name}, result,
                advice='Part of the data may have been written; the import overwrites items of the same name, so '
                       'running the migrate phase again completes it.')
        self._target_view = None
        compared = self.comparison()
        if not compared['matches']:
            raise PchatError('Import-CsPersistentChatData reported no error, but %s does not hold what the export '
                             'predicts: %s (missing rooms: %s; differing: %s). Check the import report %s on %s.'
                             % (self.target, compared['summary'], ', '.join(compared['missing_rooms'][:5]) or 'none',
                                ', '.join(d['room'] for d in compared['different'][:5]) or 'none', report,
                                self.platform.host), details={'comparison': compared})
        self.mark('import', done=True, file=file_name, report=report, warnings=result.warnings,
                  comparison=compared['summary'], repeated=again)
        summary = 'imported %s into %s; %s' % (file_name, self.target, compared['summary'])
        if again:
            summary += ('; an earlier import of this unit had started (%s): the import overwrote what it wrote, by '
                        'name' % ('its runspace pool was closed on the front end first' if leftover else 'it had ended'))
        return {'changed': True, 'comparison': compared, 'report': report, 'summary': summary}

    def record_stop(self, step, stopped):
        """Note in the record that a long step was stopped, and whether it ended on the front end - unless the run
        lost the unit's lease, in which case nothing is written."""
        try:
            self.mark(step, **dict(self.step(step), done=False, stopped=stopped.reason, ended=stopped.ended))
        except LeaseLost:
            pass

    def counts(self, outcomes):
        """``counts`` keyed by object kind (migrated / already_present / skipped), as DESIGN.md fixes them;
        messages cannot be counted through the cmdlets (None)."""
        counts = self.record.get('counts') or {}
        imported = any(o['step'] == 'import' and o['changed'] for o in outcomes)
        skipped = len(self.record.get('skipped') or [])
        result = {}
        for kind in ('categories', 'rooms', 'members'):
            total = counts.get(kind)
            result[kind] = {'migrated': total if imported else 0,
                            'already_present': 0 if imported else (total or 0),
                            'skipped': skipped if kind == 'rooms' else 0}
        result['messages'] = {'migrated': None, 'already_present': None, 'skipped': None}
        return result
