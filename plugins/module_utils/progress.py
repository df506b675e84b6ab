# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module of a run is doing now, in a small file the controller side reads while the module works (the
action plugin shows it as progress lines; a run that waits for a busy unit names it).

One file per run (keyed by the run's lease id) in a folder only this user can read, on the controller, where the
modules run. It holds what a person reads in the progress line and the module's pid: never a value of an option.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import tempfile
import time


def folder():
    return os.path.join(tempfile.gettempdir(), 'pchat-cutover-%d' % os.getuid())


def path(run_id):
    if not re.match(r'^[0-9a-zA-Z_-]{1,64}$', run_id or ''):
        return None
    return os.path.join(folder(), '%s.json' % run_id)


def write(run_id, data):
    """Replace the run's progress (best effort: progress never fails the work)."""
    target = path(run_id)
    if target is None:
        return
    try:
        os.makedirs(folder(), mode=0o700, exist_ok=True)
        data = dict(data, at=time.time())
        tmp = '%s.%d.tmp' % (target, os.getpid())
        with open(tmp, 'w') as handle:
            json.dump(data, handle)
        os.replace(tmp, target)
    except OSError:
        pass


def read(run_id):
    target = path(run_id)
    try:
        with open(target) as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else None
    except (OSError, TypeError, ValueError):
        return None


def remove(run_id, pid=None):
    """Remove the run's progress file (only if process ``pid`` wrote it last, when given)."""
    data = read(run_id)
    if data and (pid is None or data.get('pid') == pid):
        try:
            os.unlink(path(run_id))
        except OSError:
            pass
