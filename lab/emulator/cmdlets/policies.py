# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent Chat policies (Get-CsPersistentChatPolicy) and the users' assignments Get-CsUser shows, and the test
users of synthetic transactions (Set-CsTestUserCredential).

What the reference says [ref Get-CsPersistentChatPolicy, Grant-CsPersistentChatPolicy]: "By default, users are not
granted access to the Persistent Chat service; that access can only be granted if the user is managed by a
Persistent Chat policy that allows for the use of the service"; at install every user is managed by the global
policy, with Persistent Chat disabled; policies exist at the global, site and per-user (``tag:``) scope; a user
without a per-user policy is managed by the site policy of the user's site if it exists, else by the global one.
Get-CsUser's ``PersistentChatPolicy`` is the per-user policy's name ($Null when none is assigned).

Test users [ref Set-CsTestUserCredential]: "any valid Active Directory user accounts that have been enabled for
Skype for Business Server and have been registered as test accounts"; the lab keeps which account each SIP address
is registered with, never a password (it checks the password once, with a bind, when the credential is set)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab import names, topology
from lab.emulator import objects, store as store_mod
from lab.emulator.binding import CREDENTIAL, SWITCH, Param
from lab.emulator.cmdlets import cmdlet
from lab.emulator.cmdlets.common import matches

POLICY_TYPE = 'PersistentChatPolicy'
GLOBAL = 'Global'


def _policy_rows(store):
    return store.execute('SELECT * FROM chat_policies ORDER BY CASE WHEN identity = ? THEN 0 WHEN identity LIKE '
                         "'site:%' THEN 1 ELSE 2 END, identity", (GLOBAL,)).fetchall()


def normalize_identity(identity):
    """A policy identity as the store keeps it: 'Global', 'site:<name>', 'tag:<name>' (a bare name is a per-user
    policy, as ``-Identity RedmondPersistentChatPolicy`` in the reference)."""
    text = (identity or '').strip()
    lower = text.lower()
    if lower == 'global':
        return GLOBAL
    if lower.startswith('site:') or lower.startswith('tag:'):
        return text
    return 'tag:' + text


def assigned_policy(store, sip):
    """The name of the per-user Persistent Chat policy assigned to the user of ``sip``, or None."""
    if not sip:
        return None
    row = store.execute('SELECT policy_name FROM user_policies WHERE sip = ? AND policy_type = ?',
                        (sip, POLICY_TYPE)).fetchone()
    return row['policy_name'] if row else None


def registrar_pool(store, principal):
    """The Registrar pool a user is homed on (its msRTCSIP-PrimaryHomeServer names a pool's object), or None."""
    home = (principal.get('msRTCSIP-PrimaryHomeServer') or '').lower()
    if not home:
        return None
    for row in store.execute("SELECT fqdn FROM pools WHERE role = 'FrontEnd'"):
        if topology.pool_dn(row['fqdn']).lower() == home:
            return row['fqdn']
    return None


def effective_policy(store, principal):
    """(identity, EnablePersistentChat) of the policy that manages a user: the per-user policy assigned to it, else
    the site policy of its Registrar pool's site, else the global policy [ref Grant-CsPersistentChatPolicy]."""
    policies = dict((row['identity'].lower(), row) for row in _policy_rows(store))
    name = assigned_policy(store, principal.sip)
    candidates = []
    if name:
        candidates.append('tag:' + name)
    pool = registrar_pool(store, principal)
    if pool:
        site = store.execute('SELECT site FROM pools WHERE fqdn = ?', (pool,)).fetchone()
        if site and site['site']:
            candidates.append(site['site'])
    candidates.append(GLOBAL)
    for identity in candidates:
        row = policies.get(identity.lower())
        if row is not None:
            return row['identity'], bool(row['enable_persistent_chat'])
    return GLOBAL, False  # no global policy row: Lync's default, Persistent Chat off


@cmdlet('Get-CsPersistentChatPolicy', 'Microsoft.Rtc.Management.Internal.GetPersistentChatPolicyCmdlet',
        sets=['Identity', 'Filter'], default_set='Identity',
        params=[Param('Identity', sets=['Identity'], position=2), Param('Filter', sets=['Filter']),
                Param('LocalStore', SWITCH)],
        output='Microsoft.Rtc.Management.WritableConfig.Policy.PersistentChat.PersistentChatPolicy')
def get_policy(ctx):
    found = _policy_rows(ctx.store)
    if ctx.has('Identity'):
        wanted = normalize_identity(ctx.get('Identity')).lower()
        found = [row for row in found if row['identity'].lower() == wanted]
        if not found:
            ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                       'Identity', category='ObjectNotFound', target=ctx.get('Identity')))
    if ctx.has('Filter'):
        found = [row for row in found if matches(ctx.get('Filter'), row['identity'])]
    for row in found:
        ctx.write(objects.persistent_chat_policy(row))


def _account_named(principal, user_name):
    """Whether ``user_name`` (DOMAIN\\logon, logon, UPN or display name [ref Set-CsTestUserCredential]) names the
    account ``principal``."""
    text = (user_name or '').strip().lower()
    sam = (principal.get('sAMAccountName') or '').lower()
    if '\\' in text:
        domain, _sep, logon = text.partition('\\')
        return domain in (names.NETBIOS.lower(), names.DOMAIN.lower()) and logon == sam
    return text in (sam, (principal.get('userPrincipalName') or '').lower(),
                    (principal.get('displayName') or '').lower())


def lync_user(ctx, sip):
    """The Lync-enabled user that owns ``sip`` in Lync's view of AD, or None."""
    owners = [p for p in ctx.lync_view().sip_owners(sip) if p.kind == 'user']
    if owners and str(owners[0].get('msRTCSIP-UserEnabled', '')).upper() == 'TRUE':
        return owners[0]
    return None


def credential_problem(ctx, principal, user_name, password):
    """Why a credential does not log on as ``principal`` (None when it does): the user name must name the account
    of the SIP address [ref Test-CsPersistentChatMessage: "must reference the same user account"] and the password
    must be right (a bind to the domain controller)."""
    if not _account_named(principal, user_name):
        return 'the credential names "%s", which is not the account of %s' % (user_name, principal.sip)
    if not ctx.directory.password_is_right(principal.dn, password):
        return 'the password of %s is wrong, or the account is disabled' % user_name
    return None


@cmdlet('Set-CsTestUserCredential', 'Microsoft.Rtc.Management.SyntheticTransactions.SetTestUserCredentialCmdlet',
        sets=['UsePSCredential', 'UseRawText'], should_process=True,
        params=[Param('SipAddress', mandatory=True, position=2),
                Param('Credential', CREDENTIAL, sets=['UsePSCredential'], mandatory=True),
                Param('Password', sets=['UseRawText'], mandatory=True),
                Param('UserName', sets=['UseRawText'], mandatory=True), Param('Force', SWITCH)],
        output='None')
def set_test_user_credential(ctx):
    sip = ctx.get('SipAddress').strip()
    if not sip.lower().startswith('sip:'):
        sip = 'sip:' + sip
    principal = lync_user(ctx, sip)
    if principal is None:
        ctx.fail(ctx.cmdlet_error('"%s" is not a user enabled for Lync Server: test users are Active Directory users '
                                  'enabled for Lync Server.' % sip, 'UserNotFound', category='ObjectNotFound',
                                  target=sip))
    if ctx.has('Credential'):
        credential = ctx.get('Credential')
        user_name, password = credential['UserName'], credential['Password']
    else:
        user_name, password = ctx.get('UserName'), ctx.get('Password')
    problem = credential_problem(ctx, principal, user_name, password)
    if problem:
        ctx.fail(ctx.cmdlet_error('The test user credential of %s cannot be set: %s.' % (sip, problem),
                                  'InvalidCredential', category='InvalidArgument', target=sip))
    if not ctx.should_process(sip, 'Set-CsTestUserCredential'):
        return
    with store_mod.transaction(ctx.store):
        ctx.store.execute('INSERT OR REPLACE INTO test_user_credentials (sip, account_dn) VALUES (?, ?)',
                          (sip, principal.dn))


def registered_test_user(ctx, principal):
    """Whether a test user credential is registered for ``principal`` (Set-CsTestUserCredential) and still names its
    account."""
    row = ctx.store.execute('SELECT account_dn FROM test_user_credentials WHERE sip = ?', (principal.sip,)).fetchone()
    return row is not None and row['account_dn'].lower() == principal.dn.lower()
