# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent Chat endpoints: AD contacts under CN=Application Contacts that route (legacy) clients to a
Persistent Chat pool. Get- reads AD; New- writes the contact Lync writes and refuses a SIP URI that any user or
contact owns as Lync sees AD (which lags LDAP deletes, see directory.LyncView); Remove- deletes the contact."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import uuid

from ldap3.utils.conv import escape_bytes

from lab import names, topology
from lab.emulator import objects
from lab.emulator.binding import CREDENTIAL, FQDN, RESULT_SIZE, STRING, SWITCH, Param
from lab.emulator.cmdlets import cmdlet
from lab.emulator.cmdlets.common import has_wildcard, pool_row
from lab.emulator.cmdlets.filters import principal_filter
from lab.emulator.directory import CONTACT_CLASSES, SIP, escape

OWNER_FILTER = '(&(objectClass=contact)(msRTCSIP-OwnerUrn=%s))' % topology.PERSISTENT_CHAT_OWNER_URN
SIP_DOMAINS = (names.DOMAIN,)
_SIP = re.compile(r'^sip:[^@\s:;]+@([A-Za-z0-9.-]+)$', re.IGNORECASE)


def identity_filter(identity):
    """An LDAP filter for a UserIdParameter: SIP address, DN, GUID, or display name (wildcards allowed)."""
    if identity.lower().startswith('sip:'):
        return '(%s=%s)' % (SIP, escape(identity))
    if '=' in identity and ',' in identity:
        return '(distinguishedName=%s)' % escape(identity)
    try:
        return '(objectGUID=%s)' % escape_bytes(uuid.UUID(identity.strip('{}')).bytes_le)
    except ValueError:
        pass
    if has_wildcard(identity):
        return '(displayName=%s)' % escape(identity).replace('\\2a', '*')
    return '(displayName=%s)' % escape(identity)


def endpoints(ctx, identity=None, pool=None, ldap_filter=None, base=None):
    search = OWNER_FILTER
    if identity:
        search = '(&%s%s)' % (search, identity_filter(identity))
    if pool:
        search = '(&%s(msRTCSIP-PrimaryHomeServer=%s))' % (search, escape(topology.pool_dn(pool['fqdn'])))
    if ldap_filter:
        search = '(&%s(%s))' % (search, ldap_filter.strip('()'))
    found = ctx.directory.principals(search, base=base or names.APPLICATION_CONTACTS_DN)
    return sorted(found, key=lambda p: (p.sip or '').lower())


def _chat_pool(ctx, fqdn):
    row = pool_row(ctx.store, fqdn, 'PersistentChatServer')
    if row is None:
        ctx.fail(ctx.cmdlet_error('"%s" is not a Persistent Chat pool of the topology.' % fqdn, 'PoolNotFound',
                                  category='ObjectNotFound', target=fqdn))
    return row


@cmdlet('Get-CsPersistentChatEndpoint', 'Microsoft.Rtc.Management.AD.Cmdlets.GetPersistentChatEndpointCmdlet',
        params=[Param('Identity', position=1, pipeline='both'), Param('Credential', CREDENTIAL),
                Param('DomainController', FQDN), Param('Filter'), Param('LdapFilter'), Param('OU'),
                Param('PersistentChatPoolFqdn', FQDN), Param('ResultSize', RESULT_SIZE)],
        output='Microsoft.Rtc.Management.ADConnect.Schema.OCSPersistentChatContact')
def get_endpoint(ctx):
    pool = _chat_pool(ctx, ctx.get('PersistentChatPoolFqdn')) if ctx.has('PersistentChatPoolFqdn') else None
    found = endpoints(ctx, ctx.get('Identity'), pool, ctx.get('LdapFilter'), ctx.get('OU'))
    if ctx.has('Filter'):
        keep = principal_filter(ctx, ctx.get('Filter'), objects.persistent_chat_contact)
        found = [p for p in found if keep(p)]
    if ctx.has('Identity') and not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % ctx.get('Identity'),
                                   'Identity', category='ObjectNotFound', target=ctx.get('Identity')))
    limit = ctx.get('ResultSize')
    for principal in found[:limit] if ctx.has('ResultSize') and limit is not None else found:
        ctx.write(objects.persistent_chat_contact(principal))


def validate_sip(ctx, sip):
    match = _SIP.match(sip or '')
    if not match:
        ctx.fail(ctx.cmdlet_error('"%s" is not a valid SIP address: it needs the sip: prefix, a user part and a '
                                  'domain, e.g. sip:persistentchat@%s.' % (sip, names.DOMAIN), 'InvalidSipAddress',
                                  category='InvalidArgument', target=sip))
    if match.group(1).lower() not in SIP_DOMAINS:
        ctx.fail(ctx.cmdlet_error('SIP domain "%s" is not a SIP domain of this deployment (Get-CsSipDomain).'
                                  % match.group(1), 'InvalidSipDomain', category='InvalidArgument', target=sip))


@cmdlet('New-CsPersistentChatEndpoint', 'Microsoft.Rtc.Management.AD.Cmdlets.NewPersistentChatEndpointCmdlet',
        should_process=True,
        params=[Param('PersistentChatPoolFqdn', FQDN, mandatory=True), Param('SipAddress', STRING, mandatory=True),
                Param('DisplayName'), Param('PassThru', SWITCH)],
        output='Microsoft.Rtc.Management.ADConnect.Schema.OCSPersistentChatContact (with -PassThru)')
def new_endpoint(ctx):
    sip = ctx.get('SipAddress').strip()
    validate_sip(ctx, sip)
    pool = _chat_pool(ctx, ctx.get('PersistentChatPoolFqdn'))
    owners = ctx.lync_view().sip_owners(sip)
    if owners:
        ctx.fail(ctx.cmdlet_error('SIP address "%s" is already in use by "%s". A SIP address can belong to only one '
                                  'user or contact.' % (sip, owners[0].dn), 'SipAddressInUse',
                                  category='ResourceExists', target=sip))
    guid = str(uuid.uuid4()).upper()
    dn = 'CN={%s},%s' % (guid, names.APPLICATION_CONTACTS_DN)
    if not ctx.should_process(sip, 'New-CsPersistentChatEndpoint'):
        return
    attributes = {
        SIP: sip,
        'msRTCSIP-UserEnabled': 'TRUE',
        'msRTCSIP-PrimaryHomeServer': topology.pool_dn(pool['fqdn']),
        'msRTCSIP-OwnerUrn': topology.PERSISTENT_CHAT_OWNER_URN,
        'displayName': ctx.get('DisplayName') or sip[4:],
    }
    ctx.directory.add(dn, CONTACT_CLASSES, attributes)
    ctx.hold('contact-written')
    created = ctx.directory.principals('(distinguishedName=%s)' % escape(dn), base=names.APPLICATION_CONTACTS_DN)
    ctx.lync_view().remember(created)
    if ctx.get('PassThru') and created:
        ctx.write(objects.persistent_chat_contact(created[0]))


@cmdlet('Remove-CsPersistentChatEndpoint', 'Microsoft.Rtc.Management.AD.Cmdlets.RemovePersistentChatEndpointCmdlet',
        should_process=True, params=[Param('Identity', mandatory=True, position=1, pipeline='both'),
                                     Param('Force', SWITCH)])
def remove_endpoint(ctx):
    identity = ctx.get('Identity')
    found = endpoints(ctx, identity)
    if not found:
        ctx.error(ctx.cmdlet_error('Management object not found for identity "%s".' % identity, 'Identity',
                                   category='ObjectNotFound', target=identity))
        return
    if len(found) > 1:
        ctx.error(ctx.cmdlet_error('The identity "%s" matches more than one endpoint: %s.'
                                   % (identity, ', '.join(p.dn for p in found)), 'AmbiguousIdentity',
                                   category='InvalidArgument', target=identity))
        return
    if ctx.should_process(found[0].dn, 'Remove-CsPersistentChatEndpoint'):
        ctx.directory.delete(found[0].dn)
