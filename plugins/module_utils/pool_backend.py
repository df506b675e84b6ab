# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backend of ``chat_pool``: decide which services of which servers change (plan), then change them (apply).

One rule for every pool kind (``service_change``): a service is started (its start mode made automatic first when
it is disabled, since a disabled service cannot start), stopped, or stopped and disabled. A Persistent Chat pool is
started on every one of its servers (the migration guide turns on all computers of the pool; the active servers
decide its state) and its pool state must be Normal (checked, never toggled); a legacy Group Chat pool is started,
stopped or disabled on every Group Chat server through Windows service control, its compliance server last when
stopping and first when starting (legacy_topology.server_order), the IIS-hosted Web service with them unless the
pool's definition says web_service: leave.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.legacy_topology import NOT_IN_TOPOLOGY_HINT, server_order
from ansible_collections.pchat.cutover.plugins.module_utils.lync import (
    LEGACY_2007R2, LEGACY_2010, PERSISTENT_CHAT, pool_state, server_state,
)

STATES = ('started', 'stopped', 'disabled')
KIND_GROUPS = {'legacy': (LEGACY_2010, LEGACY_2007R2)}


def service_change(service, wanted):
    """What a service needs to reach ``wanted`` (started/stopped/disabled): {'status': 'running'|'stopped'|None,
    'start_mode': 'automatic'|'manual'|'disabled'|None}; both None when nothing changes. A start mode of None
    (not readable, as on Lync services) is left alone."""
    status = start_mode = None
    mode = service.get('start_mode')
    if wanted == 'started':
        if mode == 'disabled':
            start_mode = 'automatic'
        if service['status'] != 'running':
            status = 'running'
    else:
        if service['status'] != 'stopped':
            status = 'stopped'
        if wanted == 'disabled' and mode not in (None, 'disabled'):
            start_mode = 'disabled'
        elif wanted == 'stopped' and mode == 'disabled':
            start_mode = 'manual'  # stopped, but no longer kept from starting
    return {'status': status, 'start_mode': start_mode}


def after(service, change):
    return dict(service, status=change['status'] or service['status'],
                start_mode=change['start_mode'] or service.get('start_mode'))


def summarize(actions, check_mode, fqdn, state):
    """One line for a person: what was (or, in a preview, would be) done to the pool's services."""
    if not actions:
        return '%s is %s already: nothing to change' % (fqdn, state)
    shown = '; '.join(actions[:3]) + (' and %d more' % (len(actions) - 3) if len(actions) > 3 else '')
    return '%s %d service change(s) on %s, leaving it %s: %s' % ('would make' if check_mode else 'made', len(actions),
                                                                 fqdn, state, shown)


class PoolBackend(object):
    def __init__(self, platform, params, check_mode):
        self.platform = platform
        self.params = params
        self.check_mode = check_mode
        self.changes = []  # (server fqdn, service, change)

    def plan(self):
        wanted = self.params['state']
        pool = self.platform.pool(self.params['fqdn'])
        if pool is None:
            raise PchatError('pool %s was not found on %s: it is neither a Persistent Chat pool nor a Group Chat '
                             'trusted application pool; check fqdn. %s'
                             % (self.params['fqdn'], self.platform.host, NOT_IN_TOPOLOGY_HINT))
        self.pool = pool
        guard = self.params.get('kind')
        if guard and pool['kind'] not in KIND_GROUPS.get(guard, (guard,)):
            raise PchatError('pool %s is a %s pool, not %s as kind says; nothing was changed. Check fqdn.'
                             % (pool['fqdn'], pool['kind'], guard))
        if pool['kind'] == PERSISTENT_CHAT:
            if wanted == 'disabled':
                raise PchatError('a Persistent Chat pool is started or stopped, not disabled (%s).' % pool['fqdn'])
            if wanted == 'started' and pool['pool_state'] != 'Normal':
                raise PchatError('Persistent Chat pool %s is in pool state %s (a disaster-recovery fail-over); the '
                                 'cutover checks the pool state, it never toggles it: fail back with '
                                 'Set-CsPersistentChatState first.' % (pool['fqdn'], pool['pool_state']))
        elif pool['state'] == 'unknown':
            self.platform.require_winrm('changing the state of Group Chat pool %s' % pool['fqdn'])
        for server in server_order(pool['servers'], wanted):
            for service in server['services']:
                change = service_change(service, wanted)
                if change['status'] or change['start_mode']:
                    self.changes.append((server['fqdn'], service, change))
        return self.changes

    def predicted_pool(self):
        by_key = dict(((fqdn, s['name']), c) for fqdn, s, c in self.changes)
        servers = []
        for server in self.pool['servers']:
            services = [after(s, by_key[(server['fqdn'], s['name'])]) if (server['fqdn'], s['name']) in by_key else s
                        for s in server['services']]
            servers.append(dict(server, services=services, state=server_state(services)))
        pool = dict(self.pool, servers=servers)
        pool['state'] = pool_state(pool)
        return pool

    def apply(self):
        if self.check_mode:
            return
        for fqdn, service, change in self.changes:
            if self.pool['kind'] == PERSISTENT_CHAT:
                if change['status'] == 'running':
                    self.platform.start_chat_service(fqdn, service)
                elif change['status'] == 'stopped':
                    self.platform.stop_chat_service(fqdn, service)
            else:
                self.platform.set_legacy_service(fqdn, service, change['status'], change['start_mode'])

    def run(self):
        self.plan()
        self.apply()
        predicted = self.predicted_pool()
        # The pool as the changes leave it: every cmdlet that changed a service succeeded, or it raised. It is not
        # read again (no listing twice in one run); the verify phase reads everything afresh.
        actions = ['%s %s on %s' % ('start' if c['status'] == 'running' else
                                    'stop' if c['status'] == 'stopped' else 'set start mode of',
                                    s['name'], fqdn) + (' (start mode %s)' % c['start_mode'] if c['start_mode'] else '')
                   for fqdn, s, c in self.changes]
        return {'changed': bool(self.changes), 'pool': predicted,
                'changed_servers': sorted(set(fqdn for fqdn, _s, _c in self.changes)),
                'actions': actions, 'summary': summarize(actions, self.check_mode, self.pool['fqdn'], predicted['state']),
                'diff': {'before': {'state': self.pool['state']}, 'after': {'state': predicted['state']}}}
