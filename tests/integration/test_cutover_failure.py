# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A phase made to fail (the front end refusing the disable's Set-Service) leaves a report naming the phase, its error
and what to do next, no lease held in the directory, and a failed play; the next run finishes the job."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
from urllib.parse import urlsplit

import ldap3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from lab_checks import check  # noqa: E402 pylint: disable=wrong-import-position

LAB_DIR = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(ROOT, '.lab'))
UNIT, LEGACY, TARGET, SIP = 'contoso_group_chat', 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com'


def lab(*args):
    subprocess.run([sys.executable, '-m', 'lab'] + list(args), cwd=ROOT, env=dict(os.environ, LAB_DIR=LAB_DIR),
                   check=True, capture_output=True)


def cutover():
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), PCHAT_LAB_HOME=LAB_DIR, ANSIBLE_NOCOLOR='1')
    return subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), 'playbooks/cutover.yml', '--limit',
                           UNIT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


def lease_values():
    with open(os.path.join(LAB_DIR, 'connection.json')) as handle:
        settings = json.load(handle)
    url = urlsplit(settings['PCHAT_LDAP_URL'])
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings['PCHAT_LDAP_CA_FILE'])
    conn = ldap3.Connection(ldap3.Server(url.hostname, port=url.port, use_ssl=True, tls=tls),
                            settings['PCHAT_LDAP_BIND_DN'], settings['PCHAT_LDAP_BIND_PASSWORD'], auto_bind=True)
    conn.search('CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com', '(adminDescription=*)',
                attributes=['adminDescription'])
    values = [entry.entry_dn for entry in conn.entries]
    conn.unbind()
    return values


def test_a_failed_phase_is_reported_the_lease_released_and_a_rerun_finishes():
    lab('reset')
    for folder in ('state', 'reports'):
        shutil.rmtree(os.path.join(LAB_DIR, folder), ignore_errors=True)
    lab('knobs', 'set', 'faults=' + json.dumps([{'cmdlet': 'Set-Service', 'kind': 'terminating', 'times': 1,
                                                 'message': 'Access is denied.'}]))
    failed = cutover()
    assert failed.returncode != 0 and 'disable failed' in failed.stdout, failed.stdout[-3000:]
    report = glob.glob(os.path.join(LAB_DIR, 'reports', UNIT + '-*-run.md'))
    assert len(report) == 1
    with open(report[0]) as handle:
        text = handle.read()
    assert '**FAILED in phase disable**' in text and 'Access is denied.' in text
    assert 'Changed before the failure: nothing.' in text and 'run the cutover again' in text
    # the failed phase has its row in the Phases table, with its error
    assert re.search(r'\| 2 \| disable \| [0-9.]+ s \| FAILED \| [^|\n]*Access is denied', text), text
    assert lease_values() == []  # released in `always`: the next run starts without waiting for an expiry
    finished = cutover()
    assert finished.returncode == 0, finished.stdout[-3000:]
    assert 'stale' not in finished.stdout and 'took over' not in finished.stdout
    problems, rooms, _messages = check(LAB_DIR, LEGACY, TARGET, SIP, os.path.join(LAB_DIR, 'state'))
    assert problems == [] and rooms > 0
    lab('reset')
