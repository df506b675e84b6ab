# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backend of ``legacy_endpoint``: find the endpoint and who owns its SIP URI, decide (create, move = remove +
new, recreate for a new display name, remove, or nothing), then act.

Before New-CsPersistentChatEndpoint it waits until Lync's view of AD (the front end's domain controller,
``Get-CsAdUser``) no longer finds a user with the SIP URI: the well-known user was deleted over LDAP, maybe on
another domain controller, and Lync refuses a SIP URI it still sees in use.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import dn_equal
from ansible_collections.pchat.cutover.plugins.module_utils.lync import PERSISTENT_CHAT
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, validate_fqdn

MAX_DISPLAY_NAME = 256
POLL_SECONDS = 5


class EndpointBackend(object):
    def __init__(self, platform, directory, params, check_mode, sleep=time.sleep, clock=time.time):
        self.platform = platform
        self.directory = directory
        self.params = params
        self.check_mode = check_mode
        self.sleep = sleep
        self.clock = clock
        self.sip = normalize_sip(params['sip_address'], 'sip_address')
        self.pool_fqdn = validate_fqdn(params['pool_fqdn'], 'pool_fqdn') if params.get('pool_fqdn') else None
        display_name = params.get('display_name')
        if display_name is not None and not 0 < len(display_name) <= MAX_DISPLAY_NAME:
            raise PchatError('display_name must be 1 to %d characters.' % MAX_DISPLAY_NAME)
        self.action = 'none'
        self.result = {'changed': False, 'action': 'none', 'waited_seconds': 0}

    def owners(self, existing):
        """Who else owns the SIP URI in the directory."""
        answer = self.directory.find_sip_owners([self.sip])[self.sip]
        self.result['owners_before'] = {'kind': answer['kind'], 'dns': answer['dns']}
        others = [o for o in answer['owners'] if not (existing and dn_equal(o['dn'], existing['dn']))]
        return others

    def plan(self):
        found = self.platform.endpoints(self.sip)
        self.existing = found[0] if found else None
        if self.params['state'] == 'absent':
            self.action = 'removed' if self.existing else 'none'
            return self.action
        if not self.pool_fqdn:
            raise PchatError('pool_fqdn is required with state: present; name the Persistent Chat pool, for example '
                             'pcpool.contoso.com.')
        self.platform.require_pool(self.pool_fqdn, (PERSISTENT_CHAT,), 'pool_fqdn')
        others = self.owners(self.existing)
        if others:
            raise PchatError('SIP address %r is owned by %s; a legacy endpoint needs it free. Delete or change that '
                             'object first (for the Group Chat well-known user: pchat.cutover.directory_user '
                             'state=absent, after a backup).'
                             % (self.params['sip_address'], '; '.join('%s %s' % (o['kind'], o['dn']) for o in others)))
        wanted_name = self.params.get('display_name')
        existing = self.existing
        if existing is None:
            self.action = 'created'
        elif (existing['pool_fqdn'] or '') != self.pool_fqdn:
            self.action = 'moved'
        elif wanted_name is not None and wanted_name != existing['display_name']:
            self.action = 'recreated'
        self.display_name = wanted_name if wanted_name is not None else (existing or {}).get('display_name')
        return self.action

    def wait_until_lync_forgets_users(self):
        """Poll Get-CsAdUser until Lync's view has no user with the SIP URI, at most ``directory_wait`` s."""
        deadline = self.clock() + self.params['directory_wait']
        started = self.clock()
        while self.platform.lync_sees_user(self.sip):
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise PchatError('after %d s the front end %s still sees a user with %s (Get-CsAdUser -Identity %s), '
                                 'although the directory no longer has one: its domain controller has not replicated '
                                 'the delete yet. Wait for AD replication (or force it), then run again; nothing was '
                                 'created.' % (self.params['directory_wait'], self.platform.host, self.sip, self.sip))
            self.sleep(min(POLL_SECONDS, remaining))  # never past directory_wait
        self.result['waited_seconds'] = round(self.clock() - started, 1)

    def apply(self):
        if self.action == 'none' or self.check_mode:
            return self.existing if self.action == 'none' else self.preview()
        if self.action == 'removed':
            self.platform.remove_endpoint(self.existing)
            return None
        if self.existing is not None:
            # remove + new (Lync has no Set-CsPersistentChatEndpoint); a run killed in between creates it next time
            self.platform.remove_endpoint(self.existing)
        self.wait_until_lync_forgets_users()
        return self.platform.new_endpoint(self.params['sip_address'], self.pool_fqdn, self.display_name)

    def preview(self):
        if self.action == 'removed':
            return None
        return {'sip_address': self.params['sip_address'], 'pool_fqdn': self.pool_fqdn,
                'display_name': self.display_name, 'dn': None}

    def run(self):
        self.plan()
        endpoint = self.apply()
        # in the run's tense: a preview says what a run would do
        verbs = {'created': 'create', 'moved': 'move', 'recreated': 'recreate', 'removed': 'remove'}
        done = verbs.get(self.action)
        if done is not None:
            done = 'would %s' % done if self.check_mode else self.action
        summary = ('the endpoint %s is as wanted: nothing to change' % self.params['sip_address'] if done is None else
                   '%s the endpoint %s%s' % (done, self.params['sip_address'],
                                             '' if self.action == 'removed' else ' on %s' % self.pool_fqdn))
        self.result.update(changed=self.action != 'none', action=self.action, endpoint=endpoint, summary=summary,
                           endpoint_before=self.existing,
                           diff={'before': self.existing or {}, 'after': endpoint or {}})
        return self.result
