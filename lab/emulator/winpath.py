# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows paths on the emulated front end, mapped into ``$LAB_DIR/fs``: ``C:\\Logs\\x.zip`` is
``$LAB_DIR/fs/c/Logs/x.zip`` and ``\\\\server\\share\\x`` is ``$LAB_DIR/fs/unc/server/share/x``. Windows compares
path names without regard to case, so existing folders are found whatever the case."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

_DRIVE = re.compile(r'^([A-Za-z]):[\\/](.*)$')
_UNC = re.compile(r'^[\\/]{2}([^\\/]+)[\\/]([^\\/]+)(?:[\\/](.*))?$')
_BAD = re.compile(r'[<>"|?*\x00-\x1f]')
# Folders every Windows server has, and the migration folder an admin prepares on the front end before the weekend
# (the cutover's default export_dir); `lab up` creates them.
STANDARD_FOLDERS = ('c/Windows/Temp', 'c/Users/Public/Documents', 'c/ProgramData', 'c/PchatMigration')


class PathError(Exception):
    """A path Windows would refuse or could not find; ``kind`` is the .NET exception's short name."""

    def __init__(self, message, kind='DirectoryNotFoundException'):
        super(PathError, self).__init__(message)
        self.kind = kind


def fs_root(lab_dir):
    return os.path.join(lab_dir, 'fs')


def ensure_standard_folders(lab_dir):
    for folder in STANDARD_FOLDERS:
        os.makedirs(os.path.join(fs_root(lab_dir), *folder.split('/')), exist_ok=True)


def _components(path):
    match = _DRIVE.match(path)
    if match:
        return [match.group(1).lower()], [p for p in re.split(r'[\\/]+', match.group(2)) if p]
    match = _UNC.match(path)
    if match:
        rest = match.group(3) or ''
        return ['unc', match.group(1).lower(), match.group(2).lower()], [p for p in re.split(r'[\\/]+', rest) if p]
    raise PathError("The path '%s' is not a full path: give a drive letter (C:\\...) or a UNC path." % path,
                    'ArgumentException')


def _find(folder, name):
    """``name`` inside ``folder``, matched without regard to case; the name as given when nothing matches."""
    exact = os.path.join(folder, name)
    if os.path.exists(exact):
        return exact
    try:
        for entry in os.listdir(folder):
            if entry.lower() == name.lower():
                return os.path.join(folder, entry)
    except OSError:
        pass
    return exact


def to_local(lab_dir, path, must_exist=False):
    """The local path of Windows ``path``; its folder must exist (else DirectoryNotFoundException), and with
    ``must_exist`` the file too (FileNotFoundException), as .NET's file APIs report."""
    if not isinstance(path, str) or not path.strip():
        raise PathError('The path is empty.', 'ArgumentException')
    if _BAD.search(path):
        raise PathError('Illegal characters in path.', 'ArgumentException')
    root, parts = _components(path.strip())
    if not parts:
        raise PathError("Could not find a part of the path '%s'." % path)
    current = os.path.join(fs_root(lab_dir), *root)
    for part in parts[:-1]:
        current = _find(current, part)
        if not os.path.isdir(current):
            raise PathError("Could not find a part of the path '%s'." % path)
    target = _find(current, parts[-1])
    if must_exist and not os.path.isfile(target):
        raise PathError("Could not find file '%s'." % path, 'FileNotFoundException')
    if os.path.isdir(target):
        raise PathError("Access to the path '%s' is denied." % path, 'UnauthorizedAccessException')
    return target


def exists(lab_dir, path, path_type='Any'):
    """Whether Windows ``path`` exists on the front end, as ``Test-Path -PathType Any|Leaf|Container`` tells: a path
    that cannot be resolved (a missing folder, illegal characters, not a full path) does not exist."""
    try:
        root, parts = _components(path.strip())
    except (PathError, AttributeError):
        return False
    if _BAD.search(path):
        return False
    current = os.path.join(fs_root(lab_dir), *root)
    for part in parts:
        current = _find(current, part)
    if path_type == 'Leaf':
        return os.path.isfile(current)
    if path_type == 'Container':
        return os.path.isdir(current)
    return os.path.exists(current)


class Located(object):
    """A Windows path resolved on the lab's disks: ``local`` (the local path; components that exist are matched
    without regard to case), ``windows`` (the path as Windows would show it: the caller's root, on-disk names for
    what exists), ``exists``, ``is_dir``."""

    def __init__(self, local, windows):
        self.local = local
        self.windows = windows

    @property
    def exists(self):
        return os.path.exists(self.local)

    @property
    def is_dir(self):
        return os.path.isdir(self.local)

    def child(self, name):
        return Located(os.path.join(self.local, name), self.windows.rstrip('\\') + '\\' + name)


def locate_child(folder, name):
    """The local path of ``name`` in ``folder``: an existing entry of another case, else the name as given."""
    return _find(folder, name)


def locate(lab_dir, path):
    """The Located of Windows ``path`` (a drive path or a UNC path), whether it exists or not. A UNC path's share
    must exist (a share is made by an admin, never by a copy): else PathError ItemNotFoundException."""
    if not isinstance(path, str) or not path.strip():
        raise PathError('The path is empty.', 'ArgumentException')
    if _BAD.search(path):
        raise PathError('Illegal characters in path.', 'ArgumentException')
    text = path.strip()
    root, parts = _components(text)
    current = os.path.join(fs_root(lab_dir), *root)
    if root[0] == 'unc':
        server, share = re.split(r'[\\/]+', text.lstrip('\\/'))[:2]
        windows = '\\\\%s\\%s' % (server, share)
        if not os.path.isdir(current):
            raise PathError("Cannot find path '%s' because it does not exist." % path, 'ItemNotFoundException')
    else:
        windows = '%s:' % root[0].upper()
    for part in parts:
        current = _find(current, part)
        windows += '\\' + os.path.basename(current)
    if not parts:
        windows += '\\'
    return Located(current, windows)
