# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one of the collection's modules for real, in its own Python process, as Ansible would.

The module gets its arguments the way AnsiballZ hands them over (a JSON file named on the command line), so
check mode, diff mode and no_log behave as in a playbook; the result is the module's JSON output.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile

COLLECTIONS_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '.ansible', 'collections')


class ModuleResult(dict):
    """The module's JSON result, plus the raw process output for secret-leak checks."""

    @property
    def failed(self):
        return bool(self.get('failed'))

    @property
    def changed(self):
        return bool(self.get('changed'))


def run_module(name, args, check_mode=False, diff=False, env=None, timeout=300):
    """Run ``pchat.cutover.<name>`` with ``args``; return a ModuleResult (raw output in .stdout/.stderr)."""
    module_args = dict(args)
    module_args['_ansible_check_mode'] = check_mode
    module_args['_ansible_diff'] = diff
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': module_args}, handle)
        args_file = handle.name
    run_env = dict(os.environ)
    run_env['PYTHONPATH'] = COLLECTIONS_ROOT + os.pathsep + run_env.get('PYTHONPATH', '')
    if env:
        run_env.update(env)
    try:
        proc = subprocess.run(
            [sys.executable, '-m', 'ansible_collections.pchat.cutover.plugins.modules.' + name, args_file],
            capture_output=True, text=True, env=run_env, timeout=timeout, check=False)
    finally:
        os.unlink(args_file)
    try:
        result = ModuleResult(json.loads(proc.stdout))
    except ValueError:
        result = ModuleResult(failed=True, msg='module printed no JSON', rc=proc.returncode)
    result.stdout = proc.stdout
    result.stderr = proc.stderr
    return result


def start_module(name, args, env=None):
    """Start ``pchat.cutover.<name>`` without waiting (for tests that kill it); returns the Popen."""
    module_args = dict(args, _ansible_check_mode=False, _ansible_diff=False)
    handle = tempfile.NamedTemporaryFile('w', suffix='.json', delete=False)
    with handle:
        json.dump({'ANSIBLE_MODULE_ARGS': module_args}, handle)
    run_env = dict(os.environ)
    run_env['PYTHONPATH'] = COLLECTIONS_ROOT + os.pathsep + run_env.get('PYTHONPATH', '')
    if env:
        run_env.update(env)
    return subprocess.Popen(
        [sys.executable, '-m', 'ansible_collections.pchat.cutover.plugins.modules.' + name, handle.name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=run_env)
