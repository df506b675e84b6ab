# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's settings (from the environment) and where it keeps its files under ``$LAB_DIR/emulator/``.

``LAB_IP`` / ``LAB_DIR`` as for the whole lab; ``LAB_PSRP_PORT`` (5986, WinRM's HTTPS port); ``LAB_PSRP_AUTH``
(``negotiate``: SPNEGO with Kerberos or NTLM inside; ``kerberos``: Negotiate with Kerberos only, NTLM refused; the
acceptor's keys are the front end's, ``emulator/lyncfe01.keytab`` exported from Samba, given as ``KRB5_KTNAME``);
``LAB_PSRP_ALLOW_BASIC`` (``1`` offers and accepts Basic too, as a WinRM listener with ``Auth/Basic=true``);
``LAB_PSRP_IDLE_TIMEOUT_S`` (7200, WinRM's default shell IdleTimeout: a pool nobody touched for that long is closed).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from lab import certs, kerberos, names

DEFAULT_PORT = 5986
AUTH_KINDS = ('negotiate', 'kerberos')


def _flag(raw):
    return (raw or '').strip().lower() in ('1', 'true', 'yes', 'on')


class EmulatorSettings(object):
    def __init__(self, lab_dir, environ=None):
        environ = os.environ if environ is None else environ
        self.lab_dir = os.path.abspath(lab_dir)
        self.ip = environ.get('LAB_IP') or names.LAB_IP
        try:
            self.port = int(environ.get('LAB_PSRP_PORT') or DEFAULT_PORT)
        except ValueError:
            raise SystemExit('LAB_PSRP_PORT=%r is not a port number' % environ.get('LAB_PSRP_PORT'))
        self.auth = (environ.get('LAB_PSRP_AUTH') or 'negotiate').strip().lower()
        if self.auth not in AUTH_KINDS:
            raise SystemExit('LAB_PSRP_AUTH=%r: expected one of %s' % (self.auth, ', '.join(AUTH_KINDS)))
        self.allow_basic = _flag(environ.get('LAB_PSRP_ALLOW_BASIC'))
        self.idle_timeout_s = float(environ.get('LAB_PSRP_IDLE_TIMEOUT_S') or 7200)

    @property
    def dir(self):
        return os.path.join(self.lab_dir, 'emulator')

    @property
    def pid_file(self):
        return os.path.join(self.dir, 'emulator.pid')

    @property
    def log_file(self):
        return os.path.join(self.dir, 'emulator.log')

    @property
    def user_file(self):
        """NTLM_USER_FILE: the accounts the NTLM acceptor knows (NT hashes, never passwords), 0600."""
        return os.path.join(self.dir, 'ntlm-users')

    @property
    def keytab(self):
        """KRB5_KTNAME of the Kerberos acceptor: the front end's keys (LYNCFE01$), exported from Samba, 0600."""
        return kerberos.emulator_keytab_path(self.lab_dir)

    @property
    def krb5_config(self):
        """The lab's krb5.conf (lab/kerberos.py)."""
        return kerberos.krb5_conf_path(self.lab_dir)

    @property
    def client_keytab(self):
        """The Lync administrator's keytab, from which the start-up probe gets its ticket in Kerberos mode."""
        return kerberos.client_keytab_path(self.lab_dir)

    @property
    def request_log(self):
        return os.path.join(self.lab_dir, 'psrp-requests.jsonl')

    @property
    def tls(self):
        return certs.tls_paths(os.path.join(self.lab_dir, 'tls'))

    def environment(self):
        """The variables that carry these settings to a child emulator process."""
        return {
            'LAB_DIR': self.lab_dir,
            'LAB_IP': self.ip,
            'LAB_PSRP_PORT': str(self.port),
            'LAB_PSRP_AUTH': self.auth,
            'LAB_PSRP_ALLOW_BASIC': '1' if self.allow_basic else '0',
            'LAB_PSRP_IDLE_TIMEOUT_S': str(self.idle_timeout_s),
            'NTLM_USER_FILE': self.user_file,
            'KRB5_KTNAME': 'FILE:' + self.keytab,
            'KRB5_CONFIG': self.krb5_config,
        }
