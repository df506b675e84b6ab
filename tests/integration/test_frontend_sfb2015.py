# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole cutover of the lab's two units, its idempotent re-run and the rollback, with the front end presenting
itself as Skype for Business Server 2015 (`make lab LAB_FRONTEND=sfb2015`: the Management Shell's module is
SkypeForBusiness, and there is no module Lync). The same lab is switched and reset, then switched back (cheaper than a
second lab: no second Samba provision); each unit is checked with the lab's own view (tests/lab_checks.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from lab_checks import check  # noqa: E402 pylint: disable=wrong-import-position

LAB_DIR = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(ROOT, '.lab'))
UNITS = [('gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com'),
         ('gc2.contoso.com', 'pcpool2.contoso.com', 'sip:OCSChat2@contoso.com')]


def lab(*args, frontend=None):
    env = dict(os.environ, LAB_DIR=LAB_DIR)
    if frontend:
        env['LAB_FRONTEND'] = frontend
    proc = subprocess.run([sys.executable, '-m', 'lab'] + list(args), cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def playbook(name, state_dir):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), PCHAT_LAB_HOME=LAB_DIR,
               ANSIBLE_NOCOLOR='1')
    return subprocess.run([os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook'), 'playbooks/%s.yml' % name,
                           '-e', json.dumps({'pchat_state_dir': state_dir,
                                             'pchat_report_dir': os.path.join(state_dir, 'reports')})],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)


def recap(output):
    """{host: {ok, changed, failed, ...}} from the play recap."""
    found = {}
    for line in output.split('PLAY RECAP')[-1].splitlines():
        if ':' in line and 'ok=' in line:
            host, _sep, counts = line.partition(':')
            found[host.strip()] = dict((k, int(v)) for k, v in (item.split('=') for item in counts.split()))
    return found


@pytest.fixture
def skype_for_business_lab():
    assert 'Skype for Business Server 2015 (LAB_FRONTEND=sfb2015)' in lab('up', frontend='sfb2015')
    lab('reset')
    yield
    lab('up', frontend='lync2013')
    lab('reset')


def test_cutover_rerun_and_rollback_on_skype_for_business_server_2015(skype_for_business_lab, tmp_path):
    state_dir = str(tmp_path / 'state')
    offset = os.path.getsize(os.path.join(LAB_DIR, 'psrp-requests.jsonl'))
    first = playbook('cutover', state_dir)
    assert first.returncode == 0, first.stdout[-4000:]
    for legacy, target, sip in UNITS:
        problems, rooms, _messages = check(LAB_DIR, legacy, target, sip, state_dir)
        assert problems == [] and rooms > 0, problems
    with open(os.path.join(LAB_DIR, 'psrp-requests.jsonl')) as handle:
        handle.seek(offset)
        imports = [json.loads(line) for line in handle if '"Import-Module"' in line]
    assert imports and all(line['parameters'] == [['Name', 'PassThru']] for line in imports)
    assert first.stdout.count('"msg": "PASSED: the SIP URI') == 2  # the verdict, once per unit (no step pending)

    again = playbook('cutover', state_dir)
    assert again.returncode == 0, again.stdout[-4000:]
    assert all(counts['changed'] == 0 for counts in recap(again.stdout).values()), recap(again.stdout)

    back = playbook('rollback', state_dir)
    assert back.returncode == 0, back.stdout[-4000:]
    pools = dict((p['fqdn'], p) for p in json.loads(lab('inspect'))['pools'])
    for legacy, _target, sip in UNITS:
        assert pools[legacy]['state'] == 'started'
        assert [e for e in json.loads(lab('inspect'))['endpoints'] if e['sip_address'].lower() == sip.lower()] == []
