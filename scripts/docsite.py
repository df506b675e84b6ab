# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guides of a docs site built with antsibull-docs, made from the Markdown they are written in.

antsibull-docs takes a collection's extra documents from docs/docsite/rst/*.rst, listed in docs/docsite/extra-docs.yml.
The guides are Markdown (README.md, docs/*.md: what GitHub and Galaxy show), so scripts/build.sh runs this on its
staging copy of the collection: each guide is converted with pandoc (pypandoc-binary, requirements-dev.txt) into
docs/docsite/rst/<name>.rst, with the label antsibull-docs requires. A link to another guide becomes a :ref: to its
page; any other relative link becomes an address in the project's repository (galaxy.yml `repository`), since the
site holds only these pages. The checkout holds the Markdown only: nothing generated to keep in step.

Usage: docsite.py COLLECTION_ROOT  (writes COLLECTION_ROOT/docs/docsite/rst/)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import posixpath
import re
import sys

import yaml

LABEL_PREFIX = 'ansible_collections.pchat.cutover.docsite.'
# name (the page, and the entry in extra-docs.yml), title, source, the source's section (a level-2 heading) or None
GUIDES = (
    ('install', 'Install', 'README.md', 'Install'),
    ('inventory', 'An inventory for a real deployment', 'README.md', 'An inventory for a real deployment'),
    ('awx', None, 'docs/awx.md', None),
    ('packaging', None, 'docs/packaging.md', None),
    ('porting', None, 'docs/porting.md', None),
    ('reliability', None, 'docs/reliability.md', None),
)
_LINK = re.compile(r'(\]\()([^)\s]+)(\))')
_REF = re.compile(r'`([^`<]*?)\s*<pchat-guide:([a-z_]+)>`__')


def section(text, heading):
    """The lines under ``## heading`` up to the next level-1 or level-2 heading (outside code blocks)."""
    lines, out, inside, fence = text.splitlines(), [], False, False
    for line in lines:
        if line.startswith('```'):
            fence = not fence
        if not fence and re.match(r'#{1,2} ', line):
            if inside:
                break
            inside = line.strip() == '## ' + heading
            continue
        if inside:
            out.append(line)
    if not out:
        raise SystemExit('docsite: no section "## %s" in the source' % heading)
    return '\n'.join(out) + '\n'


def rewrite_links(text, source, repository, guides):
    """Relative links: to a guide of the site, a placeholder turned into :ref: after pandoc; else the repository."""
    base = posixpath.dirname(source)

    def replace(match):
        target = match.group(2)
        if re.match(r'^[a-z][a-z0-9+.-]*:', target) or target.startswith('#'):
            return match.group(0)
        path, _sep, anchor = target.partition('#')
        path = posixpath.normpath(posixpath.join(base, path))
        if path in guides and not anchor:
            return match.group(1) + 'pchat-guide:' + guides[path] + match.group(3)
        url = '%s/blob/main/%s%s' % (repository, path, '#' + anchor if anchor else '')
        return match.group(1) + url + match.group(3)
    return _LINK.sub(replace, text)


def to_rst(markdown):
    import pypandoc  # pylint: disable=import-outside-toplevel
    return pypandoc.convert_text(markdown, 'rst', format='gfm-gfm_auto_identifiers', extra_args=['--wrap=none'])


def page(name, title, rst):
    rst = _REF.sub(lambda m: ':ref:`%s <%s%s>`' % (m.group(1).strip(), LABEL_PREFIX, m.group(2)), rst)
    head = '.. _%s%s:\n\n' % (LABEL_PREFIX, name)
    if title:
        head += '%s\n%s\n\n' % (title, '=' * len(title))
    return head + rst


def main(root):
    with open(os.path.join(root, 'galaxy.yml')) as handle:
        repository = yaml.safe_load(handle)['repository'].rstrip('/')
    # Only a whole document can be a page to link to; a README section is reached through the repository.
    guides = dict((source, name) for name, _title, source, part in GUIDES if part is None)
    with open(os.path.join(root, 'docs', 'docsite', 'extra-docs.yml')) as handle:
        listed = [entry for part in yaml.safe_load(handle)['sections'] for entry in part['toctree']]
    if sorted(listed) != sorted(name for name, _title, _source, _part in GUIDES):
        raise SystemExit('docsite: docs/docsite/extra-docs.yml lists %s, scripts/docsite.py makes %s'
                         % (sorted(listed), sorted(name for name, _t, _s, _p in GUIDES)))
    out_dir = os.path.join(root, 'docs', 'docsite', 'rst')
    os.makedirs(out_dir, exist_ok=True)
    for name, title, source, part in GUIDES:
        with open(os.path.join(root, source)) as handle:
            text = handle.read()
        if part:
            text = section(text, part)
        rst = to_rst(rewrite_links(text, source, repository, guides))
        with open(os.path.join(out_dir, name + '.rst'), 'w') as handle:
            handle.write(page(name, title, rst))
    print('docsite: %d guides written to %s' % (len(GUIDES), out_dir))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
