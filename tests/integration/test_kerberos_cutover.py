# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole cutover and its rollback with Kerberos for both LDAP and PowerShell remoting, the emulator refusing
NTLM (LAB_PSRP_AUTH=kerberos), and no password in the run's variables or environment (issue 13, item 4).

The lab's emulator is restarted in Kerberos-only mode for this module and back in its default mode afterwards."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys

import pytest
from pypsrp.exceptions import AuthenticationError
from pypsrp.powershell import RunspacePool
from pypsrp.wsman import WSMan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from lab_checks import check  # noqa: E402 pylint: disable=wrong-import-position

LAB_DIR = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(ROOT, '.lab'))
UNIT = ('contoso_group_chat', 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com')


def lab(command, **env):
    proc = subprocess.run([sys.executable, '-m', 'lab', command], cwd=ROOT, env=dict(os.environ, LAB_DIR=LAB_DIR, **env),
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def load(name):
    with open(os.path.join(LAB_DIR, name)) as handle:
        return json.load(handle)


@pytest.fixture(scope='module')
def kerberos_lab():
    lab('up', LAB_PSRP_AUTH='kerberos')
    lab('reset')
    shutil.rmtree(os.path.join(LAB_DIR, 'state'), ignore_errors=True)
    try:
        yield load('connection-kerberos.json')
    finally:
        lab('reset')
        shutil.rmtree(os.path.join(LAB_DIR, 'state'), ignore_errors=True)
        lab('up')  # back to Negotiate with NTLM, as the other suites expect


def playbook(settings, name, *args):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('PCHAT_', 'KRB5')))
    env.update(dict((k, v) for k, v in settings.items() if k.startswith('KRB5')))
    env.update(ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), PCHAT_LAB_HOME=LAB_DIR, ANSIBLE_NOCOLOR='1',
               PCHAT_LAB_CONNECTION='connection-kerberos.json')
    return subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), 'playbooks/%s.yml' % name,
                           '--limit', UNIT[0]] + list(args), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def test_the_emulator_refuses_ntlm(kerberos_lab):
    ntlm = load('connection.json')
    wsman = WSMan(ntlm['PCHAT_PSRP_HOST'], port=int(ntlm['PCHAT_PSRP_PORT']), username=ntlm['PCHAT_PSRP_USERNAME'],
                  password=ntlm['PCHAT_PSRP_PASSWORD'], auth='ntlm', cert_validation=ntlm['PCHAT_PSRP_CA_FILE'])
    with pytest.raises(AuthenticationError):
        with RunspacePool(wsman):
            pass
    assert kerberos_lab['PCHAT_LDAP_BIND_METHOD'] == 'kerberos' and kerberos_lab['PCHAT_PSRP_AUTH'] == 'kerberos'
    assert not kerberos_lab['PCHAT_LDAP_BIND_PASSWORD'] and not kerberos_lab['PCHAT_PSRP_PASSWORD']


def test_the_whole_cutover_and_rollback_run_with_kerberos_only(kerberos_lab):
    passwords = [value for key, value in load('connection.json').items() if 'PASSWORD' in key]
    run = playbook(kerberos_lab, 'cutover', '-v')
    assert run.returncode == 0, run.stdout[-4000:]
    problems, rooms, messages = check(LAB_DIR, UNIT[1], UNIT[2], UNIT[3], os.path.join(LAB_DIR, 'state'))
    assert problems == [] and rooms > 0 and messages > 0, problems
    again = playbook(kerberos_lab, 'cutover')
    assert again.returncode == 0 and 'changed=0' in again.stdout, again.stdout[-3000:]
    rollback = playbook(kerberos_lab, 'rollback')
    assert rollback.returncode == 0, rollback.stdout[-3000:]
    assert 'reanimated' in rollback.stdout
    for output in (run.stdout, again.stdout, rollback.stdout):
        assert not any(password in output for password in passwords)
