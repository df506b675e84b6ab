# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options of both kinds, in one place (they match doc_fragments/directory.py and platform.py).

One action group per kind (meta/runtime.yml): ``group/pchat.cutover.directory`` (every module: the lease is in AD)
takes the ``ldap_*`` options, ``group/pchat.cutover.platform`` (the modules that talk to the front end) the
``psrp_*`` ones and ``legacy_pools``; Ansible rejects an option a module does not declare. Every option has a
``PCHAT_`` + upper-case name environment fallback, so an AWX credential (or the lab's connection.env) can set
them all; an empty variable counts as unset.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.errors import AnsibleFallbackNotFound


def env_fallback_if_set(*names):
    """Ansible's env_fallback, except that an empty variable counts as unset: an AWX credential injects '' for an
    input left empty, which must leave the option to its default (a port of '' or a path of '' is no value)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def _option(name, **spec):
    spec['fallback'] = (env_fallback_if_set, ['PCHAT_' + name.upper()])
    return name, spec


DIRECTORY_ARGUMENT_SPEC = dict([
    _option('ldap_url', type='str'),
    _option('ldap_bind_method', type='str', default='simple', choices=['simple', 'kerberos']),
    _option('ldap_bind_dn', type='str'),
    _option('ldap_bind_password', type='str', no_log=True),
    _option('ldap_ca_file', type='path'),
    _option('ldap_validate_certs', type='bool', default=True),
    _option('ldap_start_tls', type='bool', default=False),
    _option('ldap_allow_plain_bind', type='bool', default=False),
    _option('ldap_search_base', type='str'),
    _option('ldap_timeout', type='int', default=10),
])

PSRP_PATHS = ('wsman', 'OcsPowershell')
PSRP_AUTH = ('negotiate', 'kerberos', 'ntlm', 'credssp', 'basic')

PLATFORM_ARGUMENT_SPEC = dict([
    _option('psrp_host', type='str'),
    _option('psrp_port', type='int'),
    _option('psrp_path', type='str', default='wsman', choices=list(PSRP_PATHS)),
    _option('psrp_username', type='str'),
    _option('psrp_password', type='str', no_log=True),
    _option('psrp_auth', type='str', default='negotiate', choices=list(PSRP_AUTH)),
    _option('psrp_ssl', type='bool', default=True),
    _option('psrp_cert_validation', type='bool', default=True),
    _option('psrp_ca_file', type='path'),
])
# What the Lync topology does not say about a legacy Group Chat pool (module_utils/legacy_topology.py): no
# environment fallback (a list of dicts), set by the connection role from the unit's pchat_legacy_* variables.
LEGACY_POOL_OPTIONS = dict(
    fqdn=dict(type='str', required=True),
    kind=dict(type='str', default='group_chat_2007r2', choices=['group_chat_2007r2', 'group_chat_2010']),
    servers=dict(type='list', elements='str', default=[]),
    compliance_servers=dict(type='list', elements='str', default=[]),
    service_names=dict(type='list', elements='str', default=[]),
    web_service=dict(type='str', default='stop', choices=['stop', 'leave']),
)
PLATFORM_ARGUMENT_SPEC['legacy_pools'] = dict(type='list', elements='dict', options=LEGACY_POOL_OPTIONS, default=[])


# The unit lease a module of a cutover or rollback run holds while it works (doc fragment pchat.cutover.lease;
# lease_keeper.py): the handle unit_lock returns, handed to every module through module_defaults.
LEASE_ARGUMENT_SPEC = dict(
    lease=dict(type='dict', options=dict(
        unit=dict(type='str', required=True),
        run=dict(type='str', required=True),
        container=dict(type='str'),
        seconds=dict(type='int', default=300),
    )),
)


def connection_argument_spec(uses=(), **module_options):
    """The module's own options, the run's lease and the connection options of the kinds it uses.

    Every module takes the directory options: the unit's lease is an AD object that it renews while it works. Only
    a module that talks to the front end (``'platform'`` in ``uses``) takes the platform options, so that the
    action group ``group/pchat.cutover.platform`` holds exactly the modules that document them.
    """
    spec = dict(DIRECTORY_ARGUMENT_SPEC)
    if 'platform' in uses:
        spec.update(PLATFORM_ARGUMENT_SPEC)
    spec.update(LEASE_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec
