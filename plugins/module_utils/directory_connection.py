# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The directory connection: one LDAP connection to Active Directory (or the lab's Samba AD) built from the
``pchat.cutover.directory`` doc fragment options, with paged searches and writes that raise PchatError.

Security defaults: TLS certificates are validated (``ldap_validate_certs``), referrals are not chased (they would
send our credentials to another server), and a bind over plain ``ldap://`` is refused unless ``ldap_start_tls`` or
``ldap_allow_plain_bind`` is set. The queries the modules need are in directory.py.

``ldap_bind_method: kerberos`` binds with SASL/GSSAPI (ldap3 + python-gssapi, MIT krb5): the ticket comes from the cache
(``KRB5CCNAME``) or from a client keytab (``KRB5_CLIENT_KTNAME``), never from a password; the service principal
asked for is ``ldap/<host of ldap_url>`` (krb5.conf decides whether the host name is canonicalised first).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import ssl
import traceback
from urllib.parse import urlsplit

from ansible_collections.pchat.cutover.plugins.module_utils import kerberos
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import first_value, validate_dn

try:
    import ldap3
    from ldap3.core import exceptions as ldap_exceptions
except ImportError:
    LDAP3_IMPORT_ERROR = traceback.format_exc()
else:
    LDAP3_IMPORT_ERROR = None

try:
    import gssapi
    import gssapi.exceptions
except ImportError:
    GSSAPI_IMPORT_ERROR = traceback.format_exc()
else:
    GSSAPI_IMPORT_ERROR = None

BIND_METHODS = ('simple', 'kerberos')

SHOW_DELETED_OID = '1.2.840.113556.1.4.417'
PAGED_RESULTS_OID = '1.2.840.113556.1.4.319'
PAGE_SIZE = 500


class DirectoryConnection(object):
    """A bound LDAP connection: TLS, bind, rootDSE, paged searches and writes. Raises PchatError on any failure."""

    def __init__(self, params):
        self.params = params
        self.searches = 0  # LDAP search requests sent (each page counts), reported by modules and benchmarks
        self._root_dse = None
        self.url = params.get('ldap_url')
        self.conn = None
        # before_write(what): raises when the module must write nothing more (module_base: an interrupt, a lost lease)
        self.before_write = None
        self._connect()

    # -- connection ----------------------------------------------------------------------------------------
    def _connect(self):
        params = self.params
        if not self.url:
            raise PchatError('no LDAP server given: set ldap_url (or PCHAT_LDAP_URL), e.g. '
                             "'ldaps://dc01.contoso.com'.")
        parts = urlsplit(self.url)
        scheme = (parts.scheme or '').lower()
        if scheme not in ('ldap', 'ldaps') or not parts.hostname:
            raise PchatError("ldap_url %r is not an LDAP URL; write 'ldaps://host[:port]' (or 'ldap://host' "
                             'with ldap_start_tls).' % self.url)
        try:
            port = parts.port
        except ValueError:
            raise PchatError('ldap_url %r has an invalid port.' % self.url)
        use_ssl = scheme == 'ldaps'
        self.bind_method = (params.get('ldap_bind_method') or 'simple').lower()
        if self.bind_method not in BIND_METHODS:
            raise PchatError('ldap_bind_method %r is not one of %s.' % (self.bind_method, ', '.join(BIND_METHODS)))
        ldap_bind_dn = params.get('ldap_bind_dn') or None
        protected = use_ssl or params.get('ldap_start_tls')
        if self.bind_method == 'kerberos':
            self._check_kerberos(ldap_bind_dn, protected)
        else:
            self._check_simple(ldap_bind_dn, protected)
        ca_file = params.get('ldap_ca_file')
        if ca_file and not os.path.isfile(ca_file):
            raise PchatError('ldap_ca_file %r does not exist; point it at the PEM file of the CA that issued the '
                             "directory server's certificate." % ca_file)
        timeout = params.get('ldap_timeout') or 10
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED if params.get('ldap_validate_certs', True) else ssl.CERT_NONE,
            ca_certs_file=ca_file or None,
        )
        server = ldap3.Server(parts.hostname, port=port, use_ssl=use_ssl, tls=tls, get_info=ldap3.NONE,
                              connect_timeout=timeout)
        if self.bind_method == 'kerberos':
            # ldap3 asks for ldap/<host>; ldap_bind_dn, if set, picks the client principal from the cache or keytab
            self.service = 'ldap/%s' % parts.hostname
            authentication = dict(user=ldap_bind_dn, authentication=ldap3.SASL, sasl_mechanism=ldap3.KERBEROS)
            where = '%s with Kerberos as %s' % (self.url, ldap_bind_dn or 'the default principal')
        else:
            authentication = dict(user=ldap_bind_dn, password=params.get('ldap_bind_password') if ldap_bind_dn else None,
                                  authentication=ldap3.SIMPLE if ldap_bind_dn else ldap3.ANONYMOUS)
            where = '%s as %s' % (self.url, ldap_bind_dn or 'anonymous')
        self.conn = ldap3.Connection(
            server, auto_referrals=False, raise_exceptions=True, receive_timeout=timeout, check_names=True,
            return_empty_attributes=False, **authentication)
        try:
            self.conn.open()
            if params.get('ldap_start_tls') and not use_ssl:
                self.conn.start_tls()
            if self.bind_method == 'kerberos':
                self._kerberos_bind(ldap_bind_dn)
            else:
                self.conn.bind()
        except ldap_exceptions.LDAPInvalidCredentialsResult:
            raise PchatError('the directory at %s rejected the credentials of %r (invalid credentials); check '
                             'ldap_bind_dn and ldap_bind_password.' % (self.url, ldap_bind_dn))
        except ldap_exceptions.LDAPStrongerAuthRequiredResult:
            raise PchatError('the directory at %s requires a protected connection for a simple bind; use '
                             'ldaps:// or ldap_start_tls: true.' % self.url)
        except ldap_exceptions.LDAPSocketOpenError as exc:
            raise PchatError(self._describe_open_error(exc, where))
        except (ldap_exceptions.LDAPStartTLSError, ldap_exceptions.LDAPCertificateError) as exc:
            raise PchatError(self._describe_open_error(exc, where))
        except ldap_exceptions.LDAPException as exc:
            raise PchatError('cannot bind to %s: %s' % (where, exc))

    def _check_simple(self, ldap_bind_dn, protected):
        params = self.params
        if ldap_bind_dn and not protected and not params.get('ldap_allow_plain_bind'):
            raise PchatError(
                'refusing a simple bind as %r over plain %s: the password would cross the network in clear text. '
                'Use an ldaps:// URL, set ldap_start_tls: true, or (only on a trusted test network) ldap_allow_plain_bind: '
                'true.' % (ldap_bind_dn, self.url))
        if ldap_bind_dn and '=' in ldap_bind_dn:  # a DN; a user principal name (user@domain) is also accepted
            validate_dn(ldap_bind_dn, 'ldap_bind_dn')
        if ldap_bind_dn and params.get('ldap_bind_password') is None:
            raise PchatError('ldap_bind_dn %r is set but ldap_bind_password is not; set ldap_bind_password '
                             '(or PCHAT_LDAP_BIND_PASSWORD).' % ldap_bind_dn)

    def _check_kerberos(self, ldap_bind_dn, protected):
        params = self.params
        if params.get('ldap_bind_password'):
            raise PchatError('ldap_bind_method=kerberos never uses a password: the ticket comes from the cache '
                             '(KRB5CCNAME) or a client keytab (KRB5_CLIENT_KTNAME). Unset ldap_bind_password (and '
                             'PCHAT_LDAP_BIND_PASSWORD), so that no password travels with a Kerberos run.')
        if ldap_bind_dn and ('=' in ldap_bind_dn or '@' not in ldap_bind_dn):
            raise PchatError('with ldap_bind_method=kerberos, ldap_bind_dn names the Kerberos principal to bind as, '
                             'user@REALM (for example lyncadmin@CONTOSO.COM), not %r; leave it unset to use the '
                             "ticket cache's default principal." % ldap_bind_dn)
        if not protected and not params.get('ldap_allow_plain_bind'):
            raise PchatError(
                'refusing a Kerberos bind over plain %s: ldap3 negotiates no SASL signing or sealing, so every '
                'search and change would cross the network unprotected (and a directory that requires LDAP signing '
                'refuses it). Use an ldaps:// URL or ldap_start_tls: true.' % self.url)
        if GSSAPI_IMPORT_ERROR:
            raise PchatError('ldap_bind_method=kerberos needs the gssapi Python library on the controller (pip install '
                             'gssapi; it needs the MIT Kerberos libraries, libgssapi-krb5-2 or krb5-libs).')

    def _kerberos_bind(self, ldap_bind_dn):
        """A SASL/GSSAPI bind whose failures name the fix. ldap3 aborts a failed GSSAPI exchange with another bind,
        whose error would hide the Kerberos one: exceptions are off for the bind."""
        self.conn.raise_exceptions = False
        try:
            bound = self.conn.bind()
        except gssapi.exceptions.GSSError as exc:
            raise self._kerberos_error(exc, ldap_bind_dn)
        finally:
            self.conn.raise_exceptions = True
        if bound:
            return
        result = self.conn.result or {}
        description, message = result.get('description'), result.get('message') or ''
        if description == 'strongerAuthRequired':
            raise PchatError('the directory at %s refused a Kerberos bind without SASL signing (%s): ldap3 cannot '
                             'sign, so bind over TLS (ldaps:// or ldap_start_tls: true) to a directory that accepts '
                             'SASL over TLS (AD does; Samba before 4.20 needs "ldap server require strong auth = '
                             'allow_sasl_over_tls").' % (self.url, message))
        raise PchatError('the directory at %s refused the Kerberos bind as %s (%s: %s); check that the account may '
                         'log on and that its ticket is for %s.' % (self.url, ldap_bind_dn or 'the default principal',
                                                                    description, message, self.service))

    def _kerberos_error(self, exc, ldap_bind_dn):
        text = str(exc)
        kind, hint = kerberos.describe(text, self.service, ldap_bind_dn)
        return PchatError('the Kerberos bind to %s (service principal %s) failed: %s. Kerberos settings: %s. Error: '
                          '%s' % (self.url, self.service, hint, kerberos.settings_in_use(), text),
                          details={'kerberos_failure': kind, 'service_principal': self.service})

    def _describe_open_error(self, exc, where):
        text = str(exc)
        if isinstance(exc, ldap_exceptions.LDAPCertificateError) or 'certificate' in text.lower() or 'SSL' in text:
            return ('TLS with %s failed, the server certificate did not validate (%s). Set ldap_ca_file to the PEM of '
                    'the CA that issued it, and use a host name the certificate names. ldap_validate_certs: false '
                    'turns the check off, which lets anyone on the path read the password.' % (where, text))
        return ('cannot reach the directory at %s within %s s (%s); check ldap_url, that the server is up and '
                'that the port is open from this host.' % (self.url, self.params.get('ldap_timeout') or 10, text))

    def close(self):
        if self.conn is not None:
            try:
                self.conn.unbind()
            except Exception:  # pylint: disable=broad-except
                pass
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- rootDSE -------------------------------------------------------------------------------------------
    def root_dse(self):
        if self._root_dse is None:
            entries = self._search_once('', '(objectClass=*)', ldap3.BASE,
                                        ['defaultNamingContext', 'configurationNamingContext'])
            self._root_dse = entries[0] if entries else {'attributes': {}}
        return self._root_dse

    @property
    def search_base(self):
        base = self.params.get('ldap_search_base')
        if base:
            return validate_dn(base, 'ldap_search_base')
        value = first_value(self.root_dse(), 'defaultNamingContext')
        if not value:
            raise PchatError('the directory at %s did not report a defaultNamingContext in its rootDSE; set '
                             'ldap_search_base.' % self.url)
        return value

    @property
    def configuration_dn(self):
        return first_value(self.root_dse(), 'configurationNamingContext')

    # -- searches ------------------------------------------------------------------------------------------
    def _request(self, base, search_filter, scope, attributes, controls=None, **paging):
        """One search request (each page is one): its entries, or None when the base does not exist."""
        self.searches += 1
        try:
            self.conn.search(base, search_filter, search_scope=scope, attributes=attributes, controls=controls, **paging)
        except ldap_exceptions.LDAPNoSuchObjectResult:
            return None
        except ldap_exceptions.LDAPException as exc:
            raise PchatError('LDAP search under %r for %s failed: %s' % (base, search_filter, exc))
        return [r for r in self.conn.response if r.get('type') == 'searchResEntry']

    def _search_once(self, base, search_filter, scope, attributes, controls=None):
        return self._request(base, search_filter, scope, attributes, controls) or []

    def search(self, base, search_filter, attributes=None, scope='subtree', controls=None):
        """Yield entries ({'dn', 'attributes'}) page by page; a missing base yields nothing."""
        scope = {'base': ldap3.BASE, 'onelevel': ldap3.LEVEL, 'subtree': ldap3.SUBTREE}[scope]
        attributes = attributes or ['*']
        if scope == ldap3.BASE:
            yield from self._search_once(base, search_filter, scope, attributes, controls)
            return
        cookie = None
        while True:
            entries = self._request(base, search_filter, scope, attributes, controls, paged_size=PAGE_SIZE,
                                    paged_cookie=cookie)
            if entries is None:
                return
            # read before yielding: the consumer may send other requests on this connection meanwhile
            cookie = (self.conn.result.get('controls', {}).get(PAGED_RESULTS_OID, {})
                      .get('value', {}).get('cookie'))
            yield from entries
            if not cookie:
                return

    def exists(self, dn):
        return bool(self._search_once(dn, '(objectClass=*)', ldap3.BASE, ['1.1']))

    def get_entry(self, dn, attributes=None, show_deleted=False):
        controls = [(SHOW_DELETED_OID, True, None)] if show_deleted else None
        entries = self._search_once(dn, '(objectClass=*)', ldap3.BASE, attributes or ['*'], controls)
        return entries[0] if entries else None

    # -- writes --------------------------------------------------------------------------------------------
    def _write(self, what, dn, call):
        if self.before_write is not None:
            self.before_write('%s %r' % (what, dn))
        try:
            return call()
        except ldap_exceptions.LDAPInsufficientAccessRightsResult:
            raise PchatError('%s %r was refused: %r lacks the permission. Grant it or bind as an account that has '
                             'it.' % (what, dn, self.params.get('ldap_bind_dn')))
        except ldap_exceptions.LDAPNoSuchObjectResult:
            raise PchatError('%s %r failed: the object or its parent container does not exist; check the DN or '
                             'path.' % (what, dn))
        except ldap_exceptions.LDAPEntryAlreadyExistsResult:
            raise PchatError('%s %r failed: an object with that DN already exists; choose another name or path.'
                             % (what, dn))
        except ldap_exceptions.LDAPException as exc:
            raise PchatError('%s %r failed: %s' % (what, dn, exc))

    def add_entry(self, dn, object_classes, attributes):
        return self._write('creating', dn, lambda: self.conn.add(dn, object_classes, attributes))

    def modify_entry(self, dn, changes, controls=None):
        return self._write('modifying', dn, lambda: self.conn.modify(dn, changes, controls=controls))

    def delete_entry(self, dn):
        return self._write('deleting', dn, lambda: self.conn.delete(dn))

    def create_if_missing(self, dn, object_classes, attributes):
        """Add an entry; True if this call created it, False if it already existed (another writer may have
        created it a moment earlier: a lost race, not an error)."""
        def call():
            try:
                self.conn.add(dn, object_classes, attributes)
            except ldap_exceptions.LDAPEntryAlreadyExistsResult:
                return False
            return True
        return self._write('creating', dn, call)

    def modify_if(self, dn, changes):
        """A modify whose exact-value deletes and adds are its preconditions, checked and applied by the server
        in one operation (a compare-and-swap when it deletes one value and adds another). True when applied;
        False when a precondition failed: a value to delete is not there, or a value to add cannot be added
        (already there, or a second value of a single-valued attribute -- attributeOrValueExists in Samba,
        constraintViolation in some AD versions). Nothing is changed then. Other failures raise PchatError."""
        def call():
            try:
                self.conn.modify(dn, changes)
            except (ldap_exceptions.LDAPNoSuchAttributeResult, ldap_exceptions.LDAPAttributeOrValueExistsResult,
                    ldap_exceptions.LDAPConstraintViolationResult):
                return False
            return True
        return self._write('modifying', dn, call)

    def add_member(self, group_dn, member_dn):
        """Add ``member_dn`` to a group; True if added, False if it was already a member."""
        try:
            self.conn.modify(group_dn, {'member': [(ldap3.MODIFY_ADD, [member_dn])]})
            return True
        except (ldap_exceptions.LDAPAttributeOrValueExistsResult, ldap_exceptions.LDAPEntryAlreadyExistsResult):
            return False
        except ldap_exceptions.LDAPException as exc:
            raise PchatError('adding %r to group %r failed: %s' % (member_dn, group_dn, exc))

    def replace_attributes(self, dn, values_by_name):
        """Replace attributes in one modify; if the directory refuses, write them one by one and return a
        warning per attribute it would not take (restores must get as much back as the directory allows)."""
        changes = dict((name, [(ldap3.MODIFY_REPLACE, values)]) for name, values in values_by_name.items())
        try:
            self.conn.modify(dn, changes)
            return []
        except ldap_exceptions.LDAPException:
            pass
        warnings = []
        for name, values in values_by_name.items():
            try:
                self.conn.modify(dn, {name: [(ldap3.MODIFY_REPLACE, values)]})
            except ldap_exceptions.LDAPException as exc:
                warnings.append('attribute %s of %s was not restored: %s' % (name, dn, exc))
        return warnings


def ldap_modify_changes(planned):
    """attribute_diff's {name: (operation name, values)} as ldap3 modify changes."""
    operations = {'MODIFY_REPLACE': ldap3.MODIFY_REPLACE, 'MODIFY_DELETE': ldap3.MODIFY_DELETE,
                  'MODIFY_ADD': ldap3.MODIFY_ADD}
    return dict((name, [(operations[op], values)]) for name, (op, values) in planned.items())
