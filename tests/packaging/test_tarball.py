# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection tarball holds what runs (plugins, roles, playbooks, meta, docs, README, licence, changelog, EE
files) and nothing of the workshop: no lab, tests, scripts, lock files, virtualenvs or build output."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fnmatch
import json
import os
import re
import tarfile

from conftest import CHECKOUT_LITTER, REPO_ROOT, clean_env, read_yaml, run, tool

# Everything the tarball may hold at its top level.
ALLOWED_TOP_LEVEL = {
    'plugins', 'roles', 'playbooks', 'meta', 'docs', 'changelogs',
    'README.md', 'COPYING', 'CHANGELOG.rst',
    'bindep.txt', 'requirements.txt',           # the EE / controller requirements
    'MANIFEST.json', 'FILES.json',              # written by ansible-galaxy
}
ALLOWED_IN_CHANGELOGS = {'changelogs/changelog.yaml', 'changelogs/config.yaml'}

# Never shipped: (fnmatch pattern, why). A pattern with a "/" is matched against the whole path ("*" crosses "/"),
# one without against each component of the path, so at any depth.
FORBIDDEN = (
    ('*.lock', 'a lock file'),
    ('.lab*', 'the lab folder or its lock'),
    ('lab/*', 'the lab'),
    ('.venv*', 'a virtualenv'),
    ('tests', 'tests'),
    ('molecule', 'molecule scenarios'),
    ('scripts/*', 'development scripts'),
    ('benchmarks/*', 'benchmarks'),
    ('demo/*', 'the demo'),
    ('inventories', 'the lab inventory'),
    ('__pycache__', 'Python caches'),
    ('*.pyc', 'Python caches'),
    ('.pytest_cache', 'pytest caches'),
    ('.git*', 'git files'),
    ('*.tar.gz', 'build output'),
    ('connection.env', "the lab's connection variables"),
    ('ansible.cfg', 'the checkout configuration (points at the lab inventory)'),
    ('roles/lab/*', 'the lab role (test-only, needs a checkout)'),
    ('playbooks/lab.yml', 'the lab playbook'),
)

# Names the collection's playbooks and roles may use after pchat.cutover. besides its roles, modules, playbooks.
ACTION_GROUPS = {'all'}


def forbidden_reasons(path):
    parts = path.split('/')
    return [why for pattern, why in FORBIDDEN
            if (fnmatch.fnmatch(path, pattern) if '/' in pattern else
                any(fnmatch.fnmatch(part, pattern) for part in parts))]


def shipped_roles(members):
    return {path.split('/')[1] for path in members if path.startswith('roles/')}


def test_forbidden_patterns_catch_what_they_should():
    """The guard itself: each kind of workshop file is recognised, what runs is not."""
    for path in ('.lab.lock', '.lab/connection.env', 'roles/cutover/x.lock', 'roles/lab/tasks/main.yml',
                 'playbooks/lab.yml', 'tests/unit/test_sip.py', 'roles/cutover/molecule/default/molecule.yml',
                 '.venv-oldest/pyvenv.cfg', 'plugins/modules/__pycache__/a.pyc', 'lab/__init__.py',
                 'scripts/sanity.sh', 'ansible.cfg', '.gitignore', 'build/pchat-cutover-0.1.0.tar.gz'):
        assert forbidden_reasons(path), path
    for path in ('roles/cutover/tasks/main.yml', 'playbooks/cutover.yml', 'plugins/modules/chat_pool.py',
                 'docs/lab.md', 'meta/runtime.yml', 'roles/unit_state/tasks/load.yml'):
        assert not forbidden_reasons(path), path


def test_litter_was_planted(checkout):
    for path in CHECKOUT_LITTER:
        assert os.path.isfile(os.path.join(checkout, path)), path


def test_top_level_is_allow_listed(members):
    unexpected = sorted({path.split('/')[0] for path in members} - ALLOWED_TOP_LEVEL)
    assert not unexpected, 'outside the allow-list: %s' % unexpected
    extra = sorted(path for path in members if path.startswith('changelogs/') and path not in ALLOWED_IN_CHANGELOGS)
    assert not extra, 'changelogs/ ships only changelog.yaml and config.yaml, not %s' % extra


def test_nothing_forbidden(members):
    found = ['%s (%s)' % (path, ', '.join(forbidden_reasons(path))) for path in members if forbidden_reasons(path)]
    assert not found, 'shipped but must not be:\n' + '\n'.join(found)


def test_checkout_litter_stays_out(members):
    """Lock files, lab folders, venvs, reports, build output lying in the checkout are not shipped."""
    shipped = set(members)
    leaked = [path for path in CHECKOUT_LITTER if path in shipped]
    assert not leaked, 'left in the checkout and shipped: %s' % leaked


def test_ships_what_runs(members):
    shipped = set(members)
    required = {'README.md', 'COPYING', 'CHANGELOG.rst', 'changelogs/changelog.yaml', 'changelogs/config.yaml',
                'meta/runtime.yml', 'meta/execution-environment.yml', 'playbooks/cutover.yml', 'playbooks/rollback.yml'}
    modules_dir = os.path.join(REPO_ROOT, 'plugins', 'modules')
    required |= {'plugins/modules/' + name for name in os.listdir(modules_dir) if name.endswith('.py')}
    ee = read_yaml(os.path.join(REPO_ROOT, 'meta', 'execution-environment.yml'))
    required |= set(ee['dependencies'].values())
    missing = sorted(required - shipped)
    assert not missing, 'missing from the tarball: %s' % missing
    assert {'cutover', 'rollback'} <= shipped_roles(members)


def test_references_resolve(tarball, members):
    """Every pchat.cutover.<name> that a shipped playbook, role or template uses is shipped too: leaving a role out
    of the build cannot break one that is shipped."""
    names = shipped_roles(members) | ACTION_GROUPS
    # modules, playbooks, lookups, doc fragments, and filters (each documented by a YAML file named after it)
    names |= {os.path.splitext(os.path.basename(path))[0] for path in members
              if path.startswith(('plugins/modules/', 'playbooks/', 'plugins/lookup/', 'plugins/filter/',
                                  'plugins/doc_fragments/'))
              and path.endswith(('.py', '.yml'))}
    dangling = set()
    with tarfile.open(tarball) as archive:
        for path in members:
            if path.startswith(('roles/', 'playbooks/')) and path.endswith(('.yml', '.yaml', '.j2')):
                text = archive.extractfile(path).read().decode('utf-8')
                dangling |= {'%s: pchat.cutover.%s' % (path, name)
                             for name in re.findall(r'pchat\.cutover\.([A-Za-z_][A-Za-z0-9_]*)', text)
                             if name not in names}
    assert not dangling, 'uses what is not shipped:\n' + '\n'.join(sorted(dangling))


def test_manifest_metadata(tarball, galaxy):
    with tarfile.open(tarball) as archive:
        info = json.load(archive.extractfile('MANIFEST.json'))['collection_info']
    assert (info['namespace'], info['name'], info['version']) == ('pchat', 'cutover', galaxy['version'])
    assert os.path.basename(tarball) == 'pchat-cutover-%s.tar.gz' % galaxy['version']
    assert info['license'] == ['GPL-3.0-or-later'] and info['readme'] == 'README.md'
    # Galaxy's standard tags: a collection should carry at least one of them.
    assert {'infrastructure', 'windows'} & set(info['tags'])
    for field in ('repository', 'documentation', 'homepage', 'issues'):
        assert info[field], field


def test_role_list_of_installed_collection(installed, members):
    """`ansible-doc -t role -l` on the installed tarball lists the shipped roles, and not the lab role."""
    env = clean_env(ANSIBLE_COLLECTIONS_PATH=installed)
    listed = json.loads(run([tool('ansible-doc'), '-t', 'role', '-l', 'pchat.cutover', '--json'], env=env).stdout)
    assert 'pchat.cutover.lab' not in listed
    documented = {path.split('/')[1] for path in members
                  if re.match(r'roles/[^/]+/meta/argument_specs\.ya?ml$', path)}
    assert set(listed) == {'pchat.cutover.' + role for role in documented}
    assert {'pchat.cutover.cutover', 'pchat.cutover.rollback'} <= set(listed)
