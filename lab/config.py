# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab configuration from the environment (LAB_DIR, LAB_SEED, LAB_USERS, LAB_ROOMS, LAB_MESSAGES, LAB_FRONTEND)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os


def _int_env(name, default, environ):
    raw = environ.get(name, '')
    if raw == '':
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit('%s=%r is not a whole number' % (name, raw))
    if value < 0:
        raise SystemExit('%s=%r must not be negative' % (name, raw))
    return value


class LabConfig(object):
    """Where the lab lives and how big its data set is; paths are absolute."""

    def __init__(self, environ=None):
        environ = os.environ if environ is None else environ
        self.lab_dir = os.path.abspath(environ.get('LAB_DIR') or '.lab')
        self.seed = _int_env('LAB_SEED', 42, environ)
        self.users = _int_env('LAB_USERS', 200, environ)
        self.rooms = _int_env('LAB_ROOMS', 20, environ)
        self.messages = _int_env('LAB_MESSAGES', 2000, environ)
        # What the emulated front end presents itself as: lync2013 (Lync Server 2013, the default) or sfb2015
        # (Skype for Business Server 2015); `make lab` records it, so a plain `make lab` switches back to lync2013.
        self.frontend = (environ.get('LAB_FRONTEND') or 'lync2013').strip().lower()
        if self.frontend not in ('lync2013', 'sfb2015'):
            raise SystemExit('LAB_FRONTEND=%r: expected lync2013 or sfb2015' % environ.get('LAB_FRONTEND'))
        self.env = {}  # the PCHAT_* connection variables, filled in once the lab is up

    # Everything the lab writes lives below lab_dir.
    @property
    def samba_dir(self):
        return os.path.join(self.lab_dir, 'samba')

    @property
    def smb_conf(self):
        return os.path.join(self.samba_dir, 'etc', 'smb.conf')

    @property
    def pid_file(self):
        return os.path.join(self.samba_dir, 'run', 'samba.pid')

    @property
    def log_file(self):
        return os.path.join(self.lab_dir, 'samba.log')

    @property
    def tls_dir(self):
        return os.path.join(self.lab_dir, 'tls')

    @property
    def ca_file(self):
        return os.path.join(self.tls_dir, 'ca.pem')

    @property
    def state_file(self):
        return os.path.join(self.lab_dir, 'lab-state.json')

    @property
    def connection_env(self):
        return os.path.join(self.lab_dir, 'connection.env')

    @property
    def platform_db(self):
        return os.path.join(self.lab_dir, 'platform.sqlite')

    @property
    def lock_file(self):
        return self.lab_dir.rstrip('/') + '.lock'
