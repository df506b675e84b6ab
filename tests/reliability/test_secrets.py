# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets: the bind password never appears in task output (also at -vvv), diffs, backups, reports, the unit
state or the lab's logs; certificate validation is on by default; a simple bind over plain ldap:// is refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from module_runner import run_module  # noqa: E402 pylint: disable=wrong-import-position

from conftest import LAB_DIR, ROOT  # noqa: E402 pylint: disable=wrong-import-position


def test_password_never_written_anywhere(rlab):
    password = rlab.connection['PCHAT_BIND_PASSWORD']
    assert len(password) > 12
    rlab.reset()
    outputs = []
    preview = rlab.run('cutover', '--check', '--diff', '-vvv')
    outputs.append(preview.stdout + preview.stderr)
    run = rlab.run('cutover', '--diff', '-vvv')
    outputs.append(run.stdout + run.stderr)
    assert run.returncode == 0, run.stdout[-3000:]
    rollback = rlab.run('rollback', '--diff', '-vvv')
    outputs.append(rollback.stdout + rollback.stderr)
    assert 'bind_password' in ''.join(outputs)  # the option is there, its value is not
    for number, output in enumerate(outputs):
        assert password not in output, 'run %d printed the password' % number
    files = []
    for pattern in ('state/*.json', 'state/backups/*.json', 'samba.log', 'samba.stdout.log'):
        files += glob.glob(os.path.join(LAB_DIR, pattern))
    files += glob.glob(os.path.join(ROOT, 'reports', 'contoso_group_chat*'))
    kinds = set(os.path.basename(os.path.dirname(f)) for f in files)
    assert {'state', 'backups'} <= kinds and any(f.endswith('.html') for f in files), files
    for path in files:
        with open(path, errors='replace') as handle:
            assert password not in handle.read(), path
    rlab.run('cutover')  # leave the unit cut over for the next test


def test_no_log_also_hides_a_password_given_as_an_option(rlab):
    result = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'],
                                             'bind_password': rlab.connection['PCHAT_BIND_PASSWORD'],
                                             'psrp_password': 'psrp-Secret-123'},
                        env=rlab.connection, diff=True)
    assert not result.failed, result
    assert rlab.connection['PCHAT_BIND_PASSWORD'] not in result.stdout and 'psrp-Secret-123' not in result.stdout


def test_certificate_validation_is_on_by_default(rlab):
    env = dict(rlab.connection, PCHAT_CA_FILE='')
    result = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com']}, env=env)
    assert result.failed and 'certificate did not validate' in result['msg']
    off = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'validate_certs': False}, env=env)
    assert not off.failed  # only an explicit opt-out turns it off


def test_plain_ldap_bind_refused_unless_allowed(rlab):
    env = dict(rlab.connection, PCHAT_LDAP_URL='ldap://127.0.0.1:389')
    refused = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com']}, env=env)
    assert refused.failed and 'refusing a simple bind' in refused['msg']
    with_tls = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'start_tls': True}, env=env)
    assert not with_tls.failed, with_tls
    # allowed explicitly, the lab's DC still refuses it (it requires strong auth): the password never crossed in clear
    allowed = run_module('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com'], 'allow_plain_bind': True},
                         env=env)
    assert allowed.failed and 'requires a protected connection' in allowed['msg']
