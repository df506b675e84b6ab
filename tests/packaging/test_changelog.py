# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changelog (antsibull-changelog): the fragments lint clean, CHANGELOG.rst is what changelogs/ generates, and
galaxy.yml's version is the release the pending fragments will go into."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil

from packaging.version import Version

from conftest import REPO_ROOT, read_yaml, run, tool

CHANGELOGS = os.path.join(REPO_ROOT, 'changelogs')


def _fragments():
    return sorted(name for name in os.listdir(os.path.join(CHANGELOGS, 'fragments')) if name.endswith(('.yml', '.yaml')))


def test_lint():
    proc = run([tool('antsibull-changelog'), 'lint'], cwd=REPO_ROOT)
    assert not (proc.stdout + proc.stderr).strip(), proc.stdout + proc.stderr


def test_changelog_rst_is_generated(tmp_path):
    """CHANGELOG.rst is antsibull-changelog's output for changelogs/changelog.yaml, not edited by hand."""
    shutil.copytree(CHANGELOGS, str(tmp_path / 'changelogs'))
    shutil.copy(os.path.join(REPO_ROOT, 'galaxy.yml'), str(tmp_path))
    run([tool('antsibull-changelog'), 'generate'], cwd=str(tmp_path))
    with open(str(tmp_path / 'CHANGELOG.rst')) as handle:
        generated = handle.read()
    with open(os.path.join(REPO_ROOT, 'CHANGELOG.rst')) as handle:
        assert handle.read() == generated, 'CHANGELOG.rst is stale: run antsibull-changelog generate (or make changelog)'


def test_version_is_the_next_release(galaxy):
    released = [Version(str(version)) for version in read_yaml(os.path.join(CHANGELOGS, 'changelog.yaml'))['releases']]
    version = Version(galaxy['version'])
    assert released and version >= max(released), (version, released)
    if _fragments():
        assert version not in released, (
            'changelogs/fragments holds %s, but galaxy.yml version %s is already released: bump it' % (_fragments(), version))


def test_fragments_are_yaml_of_known_sections():
    sections = {name for name, _title in read_yaml(os.path.join(CHANGELOGS, 'config.yaml'))['sections']}
    sections |= {'release_summary', 'trivial'}
    for name in _fragments():
        content = read_yaml(os.path.join(CHANGELOGS, 'fragments', name))
        assert isinstance(content, dict) and set(content) <= sections, (name, content)


def test_the_tarball_changelog_names_its_version_with_every_pending_fragment(tarball, galaxy):
    """`make build` releases the pending fragments as galaxy.yml's version in the tarball (scripts/build.sh)."""
    import tarfile  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel
    version = galaxy['version']
    with tarfile.open(tarball) as archive:
        rst = archive.extractfile('CHANGELOG.rst').read().decode('utf-8')
        changes = yaml.safe_load(archive.extractfile('changelogs/changelog.yaml'))
    assert 'v%s\n' % version in rst, 'CHANGELOG.rst of the tarball does not name %s' % version
    release = changes['releases'][version]
    assert set(_fragments()) <= set(release.get('fragments') or []), (_fragments(), release.get('fragments'))
    pending = {}
    for name in _fragments():
        for section, entries in read_yaml(os.path.join(CHANGELOGS, 'fragments', name)).items():
            pending.setdefault(section, []).extend(entries if isinstance(entries, list) else [entries])
    for section, entries in pending.items():
        shipped = release['changes'][section]
        for entry in entries:
            assert entry.strip() in (shipped.strip() if isinstance(shipped, str) else [e.strip() for e in shipped]), \
                (section, entry)
    for earlier in changes['releases']:
        assert 'v%s\n' % earlier in rst  # earlier releases stay in the notes


def test_the_build_refuses_fragments_under_a_released_version(checkout, galaxy, tmp_path):
    """A version already in changelogs/changelog.yaml with fragments pending: the build stops, naming the fix."""
    import subprocess  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel
    from conftest import BIN_DIR, clean_env  # pylint: disable=import-outside-toplevel
    copy = str(tmp_path / 'checkout')
    shutil.copytree(checkout, copy)
    path = os.path.join(copy, 'changelogs', 'changelog.yaml')
    changes = read_yaml(path)
    changes['releases'][galaxy['version']] = {'release_date': '2026-12-01', 'changes': {'release_summary': 'x'}}
    with open(path, 'w') as handle:
        yaml.safe_dump(changes, handle)
    assert _fragments()
    proc = subprocess.run([os.path.join(copy, 'scripts', 'build.sh'), str(tmp_path / 'out')], capture_output=True,
                          text=True, check=False, env=clean_env(TOOLS_BIN=BIN_DIR))
    assert proc.returncode != 0
    assert 'already released' in proc.stderr and "set galaxy.yml's version to the next release" in proc.stderr
    assert not os.path.exists(str(tmp_path / 'out'))
