# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``$LAB_DIR/psrp-requests.jsonl``: what the emulator was asked, for tests and benchmarks reading it from outside.

Two kinds of line (docs/lab-emulator.md, Transport):

* a **pipeline** line, exactly the fields of DESIGN.md: ``{"ts", "runspace", "user", "path", "cmdlets",
  "parameters"}`` -- ``cmdlets`` the command names in order, ``parameters`` for each command the list of the parameter
  names it was given (names only: no value, so no secret, ever reaches the file);
* an **event** line for a runspace pool: ``{"ts", "runspace", "user", "path", "event"}`` with ``event`` ``open`` or
  ``close`` (so a benchmark counts pools per run), plus ``reason`` on a close the client did not ask for
  (``idle``, ``shutdown``).

Each line is one ``write`` on a descriptor opened with O_APPEND, so lines from concurrent clients never interleave.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time


class RequestLog(object):
    def __init__(self, path):
        self.path = path

    def _append(self, record):
        line = (json.dumps(record, separators=(',', ':')) + '\n').encode('utf-8')
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    @staticmethod
    def _head(session):
        return {'ts': round(time.time(), 3), 'runspace': session.runspace_id, 'user': session.user,
                'path': session.path}

    def pipeline(self, session, commands):
        """One pipeline (``commands``: api.Command, every statement, in order)."""
        record = self._head(session)
        record['cmdlets'] = [command.name for command in commands]
        record['parameters'] = [command.parameter_names() for command in commands]
        self._append(record)

    def event(self, session, event, reason=None):
        record = self._head(session)
        record['event'] = event
        if reason:
            record['reason'] = reason
        self._append(record)


def read(path):
    """Every line of a request log (for tests and benchmarks)."""
    try:
        with open(path) as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return []
