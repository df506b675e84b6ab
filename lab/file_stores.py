# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The file shares of the lab under ``$LAB_DIR/fs`` (lab/emulator/winpath.py maps ``\\\\server\\share\\...`` there):
each legacy pool's Group Chat file repository with its uploaded files (``topology.LEGACY_FILES``: fixed contents,
sizes and times, so a copy can be checked byte for byte), and the share of each file store of the topology
(``topology.FILE_STORES``), empty. ``lab up`` and ``lab reset`` call ``ensure``; a reset first wipes ``fs/``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

from lab import topology
from lab.emulator import winpath

# Uploaded files date from the legacy deployment's life: the first one at this time (UTC), each next an hour later.
FIRST_UPLOAD = 1336986000  # 2012-05-14 09:00:00 UTC


def file_content(pool, relative, size):
    """The bytes of a seeded file: a repeatable stream from its pool, path and size."""
    seed = ('%s|%s' % (pool, relative.lower())).encode('utf-8')
    chunks, block = [], seed
    while sum(len(c) for c in chunks) < size:
        block = hashlib.sha256(block).digest()
        chunks.append(block)
    return b''.join(chunks)[:size]


def local_path(lab_dir, unc):
    """The local folder of a UNC path (created share by share, as a file server's admin would)."""
    server, share = unc.strip('\\').split('\\')[:2]
    rest = unc.strip('\\').split('\\')[2:]
    return os.path.join(winpath.fs_root(lab_dir), 'unc', server.lower(), share.lower(), *rest)


def seeded_files(pool):
    """[(relative Windows path, size, mtime)] of a legacy pool's repository, in declaration order."""
    return [(relative, size, FIRST_UPLOAD + 3600 * index)
            for index, (relative, size) in enumerate(topology.LEGACY_FILES.get(pool, []))]


def ensure(lab_dir):
    """Every share and seeded file; a file whose size or time differs is written again. Returns the file count."""
    written = 0
    for server, share, _site, _pools in topology.FILE_STORES:
        os.makedirs(local_path(lab_dir, '\\\\%s\\%s' % (server, share)), exist_ok=True)
    for pool, unc in sorted(topology.LEGACY_FILE_REPOSITORIES.items()):
        root = local_path(lab_dir, unc)
        os.makedirs(root, exist_ok=True)
        for relative, size, mtime in seeded_files(pool):
            path = os.path.join(root, *relative.split('\\'))
            if os.path.isfile(path) and os.path.getsize(path) == size and int(os.path.getmtime(path)) == mtime:
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as handle:
                handle.write(file_content(pool, relative, size))
            os.utime(path, (mtime, mtime))
            written += 1
    return written
