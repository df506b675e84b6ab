# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Execution environment: `ansible-builder create` on the example definition (docs/execution-environment.yml), then
the builder stage's own introspection (the context's _build/scripts/introspect.py, the command line of the
Containerfile) run on the installed tarball. Its output is the requirements.txt and bindep.txt that the image is
built from: the collection's Python requirements (ranges, auth extras) and its system packages, which bindep then
resolves per platform and profile as the image build does."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import sys

import pytest
from bindep.depends import Depends
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import REPO_ROOT, read_yaml, run, tool

EXAMPLE = os.path.join(REPO_ROOT, 'docs', 'execution-environment.yml')
# bindep's profiles inside a RHEL 9 image (ee-minimal-rhel9) and a Debian one.
RPM = ['platform:rpm', 'platform:redhat', 'platform:rhel', 'platform:rhel-9']
DPKG = ['platform:dpkg', 'platform:debian', 'platform:debian-12']


def _lines(path):
    with open(path) as handle:
        return [re.sub(r'\s+#.*$', '', line).strip() for line in handle
                if line.strip() and not line.lstrip().startswith('#')]


@pytest.fixture(scope='module')
def context(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('ee') / 'context')
    run([tool('ansible-builder'), 'create', '-f', EXAMPLE, '-c', path, '--output-filename', 'Containerfile'])
    return path


@pytest.fixture(scope='module')
def containerfile(context):
    with open(os.path.join(context, 'Containerfile')) as handle:
        return handle.read()


@pytest.fixture(scope='module')
def introspected(context, containerfile, installed, tmp_path_factory):
    """(requirements.txt lines, bindep.txt text) as the builder stage writes them to /tmp/src/."""
    match = re.search(r'^RUN \$PYCMD /output/scripts/introspect\.py (introspect .*)$', containerfile, re.M)
    assert match, 'no introspection step in the Containerfile'
    out = tmp_path_factory.mktemp('src')
    argv = [arg.replace('/tmp/src/', str(out) + '/') for arg in match.group(1).split()]
    # The definition's own requirements (COPY _build/bindep.txt bindep.txt), named relative to the build's workdir.
    argv = [re.sub(r'^(--user-(?:bindep|pip))=(?!/)(.*)$', lambda m: '%s=%s' % (
        m.group(1), os.path.join(context, '_build', m.group(2))), arg) for arg in argv]
    run([sys.executable, os.path.join(context, '_build', 'scripts', 'introspect.py')] + argv + [installed])
    with open(str(out / 'bindep.txt')) as handle:
        bindep_text = handle.read()
    return _lines(str(out / 'requirements.txt')), bindep_text


def test_containerfile(containerfile):
    base = read_yaml(EXAMPLE)['images']['base_image']['name']
    assert 'ARG EE_BASE_IMAGE="%s"' % base in containerfile
    assert 'ee-minimal' in base                           # the documented choice (docs/packaging.md)
    assert 'ARG PKGMGR="/usr/bin/microdnf"' in containerfile
    # The image's own Python, named: every pip install and the introspection run on it, and no other is installed.
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile and 'ARG PYPKG="python3.11"' in containerfile
    assert re.search(r'^RUN \$PYCMD /output/scripts/introspect\.py introspect --user-bindep=', containerfile, re.M)
    assert re.search(r'^RUN .*ansible-galaxy collection install .*-r requirements\.yml', containerfile, re.M)
    assert re.search(r'--write-pip=/tmp/src/requirements\.txt', containerfile)
    assert re.search(r'--write-bindep=/tmp/src/bindep\.txt', containerfile)
    assert 'RUN /output/scripts/install-from-bindep' in containerfile


def test_context_installs_this_collection(context, galaxy):
    collections = read_yaml(os.path.join(context, '_build', 'requirements.yml'))['collections']
    wanted = [entry for entry in collections if entry['name'] == 'pchat.cutover']
    assert len(wanted) == 1, collections
    # The example's range must admit the version being built (bump both together: docs/packaging.md).
    assert galaxy['version'] in SpecifierSet(wanted[0]['version']), (wanted[0]['version'], galaxy['version'])


def test_python_requirements(introspected):
    requirements = {}
    for line in introspected[0]:
        requirement = Requirement(line)
        requirements[requirement.name.lower()] = requirement
    assert set(requirements) == {'ldap3', 'pypsrp', 'gssapi'}, sorted(requirements)
    assert {'credssp', 'kerberos'} <= requirements['pypsrp'].extras
    for name, requirement in requirements.items():
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {'>=', '>', '~='} and operators & {'<', '~='}, '%s: a range, please' % requirement
        assert not operators & {'==', '==='}, '%s: pinned' % requirement
    # The versions `make test` runs (requirements-dev.txt) are inside the ranges.
    for line in _lines(os.path.join(REPO_ROOT, 'requirements-dev.txt')):
        pinned = Requirement(line)
        if pinned.name.lower() in requirements:
            version = next(iter(pinned.specifier)).version
            assert requirements[pinned.name.lower()].specifier.contains(version), (line, requirements[pinned.name])


@pytest.fixture(scope='module')
def system(introspected):
    """bindep's reading of the introspected bindep.txt (parsing is slow: once)."""
    depends = Depends(introspected[1])

    def packages(*profiles):
        return {rule[0] for rule in depends.active_rules(list(profiles))}
    return packages


@pytest.mark.parametrize('platform, runtime, compile_only', [
    (RPM, {'krb5-libs'}, {'gcc', 'krb5-devel', 'python3.11-devel'}),
    (DPKG, {'libgssapi-krb5-2', 'libkrb5-3'}, {'gcc', 'libkrb5-dev', 'python3-dev'}),
], ids=['rpm', 'dpkg'])
def test_system_requirements(system, platform, runtime, compile_only):
    """The final image gets the Kerberos libraries; the builder stage (profile compile) also the compiler and
    headers (on RHEL 9 those of the image's python3.11, which the EE definition names); the lab's packages go
    nowhere unless asked for (profile lab)."""
    final = system('default', *platform)
    builder = system('compile', *platform)
    assert runtime <= final, final
    assert compile_only <= builder - final, (builder, final)
    assert not {'samba', 'samba-ad-provision', 'ldb-tools'} & (final | builder)
    if platform == RPM:  # RHEL 9's python3-devel would pull a second Python (3.9) into an image running 3.11
        assert not {'python3-devel', 'python3'} & (final | builder | system('compile', 'lab', *platform))
    if platform == DPKG:
        assert 'samba' in system('lab', *platform)
