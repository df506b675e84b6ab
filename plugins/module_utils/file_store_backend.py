# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backend of ``chat_files`` and ``chat_files_info``: the files uploaded to legacy Group Chat rooms, copied into
the Persistent Chat file store, as the migration guide's step 7 asks ("XCOPY all uploaded files (the entire folder)
to the new ... Persistent Chat file store"; the import does not move them).

* **Where**: the source is Group Chat's own file repository (a share the Web service writes to; a Group Chat setting,
  not part of the Lync topology, so the inventory names it: ``source_dir``). The target is the file store of the
  Persistent Chat pool: its ``PersistentChatServer`` service's ``FileStore`` (``Get-CsService
  -PersistentChatServer``) is a ``FileStore:<fqdn>`` service (``Get-CsService -FileStore``) whose ``UncPath`` is the
  share; the files go into the pool's own folder there, named by its ``ServiceId`` (the folder-per-service layout
  Lync's file stores use; an assumption, docs/psrp.md). ``target_dir`` overrides both.
* **Plan** (``plan``): one recursive ``Get-ChildItem`` of each side (WinRM path only: Lync's own endpoint offers no
  file cmdlets), then compare by relative path (case-insensitive, as Windows), size and last write time: a file is
  copied when the target lacks it, or has another size or an older time; a target file newer than the legacy one is
  kept (a legacy client may have posted it to the new pool) and reported.
* **Apply**: one ``Copy-Item -LiteralPath <sources> -Destination <folder> -Recurse -Force`` per target folder that
  receives something (a whole missing sub-folder travels in the copy of its parent's list), ``New-Item -ItemType
  Directory -Force`` first when the target folder cannot be listed; then the target is listed again and compared:
  anything still missing fails the task. Copies keep the last write time (Windows' CopyFile), so a re-run copies
  nothing.
* **Manual step**: when the cutover cannot copy (Lync's own endpoint, no source given, a side that cannot be read from
  the front end's session, no file store in the topology), the result says so with both paths and the exact command
  (``xcopy ... /E /I /D /Y``: the guide's XCOPY, copying only what is newer); nothing is guessed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_objects import as_text, objects
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn

# Two last write times this close are the same: FAT and some SMB servers keep times to 2 seconds.
TIME_TOLERANCE_S = 2.0
MAX_LISTED = 50  # paths named in a result; counts cover everything
STATUSES = ('in_sync', 'to_copy', 'copied', 'manual_step')
FILES_ARGUMENT_SPEC = dict(
    source_pool=dict(type='str', required=True),
    target_pool=dict(type='str', required=True),
    source_dir=dict(type='str'),
    target_dir=dict(type='str'),
)


def windows_join(folder, name):
    return folder.rstrip('\\/') + '\\' + name.lstrip('\\/')


def _parent(relative):
    return relative.rsplit('\\', 1)[0] if '\\' in relative else ''


# A DateTime as remoting writes it (CLIXML <DT>): 2012-05-14T11:00:00.0000000Z, or with an offset, or local.
_DATETIME = re.compile(r'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$')


def _timestamp(value):
    """Seconds since the epoch of a DateTime as pypsrp gives it (a datetime, or the text remoting sent), or None.
    A time without an offset is taken as UTC (the comparison is between two listings of the same session)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    match = _DATETIME.match((as_text(value) or '').strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = float('0.' + match.group(7)) if match.group(7) else 0.0
    zone = match.group(8) or 'Z'
    offset = 0 if zone == 'Z' else (1 if zone[0] == '+' else -1) * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    moment = datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc)
    return moment.timestamp() + fraction - offset


def xcopy_command(source, target):
    """The manual step as one command (the guide's XCOPY): the whole folder, sub-folders included, only files that
    are newer than the target's."""
    return 'xcopy "%s" "%s\\" /E /I /D /Y' % (source.rstrip('\\'), target.rstrip('\\'))


def compare(source, target):
    """What to copy from one listing to the other (pure). ``source``/``target``: ``{relative path (lower case):
    {'path', 'dir', 'size', 'time'}}`` or None (not readable). Returns ``{'copies': {target folder (relative): [source
    relative paths]}, 'files': [relative paths of files to copy], 'bytes', 'newer_on_target': [...], 'present'}``."""
    target = target or {}
    dirs_missing = set(key for key, entry in source.items() if entry['dir'] and key not in target)
    copies = {}
    files, newer = [], []
    size = 0
    present = 0
    for key in sorted(source):
        entry = source[key]
        parent = _parent(key)
        covered = parent in dirs_missing  # travels with a missing parent folder's copy
        if entry['dir']:
            if key in dirs_missing and not covered:
                copies.setdefault(parent, []).append(entry['path'])
            continue
        there = target.get(key)
        if there is not None and not there['dir'] and there['size'] == entry['size'] and \
                there['time'] is not None and entry['time'] is not None and \
                abs(there['time'] - entry['time']) <= TIME_TOLERANCE_S:
            present += 1
            continue
        if there is not None and not there['dir'] and there['time'] is not None and entry['time'] is not None and \
                there['time'] > entry['time'] + TIME_TOLERANCE_S:
            newer.append(entry['path'])
            continue
        files.append(entry['path'])
        size += entry['size'] or 0
        if not covered:
            copies.setdefault(parent, []).append(entry['path'])
    return {'copies': copies, 'files': files, 'bytes': size, 'newer_on_target': newer, 'present': present}


class NotAPersistentChatPool(PchatError):
    """The target is no Persistent Chat pool: an error for chat_files; for chat_files_info a status (``unknown``),
    so that preflight reports it with the other blockers of the plan instead of failing first."""


class FileStoreBackend(object):
    """The uploaded files of one cutover unit; ``platform`` is a LyncPlatform."""

    def __init__(self, platform, params, check_mode):
        self.platform = platform
        self.params = params
        self.check_mode = check_mode
        self.source_pool = validate_fqdn(params['source_pool'], 'source_pool')
        self.target_pool = validate_fqdn(params['target_pool'], 'target_pool')
        self.source = (params.get('source_dir') or '').strip() or None
        self.target = (params.get('target_dir') or '').strip() or None
        for name, value in (('source_dir', self.source), ('target_dir', self.target)):
            if value is not None and not (value.startswith('\\\\') or value[1:3] in (':\\', ':/')):
                raise PchatError('%s %r is not a full Windows path: give the share as \\\\server\\share\\folder (or a '
                                 'drive path on the front end). Nothing was read or changed.' % (name, value))
        self.target_from = 'inventory' if self.target else None
        self.why_manual = None

    # -- where ---------------------------------------------------------------------------------------------
    def resolve_target(self):
        """The Persistent Chat pool's folder in its file store (or target_dir); None with why_manual set."""
        if self.target:
            return self.target
        service = self.platform.persistent_chat_services().get(self.target_pool)
        if service is None:
            raise NotAPersistentChatPool('target_pool %s is not a Persistent Chat pool (Get-CsService '
                                         '-PersistentChatServer); its file store cannot be found. Check target_pool.'
                                         % self.target_pool)
        store_id = service.text('FileStore')
        if not store_id:
            self.why_manual = ('the topology names no file store for Persistent Chat pool %s (its PersistentChatServer '
                               'service has no FileStore): set pchat_target_file_store' % self.target_pool)
            return None
        stores = objects(self.platform.call('Get-CsService', {'FileStore': None}), 'file store')
        store = [props for props in stores if (props.text('Identity') or '').lower() == store_id.lower()]
        if not store:
            self.why_manual = ('Get-CsService -FileStore lists no %s, the file store Persistent Chat pool %s names: set '
                               'pchat_target_file_store' % (store_id, self.target_pool))
            return None
        share = store[0].text('UncPath')
        if not share and store[0].text('PoolFqdn') and store[0].text('ShareName'):
            share = '\\\\%s\\%s' % (store[0].text('PoolFqdn'), store[0].text('ShareName'))
        folder = service.text('ServiceId')
        if not share or not folder:
            self.why_manual = ('the file store %s (UncPath %s) or the service id of %s could not be read: set '
                               'pchat_target_file_store' % (store_id, share, self.target_pool))
            return None
        self.target_from = 'topology'
        return windows_join(share, folder)

    # -- reading -------------------------------------------------------------------------------------------
    def listing(self, root, fresh=False):
        """``{relative path (lower case): entry}`` of everything under ``root``, or None when the front end's session
        cannot list it (absent, or not readable from there: both are reported, never told apart by an error's
        wording)."""
        result = self.platform.send('Get-ChildItem', {'LiteralPath': root, 'Recurse': None, 'Force': None},
                                    lync=False, fresh=fresh)
        if result.errors and not result.output:
            return None, '; '.join(e['message'] for e in result.errors[:3])
        prefix = root.rstrip('\\').lower() + '\\'
        found = {}
        for props in objects(result, 'file or folder'):
            full = props.required_text('FullName')
            if not full.lower().startswith(prefix):
                raise PchatError('Get-ChildItem -LiteralPath %s returned %s, which is not under it; nothing was '
                                 'copied.' % (root, full))
            relative = full[len(prefix):]
            directory = bool(props.flag('PSIsContainer'))
            found[relative.lower()] = {'path': relative, 'dir': directory,
                                       'size': None if directory else props.number('Length'),
                                       'time': None if directory else _timestamp(props.raw('LastWriteTimeUtc'))}
        problem = '; '.join(e['message'] for e in result.errors[:3]) if result.errors else None
        return found, problem

    # -- plan ----------------------------------------------------------------------------------------------
    def manual(self, why, target):
        source = self.source or '<the Group Chat file repository: set pchat_legacy_file_store>'
        target = target or '<the Persistent Chat file store folder: set pchat_target_file_store>'
        step = ('Copy the files uploaded to the Group Chat rooms of %s (the whole folder %s) to the Persistent Chat '
                'file store of %s (%s), keeping files that are newer there, e.g. from a server that reaches both '
                'shares: %s. Why the cutover did not: %s.'
                % (self.source_pool, source, self.target_pool, target, xcopy_command(source, target), why))
        return {'status': 'manual_step', 'manual_step': step, 'why': why}

    def plan(self):
        target = self.resolve_target()
        self.target_resolved = target
        if not self.platform.session.on_winrm:
            return self.manual('Lync\'s own endpoint (psrp_path OcsPowershell) offers no file cmdlets; set psrp_path '
                               'to wsman to let the cutover copy and check them', target)
        if self.why_manual:
            return self.manual(self.why_manual, target)
        if not self.source:
            return self.manual('the Group Chat file repository is a setting of Group Chat, not of the Lync topology, '
                               'and pchat_legacy_file_store does not name it', target)
        source, problem = self.listing(self.source)
        if source is None:
            return self.manual('%s cannot be listed from the front end\'s session (it does not exist, or the session '
                               'cannot reach it: a share on another server is a second hop, which needs CredSSP or '
                               'Kerberos delegation to that server\'s cifs service): %s' % (self.source, problem), target)
        if problem:
            return self.manual('part of %s cannot be read from the front end\'s session: %s' % (self.source, problem),
                               target)
        existing, problem = self.listing(target)
        self.target_listed = existing is not None
        diff = compare(source, existing)
        plan = {'status': 'to_copy' if diff['files'] else 'in_sync', 'manual_step': None, 'why': None,
                'diff': diff, 'source_listing': source, 'source_files': sum(1 for e in source.values() if not e['dir']),
                'source_bytes': sum(e['size'] or 0 for e in source.values() if not e['dir']),
                'create_target': existing is None, 'target_problem': problem}
        return plan

    # -- apply ---------------------------------------------------------------------------------------------
    def apply(self, plan):
        target = self.target_resolved
        if plan['create_target'] and plan['diff']['copies']:
            result = self.platform.send('New-Item', {'Path': target, 'ItemType': 'Directory', 'Force': None,
                                                     'Confirm': False}, lync=False)
            if result.errors:
                raise self._copy_error('New-Item -ItemType Directory -Path %s' % target, result)
        for folder in sorted(plan['diff']['copies'], key=lambda f: (f.count('\\'), f.lower())):
            sources = [windows_join(self.source, path) for path in plan['diff']['copies'][folder]]
            destination = windows_join(target, folder) if folder else target
            result = self.platform.send('Copy-Item', {'LiteralPath': sources, 'Destination': destination,
                                                      'Recurse': None, 'Force': None, 'Confirm': False}, lync=False)
            if result.errors:
                raise self._copy_error('Copy-Item -LiteralPath <%d items> -Destination %s' % (len(sources), destination),
                                       result)
        after, problem = self.listing(target, fresh=True)
        left = compare(plan['source_listing'], after)['files'] if after is not None else ['(the target cannot be listed: %s)' % problem]
        if left:
            raise PchatError('after the copy, %d file(s) are still not in %s (e.g. %s); run the task again, or copy '
                             'them by hand: %s.' % (len(left), target, ', '.join(left[:5]),
                                                    xcopy_command(self.source, target)),
                             details={'missing': left[:MAX_LISTED]})

    def _copy_error(self, what, result):
        messages = '; '.join(e['message'] for e in result.errors[:5])
        return PchatError('%s failed on %s: %s. Files copied before the failure stay; a run again copies only what is '
                          'left. If the session cannot reach a share on another server (a second hop), copy by hand: '
                          '%s.' % (what, self.platform.host, messages, xcopy_command(self.source, self.target_resolved)),
                          details={'errors': result.errors})

    # -- results -------------------------------------------------------------------------------------------
    def _summary(self, plan, copied):
        if plan['status'] == 'manual_step':
            return {}
        diff = plan['diff']
        return {'files': plan['source_files'], 'bytes': plan['source_bytes'], 'present': diff['present'],
                'to_copy': 0 if copied else len(diff['files']), 'to_copy_bytes': 0 if copied else diff['bytes'],
                'copied': len(diff['files']) if copied else 0, 'copied_bytes': diff['bytes'] if copied else 0,
                'newer_on_target': len(diff['newer_on_target'])}

    def result(self, plan, copied, preview=False):
        diff = plan.get('diff') or {}
        status = plan['status']
        if copied:
            status = 'copied'
        counts = self._summary(plan, copied)
        return {'status': status, 'source_pool': self.source_pool, 'target_pool': self.target_pool,
                'source_dir': self.source, 'target_dir': self.target_resolved, 'target_from': self.target_from,
                'manual_step': plan.get('manual_step'), 'counts': counts,
                'files': (diff.get('files') or [])[:MAX_LISTED],
                'newer_on_target': (diff.get('newer_on_target') or [])[:MAX_LISTED],
                'summary': summary(status, counts, self.target_resolved, preview)}

    def info(self):
        if self.params.get('copied_by_hand'):
            return {'changed': False, 'status': 'done_by_hand', 'source_pool': self.source_pool,
                    'target_pool': self.target_pool, 'source_dir': self.source, 'target_dir': self.target,
                    'target_from': self.target_from, 'manual_step': None, 'counts': {}, 'files': [],
                    'newer_on_target': [], 'summary': 'copied by hand, as the operator says (not checked)'}
        try:
            plan = self.plan()
        except NotAPersistentChatPool as error:
            return {'changed': False, 'status': 'unknown', 'source_pool': self.source_pool,
                    'target_pool': self.target_pool, 'source_dir': self.source, 'target_dir': None,
                    'target_from': None, 'manual_step': None, 'counts': {}, 'files': [], 'newer_on_target': [],
                    'summary': str(error)}
        return dict(self.result(plan, False), changed=False)

    def run(self):
        plan = self.plan()
        changed = plan['status'] == 'to_copy'
        if changed and not self.check_mode:
            self.apply(plan)
        result = self.result(plan, changed and not self.check_mode, preview=self.check_mode)
        result['changed'] = changed
        before = {'missing_files': len((plan.get('diff') or {}).get('files') or [])}
        result['diff'] = {'before': before, 'after': {'missing_files': 0 if changed else before['missing_files']}}
        return result


def summary(status, counts, target, check_mode=False):
    """One line for the phase record and the report."""
    if status == 'manual_step':
        return 'manual step pending: the uploaded files must be copied by hand (see manual_step)'
    if status == 'in_sync':
        return '%d uploaded files (%s bytes) already in %s' % (counts['files'], '{:,}'.format(counts['bytes']), target)
    if status == 'to_copy':
        verb = 'would copy' if check_mode else 'to copy:'
        return '%s %d of %d uploaded files (%s bytes) to %s' % (
            verb, counts['to_copy'], counts['files'], '{:,}'.format(counts['to_copy_bytes']), target)
    return 'copied %d of %d uploaded files (%s bytes) to %s' % (
        counts['copied'], counts['files'], '{:,}'.format(counts['copied_bytes']), target)
