# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs as AWX runs them: ``ansible-runner run`` on a private data directory of its own per job, with

* ``inventory/hosts.yml``: the cutover units (inventory hosts and their variables), no connection settings;
* ``env/envvars``: the ``PCHAT_*`` variables, as the custom credential type of docs/awx-credential-type.yml injects
  them (tests/awx_credential.py), its CA files beside;
* ``env/extravars``: the job template's extra variables, plus what an earlier workflow node handed out
  (``set_stats`` artifacts);
* ``env/cmdline``: ``--check --diff`` for a preview job, and the verbosity;
* ``project/<name>.yml``: a playbook that imports ``pchat.cutover.<name>`` from the installed collection.

The collection is the built tarball installed into a collections folder of its own (as in an execution
environment); ansible-runner and ansible-playbook come from this checkout's virtualenv; nothing of the test's
environment (``PCHAT_*``, ``ANSIBLE_*``) reaches the job.

A finished job is read back from the artifacts folder: ``job_events/*.json``, ``stdout``, ``rc``, ``status``; the
``set_stats`` data is the ``artifact_data`` of the ``playbook_on_stats`` event, where AWX takes a job's artifacts.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import subprocess

import pytest
import yaml

from awx_credential import inject

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, '.venv', 'bin')
JOB_TIMEOUT = 300  # seconds; ansible-runner stops a job that runs longer (env/settings job_timeout)
SCRUBBED_PREFIXES = ('PCHAT_', 'ANSIBLE_', 'LAB_')


def install_collection(workdir):
    """Build the collection tarball from this checkout and install it as an execution environment has it; the
    collections folder to put on ANSIBLE_COLLECTIONS_PATH."""
    build_dir = os.path.join(workdir, 'build')
    collections = os.path.join(workdir, 'collections')
    os.makedirs(workdir, exist_ok=True)
    env = clean_environment()
    _checked([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'build', '--force', '--output-path', build_dir,
              ROOT], env, workdir)
    tarball = glob.glob(os.path.join(build_dir, 'pchat-cutover-*.tar.gz'))
    assert len(tarball) == 1, tarball
    _checked([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'install', '--force', '-p',
              os.path.join(collections, 'ansible_collections'), tarball[0]], env, workdir)
    assert os.path.isfile(os.path.join(collections, 'ansible_collections', 'pchat', 'cutover', 'MANIFEST.json'))
    return collections


@pytest.fixture(scope='session')
def installed_collection(tmp_path_factory):
    """The collections folder with this checkout's tarball installed (import this fixture into a conftest)."""
    return install_collection(str(tmp_path_factory.mktemp('collection')))


def _checked(command, env, cwd):
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, '%s failed:\n%s%s' % (' '.join(command), proc.stdout, proc.stderr)


def clean_environment(**extra):
    """This process's environment without anything that would configure Ansible or the collection."""
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith(SCRUBBED_PREFIXES))
    env['PATH'] = VENV_BIN + os.pathsep + env.get('PATH', '')
    env.update(extra)
    return env


class RunnerJob(object):
    """One job: its private data directory is ``folder``; ``run()`` runs it and reads its artifacts."""

    def __init__(self, folder, playbook, inventory, credential, extravars, check=False, verbosity=4):
        """``credential``: the inputs of a credential of the docs' custom credential type."""
        self.folder = folder
        self.playbook = playbook
        self.ident = playbook + ('-check' if check else '')
        self.artifact_dir = os.path.join(folder, 'artifacts', self.ident)
        self._write('inventory/hosts.yml', yaml.safe_dump(inventory, default_flow_style=False))
        self.envvars = inject(credential, os.path.join(folder, 'env'))
        self._write('env/envvars', yaml.safe_dump(self.envvars, default_flow_style=False))
        self._write('env/extravars', json.dumps(extravars, indent=2))
        self._write('env/settings', yaml.safe_dump({'job_timeout': JOB_TIMEOUT, 'idle_timeout': JOB_TIMEOUT}))
        cmdline = (['--check', '--diff'] if check else ['--diff']) + (['-' + 'v' * verbosity] if verbosity else [])
        self._write('env/cmdline', ' '.join(cmdline))
        self._write('project/%s.yml' % playbook, '---\n- name: The pchat.cutover %s playbook\n'
                    '  ansible.builtin.import_playbook: pchat.cutover.%s\n' % (playbook, playbook))
        self.cli_output = None
        self.rc = None

    def _write(self, relative, text):
        path = os.path.join(self.folder, relative)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as handle:
            handle.write(text)

    def run(self, collections, timeout=JOB_TIMEOUT + 60):
        env = clean_environment(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR='1')
        proc = subprocess.run([os.path.join(VENV_BIN, 'ansible-runner'), 'run', self.folder, '-p',
                               self.playbook + '.yml', '--ident', self.ident],
                              cwd=self.folder, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        self.cli_output = proc.stdout + proc.stderr
        self.rc = proc.returncode
        return self

    # -- the artifacts -----------------------------------------------------------------------------------------
    def read(self, name):
        with open(os.path.join(self.artifact_dir, name)) as handle:
            return handle.read()

    @property
    def status(self):
        return self.read('status').strip()

    @property
    def stdout(self):
        return self.read('stdout')

    @property
    def events(self):
        events = []
        for path in glob.glob(os.path.join(self.artifact_dir, 'job_events', '*.json')):
            with open(path) as handle:
                events.append(json.load(handle))
        return sorted(events, key=lambda event: event.get('counter', 0))

    def final_stats(self):
        """The ``playbook_on_stats`` event's data: per-host counts and ``artifact_data`` (the set_stats data)."""
        found = [event['event_data'] for event in self.events if event.get('event') == 'playbook_on_stats']
        assert len(found) == 1, 'job %s has %d playbook_on_stats events:\n%s' % (self.folder, len(found),
                                                                                 self.cli_output[-3000:])
        return found[0]

    @property
    def artifacts(self):
        """What AWX would hand to the next workflow node as extra variables."""
        return self.final_stats().get('artifact_data') or {}

    def changed_hosts(self):
        return self.final_stats().get('changed') or {}

    def explain(self):
        return 'job %s: rc %s, status %s\n%s' % (self.folder, self.rc, self._status_or_none(), self.cli_output[-4000:])

    def _status_or_none(self):
        try:
            return self.status
        except OSError:
            return None
