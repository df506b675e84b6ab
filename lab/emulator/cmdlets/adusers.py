# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Get-CsAdUser (every AD user) and Get-CsUser (users enabled for Lync), read through Lync's view of AD, which
still shows a user deleted over LDAP for ``ad_replication_lag_s`` seconds (directory.LyncView)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from lab import names
from lab.emulator import objects
from lab.emulator.binding import CREDENTIAL, FQDN, RESULT_SIZE, SWITCH, Param
from lab.emulator.cmdlets import cmdlet, policies
from lab.emulator.cmdlets.common import has_wildcard, matches
from lab.emulator.cmdlets.filters import compile_filter
from lab.emulator.directory import SIP, escape

USERS = '(&(objectCategory=person)(objectClass=user))'


def identity_test(identity):
    """(LDAP filter, Python predicate) for a UserIdParameter: SIP address, UPN, DOMAIN\\logon, DN or display name
    (wildcards allowed in display names)."""
    text = identity.strip()
    lower = text.lower()
    if lower.startswith('sip:'):
        return '(%s=%s)' % (SIP, escape(text)), lambda p: (p.sip or '').lower() == lower
    if '=' in text and ',' in text:
        return '(distinguishedName=%s)' % escape(text), lambda p: p.dn.lower() == lower
    if '\\' in text:
        sam = text.split('\\', 1)[1]
        return '(sAMAccountName=%s)' % escape(sam), lambda p: (p.get('sAMAccountName') or '').lower() == sam.lower()
    if '@' in text:
        return ('(userPrincipalName=%s)' % escape(text),
                lambda p: (p.get('userPrincipalName') or '').lower() == lower)
    if has_wildcard(text):
        return ('(displayName=%s)' % escape(text).replace('\\2a', '*'),
                lambda p: matches(text, p.get('displayName') or ''))
    return '(displayName=%s)' % escape(text), lambda p: (p.get('displayName') or '').lower() == lower


def read_users(ctx, builder, lync_enabled_only):
    search, tests = USERS, [lambda p: p.kind == 'user']
    if ctx.has('Identity'):
        extra, identity_pred = identity_test(ctx.get('Identity'))
        search = '(&%s%s)' % (search, extra)
        tests.append(identity_pred)
    if lync_enabled_only:
        search = '(&%s(%s=*))' % (search, SIP)
        tests.append(lambda p: bool(p.sip))

    def test(principal):
        return all(check(principal) for check in tests)
    ldap_filter = (ctx.get('LdapFilter') or ctx.get('LDAPFilter') or '').strip()
    if ldap_filter:
        # The reference writes filters without their outer parentheses ("Department=Finance",
        # "|(Title=Supervisor)(Title=Manager)"); one with them is taken as it is.
        search = '(&%s%s)' % (search, ldap_filter if ldap_filter.startswith('(') else '(%s)' % ldap_filter)
    base = ctx.get('OU') or names.BASE_DN
    found = ctx.lync_view().find(search, test, base=base)
    found = [p for p in found if p.kind == 'user']
    if ctx.has('Filter'):
        keep = compile_filter(ctx, ctx.get('Filter'))
        found = [p for p in found if keep(builder(p))]
    if ctx.has('Identity') and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))
    found.sort(key=lambda p: p.dn.lower())
    if ctx.has('ResultSize') and ctx.get('ResultSize') is not None:
        found = found[:ctx.get('ResultSize')]
    return found


AD_PARAMS = [Param('Identity', position=1, pipeline='both'), Param('Credential', CREDENTIAL),
             Param('DomainController', FQDN), Param('Filter'), Param('OU'), Param('ResultSize', RESULT_SIZE)]


@cmdlet('Get-CsAdUser', 'Microsoft.Rtc.Management.AD.Cmdlets.GetAdUserCmdlet',
        params=AD_PARAMS + [Param('LDAPFilter')], output='Microsoft.Rtc.Management.ADConnect.Schema.CSADUser')
def get_cs_ad_user(ctx):
    for principal in read_users(ctx, objects.ad_user, lync_enabled_only=False):
        ctx.write(objects.ad_user(principal))


@cmdlet('Get-CsUser', 'Microsoft.Rtc.Management.AD.Cmdlets.GetOcsUserCmdlet',
        params=AD_PARAMS + [Param('LdapFilter'), Param('OnOfficeCommunicationServer', SWITCH),
                            Param('OnLyncServer', SWITCH), Param('UnAssignedUser', SWITCH)],
        output='Microsoft.Rtc.Management.ADConnect.Schema.ADUser')
def get_cs_user(ctx):
    for principal in read_users(ctx, lambda p: _lync_user(ctx, p), lync_enabled_only=True):
        homed = bool(principal.get('msRTCSIP-PrimaryHomeServer'))
        if ctx.get('OnLyncServer') and not homed:
            continue
        if ctx.get('OnOfficeCommunicationServer'):
            continue  # no user of the lab is homed on OCS
        if ctx.get('UnAssignedUser') and homed:
            continue
        ctx.write(_lync_user(ctx, principal))


def _lync_user(ctx, principal):
    return objects.lync_user(principal, policies.registrar_pool(ctx.store, principal),
                             policies.assigned_policy(ctx.store, principal.sip))
