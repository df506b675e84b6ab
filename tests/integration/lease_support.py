# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the unit lease tests: an independent view of the lab's directory (plain ldap3, not the collection's
client), stand-in controllers with their own host names, a tiny playbook, and bounded waits."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import select
import shutil
import signal
import ssl
import subprocess
import sys
import textwrap
import time
import uuid
from urllib.parse import urlsplit

import ldap3
import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import local_process
from ansible_collections.pchat.cutover.plugins.module_utils.lease import LEASE_ATTRIBUTE, parse_generalized_time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTROLLER = os.path.join(HERE, 'lease_controller.py')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
PROGRAM_DATA = 'CN=Program Data,DC=contoso,DC=com'


def wait_until(predicate, timeout, step=0.1):
    """The first true value of ``predicate()`` within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(step)


class LabDirectory(object):
    """The lab's directory seen through our own ldap3 connection."""

    def __init__(self, lab):
        url = urlsplit(lab['PCHAT_LDAP_URL'])
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab['PCHAT_LDAP_CA_FILE'])
        server = ldap3.Server(url.hostname, port=url.port or 636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
        self.conn = ldap3.Connection(server, lab['PCHAT_LDAP_BIND_DN'], lab['PCHAT_LDAP_BIND_PASSWORD'], auto_bind=True,
                                     raise_exceptions=False)
        self.password = lab['PCHAT_LDAP_BIND_PASSWORD']
        self.env = dict((k, v) for k, v in lab.items() if k.startswith('PCHAT_'))

    def entry(self, dn, attributes=('*',)):
        if not self.conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=list(attributes)):
            return None
        return self.conn.response[0]

    def value(self, dn):
        """The lease value of ``dn`` (a str), or None."""
        entry = self.entry(dn, (LEASE_ATTRIBUTE,))
        values = (entry or {}).get('attributes', {}).get(LEASE_ATTRIBUTE) or []
        return values[0] if values else None

    def lease(self, dn):
        value = self.value(dn)
        return json.loads(value) if value else None

    def set_value(self, dn, value):
        """Write a lease value directly (as an older run would have left it)."""
        if self.entry(dn, ('1.1',)) is None:
            assert self.conn.add(dn, ['top', 'container'], {LEASE_ATTRIBUTE: value}), self.conn.result
        else:
            assert self.conn.modify(dn, {LEASE_ATTRIBUTE: [(ldap3.MODIFY_REPLACE, [value])]}), self.conn.result

    def now(self):
        self.conn.search('', '(objectClass=*)', search_scope=ldap3.BASE, attributes=['currentTime'])
        return parse_generalized_time(self.conn.response[0]['attributes']['currentTime'][0])

    def children(self, base):
        self.conn.search(base, '(objectClass=*)', search_scope=ldap3.LEVEL, attributes=['1.1'])
        return [r['dn'] for r in self.conn.response if r.get('type') == 'searchResEntry']

    def delete_tree(self, dn):
        for child in self.children(dn):
            self.delete_tree(child)
        self.conn.delete(dn)


def new_container():
    return 'CN=pytest-lease-%s,%s' % (uuid.uuid4().hex[:10], PROGRAM_DATA)


class Controller(object):
    """A stand-in controller (lease_controller.py) in its own UTS namespace, with its own host name."""

    def __init__(self, host, env):
        if os.geteuid() != 0 or not shutil.which('unshare'):
            pytest.skip('giving each controller its own host name needs root and unshare(1)')
        self.proc = subprocess.Popen(['unshare', '--uts', '--', sys.executable, CONTROLLER, host],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        ready = self._receive(30)
        assert ready and ready['host'] == host, ready
        self.host = host
        self.pid = self.proc.pid  # unshare execs the controller: this pid is the holder of its leases
        assert ready['pid'] == self.pid

    def send(self, args, module='unit_lock', at=None):
        self.proc.stdin.write(json.dumps({'module': module, 'args': args, 'at': at}) + '\n')
        self.proc.stdin.flush()

    def _receive(self, timeout):
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def receive(self, timeout=120):
        answer = self._receive(timeout)
        assert answer is not None, 'controller %s gave no answer within %d s' % (self.host, timeout)
        return answer

    def run(self, args, timeout=120):
        self.send(args)
        return self.receive(timeout)

    def close(self):
        try:
            self.proc.stdin.write(json.dumps({'exit': True}) + '\n')
            self.proc.stdin.flush()
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(10)


PLAYBOOK = textwrap.dedent('''\
    - hosts: localhost
      gather_facts: false
      vars:
        ansible_python_interpreter: "{{ ansible_playbook_python }}"
      tasks:
        - name: Lock the unit
          pchat.cutover.unit_lock:
            name: "{{ unit }}"
            container: "{{ container }}"
            lease_seconds: "{{ lease_seconds | int }}"
            ldap_bind_password: "{{ lab_bind_password | default(omit) }}"
          register: taken
        - name: Show what the lease holds
          ansible.builtin.debug:
            var: taken
        - name: Work until the test says stop
          ansible.builtin.wait_for:
            path: "{{ go_on }}"
            timeout: 120
        - name: Release the unit
          pchat.cutover.unit_lock:
            name: "{{ unit }}"
            container: "{{ container }}"
            state: released
            lease: "{{ taken.lease }}"
            ldap_bind_password: "{{ lab_bind_password | default(omit) }}"
    ''')


class Playbook(object):
    """The tiny playbook above, started in its own session (so it can be killed with all its processes, as a
    crashed controller is); the lease's holder is its ansible-playbook process."""

    def __init__(self, tmp_path, env, unit, container, lease_seconds, extra=()):
        self.go_on = tmp_path / 'go-on'
        playbook = tmp_path / 'lock.yml'
        playbook.write_text(PLAYBOOK)
        home = tmp_path / 'home'
        home.mkdir(exist_ok=True)
        (home / 'tmp').mkdir(exist_ok=True)
        run_env = dict(os.environ, HOME=str(home), TMPDIR=str(home / 'tmp'), ANSIBLE_LOCAL_TEMP=str(home / 'tmp'),
                       ANSIBLE_REMOTE_TEMP=str(home / 'tmp'),
                       ANSIBLE_STDOUT_CALLBACK='default', ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_NOCOLOR='1',
                       ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        for name, value in env.items():  # None: keep the variable out of the playbook's environment
            if value is None:
                run_env.pop(name, None)
            else:
                run_env[name] = value
        self.out = open(str(tmp_path / 'playbook.out'), 'w+')
        variables = {'unit': unit, 'container': container, 'lease_seconds': lease_seconds, 'go_on': str(self.go_on)}
        command = [ANSIBLE_PLAYBOOK, '-i', 'localhost,', '-c', 'local', '-vvv', str(playbook),
                   '-e', json.dumps(variables)] + list(extra)
        self.proc = subprocess.Popen(command, stdout=self.out, stderr=subprocess.STDOUT, env=run_env, cwd=str(tmp_path),
                                     start_new_session=True)

    def output(self):
        if not self.out.closed:
            self.out.flush()
        with open(self.out.name) as handle:
            return handle.read()

    def at_work(self, timeout=60):
        """Wait until the lock task is over (its module returned) and the run is at work."""
        return wait_until(lambda: 'TASK [Work until the test says stop]' in self.output(), timeout, 0.1)

    def finish(self, timeout=60):
        self.go_on.write_text('go')
        self.proc.wait(timeout)
        return self.proc.returncode

    def kill(self):
        """SIGKILL ansible-playbook and everything in its session (workers, module processes)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        self.out.close()


def process_gone(pid):
    return not local_process.running(pid)


def warnings_of(result):
    """The warnings of a module result as text (ansible-core 2.19 returns them as structured summaries)."""
    texts = []
    for warning in result.get('warnings') or []:
        if isinstance(warning, dict):
            warning = (warning.get('event') or {}).get('msg') or json.dumps(warning)
        texts.append(warning)
    return texts
