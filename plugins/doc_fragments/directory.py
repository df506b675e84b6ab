# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Options shared by every module that talks to Active Directory over LDAP.
    DOCUMENTATION = r'''
options:
  ldap_url:
    description:
      - URL of the domain controller, for example V(ldaps://dc01.contoso.com) or V(ldap://dc01.contoso.com).
      - With an C(ldap://) URL, set O(ldap_start_tls=true); a simple bind in clear text is refused unless
        O(ldap_allow_plain_bind=true).
      - If not set, the environment variable E(PCHAT_LDAP_URL) is used.
    type: str
    required: false
  ldap_bind_method:
    description:
      - How to authenticate to the directory.
      - V(simple) binds as O(ldap_bind_dn) with O(ldap_bind_password) (anonymously without O(ldap_bind_dn)); over TLS only, see
        O(ldap_allow_plain_bind).
      - V(kerberos) binds with SASL/GSSAPI and a Kerberos ticket, and no password. The ticket comes from the
        credential cache named by E(KRB5CCNAME) (fill it with C(kinit -k -t <keytab> <user@REALM>)), or MIT
        Kerberos gets it by itself from the client keytab named by E(KRB5_CLIENT_KTNAME); E(KRB5_CONFIG) names
        the krb5.conf. O(ldap_bind_password) must not be set. The service principal asked for is C(ldap/<host of
        ldap_url>) (whether the host name is canonicalised first is krb5.conf's C(rdns) and
        C(dns_canonicalize_hostname)), so use the domain controller's FQDN, or a name or address the DC's account
        has an SPN for. Needs TLS (V(ldaps://) or O(ldap_start_tls)), since no SASL signing is negotiated; the
        directory must accept SASL binds over TLS (AD does).
      - If not set, the environment variable E(PCHAT_LDAP_BIND_METHOD) is used.
    type: str
    choices: [simple, kerberos]
    default: simple
  ldap_bind_dn:
    description:
      - DN (or user principal name) to bind as, for example V(CN=Administrator,CN=Users,DC=contoso,DC=com).
      - With O(ldap_bind_method=kerberos), the Kerberos principal to bind as, V(user@REALM) (for example
        V(lyncadmin@CONTOSO.COM)); unset, the ticket cache's default principal (or the client keytab's first).
      - If not set, the environment variable E(PCHAT_LDAP_BIND_DN) is used.
    type: str
    required: false
  ldap_bind_password:
    description:
      - Password of O(ldap_bind_dn) for a simple bind. Never logged. Not used, and refused, with O(ldap_bind_method=kerberos).
      - If not set, the environment variable E(PCHAT_LDAP_BIND_PASSWORD) is used.
    type: str
    required: false
  ldap_ca_file:
    description:
      - PEM file with the CA certificate(s) that signed the domain controller's certificate.
      - If not set, the environment variable E(PCHAT_LDAP_CA_FILE) is used, then the system trust store.
    type: path
    required: false
  ldap_validate_certs:
    description:
      - Validate the server certificate (chain and host name). Turn off only in a throw-away lab.
      - If not set, the environment variable E(PCHAT_LDAP_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ldap_start_tls:
    description:
      - Upgrade an C(ldap://) connection with StartTLS before binding.
      - If not set, the environment variable E(PCHAT_LDAP_START_TLS) is used.
    type: bool
    default: false
  ldap_allow_plain_bind:
    description:
      - Allow a simple bind over an unencrypted C(ldap://) connection (password in clear text on the wire), or a
        Kerberos bind there (no password crosses, but the session is neither signed nor sealed).
      - If not set, the environment variable E(PCHAT_LDAP_ALLOW_PLAIN_BIND) is used.
    type: bool
    default: false
  ldap_search_base:
    description:
      - Base DN of searches. Defaults to the C(defaultNamingContext) of the server's rootDSE.
      - If not set, the environment variable E(PCHAT_LDAP_SEARCH_BASE) is used.
    type: str
    required: false
  ldap_timeout:
    description:
      - Seconds to wait for the connection and for each LDAP operation.
      - If not set, the environment variable E(PCHAT_LDAP_TIMEOUT) is used.
    type: int
    default: 10
requirements:
  - ldap3 (Python library on the controller)
  - gssapi (Python library on the controller, and the MIT Kerberos libraries) for O(ldap_bind_method=kerberos)
notes:
  - Every module takes the directory options (the unit's lease is an object in AD), set once for all of them with
    C(module_defaults) for the action group C(group/pchat.cutover.directory).
'''
