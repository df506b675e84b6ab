# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who among the migrated rooms' members can use the new pool, from their Persistent Chat policies (pure).

The reference (Get-CsPersistentChatPolicy, Grant-CsPersistentChatPolicy): users are granted Persistent Chat only
by a Persistent Chat policy with ``EnablePersistentChat`` True; at install the global policy has it off; a user is
managed by the per-user policy assigned to it (Get-CsUser's ``PersistentChatPolicy``, the policy's name without
``tag:``), else by the site policy of its site if one exists, else by the global policy. A member no policy enables
for keeps a legacy client that reaches nothing on Monday: preflight warns with counts and names, and blocks when
none of the members checked (or nobody at all) could use the pool.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

SHOWN = 10  # names in a message
KEPT = 50  # names in a result


def _policy_map(policies):
    return dict((p['identity'].strip().lower(), p.get('enabled')) for p in policies or [])


def _listed_identity(policies, identity):
    """The identity as Get-CsPersistentChatPolicy spells it ('site:Redmond', not the topology's case)."""
    return next((p['identity'].strip() for p in policies if p['identity'].strip().lower() == identity.lower()), identity)


def managing_policy(user, policies, sites):
    """(identity of the policy that manages ``user``, EnablePersistentChat: True, False or None when unknown).

    ``user``: {'policy' (per-user policy name or None), 'registrar_pool'}; ``policies``: [{'identity',
    'enabled'}] (Get-CsPersistentChatPolicy); ``sites``: {registrar pool: site identity} for the users without a
    per-user policy when site policies exist."""
    known = _policy_map(policies)
    if user.get('policy'):
        identity = 'tag:' + user['policy'].strip()
        return identity, known.get(identity.lower())
    if any(key.startswith('site:') for key in known):
        pool = user.get('registrar_pool')
        if pool:
            site = (sites or {}).get(pool)
            if site is None:
                return 'the site policy of %s' % pool, None
            if site.lower() in known:
                return _listed_identity(policies, site), known[site.lower()]
    if 'global' in known:
        return 'Global', known['global']
    return 'Global', False  # no global policy listed: Lync's default, Persistent Chat off


def _names(values):
    values = sorted(values)
    return ', '.join(values[:SHOWN]) + (' and %d more' % (len(values) - SHOWN) if len(values) > SHOWN else '')


def assess(asked, users, not_read, policies, sites, principals, pool):
    """What the members' policies mean for the cutover.

    ``asked``: the identities of the user members of the migrated rooms (chat_data.predict ``principals.users``);
    ``users``: what Get-CsUser returned for them (LyncPlatform.lync_users); ``not_read``: identities beyond the
    bounded read; ``principals``: predict's counts of group/OU members and unnamed principals; ``pool``: the target.

    Returns {'policies': [{'identity', 'enabled'}], 'checked', 'enabled', 'without': [...], 'unknown': [...],
    'not_found': [...], 'not_checked', 'groups', 'warnings': [text], 'blocker': text or None}."""
    by_identity = {}
    for user in users:
        for key in (user.get('sip'), user.get('upn'), user.get('dn')):
            if key:
                by_identity[key.lower()] = user
    enabled, without, unknown, not_found = [], [], [], []
    seen = set()
    skipped = set(i.lower() for i in not_read or [])
    for identity in asked:
        key = identity.lower()
        if key in skipped:
            continue
        user = by_identity.get(key)
        if user is None:
            not_found.append(identity)
            continue
        name = user.get('sip') or identity
        if name in seen:
            continue
        seen.add(name)
        policy, allowed = managing_policy(user, policies, sites)
        if allowed is True:
            enabled.append(name)
        elif allowed is False:
            without.append('%s (%s)' % (name, policy))
        else:
            unknown.append('%s (%s)' % (name, policy))
    checked = len(enabled) + len(without) + len(unknown)
    warnings = []
    if without:
        warnings.append('%d of the %d members of the migrated rooms checked are not managed by a Persistent Chat '
                        'policy that enables Persistent Chat, so they cannot use %s after the cutover: %s. Assign '
                        'them one (Grant-CsPersistentChatPolicy) or enable it in their site or global policy'
                        % (len(without), checked, pool, _names(without)))
    if unknown:
        warnings.append('the Persistent Chat policy of %d members could not be told (a policy Get-CsPersistentChat'
                        'Policy does not list, or a site not read): %s' % (len(unknown), _names(unknown)))
    if not_found:
        warnings.append('%d members of the migrated rooms are not Lync-enabled users in Lync\'s view of AD (Get-CsUser '
                        'finds none): %s' % (len(not_found), _names(not_found)))
    if not_read:
        warnings.append('%d members were not checked: preflight reads at most %d users (the policies of the rest '
                        'are not known)' % (len(not_read), len(asked) - len(not_read)))
    groups = (principals or {}).get('groups') or 0
    if groups:
        warnings.append('%d group or OU members of the migrated rooms were not checked: their users\' policies are '
                        'not read' % groups)
    blocker = None
    if not any(p.get('enabled') is True for p in policies or []):
        blocker = ('no Persistent Chat policy enables Persistent Chat (Get-CsPersistentChatPolicy: EnablePersistent'
                   'Chat is False in every policy, as Lync installs the global one): nobody could use %s. Enable it '
                   'in the global policy (Set-CsPersistentChatPolicy -Identity Global -EnablePersistentChat $True) or '
                   'assign users a policy that does' % pool)
    elif checked and not enabled and not unknown:
        blocker = ('none of the %d members of the migrated rooms checked is managed by a Persistent Chat policy that '
                   'enables Persistent Chat: nobody could use %s after the cutover (%s). Assign them one '
                   '(Grant-CsPersistentChatPolicy) before the weekend' % (checked, pool, _names(without)))
    return {'policies': [dict(p) for p in policies or []], 'checked': checked, 'enabled': len(enabled),
            'without': sorted(without)[:KEPT], 'unknown': sorted(unknown)[:KEPT], 'not_found': sorted(not_found)[:KEPT],
            'not_checked': len(not_read or []), 'groups': groups, 'warnings': warnings, 'blocker': blocker}
