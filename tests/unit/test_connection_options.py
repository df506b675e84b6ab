# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options' PCHAT_* environment fallback, as Ansible's argument validation applies it: an AWX
credential injects an input left empty as an empty variable, which leaves the option to its default."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec

CREDENTIAL = {'PCHAT_LDAP_URL': 'ldaps://dc01.contoso.com', 'PCHAT_LDAP_BIND_PASSWORD': 'Bind-Secret-0123456789',
              'PCHAT_PSRP_HOST': 'lyncfe01.contoso.com', 'PCHAT_PSRP_PASSWORD': 'Psrp-Secret-0123456789'}


def _validated(monkeypatch, environ, parameters=None):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = ArgumentSpecValidator(connection_argument_spec(('platform',))).validate(dict(parameters or {}))
    assert not result.error_messages, result.error_messages
    return result


def test_the_environment_gives_every_option(monkeypatch):
    result = _validated(monkeypatch, dict(CREDENTIAL, PCHAT_PSRP_PORT='5986', PCHAT_PSRP_AUTH='kerberos'))
    values = result.validated_parameters
    assert (values['ldap_url'], values['psrp_host'], values['psrp_port'], values['psrp_auth']) == (
        'ldaps://dc01.contoso.com', 'lyncfe01.contoso.com', 5986, 'kerberos')
    assert {'Bind-Secret-0123456789', 'Psrp-Secret-0123456789'} <= result._no_log_values  # masked in any output


def test_an_empty_variable_leaves_the_option_to_its_default(monkeypatch):
    empty = dict((name, '') for name in ('PCHAT_PSRP_PORT', 'PCHAT_PSRP_PATH', 'PCHAT_PSRP_AUTH', 'PCHAT_LDAP_CA_FILE',
                                         'PCHAT_PSRP_SSL', 'PCHAT_LDAP_SEARCH_BASE', 'PCHAT_LDAP_TIMEOUT'))
    values = _validated(monkeypatch, dict(CREDENTIAL, **empty)).validated_parameters
    assert (values['psrp_port'], values['psrp_path'], values['psrp_auth'], values['ldap_ca_file'], values['psrp_ssl'],
            values['ldap_search_base'], values['ldap_timeout']) == (None, 'wsman', 'negotiate', None, True, None, 10)


def test_an_option_given_wins_over_the_environment(monkeypatch):
    values = _validated(monkeypatch, CREDENTIAL, {'psrp_host': 'lyncfe02.contoso.com'}).validated_parameters
    assert values['psrp_host'] == 'lyncfe02.contoso.com'
