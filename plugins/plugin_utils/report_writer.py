# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writing a unit's report (Markdown and HTML) on the controller, from what the run gathered: the one way reports
are written, by the report role (action pchat.cutover.cutover_report) and by a module's action plugin when the
operator interrupted the run (supervised.py), so an interrupted run leaves the same report a failed one does.

The templates are the report role's (roles/report/templates); every figure comes from report_view (Python), the
templates only lay it out, so plain Jinja2 renders them the same on every ansible-core version."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ansible_collections.pchat.cutover.plugins.plugin_utils.cutover_report import (
    html_cell, markdown_cell, report_files, report_view,
)

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         'roles', 'report', 'templates')
# The templates of each kind of report (the report's ``kind``: cutover, the default, or rollback)
TEMPLATES_OF = {
    'cutover': (('markdown', 'cutover-report.md.j2'), ('html', 'cutover-report.html.j2')),
    'rollback': (('markdown', 'rollback-report.md.j2'), ('html', 'rollback-report.html.j2')),
}


def _environment():
    # As ansible.builtin.template renders (trim_blocks on); the HTML template escapes every value itself (| e)
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=False)
    environment.filters['zip'] = lambda first, *others: list(zip(first, *others))
    environment.filters['md'] = markdown_cell
    environment.filters['cell'] = html_cell
    return environment


def render(report):
    """{'markdown': text, 'html': text} of ``report`` (what the cutover or rollback role gathered)."""
    return _render(report_view(report))


def _render(view):
    environment = _environment()
    return dict((kind, environment.get_template(name).render(pchat_report_view=view))
                for kind, name in TEMPLATES_OF[view['kind']])


def _write(path, text):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, 'w') as handle:
        handle.write(text)
    os.replace(tmp, path)


def write(report, report_dir, keep_latest=True):
    """Write the report's files (and <unit>-latest copies); returns their paths and the outcome."""
    files = report_files(report, report_dir)
    os.makedirs(os.path.dirname(files['markdown']), mode=0o750, exist_ok=True)
    view = report_view(report)
    texts = _render(view)
    written = {'markdown': files['markdown'], 'html': files['html']}
    if keep_latest:
        written.update(markdown_latest=files['markdown_latest'], html_latest=files['html_latest'])
    for key, path in written.items():
        _write(path, texts['html' if key.startswith('html') else 'markdown'])
    return {'files': written, 'outcome': view['outcome']}
