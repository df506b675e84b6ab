# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packaging fixtures: the collection built as `make build` builds it, from a copy of the checkout in which lie the
things a working checkout accumulates (a running lab's folder and lock files, virtualenvs, reports, build output,
caches), then installed the way a user installs it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.path.dirname(sys.executable)
# An empty ansible.cfg, so that no configuration of the checkout or the machine applies to the tools the tests run.
SCRATCH = tempfile.mkdtemp(prefix='pchat-packaging-')
EMPTY_CFG = os.path.join(SCRATCH, 'ansible.cfg')
open(EMPTY_CFG, 'w').close()

# Files that are not in git but lie in a checkout that has been used: none of them may reach the tarball.
CHECKOUT_LITTER = (
    '.lab/connection.env',                      # a running lab (LAB_DIR=.lab)
    '.lab/samba/private/sam.ldb',
    '.lab/psrp-requests.jsonl',
    '.lab.lock',                                # the lock a running lab holds
    '.lab-second/connection.env',               # a second lab (LAB_DIR=.lab-second)
    '.lab-second.lock',
    'playbooks/.unit.lock',                     # a lock file below the top level
    '.venv-oldest/pyvenv.cfg',                  # the support matrix's virtualenv
    'reports/contoso_group_chat-latest.md',     # cutover reports
    'build/pchat-cutover-0.1.0.tar.gz',         # make build
    'context/Containerfile',                    # ansible-builder create
    'tests/output/junit.xml',                   # ansible-test
    '.pytest_cache/v/cache/lastfailed',
    'plugins/modules/__pycache__/chat_pool.cpython-311.pyc',
    'changelogs/.plugin-cache.yaml',            # antsibull-changelog
)


def pytest_sessionfinish():
    shutil.rmtree(SCRATCH, ignore_errors=True)


def tool(name):
    """A console script of the virtualenv that runs the tests."""
    return os.path.join(BIN_DIR, name)


def clean_env(**overrides):
    """The environment without the checkout's collection (tests/conftest.py points ANSIBLE_COLLECTIONS_PATH at it,
    ansible.cfg too): the tools see only what a test gives them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith('ANSIBLE_')}
    env.update(ANSIBLE_CONFIG=EMPTY_CFG, ANSIBLE_COLLECTIONS_PATH=SCRATCH)
    env.update(overrides)
    return env


def run(argv, env=None, **kwargs):
    """Run a command, failing the test with its output when it fails."""
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=env or clean_env(), **kwargs)
    assert proc.returncode == 0, '%s exited %d:\n%s%s' % (' '.join(argv), proc.returncode, proc.stdout, proc.stderr)
    return proc


def read_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def git_files(root):
    """What a clone holds plus untracked files that git does not ignore (new work not committed yet)."""
    out = run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=root).stdout
    return [path for path in out.split('\0') if path and os.path.isfile(os.path.join(root, path))]


@pytest.fixture(scope='session')
def galaxy():
    return read_yaml(os.path.join(REPO_ROOT, 'galaxy.yml'))


@pytest.fixture(scope='session')
def checkout(tmp_path_factory):
    """A copy of the checkout, with CHECKOUT_LITTER planted in it."""
    root = str(tmp_path_factory.mktemp('checkout'))
    for path in git_files(REPO_ROOT):
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        shutil.copy2(os.path.join(REPO_ROOT, path), os.path.join(root, path))
    for path in CHECKOUT_LITTER:
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), 'w') as handle:
            handle.write('litter\n')
    return root


@pytest.fixture(scope='session')
def tarball(checkout, tmp_path_factory):
    """The path of the tarball that `make build` (scripts/build.sh: the changelog released, the docs site's guides
    made, then `ansible-galaxy collection build`) makes of the checkout."""
    out = str(tmp_path_factory.mktemp('build'))
    run([os.path.join(checkout, 'scripts', 'build.sh'), out], env=clean_env(TOOLS_BIN=BIN_DIR))
    built = glob.glob(os.path.join(out, '*.tar.gz'))
    assert len(built) == 1, built
    return built[0]


@pytest.fixture(scope='session')
def members(tarball):
    """The tarball's file paths (directories left out)."""
    with tarfile.open(tarball) as archive:
        return sorted(member.name for member in archive.getmembers() if not member.isdir())


@pytest.fixture(scope='session')
def installed(tarball, tmp_path_factory):
    """A collections path into which the tarball is installed (ansible-galaxy collection install -p)."""
    path = str(tmp_path_factory.mktemp('collections'))
    run([tool('ansible-galaxy'), 'collection', 'install', '--offline', '-p', path, tarball])
    assert os.path.isfile(os.path.join(path, 'ansible_collections', 'pchat', 'cutover', 'MANIFEST.json'))
    return path
