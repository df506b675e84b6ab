# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP authentication of the emulator, as a WinRM/IIS listener does it.

* **Negotiate** (SPNEGO, pyspnego's acceptor; ``LAB_PSRP_AUTH=negotiate``, the default): Kerberos (the front end's
  keys, ``KRB5_KTNAME``: ``emulator/lyncfe01.keytab`` exported from Samba) or NTLM (the accounts of
  ``NTLM_USER_FILE``), whichever the client's token carries. Connection-based: one acceptor per TCP connection; once
  it completes, every later request on that connection is that user (what HTTP.sys does, and what pypsrp relies on:
  it authenticates once per connection). Channel binding: the acceptor is given the ``tls-server-end-point``
  binding of the emulator's certificate, so an NTLM client that binds another TLS channel (a relay) or none at all is
  refused, and a Kerberos authenticator whose binding differs is refused by MIT krb5 (one with no binding passes:
  MIT's rule).
* **Kerberos only** (``LAB_PSRP_AUTH=kerberos``): a 401 offers ``Negotiate`` and ``Kerberos``; SPNEGO with Kerberos
  inside, or a bare Kerberos token (pypsrp's ``auth='kerberos'``), is accepted; a token that selects NTLM is refused
  at its first message (401), as a Windows listener in a domain that denies NTLM does.
* Whatever the protocol, only the accounts of ``NTLM_USER_FILE`` are let in (the lab's Lync administrator): another
  principal of the realm with a valid ticket is refused.
* **Basic**: refused (not offered) unless the emulator runs with ``LAB_PSRP_ALLOW_BASIC=1``; then offered, but, as
  WinRM, only for local accounts of the computer: the lab's accounts are domain accounts, so Basic lets no one in
  (the log says why).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import os

import spnego
import spnego.channel_bindings
import spnego.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from lab import names


class AuthResult(object):
    """``status``: ``ok`` (``principal`` set), ``continue`` (send ``token`` in a 401) or ``refused``; ``scheme``: the
    client's, under which a token goes back."""

    __slots__ = ('status', 'principal', 'token', 'reason', 'scheme')

    def __init__(self, status, principal=None, token=None, reason=None, scheme=None):
        self.status = status
        self.principal = principal
        self.token = token
        self.reason = reason
        self.scheme = scheme


def nt_hash(password):
    """The NT hash (MD4 of the UTF-16-LE password) that an NTLM acceptor checks responses with.

    hashlib has no MD4 on OpenSSL 3, so this borrows pyspnego's own implementation (a private module of the pinned
    pyspnego): kept in this one function."""
    from spnego._ntlm_raw.crypto import ntowfv1  # pylint: disable=import-outside-toplevel
    return ntowfv1(password)


def write_user_file(path, sam, password, netbios=names.NETBIOS, dns_domain=names.DOMAIN):
    """The NTLM_USER_FILE for one account in smbpasswd form (``name:uid:LM:NT:flags:time``), once as
    ``DOMAIN\\user`` and once as ``user@dns.domain`` (an NTLM client sends a UPN as a bare user name); 0600, written
    atomically. Only the NT hash is stored, never the password."""
    digest = binascii.hexlify(nt_hash(password)).decode().upper()
    lm_unused = '0' * 32
    lines = ['%s:0:%s:%s:[U          ]:LCT-00000000' % (name, lm_unused, digest)
             for name in ('%s\\%s' % (netbios, sam), '%s@%s' % (sam, dns_domain))]
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = path + '.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    os.replace(tmp, path)


def read_accounts(path):
    """``{lower-case logon name: canonical DOMAIN\\user}`` for every line of the user file."""
    accounts = {}
    with open(path) as handle:
        for line in handle:
            logon = line.split(':', 1)[0].strip()
            if not logon:
                continue
            if '\\' in logon:
                domain, user = logon.split('\\', 1)
            else:
                user, realm = logon.split('@', 1)
                domain = names.NETBIOS if realm.lower() == names.DOMAIN.lower() else realm.upper()
            accounts[logon.lower()] = '%s\\%s' % (domain.upper(), user)
    return accounts


def certificate_binding(cert_pem_path):
    """RFC 5929 ``tls-server-end-point`` application data for a certificate (what pypsrp binds NTLM to)."""
    with open(cert_pem_path, 'rb') as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    algorithm = cert.signature_hash_algorithm
    if algorithm is None or algorithm.name in ('md5', 'sha1'):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(cert.public_bytes(serialization.Encoding.DER))
    return b'tls-server-end-point:' + digest.finalize()


def _negotiate_acceptor(bindings):
    return spnego.server(protocol='negotiate', channel_bindings=bindings)


def check_keytab(keytab):
    """Refuse to start in Kerberos mode without the acceptor's keys (the first client would fail otherwise)."""
    if not keytab or not os.path.isfile(keytab) or os.path.getsize(keytab) == 0:
        raise ValueError('LAB_PSRP_AUTH=kerberos needs the front end\'s keytab %s (KRB5_KTNAME), which `python -m '
                         'lab up` exports from Samba' % keytab)


class Authenticator(object):
    """What the HTTP layer asks: which schemes to offer in a 401, and what an ``Authorization`` header proves."""

    def __init__(self, kind, user_file, cert_pem_path, allow_basic=False, keytab=None):
        if kind not in ('negotiate', 'kerberos'):
            raise ValueError('unknown authentication kind %r' % kind)
        self.kind = kind
        self.allow_basic = allow_basic
        self.accounts = read_accounts(user_file)
        self.bindings = spnego.channel_bindings.GssChannelBindings(
            application_data=certificate_binding(cert_pem_path))
        if kind == 'kerberos':
            check_keytab(keytab)
        _negotiate_acceptor(self.bindings)  # fail at start-up, not at the first client, if it cannot work

    def offered(self):
        """The ``WWW-Authenticate`` values of a fresh 401."""
        offers = ['Negotiate'] if self.kind == 'negotiate' else ['Negotiate', 'Kerberos']
        if self.allow_basic:
            offers.append('Basic realm="WSMAN"')
        return offers

    def schemes(self):
        """The ``Authorization`` schemes (lower case) whose tokens go to the Negotiate acceptor."""
        return ('negotiate',) if self.kind == 'negotiate' else ('negotiate', 'kerberos')

    def canonical(self, principal):
        """``DOMAIN\\user`` as the account file spells it, whatever form and case the client logged on with."""
        return self.accounts.get((principal or '').lower(), principal)

    def step(self, connection_state, header):
        """One ``Authorization`` header of a connection; ``connection_state`` is a dict kept per TCP connection."""
        scheme, _sep, data = (header or '').strip().partition(' ')
        if scheme.lower() in self.schemes():
            result = self._step_negotiate(connection_state, data.strip())
            result.scheme = scheme  # a token in reply goes back under the client's scheme
            return result
        if scheme.lower() == 'basic' and self.allow_basic:
            return self._basic(data.strip())
        connection_state.pop('context', None)
        return AuthResult('refused', reason='scheme %r not offered' % (scheme.lower() or 'none'))

    def _step_negotiate(self, connection_state, data):
        try:
            token = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return AuthResult('refused', reason='malformed token')
        context = connection_state.get('context')
        if context is None:
            context = connection_state['context'] = _negotiate_acceptor(self.bindings)
        try:
            out_token = context.step(token)
        except spnego.exceptions.SpnegoError as exc:
            connection_state.pop('context', None)
            return AuthResult('refused', reason='%s: %s' % (type(exc).__name__, exc))
        except Exception as exc:  # pylint: disable=broad-except
            # a token the acceptor cannot even parse; or (pyspnego 0.12) a Kerberos token whose channel binding
            # MIT krb5 refused, which surfaces as an AttributeError reading the unestablished context's flags
            connection_state.pop('context', None)
            return AuthResult('refused', reason='token refused (%s: %s)' % (type(exc).__name__, exc))
        protocol = context.negotiated_protocol
        if self.kind == 'kerberos' and protocol != 'kerberos':
            # refused at its first message: the NTLM challenge is never sent
            connection_state.pop('context', None)
            return AuthResult('refused', reason='%s refused: this listener accepts Kerberos only (LAB_PSRP_AUTH='
                                                'kerberos)' % (protocol or 'the offered mechanism').upper())
        if not context.complete:
            return AuthResult('continue', token=out_token)
        connection_state.pop('context', None)
        principal = context.client_principal
        if (principal or '').lower() not in self.accounts:
            return AuthResult('refused', reason='%s authenticated %s, which is not an account of NTLM_USER_FILE'
                                                % (protocol, principal))
        return AuthResult('ok', principal=self.canonical(principal), token=out_token)

    def _basic(self, data):
        """WinRM takes Basic for the computer's local accounts, domain accounts with Negotiate or Kerberos [Microsoft,
        WinRM "ConnectionOptions.UserName": "for a domain account when using negotiate or Kerberos authentication, or
        for a local account with Basic authentication"; MicrosoftDocs/win32, WinRM/connectionoptions-username.md]. Every
        account of the account file is a domain account (the lab has no local account of the front end), so Basic,
        even offered, lets no one in: it says why."""
        try:
            user, _sep, _password = base64.b64decode(data, validate=True).decode('utf-8').partition(':')
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return AuthResult('refused', reason='malformed Basic credentials')
        if user.lower() in self.accounts:
            return AuthResult('refused', reason='Basic authentication is for local accounts of the front end only; '
                                                '%s is a domain account' % self.canonical(user))
        return AuthResult('refused', reason='Basic: no such local account')
