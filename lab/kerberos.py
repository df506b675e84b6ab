# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Kerberos realm (docs/lab.md, Kerberos): Samba's KDC serves CONTOSO.COM on LAB_IP; this module registers
the service principals the clients ask for, exports the keytabs from Samba and writes the client configuration.

Names without DNS: the clients connect to ``LAB_IP`` (``ldaps://LAB_IP``, ``psrp_host: LAB_IP``), and the lab's
krb5.conf turns host name canonicalisation off (``rdns = false``, ``dns_canonicalize_hostname = false``), so a
client asks for exactly ``ldap/LAB_IP`` and ``host/LAB_IP`` (pypsrp's service; ``WSMAN/``, ``HTTP/`` too). Those
SPNs are registered beside the names a real deployment uses (``ldap/dc01.contoso.com``, ``HOST/lyncfe01.contoso.com``).
Nothing on the machine changes: no /etc/hosts, no /etc/krb5.conf, no DNS.

Keytabs come from ``samba-tool domain exportkeytab``, which reads the keys from the lab's sam.ldb: no password is on
its command line, and none is kept for the front end's computer account (its random password is thrown away once
set; Samba keeps the keys).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import secrets
import subprocess

import ldap3
import ldap3.core.exceptions

from lab import names
from lab.samba import LabError

KRB5_CONF = 'krb5.conf'
CLIENT_DIR = 'kerberos'
CLIENT_KEYTAB = 'lyncadmin.keytab'
CLIENT_CCACHE = 'krb5cc'
EMULATOR_KEYTAB = 'lyncfe01.keytab'  # in $LAB_DIR/emulator/, the acceptor's (LAB_PSRP_AUTH, KRB5_KTNAME)

CLIENT_PRINCIPAL = '%s@%s' % (names.LYNC_ADMIN_SAM, names.REALM)
FRONT_END_PRINCIPAL = '%s@%s' % (names.FRONT_END_SAM, names.REALM)
# ADS_UF_WORKSTATION_TRUST_ACCOUNT: a member computer, as the Lync front end is.
WORKSTATION_TRUST_ACCOUNT = 0x1000


def client_dir(lab_dir):
    return os.path.join(lab_dir, CLIENT_DIR)


def krb5_conf_path(lab_dir):
    return os.path.join(lab_dir, KRB5_CONF)


def client_keytab_path(lab_dir):
    return os.path.join(client_dir(lab_dir), CLIENT_KEYTAB)


def client_ccache(lab_dir):
    return 'FILE:' + os.path.join(client_dir(lab_dir), CLIENT_CCACHE)


def emulator_keytab_path(lab_dir):
    return os.path.join(lab_dir, 'emulator', EMULATOR_KEYTAB)


def client_environment(lab_dir):
    """What a Kerberos client of the lab needs (connection-kerberos.env): the lab's krb5.conf, a ticket cache of its
    own, and the client keytab MIT krb5 gets tickets from when the cache has none (KRB5_CLIENT_KTNAME)."""
    return {
        'KRB5_CONFIG': krb5_conf_path(lab_dir),
        'KRB5CCNAME': client_ccache(lab_dir),
        'KRB5_CLIENT_KTNAME': 'FILE:' + client_keytab_path(lab_dir),
    }


def krb5_conf_text(lab_ip):
    return '\n'.join([
        '# The pchat.cutover lab realm (docs/lab.md, Kerberos). Use it with KRB5_CONFIG=<this file>; never copied to',
        '# /etc/krb5.conf. The KDC is the lab\'s Samba on %s.' % lab_ip,
        '[libdefaults]',
        '    default_realm = %s' % names.REALM,
        '    dns_lookup_realm = false',
        '    dns_lookup_kdc = false',
        '    # Ask for the service principal of the very name the client connects to (the lab has no DNS): with',
        '    # ldaps://%s the directory is ldap/%s, the emulator WSMAN/%s.' % (lab_ip, lab_ip, lab_ip),
        '    rdns = false',
        '    dns_canonicalize_hostname = false',
        '[realms]',
        '    %s = {' % names.REALM,
        '        kdc = %s' % lab_ip,
        '        kpasswd_server = %s' % lab_ip,
        '    }',
        '[domain_realm]',
        '    .%s = %s' % (names.DOMAIN, names.REALM),
        '    %s = %s' % (names.DOMAIN, names.REALM),
        '    %s = %s' % (lab_ip, names.REALM),
        '',
    ])


def dc_spns(lab_ip):
    """The DC's LDAP service principals. Samba's provision registers them through samba_spnupdate, which the lab's
    DC does not run (no dnsupdate service): added here, as AD has them, plus the lab's address."""
    fqdn = '%s.%s' % (names.DC_HOST, names.DOMAIN)
    return ['ldap/%s' % fqdn, 'ldap/%s' % names.DC_HOST.upper(), 'ldap/%s/%s' % (fqdn, names.DOMAIN),
            'ldap/%s/%s' % (fqdn, names.NETBIOS), 'ldap/%s' % lab_ip]


def front_end_spns(lab_ip):
    """The Lync front end's, by FQDN, NetBIOS name and the lab's address: HOST (every computer has it; pypsrp 0.9
    asks for host/<psrp_host> unless told another service), WSMAN (WinRM registers it; Windows clients ask for it)
    and HTTP (IIS, OcsPowershell)."""
    short = names.FRONT_END_SAM.rstrip('$')
    return ['%s/%s' % (service, host) for service in ('HOST', 'WSMAN', 'HTTP')
            for host in (names.FRONT_END_FQDN, short, lab_ip)]


def _entry(conn, dn, attributes):
    try:
        conn.search(dn, '(objectClass=*)', search_scope=ldap3.BASE, attributes=attributes)
    except ldap3.core.exceptions.LDAPNoSuchObjectResult:
        return None
    entries = [r for r in conn.response if r.get('type') == 'searchResEntry']
    return entries[0]['attributes'] if entries else None


def _add_spns(conn, dn, wanted):
    have = set(spn.lower() for spn in (_entry(conn, dn, ['servicePrincipalName']) or {}).get(
        'servicePrincipalName', []))
    missing = [spn for spn in wanted if spn.lower() not in have]
    if missing and not conn.modify(dn, {'servicePrincipalName': [(ldap3.MODIFY_ADD, missing)]}):
        raise LabError('adding the service principals %s to %s failed: %s' % (missing, dn, conn.result))
    return missing


def ensure_principals(conn, lab_ip):
    """The DC's LDAP SPNs and the front end's computer account with its SPNs; returns how many SPNs were added."""
    added = len(_add_spns(conn, names.DC_DN, dc_spns(lab_ip)))
    if _entry(conn, names.FRONT_END_DN, ['1.1']) is None:
        password = '"%s"' % ('Lab-' + secrets.token_urlsafe(24))
        ok = conn.add(names.FRONT_END_DN, ['top', 'person', 'organizationalPerson', 'user', 'computer'], {
            'sAMAccountName': names.FRONT_END_SAM,
            'userAccountControl': WORKSTATION_TRUST_ACCOUNT,
            'dNSHostName': names.FRONT_END_FQDN,
            'description': 'The Lync front end the lab emulator stands in for (its Kerberos acceptor)',
            'unicodePwd': password.encode('utf-16-le'),
        })
        if not ok:
            raise LabError('creating the front end\'s computer account %s failed: %s'
                           % (names.FRONT_END_DN, conn.result))
    added += len(_add_spns(conn, names.FRONT_END_DN, front_end_spns(lab_ip)))
    return added


def key_version(conn, dn):
    """msDS-KeyVersionNumber of an account: the kvno its keytab entries must carry."""
    value = (_entry(conn, dn, ['msDS-KeyVersionNumber']) or {}).get('msDS-KeyVersionNumber')
    return int(value[0] if isinstance(value, list) else value) if value not in (None, []) else None


def keytab_versions(path):
    """The kvnos of a keytab's entries (empty if it is missing or unreadable)."""
    import krb5  # pylint: disable=import-outside-toplevel
    try:
        context = krb5.init_context()
        return set(entry.kvno for entry in krb5.kt_resolve(context, ('FILE:' + path).encode()))
    except (krb5.Krb5Error, OSError):
        return set()


def export_keytab(config, principal, path):
    """``samba-tool domain exportkeytab`` of one principal into ``path`` (0600, replaced atomically): the keys come
    from the lab's sam.ldb, no password is involved."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = path + '.tmp'
    if os.path.exists(tmp):
        os.unlink(tmp)  # exportkeytab appends to an existing file
    old_umask = os.umask(0o077)
    try:
        proc = subprocess.run(['samba-tool', 'domain', 'exportkeytab', tmp, '--principal=' + principal,
                               '-s', config.smb_conf], capture_output=True, text=True, check=False, timeout=60)
    finally:
        os.umask(old_umask)
    if proc.returncode != 0 or not os.path.exists(tmp):
        raise LabError('samba-tool domain exportkeytab --principal=%s failed (exit %d): %s'
                       % (principal, proc.returncode, (proc.stdout + proc.stderr)[-2000:]))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def ensure_keytab(config, conn, principal, dn, path):
    """Export the keytab of ``principal`` unless ``path`` already holds its current key version; True if exported."""
    kvno = key_version(conn, dn)
    if kvno is not None and keytab_versions(path) == {kvno}:
        return False
    export_keytab(config, principal, path)
    return True


def write_krb5_conf(config, lab_ip):
    path = krb5_conf_path(config.lab_dir)
    text = krb5_conf_text(lab_ip)
    try:
        with open(path) as handle:
            if handle.read() == text:
                return
    except OSError:
        pass
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # not a secret
    os.replace(tmp, path)


def ensure(config, conn, lab_ip=None):
    """Everything Kerberos of the lab: SPNs, the front end's account, both keytabs, krb5.conf. One line for ``up``."""
    lab_ip = lab_ip or names.LAB_IP
    added = ensure_principals(conn, lab_ip)
    os.makedirs(client_dir(config.lab_dir), mode=0o700, exist_ok=True)
    exported = [name for name, principal, dn, path in (
        ('emulator', FRONT_END_PRINCIPAL, names.FRONT_END_DN, emulator_keytab_path(config.lab_dir)),
        ('client', CLIENT_PRINCIPAL, names.LYNC_ADMIN_DN, client_keytab_path(config.lab_dir)),
    ) if ensure_keytab(config, conn, principal, dn, path)]
    write_krb5_conf(config, lab_ip)
    return 'kerberos: realm %s, KDC %s:88; %d service principals added; keytabs %s' % (
        names.REALM, lab_ip, added, ('exported: ' + ', '.join(exported)) if exported else 'current')
