# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a cutover unit keeps on the controller between runs, and reading it back.

A unit's folder is ``<state_dir>/<unit>/`` (the unit is the legacy pool's FQDN in lower case, so two inventories
that name the same unit differently share it):

* ``backups/*.json``: the snapshots directory_user writes before it deletes the well-known user (the rollback
  restores from the newest one that carries the unit's SIP URI);
* ``migration.json``: the record chat_migration keeps of each step of the data migration (a completed import is
  never repeated).

Nothing else is needed: a run killed between writing a backup and anything else still finds the backup, because
it is found by content, not by a separate record.

Both also leave the controller in the job artifacts (``set_stats`` ``pchat_units``, see
cutover_report.unit_artifact), so that a job on another controller (an AWX workflow's next node, a fresh execution
environment) can put them back into its own unit folder first (:func:`handed_over`).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os

from ansible_collections.pchat.cutover.plugins.module_utils.directory_backup import FORMAT as BACKUP_FORMAT
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import SIP_ATTRIBUTE
from ansible_collections.pchat.cutover.plugins.module_utils.migration_record import FORMAT as MIGRATION_RECORD_FORMAT
from ansible_collections.pchat.cutover.plugins.module_utils.sip import sip_equal


def _unit_key(legacy_pool):
    """The folder name of a unit: its legacy pool's FQDN in lower case."""
    return str(legacy_pool).strip().lower()


def _unit_dir(state_dir, legacy_pool):
    return os.path.join(os.path.expanduser(state_dir), _unit_key(legacy_pool))


def _backup_dir(state_dir, legacy_pool):
    return os.path.join(_unit_dir(state_dir, legacy_pool), 'backups')


def _migration_record_file(state_dir, legacy_pool):
    return os.path.join(_unit_dir(state_dir, legacy_pool), 'migration.json')


def paths(legacy_pool, state_dir):
    """Where a unit's state lives: ``key`` (the unit's name in its folder and in the pchat_units artifact),
    ``dir`` (its folder), ``backup_dir`` and ``record_file`` (the one place the layout is written; the roles read it
    through the filter pchat.cutover.unit_paths)."""
    return {'key': _unit_key(legacy_pool), 'dir': _unit_dir(state_dir, legacy_pool),
            'backup_dir': _backup_dir(state_dir, legacy_pool), 'record_file': _migration_record_file(state_dir, legacy_pool)}


def _load_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _carries(snapshot, sip_address):
    if not isinstance(snapshot, dict) or snapshot.get('format') != BACKUP_FORMAT:
        return False
    values = (snapshot.get('attributes') or {}).get(SIP_ATTRIBUTE) or []
    return any(sip_equal(value, sip_address) for value in values)


def _newest_backup(state_dir, legacy_pool, sip_address):
    """(path, snapshot) of the newest backup of the user that carried ``sip_address``, or (None, None)."""
    candidates = []
    for path in glob.glob(os.path.join(_backup_dir(state_dir, legacy_pool), '*.json')):
        snapshot = _load_json(path)
        if _carries(snapshot, sip_address):
            candidates.append((snapshot.get('taken_at') or '', path, snapshot))
    if not candidates:
        return None, None
    candidates.sort()
    _taken, path, snapshot = candidates[-1]
    return path, snapshot


def read(state_dir, legacy_pool, sip_address):
    """The unit's state: ``dir``, ``backup_file`` (or None), ``backup`` (dn, object_guid, object_sid, taken_at
    of that snapshot, or None), ``migration`` (the record, or None)."""
    path, snapshot = _newest_backup(state_dir, legacy_pool, sip_address)
    backup = None
    if snapshot is not None:
        backup = dict((key, snapshot.get(key)) for key in ('dn', 'object_guid', 'object_sid', 'taken_at'))
    return {'dir': _unit_dir(state_dir, legacy_pool), 'backup_file': path, 'backup': backup,
            'migration': _load_json(_migration_record_file(state_dir, legacy_pool))}


def _json_text(data):
    return json.dumps(data, indent=2, sort_keys=True) + '\n'


def handed_over(units, state_dir, legacy_pool):
    """The files of the unit's state that an earlier job handed out (``units``: its ``pchat_units`` artifact, one
    entry per unit), as ``[{'path', 'content', 'force'}]`` to write into this controller's unit folder: the
    well-known user's backup snapshot (``backups/<its file name>``, where missing) and the migration record
    (``migration.json``, where missing or older than the one handed over: a rollback job that superseded the
    migration hands out a newer record than the cutover job's controller kept).

    An entry that is absent or null hands nothing over; one that is not what a cutover hands out raises ValueError.
    """
    if units is None:
        return []
    if not isinstance(units, dict):
        raise ValueError('pchat_units must be a dict of units (the pchat_units artifact of a cutover job), got %s'
                         % type(units).__name__)
    artifact = units.get(_unit_key(legacy_pool))
    if artifact is None:
        return []
    if not isinstance(artifact, dict):
        raise ValueError('pchat_units[%s] must be a dict (the unit\'s artifact of a cutover job)' % _unit_key(legacy_pool))
    files = []
    snapshot = artifact.get('backup')
    if snapshot is not None:
        if not isinstance(snapshot, dict) or snapshot.get('format') != BACKUP_FORMAT:
            raise ValueError('pchat_units[%s].backup is not a backup of pchat.cutover (format %s)'
                             % (_unit_key(legacy_pool), BACKUP_FORMAT))
        name = os.path.basename(str(artifact.get('backup_file') or '')) or 'handed-over.json'
        if not name.endswith('.json'):
            name += '.json'
        files.append({'path': os.path.join(_backup_dir(state_dir, legacy_pool), name), 'content': _json_text(snapshot),
                      'force': False})
    record = artifact.get('migration')
    if record is not None:
        if not isinstance(record, dict) or record.get('format') != MIGRATION_RECORD_FORMAT:
            raise ValueError('pchat_units[%s].migration is not a migration record of pchat.cutover (format %s)'
                             % (_unit_key(legacy_pool), MIGRATION_RECORD_FORMAT))
        path = _migration_record_file(state_dir, legacy_pool)
        here = _load_json(path)
        newer = not isinstance(here, dict) or str(record.get('updated') or '') > str(here.get('updated') or '')
        files.append({'path': path, 'content': _json_text(record), 'force': newer})
    return files
