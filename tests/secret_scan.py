# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Find secrets where none may be: in text (a run's output, a job event) and in every file under a folder, byte by
byte (SQLite databases, logs, JSON, archives stored uncompressed).

Each secret is looked for as written (UTF-8), as UTF-16LE (what Windows and NTLM put on the wire) and in Base64 (an
HTTP Basic header, a serialised credential): for Base64, at each of the three alignments a secret can start at
inside a longer encoded text, the part of its encoding that does not depend on the bytes around it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import os

MIN_SECRET_LENGTH = 12  # shorter ones could match by chance, and a test that finds nothing would prove nothing


def _base64_cores(data):
    """The Base64 text that ``data`` encodes to wherever it starts inside a longer byte string."""
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(b'\0' * shift + data)
        # characters mixing our bytes with the unknown ones before or after are dropped
        start = (shift * 8 + 5) // 6
        end = ((shift + len(data)) * 8) // 6
        cores.append(encoded[start:end])
    return cores


def needles(secret):
    """(encoding name, bytes) for every form ``secret`` is searched in."""
    raw = secret.encode('utf-8')
    forms = [('utf-8', raw), ('utf-16le', secret.encode('utf-16-le'))]
    forms += [('base64', core) for core in _base64_cores(raw)]
    return forms


class SecretScan(object):
    """``secrets``: {name: value}. ``text()`` and ``files()`` return findings, each '<name> (<encoding>) in <where>'."""

    def __init__(self, secrets):
        for name, value in secrets.items():
            assert value and len(value) >= MIN_SECRET_LENGTH, 'secret %s is too short to look for' % name
        self.secrets = dict(secrets)
        self._needles = [(name, form, needle) for name, value in sorted(self.secrets.items())
                         for form, needle in needles(value)]
        self.files_scanned = 0

    def data(self, where, data):
        if isinstance(data, str):
            data = data.encode('utf-8', 'surrogateescape')
        return ['%s (%s) in %s' % (name, form, where) for name, form, needle in self._needles if needle in data]

    def text(self, where, text):
        return self.data(where, text)

    def files(self, folder, skip=None):
        """Every regular file under ``folder`` except those ``skip(path)`` accepts."""
        findings = []
        for directory, _dirs, names in os.walk(folder):
            for name in names:
                path = os.path.join(directory, name)
                if not os.path.isfile(path) or os.path.islink(path) or (skip and skip(path)):
                    continue
                try:
                    with open(path, 'rb') as handle:
                        content = handle.read()
                except OSError:  # a socket, or a file removed meanwhile
                    continue
                self.files_scanned += 1
                findings += self.data(path, content)
        return findings
