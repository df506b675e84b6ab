# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Galaxy / Automation Hub and a docs site do with the built tarball (a step of `make test`; docs/packaging.md,
"Publishing"). Run with .venv-publish's Python (`make setup-publish`); the tarball is built by scripts/build.sh.

1. galaxy-importer (scripts/galaxy-importer.cfg: as Automation Hub runs it, its ansible-test container step off,
   ansible-lint on). Fails on a non-zero exit, on any ERROR or WARNING line (ansible-lint's findings come as
   warnings), and unless every module, role and playbook of the tarball is in the import result, each module
   and role with its documentation extracted.
2. `antsibull-docs lint-collection-docs --plugin-docs` on the installed collection (extra docs, links.yml, every
   plugin's and role's documentation markup).
3. The docs site: `antsibull-docs sphinx-init` + `collection` + `sphinx-build` on the installed collection with
   intersphinx off (no network here). Fails on any Sphinx warning except a reference into Ansible's own
   documentation (INTERSPHINX_ONLY: what an intersphinx inventory would resolve), and unless the site has a page
   for each guide of docs/docsite/extra-docs.yml.

Usage: publish_check.py [TARBALL]   (default: build a fresh one into a scratch folder)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
# Labels of docs.ansible.com that antsibull-docs' page templates refer to: resolved by an intersphinx inventory,
# which this offline build does not fetch. action_plugins: the note on every module page (each has its action plugin).
INTERSPHINX_ONLY = {'common_return_values', 'ansible_configuration_settings', 'action_plugins'}


def env(**extra):
    """No configuration of the checkout or the caller: tools from this virtualenv, nothing ANSIBLE_* inherited."""
    values = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'GALAXY_IMPORTER_')))
    values['PATH'] = BIN + os.pathsep + values.get('PATH', '')
    values.update(extra)
    return values


def run(argv, **kwargs):
    started = time.time()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        sys.exit('%s exited %d:\n%s%s' % (' '.join(argv), proc.returncode, proc.stdout[-6000:], proc.stderr[-6000:]))
    return proc, time.time() - started


def tarball_contents(tarball):
    with tarfile.open(tarball) as archive:
        names = [m.name for m in archive.getmembers() if m.isfile()]
    modules = sorted(os.path.basename(n)[:-3] for n in names if re.match(r'plugins/modules/[^/]+\.py$', n))
    roles = sorted(set(n.split('/')[1] for n in names if re.match(r'roles/[^/]+/meta/argument_specs\.yml$', n)))
    playbooks = sorted(os.path.basename(n) for n in names if re.match(r'playbooks/[^/]+\.ya?ml$', n))
    return modules, roles, playbooks


def galaxy_importer(tarball, work):
    cwd = os.path.join(work, 'importer')
    os.makedirs(cwd)
    proc, seconds = run([sys.executable, '-m', 'galaxy_importer.main', tarball], cwd=cwd, env=env(
        GALAXY_IMPORTER_CONFIG=os.path.join(ROOT, 'scripts', 'galaxy-importer.cfg'),
        GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=os.path.join(work, 'ansible-tmp')))
    log = proc.stdout + proc.stderr
    problems = [line for line in log.splitlines() if line.startswith(('ERROR:', 'WARNING:'))]
    if problems or 'Importer processing completed successfully' not in log:
        sys.exit('galaxy-importer: the import would not pass cleanly:\n' + '\n'.join(problems or log.splitlines()[-30:]))
    with open(os.path.join(cwd, 'importer_result.json')) as handle:
        result = json.load(handle)
    found = set((c['content_type'], c['name']) for c in result['contents'])
    modules, roles, playbooks = tarball_contents(tarball)
    wanted = set([('module', m) for m in modules] + [('role', r) for r in roles] + [('playbook', p) for p in playbooks])
    if wanted - found:
        sys.exit('galaxy-importer: not in the import result: %s' % sorted(wanted - found))
    documented = dict(((c['content_type'], c['content_name']), c) for c in result['docs_blob']['contents'])
    # A module's documentation is its doc strings (ansible-doc); a role's, its README (rendered).
    field = {'module': 'doc_strings', 'role': 'readme_html'}
    undocumented = sorted('%s %s' % key for key in wanted if key[0] in field
                          and not (documented.get(key) or {}).get(field[key[0]]))
    if undocumented:
        sys.exit('galaxy-importer: no documentation extracted for %s' % undocumented)
    print('galaxy-importer: import passed (ansible-doc, ansible-lint production profile, required tags, changelog); '
          'documentation of %d modules and %d roles extracted (%.0f s)' % (len(modules), len(roles), seconds), flush=True)


def install(tarball, work):
    path = os.path.join(work, 'collections')
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', path, tarball],
        env=env(ANSIBLE_CONFIG=os.path.join(work, 'ansible.cfg')), cwd=work)
    return path


def lint_collection_docs(collections, work):
    root = os.path.join(collections, 'ansible_collections', 'pchat', 'cutover')
    proc, seconds = run([os.path.join(BIN, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs', root],
                        env=env(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_CONFIG=os.path.join(work, 'ansible.cfg')),
                        cwd=work)
    findings = [line for line in (proc.stdout + proc.stderr).splitlines()
                if line.strip() and 'is not part of the configured Ansible collections paths' not in line]
    if findings:
        sys.exit('antsibull-docs lint-collection-docs:\n' + '\n'.join(findings))
    print('antsibull-docs lint-collection-docs --plugin-docs: clean (%.0f s)' % seconds, flush=True)


def docs_site(collections, work):
    site = os.path.join(work, 'site')
    os.makedirs(site, mode=0o755)  # antsibull-docs wants it writable by its owner only
    tools_env = env(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_CONFIG=os.path.join(work, 'ansible.cfg'))
    started = time.time()
    run([os.path.join(BIN, 'antsibull-docs'), 'sphinx-init', '--use-current', '--squash-hierarchy', '--fail-on-error',
         '--dest-dir', site, 'pchat.cutover'], env=tools_env, cwd=work)
    with open(os.path.join(site, 'conf.py'), 'a') as handle:
        handle.write('\n# publish_check.py: intersphinx off (no network)\nintersphinx_mapping = {}\n')
    rst = os.path.join(site, 'rst')
    os.chmod(rst, 0o755)  # sphinx-init made it; antsibull-docs wants it writable by its owner only
    run([os.path.join(BIN, 'antsibull-docs'), '--config-file', os.path.join(site, 'antsibull-docs.cfg'), 'collection',
         '--cleanup', 'everything', '--fail-on-error', '--use-current', '--squash-hierarchy', '--dest-dir', rst,
         'pchat.cutover'], env=tools_env, cwd=site)
    warnings_file = os.path.join(site, 'warnings.txt')
    run([os.path.join(BIN, 'sphinx-build'), '-M', 'html', rst, os.path.join(site, 'build'), '-c', site, '-q',
         '-w', warnings_file], env=tools_env, cwd=site)
    with open(warnings_file) as handle:
        warnings = [line.rstrip() for line in handle if 'WARNING' in line or 'ERROR' in line]
    other = [line for line in warnings
             if not any("undefined label: '%s'" % label in line for label in INTERSPHINX_ONLY)]
    if other:
        sys.exit('docs site: Sphinx warnings:\n' + '\n'.join(other))
    with open(os.path.join(ROOT, 'docs', 'docsite', 'extra-docs.yml')) as handle:
        guides = [entry for part in yaml.safe_load(handle)['sections'] for entry in part['toctree']]
    html = os.path.join(site, 'build', 'html')
    missing = [g for g in guides if not os.path.isfile(os.path.join(html, 'docsite', g + '.html'))]
    with open(os.path.join(html, 'index.html')) as handle:
        index = handle.read()
    unlinked = [g for g in guides if 'docsite/%s.html' % g not in index]
    if missing or unlinked:
        sys.exit('docs site: guides without a page %s, or not linked from the index %s' % (missing, unlinked))
    pages = len(glob.glob(os.path.join(html, '**', '*.html'), recursive=True))
    print('docs site: %d pages, the %d guides linked from the index; no warning but %d reference(s) into Ansible\'s '
          'docs that intersphinx would resolve (%.0f s)' % (pages, len(guides), len(warnings), time.time() - started))


def main(argv):
    with tempfile.TemporaryDirectory(prefix='pchat-publish-') as work:
        open(os.path.join(work, 'ansible.cfg'), 'w').close()  # no configuration of the checkout or the machine
        if argv:
            tarball = os.path.abspath(argv[0])
        else:
            run([os.path.join(ROOT, 'scripts', 'build.sh'), os.path.join(work, 'build')], cwd=ROOT)
            tarball = glob.glob(os.path.join(work, 'build', 'pchat-cutover-*.tar.gz'))[0]
        galaxy_importer(tarball, work)
        collections = install(tarball, work)
        lint_collection_docs(collections, work)
        docs_site(collections, work)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
