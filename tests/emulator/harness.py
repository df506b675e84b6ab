# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A private emulator for tests and the transport benchmark: the lab (``LAB_DIR``, ``LAB_IP``; defaults ``.lab`` and
the lab's own default address) is brought up or reused for its CA, its emulator certificate and the Lync
administrator's account; then the **real emulator process** is started with the test shell (testshell.py) on a free
port, in a folder of its own, so its request log and knobs are the caller's alone and the lab's own emulator is never
touched. The client is always the real pypsrp over HTTPS with NTLM, validating the certificate against the lab CA."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import socket
import subprocess
import sys

from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from lab.emulator import auth, process, requestlog
from lab.emulator.knobs import Knobs
from lab.emulator.settings import EmulatorSettings

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_SHELL = 'tests.emulator.testshell:TestShell'
# The request log's two kinds of line (docs/lab-emulator.md, DESIGN.md): exactly these fields.
PIPELINE_FIELDS = {'ts', 'runspace', 'user', 'path', 'cmdlets', 'parameters'}
EVENT_FIELDS = {'ts', 'runspace', 'user', 'path', 'event'}


def _free_port(ip):
    with socket.socket() as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


class Emulator(object):
    """A running emulator process and how to reach it."""

    def __init__(self, root, ip, port, username, password, ca_file, allow_basic=False, idle_timeout_s=None):
        self.root = root
        self.ip = ip
        self.port = port
        self.username = username
        self.password = password
        self.ca_file = ca_file
        self.settings = EmulatorSettings(root, environ={
            'LAB_IP': ip, 'LAB_PSRP_PORT': str(port), 'LAB_PSRP_ALLOW_BASIC': '1' if allow_basic else '0',
            'LAB_PSRP_IDLE_TIMEOUT_S': str(idle_timeout_s or '')})
        self.knobs = Knobs(root)
        self.pid = None

    def start(self):
        self.pid, _reused = process.start(self.settings, self.username, self.password, self.ca_file, TEST_SHELL)
        return self

    def stop(self):
        process.stop(self.settings)

    def wsman(self, path='wsman', **overrides):
        options = dict(port=self.port, path=path, ssl=True, auth='negotiate', username=self.username,
                       password=self.password, cert_validation=self.ca_file, no_proxy=True, operation_timeout=5,
                       read_timeout=10, connection_timeout=5)
        options.update(overrides)
        return WSMan(self.ip, **options)

    def pool(self, path='wsman', **overrides):
        return RunspacePool(self.wsman(path, **overrides))

    def log_lines(self):
        return requestlog.read(self.settings.request_log)

    def url(self, path='/wsman'):
        return 'https://%s:%d%s' % (self.ip, self.port, path)


def run(pool, name, *arguments, **parameters):
    """One command through ``pool``, parameters in the order given (a value of None is a bare switch), then the
    positional arguments; returns (the PowerShell object, its output)."""
    ps = PowerShell(pool)
    ps.add_cmdlet(name)
    for key, value in parameters.items():
        ps.add_parameter(key, value)
    for value in arguments:
        ps.add_argument(value)
    return ps, ps.invoke()


def lab_connection():
    """The lab's connection variables (``python -m lab up``: brought up, or reused if healthy)."""
    lab_dir = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(REPO_ROOT, '.lab'))
    env = dict(os.environ, LAB_DIR=lab_dir)
    proc = subprocess.run([sys.executable, '-m', 'lab', 'up'], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError('lab up failed:\n%s%s' % (proc.stdout, proc.stderr))
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        values = json.load(handle)
    values['LAB_DIR'] = lab_dir
    return values


def lab_emulator(lab_connection):
    """The lab's own emulator (the process `python -m lab up` started, with the real shell) as an Emulator to reach:
    its request log, knobs and files are the lab's. Never call ``start``/``stop`` on it."""
    return Emulator(lab_connection['LAB_DIR'], lab_connection['PCHAT_PSRP_HOST'],
                    int(lab_connection['PCHAT_PSRP_PORT']), lab_connection['PCHAT_PSRP_USERNAME'],
                    lab_connection['PCHAT_PSRP_PASSWORD'], lab_connection['PCHAT_PSRP_CA_FILE'])


def _lay_out(root, lab_connection):
    """``root`` laid out like a lab's folder, for one private emulator: the lab's CA and emulator certificate, and
    an NTLM_USER_FILE for the lab's Lync administrator."""
    tls = EmulatorSettings(lab_connection['LAB_DIR']).tls
    os.makedirs(os.path.join(root, 'tls'), mode=0o700)
    for key in ('ca', 'emulator_cert', 'emulator_key'):
        shutil.copy2(tls[key], os.path.join(root, 'tls', os.path.basename(tls[key])))
    sam = lab_connection['PCHAT_PSRP_USERNAME'].split('\\', 1)[1]
    auth.write_user_file(EmulatorSettings(root).user_file, sam, lab_connection['PCHAT_PSRP_PASSWORD'])
    return root


def make_emulator(root, lab_connection, allow_basic=False, idle_timeout_s=None):
    """An Emulator (not started yet) in the empty folder ``root``."""
    ip = lab_connection['PCHAT_PSRP_HOST']
    return Emulator(_lay_out(root, lab_connection), ip, _free_port(ip),
                    lab_connection['PCHAT_PSRP_USERNAME'], lab_connection['PCHAT_PSRP_PASSWORD'],
                    lab_connection['PCHAT_PSRP_CA_FILE'], allow_basic=allow_basic, idle_timeout_s=idle_timeout_s)
