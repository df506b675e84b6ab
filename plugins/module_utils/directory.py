# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The directory client: one LDAP connection to Active Directory (or the lab's Samba AD) built from the
``pchat.cutover.directory`` doc fragment options, with the searches and writes the modules need.

Security defaults: TLS certificates are validated (``validate_certs``), referrals are not chased (they would
send our credentials to another server), and a simple bind over plain ``ldap://`` is refused unless
``start_tls`` or ``allow_plain_bind`` is set. Every value put into a filter is escaped; DNs we build escape
their RDN values.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import ssl
import traceback

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    urlsplit = None

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip

LDAP3_IMPORT_ERROR = None
try:
    import ldap3
    from ldap3.core import exceptions as ldap_exceptions
    from ldap3.utils.conv import escape_filter_chars
    from ldap3.utils.dn import parse_dn
except ImportError:
    LDAP3_IMPORT_ERROR = traceback.format_exc()

SIP_ATTRIBUTE = 'msRTCSIP-PrimaryUserAddress'
SIP_ENABLED_ATTRIBUTE = 'msRTCSIP-UserEnabled'
SHOW_DELETED_OID = '1.2.840.113556.1.4.417'
PAGE_SIZE = 500
DEFAULT_SIP_BATCH = 500
SCAN_MIN_URIS = 1000  # below this, OR-filter batches are cheaper than reading all SIP-enabled objects
SCAN_LIMIT_FACTOR = 4

# The argument spec every module that talks LDAP merges into its own (matches doc_fragments/directory.py).
DIRECTORY_ARGUMENT_SPEC = dict(
    ldap_url=dict(type='str', fallback=(env_fallback, ['PCHAT_LDAP_URL'])),
    bind_dn=dict(type='str', fallback=(env_fallback, ['PCHAT_BIND_DN'])),
    bind_password=dict(type='str', no_log=True, fallback=(env_fallback, ['PCHAT_BIND_PASSWORD'])),
    ca_file=dict(type='path', fallback=(env_fallback, ['PCHAT_CA_FILE'])),
    validate_certs=dict(type='bool', default=True),
    start_tls=dict(type='bool', default=False),
    allow_plain_bind=dict(type='bool', default=False),
    search_base=dict(type='str'),
    timeout=dict(type='int', default=10),
)


def directory_argument_spec(**module_options):
    """The module's own options plus the directory connection options."""
    spec = dict(DIRECTORY_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec


def require_ldap3(module):
    if LDAP3_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('ldap3'), exception=LDAP3_IMPORT_ERROR)


def escape_filter_value(value):
    """Escape ``*``, ``(``, ``)``, ``\\`` and NUL so a value can only ever match itself."""
    return escape_filter_chars(value)


def escape_dn_value(value):
    """Escape an RDN value (RFC 4514): ``,``, ``+``, ``"``, ``\\``, ``<``, ``>``, ``;``, ``=``, leading ``#``
    or space, trailing space."""
    out = []
    for index, char in enumerate(value):
        if char in ',+"\\<>;=' or (index == 0 and char in '# ') or (index == len(value) - 1 and char == ' '):
            out.append('\\' + char)
        elif char == '\x00':
            out.append('\\00')
        else:
            out.append(char)
    return ''.join(out)


def validate_dn(value, what='DN'):
    """Raise PchatError unless ``value`` parses as an LDAP DN; return it unchanged."""
    try:
        parts = parse_dn(value, escape=False, strip=True)
    except Exception as exc:  # ldap3 raises LDAPInvalidDnError, sometimes other errors on odd input
        raise PchatError('%s %r is not a valid distinguished name (%s); write it like '
                         "'CN=Jane Doe,OU=Staff,DC=contoso,DC=com', escaping ',' '+' '=' '\\' '<' '>' ';' "
                         "'\"' in values with a backslash." % (what, value, exc))
    if not parts:
        raise PchatError('%s is empty; give a distinguished name.' % what)
    return value


def parent_dn(dn):
    """The DN without its first RDN; commas escaped with a backslash do not separate RDNs."""
    index = 0
    while index < len(dn):
        if dn[index] == '\\':
            index += 2
            continue
        if dn[index] == ',':
            return dn[index + 1:].strip()
        index += 1
    return ''


def dn_equal(left, right):
    """AD compares DNs case-insensitively and ignores spaces around separators."""
    def canon(dn):
        try:
            return tuple((attr.lower(), val.lower()) for attr, val, _sep in parse_dn(dn, escape=False, strip=True))
        except Exception:  # pylint: disable=broad-except
            return (dn or '').lower()
    return canon(left) == canon(right)


def first_value(entry, name, default=None):
    """The first value of attribute ``name`` (case-insensitive) in an entry's attribute dict."""
    for key, values in entry.get('attributes', {}).items():
        if key.lower() == name.lower():
            if isinstance(values, list):
                return values[0] if values else default
            return values
    return default


def attribute_values(entry, name):
    for key, values in entry.get('attributes', {}).items():
        if key.lower() == name.lower():
            return values if isinstance(values, list) else [values]
    return []


def owner_kind(object_classes):
    """user for users (not computers), contact for contacts and other SIP-enabled objects."""
    classes = {value.lower() for value in object_classes}
    if 'computer' in classes:
        return 'contact'
    if 'user' in classes or 'inetorgperson' in classes:
        return 'user'
    return 'contact'


class DirectoryClient(object):
    """A bound LDAP connection plus the operations of this collection. Raises PchatError on any failure."""

    def __init__(self, params):
        self.params = params
        self.last_strategy = None  # 'batched' or 'scan': how the last find_sip_owners answered
        self.searches = 0  # LDAP search requests sent (each page counts), reported by modules and benchmarks
        self._root_dse = None
        self.url = params.get('ldap_url')
        self.conn = None
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
                             'with start_tls).' % self.url)
        try:
            port = parts.port
        except ValueError:
            raise PchatError('ldap_url %r has an invalid port.' % self.url)
        use_ssl = scheme == 'ldaps'
        bind_dn = params.get('bind_dn')
        if bind_dn and not use_ssl and not params.get('start_tls') and not params.get('allow_plain_bind'):
            raise PchatError(
                'refusing a simple bind as %r over plain %s: the password would cross the network in clear text. '
                'Use an ldaps:// URL, set start_tls: true, or (only on a trusted test network) allow_plain_bind: '
                'true.' % (bind_dn, self.url))
        if bind_dn and '=' in bind_dn:  # a DN; a user principal name (user@domain) is also accepted
            validate_dn(bind_dn, 'bind_dn')
        if bind_dn and params.get('bind_password') is None:
            raise PchatError('bind_dn %r is set but bind_password is not; set bind_password '
                             '(or PCHAT_BIND_PASSWORD).' % bind_dn)
        ca_file = params.get('ca_file')
        if ca_file and not os.path.isfile(ca_file):
            raise PchatError('ca_file %r does not exist; point it at the PEM file of the CA that issued the '
                             "directory server's certificate." % ca_file)
        timeout = params.get('timeout') or 10
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED if params.get('validate_certs', True) else ssl.CERT_NONE,
            ca_certs_file=ca_file or None,
        )
        server = ldap3.Server(parts.hostname, port=port, use_ssl=use_ssl, tls=tls, get_info=ldap3.NONE,
                              connect_timeout=timeout)
        self.conn = ldap3.Connection(
            server, user=bind_dn or None, password=params.get('bind_password') if bind_dn else None,
            authentication=ldap3.SIMPLE if bind_dn else ldap3.ANONYMOUS, auto_referrals=False,
            raise_exceptions=True, receive_timeout=timeout, check_names=True, return_empty_attributes=False)
        where = '%s as %s' % (self.url, bind_dn or 'anonymous')
        try:
            self.conn.open()
            if params.get('start_tls') and not use_ssl:
                self.conn.start_tls()
            self.conn.bind()
        except ldap_exceptions.LDAPInvalidCredentialsResult:
            raise PchatError('the directory at %s rejected the credentials of %r (invalid credentials); check '
                             'bind_dn and bind_password.' % (self.url, bind_dn))
        except ldap_exceptions.LDAPStrongerAuthRequiredResult:
            raise PchatError('the directory at %s requires a protected connection for a simple bind; use '
                             'ldaps:// or start_tls: true.' % self.url)
        except ldap_exceptions.LDAPSocketOpenError as exc:
            raise PchatError(self._describe_open_error(exc, where))
        except (ldap_exceptions.LDAPStartTLSError, ldap_exceptions.LDAPCertificateError) as exc:
            raise PchatError(self._describe_open_error(exc, where))
        except ldap_exceptions.LDAPException as exc:
            raise PchatError('cannot bind to %s: %s' % (where, exc))

    def _describe_open_error(self, exc, where):
        text = str(exc)
        if isinstance(exc, ldap_exceptions.LDAPCertificateError) or 'certificate' in text.lower() or 'SSL' in text:
            return ('TLS with %s failed, the server certificate did not validate (%s). Set ca_file to the PEM of '
                    'the CA that issued it, and use a host name the certificate names. validate_certs: false '
                    'turns the check off, which lets anyone on the path read the password.' % (where, text))
        return ('cannot reach the directory at %s within %s s (%s); check ldap_url, that the server is up and '
                'that the port is open from this host.' % (self.url, self.params.get('timeout') or 10, text))

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
        base = self.params.get('search_base')
        if base:
            return validate_dn(base, 'search_base')
        value = first_value(self.root_dse(), 'defaultNamingContext')
        if not value:
            raise PchatError('the directory at %s did not report a defaultNamingContext in its rootDSE; set '
                             'search_base.' % self.url)
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
            cookie = (self.conn.result.get('controls', {}).get('1.2.840.113556.1.4.319', {})
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

    def find_users(self, attribute, value, attributes=None):
        """Users (not computers) whose ``attribute`` equals ``value`` (escaped), in the search base."""
        search_filter = '(&(objectCategory=person)(objectClass=user)(%s=%s))' % (attribute, escape_filter_value(value))
        return list(self.search(self.search_base, search_filter, attributes or ['*']))

    # -- SIP owners ----------------------------------------------------------------------------------------
    def find_sip_owners(self, sip_addresses, batch_size=DEFAULT_SIP_BATCH, strategy='auto'):
        """Who owns each SIP URI: {canonical uri: {'kind': none|user|contact|conflict, 'dns': [...],
        'owners': [{'dn', 'kind'}]}}.

        Looks in the domain naming context (users) and the configuration naming context (Lync's application and
        endpoint contacts). Two strategies, both a few dozen searches for 10,000 URIs:

        - batched: ``batch_size`` URIs per search, one OR filter each;
        - scan: for large lists (SCAN_MIN_URIS or more), one paged read of every SIP-enabled object, matched
          here. Directories evaluate an OR filter of hundreds of terms slowly (Samba re-matches every candidate
          against every term), so reading the SIP-enabled population is faster when the list is a sizeable part
          of it. The scan gives up, and the batches run instead, once it has read SCAN_LIMIT_FACTOR times as many
          objects as URIs were asked, so a huge directory never costs more than a bounded detour.

        ``strategy`` ('auto', 'batched' or 'scan') exists for benchmarks and tests. Matching is case-insensitive,
        as AD compares this attribute.
        """
        if strategy not in ('auto', 'batched', 'scan'):
            raise PchatError('unknown SIP look-up strategy %r' % strategy)
        wanted = []
        seen = set()
        for uri in sip_addresses:
            canonical = normalize_sip(uri)
            if canonical not in seen:
                seen.add(canonical)
                wanted.append(canonical)
        bases = [self.search_base]
        config_dn = self.configuration_dn
        if config_dn and not any(dn_equal(config_dn, base) for base in bases):
            bases.append(config_dn)
        found = None
        if strategy == 'scan' or (strategy == 'auto' and len(wanted) >= SCAN_MIN_URIS):
            limit = None if strategy == 'scan' else SCAN_LIMIT_FACTOR * len(wanted)
            found = self._scan_sip_owners(bases, wanted, limit)
        if found is None:
            found = self._batched_sip_owners(bases, wanted, max(1, int(batch_size)))
        result = {}
        for uri in wanted:
            owners = found[uri]
            if not owners:
                kind = 'none'
            elif len(owners) == 1:
                kind = owners[0]['kind']
            else:
                kind = 'conflict'
            result[uri] = {'kind': kind, 'dns': [o['dn'] for o in owners], 'owners': owners}
        return result

    @staticmethod
    def _record_owner(found, entry):
        key = (first_value(entry, SIP_ATTRIBUTE, '') or '').lower()
        if key in found and not any(dn_equal(entry['dn'], o['dn']) for o in found[key]):
            found[key].append({'dn': entry['dn'], 'kind': owner_kind(attribute_values(entry, 'objectClass'))})

    def _batched_sip_owners(self, bases, wanted, batch_size):
        found = dict((uri, []) for uri in wanted)
        for start in range(0, len(wanted), batch_size):
            batch = wanted[start:start + batch_size]
            terms = ''.join('(%s=%s)' % (SIP_ATTRIBUTE, escape_filter_value(uri)) for uri in batch)
            search_filter = '(|%s)' % terms if len(batch) > 1 else terms
            for base in bases:
                for entry in self.search(base, search_filter, [SIP_ATTRIBUTE, 'objectClass']):
                    self._record_owner(found, entry)
        self.last_strategy = 'batched'
        return found

    def _scan_sip_owners(self, bases, wanted, limit):
        """Owners from one read of all SIP-enabled objects, or None once more than ``limit`` were read.

        Users and other objects are read in separate searches so that no objectClass values need to be
        transferred and decoded (the decoding is most of the client's cost)."""
        found = dict((uri, []) for uri in wanted)
        read = 0
        present = '(%s=*)' % SIP_ATTRIBUTE
        users = '(objectCategory=person)(objectClass=user)(!(objectClass=computer))'
        scans = [(bases[0], '(&%s%s)' % (present, users), 'user'),
                 (bases[0], '(&%s(!(&%s)))' % (present, users), 'contact')]
        scans += [(base, present, 'contact') for base in bases[1:]]
        for base, search_filter, kind in scans:
            for entry in self.search(base, search_filter, [SIP_ATTRIBUTE]):
                read += 1
                if limit is not None and read > limit:
                    return None
                key = (first_value(entry, SIP_ATTRIBUTE, '') or '').lower()
                if key in found and not any(dn_equal(entry['dn'], o['dn']) for o in found[key]):
                    found[key].append({'dn': entry['dn'], 'kind': kind})
        self.last_strategy = 'scan'
        return found

    # -- writes --------------------------------------------------------------------------------------------
    def _write(self, what, dn, call):
        try:
            return call()
        except ldap_exceptions.LDAPInsufficientAccessRightsResult:
            raise PchatError('%s %r was refused: %r lacks the permission. Grant it or bind as an account that has '
                             'it.' % (what, dn, self.params.get('bind_dn')))
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

    def find_by_guid(self, object_guid_bytes):
        """The live object with this objectGUID, or None."""
        search_filter = '(objectGUID=%s)' % escape_filter_chars(object_guid_bytes)
        for entry in self.search(self.search_base, search_filter, ['objectGUID']):
            return entry
        return None

    def find_tombstone(self, object_guid_bytes):
        """The deleted object with this objectGUID, or None (needs the show-deleted control)."""
        search_filter = '(&(isDeleted=TRUE)(objectGUID=%s))' % escape_filter_chars(object_guid_bytes)
        for entry in self.search(self.search_base, search_filter, ['*'], controls=[(SHOW_DELETED_OID, True, None)]):
            return entry
        return None

    def reanimate(self, tombstone_dn, new_dn):
        """Bring a tombstone back at ``new_dn`` (AD 'undelete'); the object keeps objectSid and objectGUID."""
        changes = {'isDeleted': [(ldap3.MODIFY_DELETE, [])], 'distinguishedName': [(ldap3.MODIFY_REPLACE, [new_dn])]}
        return self.modify_entry(tombstone_dn, changes, controls=[(SHOW_DELETED_OID, True, None)])


def ldap_modify_changes(planned):
    """attribute_diff's {name: (operation name, values)} as ldap3 modify changes."""
    operations = {'MODIFY_REPLACE': ldap3.MODIFY_REPLACE, 'MODIFY_DELETE': ldap3.MODIFY_DELETE,
                  'MODIFY_ADD': ldap3.MODIFY_ADD}
    return dict((name, [(operations[op], values)]) for name, (op, values) in planned.items())


def client_from_module(module):
    """A connected DirectoryClient for an AnsibleModule, failing the module cleanly on error."""
    require_ldap3(module)
    try:
        return DirectoryClient(module.params)
    except PchatError as exc:
        module.fail_json(**exc.fail_kwargs())
