# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed the lab directory: the well-known Group Chat user and LAB_USERS SIP-enabled users (idempotent)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random

import ldap3
from ldap3.utils.conv import escape_filter_chars

from lab import names, topology
from lab.schema import exists

# ADS_UF_NORMAL_ACCOUNT | ADS_UF_ACCOUNTDISABLE | ADS_UF_PASSWD_NOTREQD: lab users never log on.
DISABLED_NO_PASSWORD = 0x0200 | 0x0002 | 0x0020
USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user']
_GIVEN = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elisa', 'Fabio', 'Gina', 'Hugo', 'Iris', 'Joao', 'Karin', 'Luis']
_FAMILY = ['Silva', 'Souza', 'Costa', 'Santos', 'Oliveira', 'Pereira', 'Lima', 'Gomes', 'Ribeiro', 'Alves']


def user_attributes(index, rng):
    """The attributes of lab user ``index``; display names come from the seeded generator."""
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    return {
        'sAMAccountName': names.user_sam(index),
        'userPrincipalName': '%s@%s' % (names.user_sam(index), names.DOMAIN),
        'givenName': given,
        'sn': family,
        'displayName': '%s %s (%05d)' % (given, family, index),
        'userAccountControl': DISABLED_NO_PASSWORD,
        'msRTCSIP-PrimaryUserAddress': names.user_sip(index),
        'msRTCSIP-UserEnabled': 'TRUE',
        'msRTCSIP-PrimaryHomeServer': REGISTRAR_DN,
    }


REGISTRAR_DN = topology.pool_dn(topology.FRONT_END_POOL)


def well_known_attributes(sam=names.WELL_KNOWN_SAM, sip=names.WELL_KNOWN_SIP, product='Lync 2010 Group Chat'):
    return {
        'sAMAccountName': sam,
        'userPrincipalName': '%s@%s' % (sam, names.DOMAIN),
        'displayName': 'Group Chat well-known user',
        'description': '%s Lookup service account (well-known SIP URI for legacy clients)' % product,
        'userAccountControl': DISABLED_NO_PASSWORD,
        'msRTCSIP-PrimaryUserAddress': sip,
        'msRTCSIP-UserEnabled': 'TRUE',
        'msRTCSIP-PrimaryHomeServer': REGISTRAR_DN,  # Lync-enabled: homed on the front end pool, as Enable-CsUser does
    }


def well_known_users():
    """(DN, attributes) of the well-known Group Chat users, one per cutover unit of the lab."""
    return [(names.WELL_KNOWN_DN, well_known_attributes()),
            (names.WELL_KNOWN_2_DN, well_known_attributes(names.WELL_KNOWN_2_SAM, names.WELL_KNOWN_2_SIP,
                                                          'OCS 2007 R2 Group Chat'))]


def seeded_users(config, count=None):
    """Yield (index, DN, attributes) of lab users 1..``count`` (default LAB_USERS), drawn as `up` draws them."""
    rng = random.Random(config.seed)
    for index in range(1, (config.users if count is None else count) + 1):
        yield index, names.user_dn(index), user_attributes(index, rng)


def existing_user_count(conn):
    """How many lab users exist (they are numbered 1..N, so the highest present index is N)."""
    if not exists(conn, names.USERS_OU_DN):
        return 0
    entries = conn.extend.standard.paged_search(
        names.USERS_OU_DN, '(objectClass=user)', search_scope=ldap3.LEVEL,
        attributes=['sAMAccountName'], paged_size=1000, generator=True)
    return sum(1 for entry in entries if entry.get('type') == 'searchResEntry')


def ensure_registrar(conn):
    """The front end pool's object under CN=Pools, which Lync-enabled users are homed on."""
    if not exists(conn, REGISTRAR_DN):
        conn.add(REGISTRAR_DN, ['top', 'container'], {'description': 'Lync Server front end pool (lab)'})


def seed(conn, config):
    """Create what is missing; return (well-known user created, users added)."""
    ensure_registrar(conn)
    created_well_known = False
    for dn, attributes in well_known_users():
        if not exists(conn, dn):
            conn.add(dn, USER_CLASSES, attributes)
            created_well_known = created_well_known or dn == names.WELL_KNOWN_DN
    ensure_users_ou(conn)
    have = existing_user_count(conn)
    added = 0
    for index, dn, attrs in seeded_users(config):  # always drawn, so user N's names do not depend on earlier runs
        if index <= have:
            continue
        if exists(conn, dn):
            continue
        conn.add(dn, USER_CLASSES, attrs)
        added += 1
    return created_well_known, added


def ensure_users_ou(conn):
    if not exists(conn, names.USERS_OU_DN):
        conn.add(names.USERS_OU_DN, ['top', 'organizationalUnit'], {'description': 'pchat.cutover lab users'})


# ADS_UF_NORMAL_ACCOUNT | ADS_UF_DONT_EXPIRE_PASSWD: the Lync administrator logs on (PowerShell remoting).
NORMAL_ACCOUNT_PASSWORD_KEPT = 0x0200 | 0x10000


def _unicode_pwd(password):
    """AD's password attribute: the password in double quotes, UTF-16-LE (settable over LDAPS only)."""
    return ('"%s"' % password).encode('utf-16-le')


def ensure_lync_admin(conn, password, password_is_new=False):
    """The lab's Lync administrator (``CONTOSO\\lyncadmin``), enabled, with ``password``: created if missing; its
    password is reset when ``password_is_new`` (lab-state.json had none). Returns True if it was created.

    It is a member of Domain Admins, so that one Kerberos principal (lyncadmin@CONTOSO.COM, connection-kerberos.env)
    can do the directory's part of a cutover too (delete and reanimate the well-known user, the unit lease); with
    simple binds the lab binds as Administrator."""
    created = False
    if exists(conn, names.LYNC_ADMIN_DN):
        if password_is_new:
            conn.modify(names.LYNC_ADMIN_DN, {'unicodePwd': [(ldap3.MODIFY_REPLACE, [_unicode_pwd(password)])]})
    else:
        created = _add_lync_admin(conn, password)
    conn.search(names.DOMAIN_ADMINS_DN, '(member=%s)' % escape_filter_chars(names.LYNC_ADMIN_DN),
                search_scope=ldap3.BASE, attributes=['1.1'])
    if not conn.response or conn.response[0].get('type') != 'searchResEntry':
        conn.modify(names.DOMAIN_ADMINS_DN, {'member': [(ldap3.MODIFY_ADD, [names.LYNC_ADMIN_DN])]})
    return created


def _add_lync_admin(conn, password):
    conn.add(names.LYNC_ADMIN_DN, USER_CLASSES, {
        'sAMAccountName': names.LYNC_ADMIN_SAM,
        'userPrincipalName': '%s@%s' % (names.LYNC_ADMIN_SAM, names.DOMAIN),
        'displayName': 'Lync Administrator (lab)',
        'description': 'Runs the Lync Server Management Shell over PowerShell remoting (pchat.cutover lab)',
        'unicodePwd': _unicode_pwd(password),
        'userAccountControl': NORMAL_ACCOUNT_PASSWORD_KEPT,
    })
    return True


def test_user_attributes(sam, sip, number):
    """The attributes of a test user of Test-CsPersistentChatMessage (names.TEST_USERS), without its password."""
    return {
        'sAMAccountName': sam,
        'userPrincipalName': '%s@%s' % (sam, names.DOMAIN),
        'displayName': 'Persistent Chat Test %d' % number,
        'description': 'Test user of Test-CsPersistentChatMessage (pchat.cutover lab)',
        'userAccountControl': NORMAL_ACCOUNT_PASSWORD_KEPT,
        'msRTCSIP-PrimaryUserAddress': sip,
        'msRTCSIP-UserEnabled': 'TRUE',
    }


def ensure_test_users(conn, password, password_is_new=False):
    """The test users of names.TEST_USERS, enabled, with ``password``: created if missing, their password set again
    when ``password_is_new``. Returns how many were created."""
    created = 0
    for number, (sam, sip, dn) in enumerate(names.TEST_USERS, 1):
        if exists(conn, dn):
            if password_is_new:
                conn.modify(dn, {'unicodePwd': [(ldap3.MODIFY_REPLACE, [_unicode_pwd(password)])]})
            continue
        attributes = test_user_attributes(sam, sip, number)
        attributes['unicodePwd'] = _unicode_pwd(password)
        conn.add(dn, USER_CLASSES, attributes)
        created += 1
    return created
