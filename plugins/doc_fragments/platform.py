# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Options shared by every module that talks to the chat platform: the Lync Server Management Shell over
    # PowerShell remoting (a Lync front end, or the embedded lab's Lync emulator).
    DOCUMENTATION = r'''
options:
  psrp_host:
    description:
      - Lync Server 2013 or Skype for Business Server 2015 front end (or another server with its Management Shell) to connect to.
      - If not set, the environment variable E(PCHAT_PSRP_HOST) is used.
    type: str
  psrp_port:
    description:
      - Port of the remote PowerShell endpoint. Defaults to 5986 with O(psrp_ssl=true), else 5985 (WinRM); Lync's own
        C(OcsPowershell) endpoint is on 443.
      - If not set, the environment variable E(PCHAT_PSRP_PORT) is used.
    type: int
  psrp_path:
    description:
      - Which remote PowerShell endpoint of the front end to use.
      - V(wsman) is WinRM; the modules load the Lync cmdlets with C(Import-Module -Name Lync, SkypeForBusiness) (the
        module of Lync Server 2013, or of Skype for Business Server 2015, whichever is installed). Every step works
        there.
      - V(OcsPowershell) is Lync's own IIS-hosted endpoint, where the Lync cmdlets exist at once and nothing else
        is assumed to; the steps that need Windows service control on Group Chat servers (the C(disable) phase)
        say so before changing anything.
      - If not set, the environment variable E(PCHAT_PSRP_PATH) is used.
    type: str
    choices: [wsman, OcsPowershell]
    default: wsman
  psrp_username:
    description:
      - Account to connect as, C(DOMAIN\\user) or C(user@domain); a member of CsAdministrator (and
        CsPersistentChatAdministrator for the data migration).
      - With O(psrp_auth=kerberos), the Kerberos principal, V(user@REALM) (for example V(lyncadmin@CONTOSO.COM));
        unset, the ticket cache's default principal (or the client keytab's).
      - If not set, the environment variable E(PCHAT_PSRP_USERNAME) is used.
    type: str
  psrp_password:
    description:
      - Password of O(psrp_username). Never logged.
      - Not needed with O(psrp_auth=kerberos) and a ticket; if given there, a ticket is obtained with it in memory.
      - If not set, the environment variable E(PCHAT_PSRP_PASSWORD) is used.
    type: str
  psrp_auth:
    description:
      - Authentication protocol. V(negotiate) tries Kerberos, then NTLM.
      - V(kerberos) uses Kerberos only, and needs no password. The ticket comes from the credential cache named by
        E(KRB5CCNAME) (fill it with C(kinit -k -t <keytab> <user@REALM>)), or MIT Kerberos gets it by itself from
        the client keytab named by E(KRB5_CLIENT_KTNAME); E(KRB5_CONFIG) names the krb5.conf; the realm's KDC must be
        reachable from the controller. The service principal asked for is C(host/<psrp_host>), which every
        domain-joined computer has for its FQDN, so give O(psrp_host) as the front end's FQDN (an IP address or a DNS
        alias works only with an SPN for it, or with krb5.conf canonicalising the name).
      - If not set, the environment variable E(PCHAT_PSRP_AUTH) is used.
    type: str
    choices: [negotiate, kerberos, ntlm, credssp, basic]
    default: negotiate
  psrp_ssl:
    description:
      - Use HTTPS. Over plain HTTP the messages are encrypted by NTLM or Kerberos, but not the authentication
        exchange of V(basic).
      - If not set, the environment variable E(PCHAT_PSRP_SSL) is used.
    type: bool
    default: true
  psrp_cert_validation:
    description:
      - Validate the server certificate. Turn off only in a throw-away lab.
      - If not set, the environment variable E(PCHAT_PSRP_CERT_VALIDATION) is used.
    type: bool
    default: true
  psrp_ca_file:
    description:
      - PEM file with the CA certificate(s) that issued the front end's certificate; without it, the
        controller's trust store is used.
      - If not set, the environment variable E(PCHAT_PSRP_CA_FILE) is used.
    type: path
  legacy_pools:
    description:
      - What the Lync topology does not say about legacy Group Chat pools, one entry per pool; the role
        C(pchat.cutover.connection) builds it from the unit's C(pchat_legacy_*) variables.
      - An OCS 2007 R2 Group Chat pool is not in the Lync topology (C(Merge-CsLegacyTopology) does not merge Group
        Chat), so no cmdlet finds it; with O(legacy_pools[].servers) it is read and changed through Windows service
        control on those servers (O(psrp_path=wsman)).
      - A Lync Server 2010 Group Chat pool is found in the topology (a trusted application pool); its entry adds
        what the topology lacks (the compliance server, the service names, the Web service).
      - Options for a Persistent Chat pool are ignored.
    type: list
    elements: dict
    default: []
    suboptions:
      fqdn:
        description: FQDN of the legacy Group Chat pool (the trusted application pool's, or the one the Group Chat
          clients' Lookup server URI names).
        type: str
        required: true
      kind:
        description: The product of a pool outside the topology; a pool found in the topology is
          V(group_chat_2010).
        type: str
        choices: [group_chat_2007r2, group_chat_2010]
        default: group_chat_2007r2
      servers:
        description:
          - FQDNs of the pool's Group Chat servers (Lookup and Channel services).
          - Needed for a pool outside the topology; for a pool in it they must equal its computers
            (C(Get-CsTrustedApplicationComputer)), or the task fails without changing anything.
        type: list
        elements: str
        default: []
      compliance_servers:
        description:
          - FQDNs of the Group Chat compliance servers (the Compliance service runs on a computer of its own, which
            no cmdlet names). They are stopped after the Group Chat servers and started before them.
        type: list
        elements: str
        default: []
      service_names:
        description:
          - Windows service names of the Group Chat services (Lookup, Channel, Compliance). Empty finds them by
            display name (C(DisplayName LIKE '%Group Chat%')); a name that no server has is an error.
        type: list
        elements: str
        default: []
      web_service:
        description:
          - The Group Chat Web service (file posting) is hosted by IIS. V(stop) stops and disables IIS (C(W3SVC))
            on the Group Chat servers with the Group Chat services, as the migration guide stops all legacy
            services (and starts it again on rollback); V(leave) leaves IIS as it is, for servers whose IIS serves
            other sites. Either way the pool's C(web_service.summary) says what was done.
        type: str
        choices: [stop, leave]
        default: stop
requirements:
  - pypsrp (Python library on the controller); for O(psrp_auth=kerberos) its C(kerberos) extra (gssapi, krb5) and the
    MIT Kerberos libraries
notes:
  - The platform options are set once for every module that talks to the front end with C(module_defaults) for the
    action group C(group/pchat.cutover.platform).
'''
