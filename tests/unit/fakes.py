# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small in-memory stand-ins for the three things the backends talk to, so that their decisions (plan, the steps'
gating) are unit-tested without a lab. Each implements only the methods the backends under test call, answers in
the shapes the real ones return (lync.py's docstring; directory.Directory.find_sip_owners; lease_keeper's fence),
and records every call so a test can assert what would have been sent or written:

- FakeLyncPlatform (lync.LyncPlatform): pools with their servers and services, Persistent Chat endpoints, Lync's
  view of AD users, rooms and categories, the chat databases and the data-migration cmdlets. ``calls`` lists each
  method called with its arguments; ``changes`` only those that change the platform (what a preview must not send).
  Its pure helpers (require_pool, require_winrm, call_error, second_hop_advice) are the real LyncPlatform's.
- FakeDirectory (directory.Directory): SIP-enabled objects by DN; find_sip_owners answers as the real one does.
  Linked to a FakeLyncPlatform, a new endpoint is a contact in it (as Lync writes one to AD).
- FakeKeeper (lease_keeper.LeaseKeeper): fence() and report(); ``lose()`` makes the next fence raise LeaseLost.

No network, no time: nothing here sleeps or reads a clock. tests/integration/test_fakes_contract.py checks that
the shapes they answer in are the real ones' against the lab.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import datetime
import io
import zipfile

from pypsrp.complex_objects import GenericComplexObject

from ansible_collections.pchat.cutover.plugins.module_utils import legacy_topology, lync
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import Lease, LeaseLost
from ansible_collections.pchat.cutover.plugins.module_utils.ldap_names import dn_equal, owner_kind
from ansible_collections.pchat.cutover.plugins.module_utils.psrp_session import CallResult
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, sip_equal

FRONT_END = 'lyncfe01.contoso.com'
CONTACTS = 'CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
USERS = 'CN=Users,DC=contoso,DC=com'
POOLS = 'CN=Pools,CN=RTC Service,CN=Services,CN=Configuration,DC=contoso,DC=com'
RUNSPACE = '4F3A0C2E-5B1D-4E6A-9C7B-2D8E1F0A3B4C'
# The lab's Persistent Chat and Group Chat services (lab/topology.py, after the Lync 2013 and 2010 documentation)
CHAT_SERVICES = (('RTCPCHAT', 'Lync Server Persistent Chat'), ('RTCPCHATCOMP', 'Lync Server Persistent Chat Compliance'))
GROUP_CHAT_SERVICES = (('LyncGroupChatChannel', 'Lync Server 2010 Group Chat Channel'),
                       ('LyncGroupChatLookup', 'Lync Server 2010 Group Chat Lookup'))
WEB_SERVICE = ('W3SVC', 'World Wide Web Publishing Service')
COMPLIANCE_SERVICE = ('LyncGroupChatCompliance', 'Lync Server 2010 Group Chat Compliance')
IMPORT_CMDLET = 'Microsoft.Rtc.Management.PersistentChat.Cmdlets.ImportCsPersistentChatDataCmdlet'


# -- pools, shaped as LyncPlatform.pool returns them --------------------------------------------------------------
def chat_service(name, display_name, status):
    """A Persistent Chat service as Get-CsWindowsService gives it (no start mode: Lync does not show one)."""
    return {'name': name, 'display_name': display_name, 'roles': ['PersistentChatService'], 'status': status,
            'start_mode': None}


def windows_service(name, display_name, status, start_mode, roles=()):
    """A Group Chat service as Get-WmiObject Win32_Service gives it."""
    return {'name': name, 'display_name': display_name, 'roles': list(roles), 'status': status,
            'start_mode': start_mode}


def persistent_chat_pool(fqdn='pcpool.contoso.com', status='running', servers=('pc01', 'pc02'), inactive=('pc03',),
                         pool_state='Normal'):
    """A Persistent Chat pool as LyncPlatform.pool returns it; ``status``: each service's, or {server: status}."""
    computers = []
    domain = fqdn.partition('.')[2]
    for name, active in [(n, True) for n in servers] + [(n, False) for n in inactive]:
        computer = '%s.%s' % (name, domain)
        state = status.get(name, 'running') if isinstance(status, dict) else status
        services = [chat_service(service, display, state) for service, display in CHAT_SERVICES]
        computers.append({'fqdn': computer, 'active': active, 'services': services,
                          'state': lync.server_state(services)})
    pool = {'fqdn': fqdn, 'kind': lync.PERSISTENT_CHAT, 'version': lync.VERSIONS[lync.PERSISTENT_CHAT],
            'servers': computers, 'pool_state': pool_state,
            'counts': {'categories': 0, 'rooms': 0, 'members': 0, 'messages': None}}
    pool['state'] = lync.pool_state(pool)
    return pool


def legacy_pool(fqdn='gc.contoso.com', status='running', start_mode='automatic', servers=('gc01', 'gc02'),
                compliance=('gccomp01',), web_service='stop', on_winrm=True):
    """A Lync Server 2010 Group Chat pool as LyncPlatform.pool returns it (WinRM path: services with start modes; on
    the OcsPowershell path, no services and state unknown)."""
    domain = fqdn.partition('.')[2]
    pool = {'fqdn': fqdn, 'kind': lync.LEGACY_2010, 'version': lync.VERSIONS[lync.LEGACY_2010], 'pool_state': None,
            'in_topology': True, 'counts': {'categories': None, 'rooms': None, 'members': None, 'messages': None},
            'web_service': {'host': 'IIS', 'service': 'W3SVC', 'policy': web_service}}
    roles = [(n, 'group_chat') for n in servers] + [(n, 'compliance') for n in compliance]
    computers = []
    for name, role in roles:
        computer = '%s.%s' % (name, domain)
        if not on_winrm:
            computers.append({'fqdn': computer, 'active': True, 'role': role, 'services': [], 'state': 'unknown',
                              'web_service': None})
            continue
        named = GROUP_CHAT_SERVICES if role == 'group_chat' else (COMPLIANCE_SERVICE,)
        services = [windows_service(n, d, status, start_mode) for n, d in named]
        web = (windows_service(WEB_SERVICE[0], WEB_SERVICE[1], status, start_mode, ['IIS: Group Chat Web service'])
               if role == 'group_chat' else None)
        managed = services + ([web] if web and web_service == 'stop' else [])
        computers.append({'fqdn': computer, 'active': True, 'role': role, 'services': managed,
                          'state': lync.server_state(managed), 'web_service': web})
    pool['servers'] = computers
    pool['state'] = lync.pool_state(pool) if on_winrm else 'unknown'
    pool['web_service']['summary'] = legacy_topology.web_service_summary(pool)
    return pool


def endpoint(sip='sip:ocschat@contoso.com', pool_fqdn='pcpool.contoso.com', display_name=None, guid='1'):
    """A Persistent Chat endpoint as LyncPlatform.endpoints returns it (its contact under Application Contacts)."""
    return {'sip_address': sip, 'pool_fqdn': pool_fqdn, 'display_name': display_name,
            'dn': 'CN={%s},%s' % (guid.rjust(8, '0') + '-0000-4000-8000-000000000000', CONTACTS)}


def ps_object(type_names, **properties):
    """An output object as pypsrp deserialises it: its .NET type names (most derived first, 'Deserialized.' as
    remoting sends them) and its adapted properties (nested objects one level down, as text)."""
    found = GenericComplexObject()
    found.types = ['Deserialized.%s' % name for name in type_names]
    found.adapted_properties = dict(properties)
    return found


def result(output=(), errors=(), warnings=(), failed=False):
    """A CallResult as psrp_session returns it."""
    return CallResult(list(output), list(errors), list(warnings), failed)


def error(message, error_id='', category='NotSpecified', target=None):
    """An error record as psrp_session reports it."""
    return {'message': message, 'error_id': error_id, 'category': category, 'target': target}


def room_directory_zip(rooms=(('Builds', 'Eng'),), member='sip:ana@contoso.com'):
    """The room directory of an export (Export-CsPersistentChatData -Level RoomDirectory -AsBytes) in the form the
    lab's emulator writes it: a root category, a category Eng, ``rooms`` as (name, category name), one member."""
    users = ('<Pool><AdUsers><User principalId="1" uri="%s" dn="CN=Ana,CN=Users,DC=contoso,DC=com">'
             '<UserPrincipalName>ana@contoso.com</UserPrincipalName></User></AdUsers></Pool>' % member)
    categories = ('<Pool><ChatCategories><Category id="1" parentId="" isRoot="1"><Name>Root</Name></Category>'
                  '<Category id="2" parentId="1" isRoot="0" invitations="1"><Name>Eng</Name></Category>'
                  '</ChatCategories></Pool>')
    listed = ''.join('<ChatRoom isDisabled="0" categoryId="2" invitations="Inherit"><Name>%s</Name><Desc></Desc>'
                     '<Roles><Principal id="1" isManager="0" isMember="1" isCreator="0" isPresenter="0"/></Roles>'
                     '</ChatRoom>' % name for name, _category in rooms)
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w') as archive:
        for name, text in (('AdUsers.xml', users), ('AdGroups.xml', '<Pool><AdGroups/></Pool>'),
                           ('ChatCategories.xml', categories), ('ChatRooms.xml', '<Pool><ChatRooms>%s</ChatRooms></Pool>'
                                                                % listed),
                           ('Manifest.xml', '<Export disabledRoomsLeftOut="0"/>')):
            archive.writestr(name, text)
    return data.getvalue()


def listed_room(name, category='Eng', members=('sip:ana@contoso.com',)):
    """A room as LyncPlatform.rooms lists it."""
    return {'name': name, 'category': category, 'disabled': False, 'members': sorted(members), 'managers': [],
            'presenters': []}


class FakeSession(object):
    """What the backends read of LyncPlatform.session: the path, the auth, the runspace pool, end_shell."""

    def __init__(self, on_winrm=True, open_shells=()):
        self.on_winrm = on_winrm
        self.auth = 'negotiate'
        self.username = 'CONTOSO\\lyncadmin'
        self.runspace_id = RUNSPACE
        self.open_shells = set(open_shells)  # runspace pools still open on the front end
        self.ended = []

    def end_shell(self, shell_id):
        self.ended.append(shell_id)
        if shell_id in self.open_shells:
            self.open_shells.discard(shell_id)
            return True
        return False


class FakeLyncPlatform(object):
    """The front end, in memory. Every method a backend calls is recorded in ``calls`` as (method, arguments)."""

    CHANGING = ('start_chat_service', 'stop_chat_service', 'set_legacy_service', 'new_endpoint', 'remove_endpoint',
                'export_to_file', 'import_file', 'remove_file')

    # the real LyncPlatform's decisions that need no wire
    require_pool = lync.LyncPlatform.require_pool
    require_winrm = lync.LyncPlatform.require_winrm
    call_error = lync.LyncPlatform.call_error
    second_hop_advice = lync.LyncPlatform.second_hop_advice

    def __init__(self, pools=(), endpoints=(), directory=None, on_winrm=True, host=FRONT_END):
        self.host = host
        self.session = FakeSession(on_winrm)
        self.pools = dict((p['fqdn'], copy.deepcopy(p)) for p in pools)
        self.endpoint_list = [dict(e) for e in endpoints]
        self.directory = directory
        if directory is not None:
            for found in self.endpoint_list:
                directory.add_contact(found['dn'], found['sip_address'], found['pool_fqdn'])
        self.lag_polls = 0  # Get-CsAdUser polls that still see a user deleted from AD (replication lag)
        self.room_lists = {}  # pool fqdn -> rooms, as LyncPlatform.rooms
        self.category_lists = {}  # pool fqdn -> categories, as LyncPlatform.categories
        self.databases = {}  # Persistent Chat pool fqdn -> its -DBInstance
        self.room_directory = None  # (zip bytes, warnings): Export-CsPersistentChatData -Level RoomDirectory
        self.files = set()  # files on the front end
        self.export_warnings = []
        self.whatif = result()  # the answer of Import-CsPersistentChatData -WhatIf
        self.imported = None  # pool fqdn -> (rooms, categories) the real import leaves; None: it writes nothing
        self.import_answer = result()  # the real import's answer
        self.raises = {}  # method -> an exception it raises (once)
        self.answers = {}  # cmdlet -> the CallResult ``send`` returns for it (a cmdlet a backend sends itself)
        self.calls = []

    # -- the record ------------------------------------------------------------------------------------------
    def _called(self, method, *args):
        self.calls.append((method,) + args)
        failure = self.raises.pop(method, None)
        if failure is not None:
            raise failure

    def called(self, method):
        return [call[1:] for call in self.calls if call[0] == method]

    @property
    def changes(self):
        """The calls that change the platform (an import with -WhatIf does not)."""
        return [call for call in self.calls if call[0] in self.CHANGING and
                not (call[0] == 'import_file' and call[3] is True)]

    def send(self, cmdlet, parameters=None, lync=True, fresh=False, watch=None):
        """LyncPlatform.send for the cmdlets a backend sends itself (Get-ChildItem): the scripted answer."""
        self._called('send', cmdlet, dict(parameters or {}), lync)
        return self.answers.get(cmdlet, result())

    # -- pools and services ----------------------------------------------------------------------------------
    def pool(self, fqdn, rooms=False):
        self._called('pool', fqdn)
        found = self.pools.get(fqdn.lower())
        return copy.deepcopy(found) if found is not None else None

    def _set_status(self, computer, service, status=None, start_mode=None):
        for pool in self.pools.values():
            for server in pool['servers']:
                if server['fqdn'] != computer:
                    continue
                for held in server['services']:
                    if held['name'] == service['name']:
                        held['status'] = status or held['status']
                        held['start_mode'] = start_mode or held['start_mode']
                server['state'] = lync.server_state(server['services'])
            pool['state'] = lync.pool_state(pool)

    def start_chat_service(self, computer, service):
        self._called('start_chat_service', computer, service['name'])
        self._set_status(computer, service, 'running')

    def stop_chat_service(self, computer, service):
        self._called('stop_chat_service', computer, service['name'])
        self._set_status(computer, service, 'stopped')

    def set_legacy_service(self, computer, service, status=None, start_mode=None):
        self.require_winrm('changing the Group Chat services of %s' % computer)
        self._called('set_legacy_service', computer, service['name'], status, start_mode)
        self._set_status(computer, service, status, start_mode)

    # -- endpoints and Lync's view of AD ---------------------------------------------------------------------
    def endpoints(self, sip_address=None, pool_fqdn=None):
        self._called('endpoints', sip_address, pool_fqdn)
        found = [dict(e) for e in self.endpoint_list
                 if (sip_address is None or sip_equal(e['sip_address'], sip_address)) and
                 (pool_fqdn is None or e['pool_fqdn'] == pool_fqdn)]
        return sorted(found, key=lambda e: e['sip_address'].lower())

    def new_endpoint(self, sip_address, pool_fqdn, display_name=None):
        self._called('new_endpoint', sip_address, pool_fqdn, display_name)
        if self.lync_sees(sip_address):
            raise PchatError('New-CsPersistentChatEndpoint -SipAddress %s failed on %s: the SIP address is in use.'
                             % (sip_address, self.host))
        created = endpoint(sip_address, pool_fqdn, display_name, guid=str(len(self.calls)))
        self.endpoint_list.append(created)
        if self.directory is not None:
            self.directory.add_contact(created['dn'], sip_address, pool_fqdn)
        return dict(created)

    def remove_endpoint(self, found):
        self._called('remove_endpoint', found['dn'])
        self.endpoint_list = [e for e in self.endpoint_list if not dn_equal(e['dn'], found['dn'])]
        if self.directory is not None:
            self.directory.remove(found['dn'])

    def lync_sees(self, sip_address):
        """Whether a user with the SIP URI is in AD (not a contact: Get-CsAdUser reads users)."""
        return self.directory is not None and any(
            o['kind'] == 'user' for o in self.directory.owners_of(normalize_sip(sip_address)))

    def lync_sees_user(self, sip_address):
        self._called('lync_sees_user', sip_address)
        if self.lag_polls > 0:
            self.lag_polls -= 1
            return True
        return self.lync_sees(sip_address)

    # -- chat data -------------------------------------------------------------------------------------------
    def chat_database(self, pool_fqdn):
        self._called('chat_database', pool_fqdn)
        if pool_fqdn.lower() not in self.databases:
            raise PchatError('%s is not a Persistent Chat pool (Get-CsService -PersistentChatServer); its database '
                             'cannot be found.' % pool_fqdn)
        return self.databases[pool_fqdn.lower()]

    def rooms(self, pool_fqdn):
        self._called('rooms', pool_fqdn)
        return sorted(copy.deepcopy(self.room_lists.get(pool_fqdn, [])), key=lambda room: room['name'].lower())

    def categories(self, pool_fqdn):
        self._called('categories', pool_fqdn)
        return sorted(copy.deepcopy(self.category_lists.get(pool_fqdn, [])), key=lambda c: c['name'].lower())

    def export_room_directory(self, db_instance, db_name=None, scope=None):
        self._called('export_room_directory', db_instance, db_name, scope)
        if self.room_directory is None:
            raise PchatError('Export-CsPersistentChatData -DBInstance %s failed on %s: cannot open database.'
                             % (db_instance, self.host))
        return self.room_directory

    def export_to_file(self, db_instance, db_name, file_name, report=None, scope=None, watch=None):
        self._called('export_to_file', db_instance, db_name, file_name, scope)
        if watch is not None:
            watch(0.0, None)  # the front end wrote no progress record yet
        self.files.add(file_name)
        return list(self.export_warnings)

    def import_file(self, db_instance, file_name, what_if, report=None, watch=None):
        self._called('import_file', db_instance, file_name, what_if)
        if file_name not in self.files:
            return result(errors=[error("Could not find file '%s'." % file_name, 'PathNotFound,' + IMPORT_CMDLET,
                                        'ObjectNotFound', file_name)])
        if what_if:
            return self.whatif
        if watch is not None:
            watch(0.0, None)
        for fqdn, (rooms, categories) in (self.imported or {}).items():
            self.room_lists[fqdn] = copy.deepcopy(rooms)
            self.category_lists[fqdn] = copy.deepcopy(categories)
        return self.import_answer

    def file_exists(self, windows_path):
        self._called('file_exists', windows_path)
        return windows_path in self.files if self.session.on_winrm else None

    def remove_file(self, file_name):
        self._called('remove_file', file_name)
        if not self.session.on_winrm:
            return False
        self.files.discard(file_name)
        return True


class FakeDirectory(object):
    """SIP-enabled directory objects: {dn: {'sip', 'classes', 'sip_enabled', 'home_server'}}."""

    def __init__(self):
        self.objects = {}
        self.calls = []

    def add_user(self, name, sip, container=USERS, pool='lyncpool.contoso.com'):
        """A SIP-enabled user homed on ``pool`` (the lab's users are homed on its front end pool)."""
        dn = 'CN=%s,%s' % (name, container)
        self.objects[dn] = {'sip': sip, 'classes': ['top', 'person', 'organizationalPerson', 'user'],
                            'sip_enabled': True, 'home_server': 'CN=%s,%s' % (pool, POOLS)}
        return dn

    def add_contact(self, dn, sip, pool='pcpool.contoso.com'):
        """A SIP-enabled contact, as Lync writes an endpoint's (homed on its pool)."""
        self.objects[dn] = {'sip': sip, 'classes': ['top', 'person', 'organizationalPerson', 'contact'],
                            'sip_enabled': True, 'home_server': 'CN=%s,%s' % (pool, POOLS)}
        return dn

    def remove(self, dn):
        for held in list(self.objects):
            if dn_equal(held, dn):
                del self.objects[held]

    def owners_of(self, uri):
        return [{'dn': dn, 'kind': owner_kind(held['classes']), 'sip_enabled': held['sip_enabled'],
                 'home_server': held['home_server']}
                for dn, held in sorted(self.objects.items()) if (held['sip'] or '').lower() == uri]

    def find_sip_owners(self, sip_addresses, batch_size=500, strategy='auto'):
        self.calls.append(('find_sip_owners', list(sip_addresses)))
        answer = {}
        for uri in sip_addresses:
            canonical = normalize_sip(uri)
            owners = self.owners_of(canonical)
            kind = 'none' if not owners else owners[0]['kind'] if len(owners) == 1 else 'conflict'
            answer[canonical] = {'kind': kind, 'dns': [o['dn'] for o in owners], 'owners': owners}
        return answer


class FakeKeeper(object):
    """The run's lease as a module holds it: fence() before every fenced write, report() of the work."""

    UNIT = 'gc.contoso.com'
    DN = 'CN=gc.contoso.com,CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com'

    def __init__(self, lose_at=None):
        self.fences = 0
        self.reports = []
        self.lost = None
        self.lose_at = lose_at  # the fence (1, 2, ...) from which the lease is lost

    def lose(self, to_host='ctl-b'):
        """Another run took the unit over: from now on every fence raises LeaseLost naming it."""
        now = datetime.datetime(2026, 11, 28, 2, 0, tzinfo=datetime.timezone.utc)
        self.lost = LeaseLost(self.UNIT, self.DN, Lease.new(to_host, 4242, now, 300))

    def fence(self):
        self.fences += 1
        if self.lose_at is not None and self.fences >= self.lose_at and self.lost is None:
            self.lose()
        if self.lost is not None:
            raise self.lost

    def report(self, work):
        self.reports.append(work)
