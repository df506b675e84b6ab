# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret in any module's output. The runner (conftest.ModuleRunner) greps every run of the suite for the lab's
passwords; here each module gets the passwords as task arguments (not the environment), right and wrong."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import uuid

import pytest

RECORD = {'source_pool': 'gc.contoso.com', 'target_pool': 'pcpool.contoso.com',
          'source_db_instance': 'gcsql.contoso.com\\groupchat', 'source_db_name': 'GroupChat'}
# (module, arguments of a run that changes nothing, check mode, connections it uses)
MODULES = [
    ('chat_pool_info', {'fqdns': ['pcpool.contoso.com']}, False, ('platform',)),
    ('chat_pool', {'fqdn': 'pcpool.contoso.com', 'state': 'stopped'}, False, ('platform',)),
    ('legacy_endpoint_info', {'sip_address': 'sip:PersistentChatService-pcpool@contoso.com'}, False, ('platform',)),
    ('legacy_endpoint', {'sip_address': 'sip:PersistentChatService-pcpool@contoso.com',
                         'pool_fqdn': 'pcpool.contoso.com'}, False, ('platform', 'directory')),
    ('chat_migration_info', RECORD, False, ('platform',)),
    ('chat_migration', dict(RECORD, export_dir='C:\\Windows\\Temp', steps=['backup']), True, ('platform',)),
    ('directory_user', {'sip_address': 'sip:OCSChat@contoso.com'}, False, ('directory',)),
    ('directory_user_info', {'sip_address': 'sip:OCSChat@contoso.com'}, False, ('directory',)),
    ('sip_address_info', {'sip_addresses': ['sip:OCSChat@contoso.com']}, False, ('directory',)),
]
PASSWORD_OPTION = {'platform': 'psrp_password', 'directory': 'ldap_bind_password'}
PASSWORD_VARIABLE = {'platform': 'PCHAT_PSRP_PASSWORD', 'directory': 'PCHAT_LDAP_BIND_PASSWORD'}
REFUSED = {'platform': 'authentication as', 'directory': 'rejected the credentials'}


def task(name, args, uses, tmp_path, passwords):
    """The module's arguments with its passwords as task options and none in the environment."""
    args = dict(args, **dict((PASSWORD_OPTION[kind], passwords[kind]) for kind in uses))
    if 'source_pool' in args:
        args['record_file'] = str(tmp_path / 'migration.json')
    return args, dict((PASSWORD_VARIABLE[kind], '') for kind in uses)


@pytest.mark.parametrize('name, args, check_mode, uses', MODULES, ids=[m[0] for m in MODULES])
def test_passwords_given_as_options_are_in_no_output(run, clean_lab, lab, tmp_path, name, args, check_mode, uses):
    passwords = {'platform': lab['PCHAT_PSRP_PASSWORD'], 'directory': lab['PCHAT_LDAP_BIND_PASSWORD']}
    before = clean_lab.fingerprint()
    args, env = task(name, args, uses, tmp_path, passwords)
    result = run(name, args, check_mode=check_mode, env=env)
    assert not result.failed and not (result.changed and not check_mode), result
    output = result.stdout + result.stderr
    for kind in uses:
        assert passwords[kind] not in output
        assert result['invocation']['module_args'][PASSWORD_OPTION[kind]] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert clean_lab.fingerprint() == before


@pytest.mark.parametrize('name, args, check_mode, uses', MODULES, ids=[m[0] for m in MODULES])
def test_a_wrong_password_fails_clearly_without_echoing_it(run, tmp_path, name, args, check_mode, uses):
    wrong = 'Wrong-%s' % uuid.uuid4().hex
    args, env = task(name, args, uses, tmp_path, dict.fromkeys(uses, wrong))
    result = run(name, args, check_mode=check_mode, env=env)
    assert result.failed, result
    assert any(REFUSED[kind] in result['msg'] for kind in uses), result['msg']
    assert wrong not in result.stdout + result.stderr
    assert not result.requests.pipelines  # nothing ran on the front end
