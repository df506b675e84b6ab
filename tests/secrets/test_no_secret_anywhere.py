# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret anywhere (issue 13, item 1): the lab's two passwords (the directory bind and PowerShell remoting) go
through every route a user gives them by, and are found nowhere a run writes or shows.

Routes: ``-e`` on the command line, a plain inventory variable, an Ansible Vault-encrypted inventory file (with a
vault password file), the ``PCHAT_*`` environment. The fifth, the environment an AWX credential injects into an
ansible-runner job (``env/envvars``), is tests/runner/test_awx_workflow.py, which searches every job event, stdout and
artifact of those jobs in the same way.

The cutover and the rollback each run in check mode and for real, four runs of the installed collection on one unit
of the running lab, each password by a different route in each run, so that across the four each password takes
each route once and each route carries both a check and a real run:

    run                  bind password   psrp password
    cutover --check      -e              vault
    cutover              inventory       environment
    rollback --check     vault           -e
    rollback             environment     inventory

Each run is at -vvvv (the default callback shows at a higher verbosity everything it shows at a lower one) with
``--diff`` and task arguments displayed. Searched, in UTF-8, UTF-16LE and Base64 (tests/secret_scan.py): each run's
output; every file under the runs' state and report folders and under the lab's folder (Samba's and the emulator's
logs and databases, the request log, the front end's disk) except the lab's own secret files (connection.*,
lab-state.json, emulator/ntlm-users, keytabs); and every value the unit leases held in AD during the runs
(adminDescription, read while each run holds its lease).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import os
import re
import subprocess
import sys
import threading
import time

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from module_runner import run_module  # noqa: E402 pylint: disable=wrong-import-position
from runner_job import VENV_BIN, clean_environment  # noqa: E402 pylint: disable=wrong-import-position
from secret_scan import SecretScan, needles  # noqa: E402 pylint: disable=wrong-import-position

UNIT = 'contoso_group_chat'
RUN_TIMEOUT = 300
VARIABLE = {'PCHAT_LDAP_BIND_PASSWORD': 'pchat_ldap_bind_password', 'PCHAT_PSRP_PASSWORD': 'pchat_psrp_password'}
EXTRA_VARS, INVENTORY, VAULT, ENVIRONMENT = '-e', 'inventory', 'vault', 'environment'
RUNS = (
    ('cutover', True, {'PCHAT_LDAP_BIND_PASSWORD': EXTRA_VARS, 'PCHAT_PSRP_PASSWORD': VAULT}),
    ('cutover', False, {'PCHAT_LDAP_BIND_PASSWORD': INVENTORY, 'PCHAT_PSRP_PASSWORD': ENVIRONMENT}),
    ('rollback', True, {'PCHAT_LDAP_BIND_PASSWORD': VAULT, 'PCHAT_PSRP_PASSWORD': EXTRA_VARS}),
    ('rollback', False, {'PCHAT_LDAP_BIND_PASSWORD': ENVIRONMENT, 'PCHAT_PSRP_PASSWORD': INVENTORY}),
)
# ansible-core's default callback at -vvvv: one line per command-line option (plugins/callback/default.py)
CLI_ECHO = re.compile(r'^extra_vars: .*$', re.MULTILINE)
LAB_LOGS = ('samba.stdout.log', os.path.join('emulator', 'emulator.log'), 'psrp-requests.jsonl')


class LeaseWatcher(object):
    """Reads every unit lease's value from AD, a few times a second, while a run holds its lease."""

    def __init__(self, running_lab, interval=0.2):
        self.lab = running_lab
        self.interval = interval
        self.values = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self.error = None

    def _watch(self):
        conn = self.lab.ldap()
        try:
            while not self._stop.is_set():
                self.values.update(self.lab.lease_values(conn).values())
                self._stop.wait(self.interval)
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc
        finally:
            conn.unbind()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)
        assert not self._thread.is_alive(), 'the lease watcher did not stop'


class Routes(object):
    """One run's inputs: an inventory of the unit with the non-secret connection as variables, and each password
    by its route. Written under ``folder``, which is never searched (an inventory route holds the password)."""

    def __init__(self, folder, running_lab, routes, state_dir, report_dir):
        self.folder = folder
        self.env = {}
        self.args = []
        hosts, group_vars = running_lab.unit_hosts()
        group_vars = dict(group_vars, pchat_state_dir=state_dir, pchat_report_dir=report_dir)
        group_vars.update((name.lower(), value) for name, value in running_lab.settings(with_passwords=False).items())
        vaulted = {}
        for setting, route in routes.items():
            password, variable = running_lab.passwords[setting], VARIABLE[setting]
            if route == EXTRA_VARS:
                self.args += ['-e', '%s=%s' % (variable, password)]
            elif route == INVENTORY:
                group_vars[variable] = password
            elif route == VAULT:
                vaulted['vault_' + variable] = password
                group_vars[variable] = '{{ vault_%s }}' % variable
            else:
                self.env[setting] = password
        inventory = os.path.join(folder, 'inventory')
        self._write(os.path.join(inventory, 'hosts.yml'), {'all': {'children': {'pchat_cutover_units': {
            'hosts': {UNIT: hosts[UNIT]}, 'vars': group_vars}}}})
        if vaulted:
            self._vault(os.path.join(inventory, 'group_vars', 'pchat_cutover_units', 'vault.yml'), vaulted)
        self.args = ['-i', inventory] + self.args

    @staticmethod
    def _write(path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            yaml.safe_dump(data, handle, default_flow_style=False)

    def _vault(self, path, data):
        """``data`` in an inventory file encrypted with ansible-vault; the run gets the vault password file."""
        password_file = os.path.join(self.folder, 'vault-password')
        with open(password_file, 'w') as handle:
            handle.write('vault-%s\n' % os.urandom(8).hex())
        self._write(path, data)
        proc = subprocess.run([os.path.join(VENV_BIN, 'ansible-vault'), 'encrypt', '--vault-password-file',
                               password_file, path], env=clean_environment(), capture_output=True, text=True,
                              timeout=60, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        with open(path, 'rb') as handle:
            encrypted = handle.read()
        assert encrypted.startswith(b'$ANSIBLE_VAULT;') and SecretScan(data).data(path, encrypted) == []
        self.args += ['--vault-password-file', password_file]


class Session(object):
    """The four runs and what they left."""

    def __init__(self, running_lab, collections, root):
        self.lab = running_lab
        self.collections = collections
        self.root = root
        self.state_dir = os.path.join(root, 'state')
        self.report_dir = os.path.join(root, 'reports')
        self.outputs = {}  # run -> its stdout and stderr
        self.lease_values = {}  # run -> the lease values seen while it ran
        self.seconds = {}

    def run(self, number, playbook, check, routes):
        name = '%d %s%s (%s)' % (number, playbook, ' --check' if check else '',
                                 ', '.join('%s by %s' % (VARIABLE[s], r) for s, r in sorted(routes.items())))
        inputs = Routes(os.path.join(self.root, 'run-%d' % number), self.lab, routes, self.state_dir, self.report_dir)
        command = [os.path.join(VENV_BIN, 'ansible-playbook'), 'pchat.cutover.%s' % playbook, '-vvvv', '--diff'] \
            + (['--check'] if check else []) + inputs.args
        env = clean_environment(ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_NOCOLOR='1',
                                ANSIBLE_DISPLAY_ARGS_TO_STDOUT='1', **inputs.env)
        started = time.time()
        with LeaseWatcher(self.lab) as watcher:
            proc = subprocess.run(command, cwd=inputs.folder, env=env, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT, check=False)
        self.seconds[name] = round(time.time() - started, 1)
        self.outputs[name] = proc.stdout + proc.stderr
        self.lease_values[name] = watcher.values
        assert watcher.error is None, watcher.error
        assert proc.returncode == 0, '%s failed:\n%s' % (name, self.outputs[name][-4000:])


@pytest.fixture(scope='module')
def session(running_lab, installed_collection, tmp_path_factory):
    running_lab.reset()
    runs = Session(running_lab, installed_collection, str(tmp_path_factory.mktemp('secrets')))
    for number, (playbook, check, routes) in enumerate(RUNS, 1):
        runs.run(number, playbook, check, routes)
    print('run seconds: %s' % runs.seconds)
    yield runs
    running_lab.reset()


def test_the_runs_got_each_password_by_each_route_and_did_their_work(session):
    """The search below proves something only if the passwords reached the modules (a run fails without them), at
    -vvvv, and the runs wrote what is searched."""
    routes = set((setting, route) for _playbook, _check, run_routes in RUNS for setting, route in run_routes.items())
    assert routes == set((setting, route) for setting in VARIABLE
                         for route in (EXTRA_VARS, INVENTORY, VAULT, ENVIRONMENT))
    for name, output in session.outputs.items():
        assert 'ESTABLISH LOCAL CONNECTION' in output, name  # -vvv and more
        for variable in VARIABLE.values():  # each module got both passwords (by option or environment) and masked them
            assert '"%s": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' % variable.replace('pchat_', '') in output, name
        assert session.lease_values[name], '%s: no lease value was seen while it ran' % name
    assert os.listdir(os.path.join(session.state_dir, 'gc.contoso.com', 'backups'))
    assert os.path.isfile(os.path.join(session.state_dir, 'gc.contoso.com', 'migration.json'))
    assert any(name.endswith('-check.html') for name in os.listdir(session.report_dir))
    assert any(name.endswith('-run.html') for name in os.listdir(session.report_dir))


def test_no_password_in_any_output_at_vvvv(session, running_lab):
    """Except where ansible-playbook echoes its own command line: at -vvvv its default callback prints every
    command-line option, so ``-e name=value`` shows the value in the ``extra_vars:`` line (as ``ps`` shows it while
    the run lasts). That is ansible-core's, before any of the collection's code runs, and the reason the docs say to
    give passwords by vault, environment, credential or ``-e @file``, never ``-e name=value``. The test pins that this
    one line is the only place, and that it is there only when ``-e`` carried a password."""
    scan = SecretScan(running_lab.passwords)
    findings = []
    for (name, output), (_playbook, _check, routes) in zip(session.outputs.items(), RUNS):
        echoes = CLI_ECHO.findall(output)
        given_with_e = [setting for setting, route in routes.items() if route == EXTRA_VARS]
        leaking_echoes = [line for line in echoes if scan.text('echo', line)]
        assert len(leaking_echoes) == (1 if given_with_e else 0), (name, len(leaking_echoes))
        findings += scan.text('the output of run %s' % name, CLI_ECHO.sub('extra_vars: (echoed)', output))
    assert findings == [], '\n'.join(findings)


def test_no_password_in_any_file_of_the_state_report_or_lab_folders(session, running_lab):
    scan = SecretScan(running_lab.passwords)
    findings = scan.files(session.state_dir) + scan.files(session.report_dir)
    state_and_reports = scan.files_scanned
    findings += scan.files(running_lab.lab_dir, skip=running_lab.own_secret_file)
    assert state_and_reports >= 6 and scan.files_scanned > 40, (state_and_reports, scan.files_scanned)
    for log in LAB_LOGS:
        assert os.path.isfile(os.path.join(running_lab.lab_dir, log)), log
    assert findings == [], '\n'.join(findings)


def test_no_password_in_a_unit_lease_in_ad(session, running_lab):
    scan = SecretScan(running_lab.passwords)
    findings = []
    for name, values in session.lease_values.items():
        for value in values:
            findings += scan.text('a lease value during run %s' % name, value)
    assert findings == [], '\n'.join(findings)


def test_the_search_finds_a_planted_leak(tmp_path, running_lab):
    """The detector itself: a playbook that prints a password and writes it into a file, run like the others, is
    caught in its output and in that file, as are the password's UTF-16LE and Base64 forms inside other bytes."""
    password = running_lab.passwords['PCHAT_LDAP_BIND_PASSWORD']
    playbook = tmp_path / 'leak.yml'
    playbook.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                        '    - ansible.builtin.debug: {msg: "{{ lookup(\'ansible.builtin.env\', \'PCHAT_LDAP_BIND_PASSWORD\') }}"}\n'
                        '    - ansible.builtin.copy: {content: "x{{ lookup(\'ansible.builtin.env\', \'PCHAT_LDAP_BIND_PASSWORD\') }}y",'
                        ' dest: "%s/out/leak.txt", mode: "0600"}\n' % tmp_path)
    (tmp_path / 'out').mkdir()
    proc = subprocess.run([os.path.join(VENV_BIN, 'ansible-playbook'), str(playbook), '-vvvv'], cwd=str(tmp_path),
                          env=clean_environment(PCHAT_LDAP_BIND_PASSWORD=password, ANSIBLE_NOCOLOR='1'),
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scan = SecretScan(running_lab.passwords)
    assert scan.text('output', proc.stdout) and scan.files(str(tmp_path / 'out'))
    for form, needle in needles(password):
        assert any('(%s)' % form in finding for finding in scan.data('planted', b'\x00before' + needle + b'after')), form
    for prefix in (b'', b'a', b'ab'):  # Base64 of the password inside a longer value, at each alignment
        assert scan.data('basic header', base64.b64encode(prefix + password.encode() + b':rest'))


# -- the transport protects the password ---------------------------------------------------------------------
def test_certificate_validation_is_on_by_default_for_ldap_and_powershell_remoting(running_lab):
    without_ca = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com']},
                            env=dict(running_lab.settings(), PCHAT_LDAP_CA_FILE=''))
    assert without_ca.failed and 'certificate did not validate' in without_ca['msg']
    opted_out = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'ldap_validate_certs': False},
                           env=dict(running_lab.settings(), PCHAT_LDAP_CA_FILE=''))
    assert not opted_out.failed, opted_out  # only an explicit opt-out turns it off
    psrp = run_module('legacy_endpoint_info', {'sip_address': 'sip:OCSChat@contoso.com'},
                      env=dict(running_lab.settings(), PCHAT_PSRP_CA_FILE=''))
    assert psrp.failed and 'the certificate did not validate' in psrp['msg']


def test_a_simple_bind_over_plain_ldap_is_refused_unless_allowed(running_lab):
    env = dict(running_lab.settings(), PCHAT_LDAP_URL='ldap://%s:389' % running_lab.ldap_url.hostname)
    refused = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com']}, env=env)
    assert refused.failed and 'refusing a simple bind' in refused['msg']
    with_tls = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'ldap_start_tls': True},
                          env=env)
    assert not with_tls.failed, with_tls
    # allowed explicitly, the lab's DC still refuses it (it requires strong auth): the password never crossed in clear
    allowed = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'ldap_allow_plain_bind': True},
                         env=env)
    assert allowed.failed and 'requires a protected connection' in allowed['msg']
