# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chat platform interface the modules call, and the choice of driver.

Two drivers implement it: ``lab`` (platform_lab.py: the embedded SQLite stand-in plus the lab's Samba AD) and
``psrp`` (platform_psrp.py: the Lync Server Management Shell over PowerShell remoting). Modules only see the
shapes documented here; every driver method raises PchatError with a message that names the object and the fix.

Shapes
------
pool:
    {'fqdn': 'gc.contoso.com', 'kind': 'group_chat_2010' | 'group_chat_2007r2' | 'persistent_chat_2013',
     'version': 'Lync Server 2010 Group Chat', 'state': 'started' | 'stopped' | 'disabled' | 'partial',
     'pool_state': 'Normal' | 'FailedOver' | None (legacy pools have none),
     'servers': [server, ...], 'counts': {'categories': n, 'rooms': n, 'members': n, 'messages': n}}
    counts values are None where the platform cannot tell (the psrp driver cannot count messages).
server:
    {'fqdn': 'gc01.contoso.com', 'active': True, 'state': 'started' | 'stopped' | 'disabled' | 'partial',
     'services': [{'name': 'RTCCHAT', 'display_name': '...', 'status': 'running' | 'stopped',
                   'start_mode': 'automatic' | 'manual' | 'disabled'}, ...]}
endpoint:
    {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com', 'display_name': '...' or None,
     'dn': 'CN={guid},CN=Application Contacts,...' or None}
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

KINDS = ('group_chat_2007r2', 'group_chat_2010', 'persistent_chat_2013')
LEGACY_KINDS = ('group_chat_2007r2', 'group_chat_2010')
POOL_STATES = ('started', 'stopped', 'disabled')

# Matches doc_fragments/platform.py.
PLATFORM_ARGUMENT_SPEC = dict(
    driver=dict(type='str', choices=['lab', 'psrp'], default='lab', fallback=(env_fallback, ['PCHAT_DRIVER'])),
    lab_path=dict(type='path', fallback=(env_fallback, ['PCHAT_LAB_PATH'])),
    psrp_host=dict(type='str', fallback=(env_fallback, ['PCHAT_PSRP_HOST'])),
    psrp_port=dict(type='int'),
    psrp_username=dict(type='str', fallback=(env_fallback, ['PCHAT_PSRP_USERNAME'])),
    psrp_password=dict(type='str', no_log=True, fallback=(env_fallback, ['PCHAT_PSRP_PASSWORD'])),
    psrp_auth=dict(type='str', default='negotiate', choices=['basic', 'negotiate', 'kerberos', 'ntlm', 'credssp']),
    psrp_ssl=dict(type='bool', default=True),
    psrp_cert_validation=dict(type='bool', default=True),
)


def platform_argument_spec(**module_options):
    """The module's own options plus the platform connection options."""
    spec = dict(PLATFORM_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec


def server_state(server):
    """A server's state from its services: started (all running), disabled (all stopped and kept from starting),
    stopped (all stopped), partial (anything else)."""
    services = server.get('services') or []
    if not services:
        return 'stopped'
    running = [s['status'] == 'running' for s in services]
    if all(running):
        return 'started'
    if not any(running):
        return 'disabled' if all(s['start_mode'] == 'disabled' for s in services) else 'stopped'
    return 'partial'


def pool_state(pool):
    """A pool's state: its servers' common state, 'partial' when they differ. For a Persistent Chat pool only the
    active servers count, and 'started' also needs the pool state Normal."""
    servers = pool.get('servers') or []
    if pool.get('kind') == 'persistent_chat_2013':
        servers = [s for s in servers if s.get('active', True)]
    states = set(server_state(s) for s in servers)
    if not states:
        return 'stopped'
    if len(states) > 1:
        return 'partial'
    state = states.pop()
    if state == 'started' and pool.get('kind') == 'persistent_chat_2013' and pool.get('pool_state') not in (None, 'Normal'):
        return 'partial'
    return state


class Platform(object):
    """What the modules need from a chat platform. Drivers override every method."""

    name = 'abstract'

    def get_pools(self):
        """Every legacy Group Chat and Persistent Chat pool, as pool dicts (see module docstring)."""
        raise NotImplementedError

    def get_pool(self, fqdn):
        """One pool dict, or None if there is no such pool."""
        for pool in self.get_pools():
            if pool['fqdn'].lower() == fqdn.lower():
                return pool
        return None

    def set_server_state(self, pool, server_fqdn, state):
        """Converge one server of ``pool`` to 'started', 'stopped' or 'disabled' (stopped and start mode
        disabled). For 'started' a disabled start mode becomes automatic first."""
        raise NotImplementedError

    def room_details(self, fqdn):
        """Each room of the pool: {'name', 'disabled', 'messages', 'checksum'} (count and checksum None where the
        platform cannot tell)."""
        raise NotImplementedError

    def get_endpoints(self, sip_address=None):
        """Persistent Chat endpoints (all, or the one with this canonical SIP URI) as endpoint dicts."""
        raise NotImplementedError

    def new_endpoint(self, sip_address, pool_fqdn, display_name=None):
        """Create a Persistent Chat endpoint (and, as Lync does, its AD contact). Returns the endpoint dict."""
        raise NotImplementedError

    def remove_endpoint(self, endpoint):
        """Remove the endpoint (and its AD contact)."""
        raise NotImplementedError

    def close(self):
        pass


def require_pool(platform, fqdn, what='pool'):
    pool = platform.get_pool(fqdn)
    if pool is None:
        known = ', '.join(sorted(p['fqdn'] for p in platform.get_pools())) or 'none'
        raise PchatError('%s %r does not exist on the %s platform (known pools: %s); check the FQDN.'
                         % (what, fqdn, platform.name, known))
    return pool


def platform_from_params(params, directory=None):
    """The driver the options choose. ``directory`` (a DirectoryClient) is what the lab driver uses for the AD
    side of endpoints; the psrp driver leaves AD to Lync."""
    driver = params.get('driver') or 'lab'
    if driver == 'lab':
        from ansible_collections.pchat.cutover.plugins.module_utils.platform_lab import LabPlatform
        return LabPlatform(params, directory)
    if driver == 'psrp':
        from ansible_collections.pchat.cutover.plugins.module_utils.platform_psrp import PsrpPlatform
        return PsrpPlatform(params)
    raise PchatError('unknown driver %r; use lab or psrp.' % driver)


def platform_from_module(module, directory=None):
    """A connected driver for an AnsibleModule (fails the module cleanly); the caller closes it."""
    if module.params.get('driver') == 'psrp':
        from ansible_collections.pchat.cutover.plugins.module_utils.platform_psrp import PYPSRP_IMPORT_ERROR
        if PYPSRP_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib('pypsrp'), exception=PYPSRP_IMPORT_ERROR)
    try:
        return platform_from_params(module.params, directory)
    except PchatError as exc:
        if directory is not None:
            directory.close()
        module.fail_json(**exc.fail_kwargs())
