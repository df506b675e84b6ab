# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Lync topology does not say about a legacy Group Chat pool, and the decisions that follow (pure).

* **An OCS 2007 R2 Group Chat pool is not in the Lync topology.** ``Merge-CsLegacyTopology`` brings domains, user
  services, Registrar, Mediation Server, Edge Server, the Conferencing Attendant, Communicator Web Access and the
  conferencing directories into the topology (its reference page lists them), not Group Chat: such a pool is no
  trusted application pool in ``BackCompatSite``, so its servers are named by the inventory.
* **The compliance server is a computer of its own** (Group Chat planning: "Compliance Server, if deployed, must be
  installed on a separate computer from Chat Server"): no cmdlet names it, the inventory does.
* **The Web service is hosted by IIS** (OCS 2007 R2 Group Chat: "Internet Information Services (IIS) ... hosts the
  Web service"): it is IIS's World Wide Web Publishing Service (``W3SVC``) on each Group Chat server, stopped and kept
  from starting with the Group Chat services (``web_service: stop``, the migration guide's "all services must be
  stopped"), or left as it is when IIS serves other sites too (``web_service: leave``).

The platform option ``legacy_pools`` (doc fragment pchat.cutover.platform) carries these, one entry per legacy pool;
``definitions`` validates it. docs/psrp.md lists every choice with its source.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.sip import validate_fqdn

IIS_SERVICE = 'W3SVC'  # World Wide Web Publishing Service: IIS, which hosts the Group Chat Web service
WEB_SERVICE_POLICIES = ('stop', 'leave')
GROUP_CHAT_ROLE = 'group_chat'
COMPLIANCE_ROLE = 'compliance'
KINDS = ('group_chat_2007r2', 'group_chat_2010')
# Without service names, Group Chat services are those whose display name says so (a WQL LIKE pattern, a constant).
DISPLAY_NAME_WQL = "DisplayName LIKE '%Group Chat%'"
# What a "pool not found" message adds: where an OCS 2007 R2 Group Chat pool is declared.
NOT_IN_TOPOLOGY_HINT = ('An OCS 2007 R2 Group Chat pool is not in the Lync topology (Merge-CsLegacyTopology does not '
                        'merge Group Chat): name its servers with pchat_legacy_servers (option legacy_pools).')
# A Windows service name: what the Service Control Manager allows, without a quote (nothing is ever escaped into
# a WQL filter: a name that needs escaping is refused).
_SERVICE_NAME = re.compile(r'^[A-Za-z0-9_.$ -]{1,256}$')


def _fqdns(values, what):
    found = []
    for value in values or []:
        fqdn = validate_fqdn(value, what)
        if fqdn not in found:
            found.append(fqdn)
    return found


def definitions(entries):
    """The ``legacy_pools`` option as ``{pool fqdn: definition}``; bad input raises PchatError naming the entry.

    A definition: ``fqdn``, ``kind`` (used for a pool outside the topology), ``servers`` (its Group Chat servers,
    lower case), ``compliance_servers``, ``service_names`` (empty: by display name), ``web_service``."""
    found = {}
    for entry in entries or []:
        fqdn = validate_fqdn((entry or {}).get('fqdn'), 'legacy_pools fqdn')
        if fqdn in found:
            raise PchatError('legacy_pools names %s twice; give each legacy pool once.' % fqdn)
        servers = _fqdns(entry.get('servers'), 'legacy_pools servers item (%s)' % fqdn)
        compliance = _fqdns(entry.get('compliance_servers'), 'legacy_pools compliance_servers item (%s)' % fqdn)
        both = sorted(set(servers) & set(compliance))
        if both:
            raise PchatError('legacy pool %s lists %s both as a Group Chat server and as a compliance server; the '
                             'compliance service runs on a computer of its own: name it once, in '
                             'compliance_servers (pchat_legacy_compliance_servers).' % (fqdn, ', '.join(both)))
        names = []
        for name in entry.get('service_names') or []:
            if not isinstance(name, str) or not _SERVICE_NAME.match(name) or name.upper() == IIS_SERVICE:
                raise PchatError('legacy pool %s: %r is not a Group Chat service name (letters, digits and _.$- '
                                 'only; W3SVC is the Web service, set web_service instead); check '
                                 'pchat_legacy_service_names.' % (fqdn, name))
            if name.lower() not in [n.lower() for n in names]:
                names.append(name)
        kind = entry.get('kind') or KINDS[0]
        if kind not in KINDS:
            raise PchatError('legacy pool %s: kind %r is not one of %s.' % (fqdn, kind, ', '.join(KINDS)))
        web = entry.get('web_service') or 'stop'
        if web not in WEB_SERVICE_POLICIES:
            raise PchatError('legacy pool %s: web_service %r is not stop or leave.' % (fqdn, web))
        found[fqdn] = {'fqdn': fqdn, 'kind': kind, 'servers': servers, 'compliance_servers': compliance,
                       'service_names': names, 'web_service': web}
    return found


def default_definition(fqdn):
    return {'fqdn': fqdn, 'kind': KINDS[0], 'servers': [], 'compliance_servers': [], 'service_names': [],
            'web_service': 'stop'}


def service_filter(service_names):
    """The WQL filter of one Get-WmiObject Win32_Service query: the Group Chat services (by name, or by display
    name) and IIS's W3SVC. Names were validated by ``definitions`` (no quote can reach the filter)."""
    chat = ' OR '.join("Name = '%s'" % name for name in service_names) if service_names else DISPLAY_NAME_WQL
    return "%s OR Name = '%s'" % (chat, IIS_SERVICE)


def check_topology_servers(fqdn, topology_servers, definition):
    """A pool in the topology: the inventory may repeat its servers, never contradict them."""
    given = definition.get('servers') or []
    if given and sorted(given) != sorted(s.lower() for s in topology_servers):
        raise PchatError('legacy pool %s is in the Lync topology with the servers %s, but the inventory names %s '
                         '(pchat_legacy_servers): the topology is what the front end knows; correct or remove '
                         'pchat_legacy_servers. Nothing was changed.'
                         % (fqdn, ', '.join(sorted(topology_servers)), ', '.join(given)))


def missing_service_names(definition, found_names):
    """Service names the inventory gave that no server of the pool has (a typo would leave a service running)."""
    found = set(n.lower() for n in found_names)
    return [name for name in definition.get('service_names') or [] if name.lower() not in found]


def server_order(servers, wanted):
    """The order services are changed in: Microsoft's procedure for the Group Chat compliance server turns the
    Channel and Lookup servers off first and the compliance server last (it must see every message); starting is the
    reverse, the compliance server first."""
    first = COMPLIANCE_ROLE if wanted == 'started' else GROUP_CHAT_ROLE
    return sorted(servers, key=lambda s: 0 if s.get('role', GROUP_CHAT_ROLE) == first else 1)


def web_service_summary(pool):
    """What happens to the IIS-hosted Web service of a legacy pool, in words, for the report: None for a pool
    without Group Chat servers read."""
    web = pool.get('web_service') or {}
    hosts = [s for s in pool.get('servers') or [] if s.get('web_service')]
    if not web:
        return None
    if not hosts:
        return ('the Group Chat Web service is hosted by IIS (%s), which was not found on the Group Chat servers%s'
                % (IIS_SERVICE, ' (not readable through OcsPowershell)' if pool.get('state') == 'unknown' else ''))
    states = ', '.join('%s %s/%s' % (s['fqdn'], s['web_service']['status'], s['web_service']['start_mode'])
                       for s in hosts)
    if web.get('policy') == 'stop':
        return ('the Group Chat Web service is hosted by IIS: %s is managed with the Group Chat services (web_service: '
                'stop: stopped and kept from starting when the pool is disabled, started with it); now %s'
                % (IIS_SERVICE, states))
    return ('the Group Chat Web service is hosted by IIS: %s was left as it is (web_service: leave, for an IIS that '
            'serves other sites too; stop the Group Chat Web service by hand, or when Group Chat is uninstalled); '
            'now %s' % (IIS_SERVICE, states))
