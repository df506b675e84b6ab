# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documents users read where they find the collection (Galaxy and Automation Hub render README.md, the role
READMEs and docs/*.md from the tarball) link to what is there: every relative link of README.md, docs/*.md and
roles/*/README.md points at a file or folder of the built tarball, anything else is an absolute address. The project
has one repository address (galaxy.yml), which the docs site (docs/docsite/links.yml) and every link into the
repository use; the docs site's guides are in the tarball."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import posixpath
import re
import tarfile

import pytest
from markdown_it import MarkdownIt

from conftest import REPO_ROOT, read_yaml

SCHEME = re.compile(r'^[a-z][a-z0-9+.-]*:', re.I)


def documents(members):
    return sorted(path for path in members
                  if path == 'README.md' or re.match(r'docs/[^/]+\.md$', path) or re.match(r'roles/[^/]+/README\.md$', path))


def links(text):
    """Every link and image target of a Markdown text, as markdown-it (CommonMark, reference links resolved) reads it."""
    found = []

    def walk(tokens):
        for token in tokens:
            if token.type == 'link_open':
                found.append(token.attrGet('href'))
            elif token.type == 'image':
                found.append(token.attrGet('src'))
            if token.children:
                walk(token.children)
    walk(MarkdownIt('commonmark').enable('table').parse(text))
    return found


@pytest.fixture(scope='module')
def shipped(tarball, members):
    with tarfile.open(tarball) as archive:
        texts = dict((path, archive.extractfile(path).read().decode('utf-8')) for path in documents(members))
        manifest = json.load(archive.extractfile('MANIFEST.json'))['collection_info']
    folders = set(posixpath.dirname(path) for path in members)
    while '' not in folders:
        folders |= set(posixpath.dirname(path) for path in folders)
    return texts, set(members), folders, manifest


def test_the_documents_are_shipped(shipped):
    texts, _members, _folders, _manifest = shipped
    assert 'README.md' in texts and 'docs/packaging.md' in texts and 'roles/cutover/README.md' in texts
    assert sum(1 for path in texts if path.startswith('roles/')) >= 12, sorted(texts)


def test_relative_links_resolve_in_the_tarball(shipped):
    texts, members, folders, _manifest = shipped
    dead = []
    count = 0
    for path, text in sorted(texts.items()):
        for target in links(text):
            count += 1
            if SCHEME.match(target) or target.startswith('#'):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target.split('#')[0]))
            if resolved not in members and resolved not in folders:
                dead.append('%s: %s (-> %s, not in the tarball)' % (path, target, resolved))
    assert count > 20, 'too few links found (%d): is the parser reading the documents?' % count
    assert not dead, 'dead on Galaxy (link a shipped file, or the repository address):\n' + '\n'.join(dead)


def test_one_repository_address(shipped, galaxy):
    texts, _members, _folders, manifest = shipped
    repository = galaxy['repository'].rstrip('/')
    assert re.match(r'^https://github\.com/[\w.-]+/[\w.-]+$', repository), repository
    assert manifest['repository'] == galaxy['repository']
    for field in ('homepage', 'documentation', 'issues'):
        assert galaxy[field].startswith(repository), (field, galaxy[field])
    site = read_yaml(REPO_ROOT + '/docs/docsite/links.yml')
    assert 'https://github.com/' + site['edit_on_github']['repository'] == repository
    owner = repository.rsplit('/', 2)[1]
    stray = []
    for path, text in sorted(texts.items()):
        for url in re.findall(r'https?://[^\s)>\]"\'`]+', text):
            ours = 'github.com/%s/' % owner in url
            if (ours and url.rstrip('/.,;') != repository and not url.startswith(repository + '/')) or '.invalid' in url:
                stray.append('%s: %s' % (path, url))
    assert not stray, 'another address for the repository, or a placeholder:\n' + '\n'.join(stray)


def test_the_docs_site_guides_are_shipped(members):
    guides = [entry for part in read_yaml(REPO_ROOT + '/docs/docsite/extra-docs.yml')['sections']
              for entry in part['toctree']]
    assert {'install', 'inventory', 'awx', 'packaging', 'reliability'} <= set(guides)
    missing = [g for g in guides if 'docs/docsite/rst/%s.rst' % g not in members]
    assert not missing, missing
    assert 'docs/docsite/links.yml' in members and 'docs/docsite/extra-docs.yml' in members


def test_the_link_parser_sees_what_galaxy_would_follow():
    """The guard itself: inline, reference and image links are found, code is not a link."""
    text = '[a](docs/a.md) `[b](b.md)`\n\n[c][ref] ![i](img.png)\n\n[ref]: https://example.com/c\n'
    assert links(text) == ['docs/a.md', 'https://example.com/c', 'img.png']
