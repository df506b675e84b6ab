# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions about what the Lync topology does not say (legacy_topology: an OCS 2007 R2 pool named by the
inventory, the compliance server, the IIS-hosted Web service) and about the uploaded files (file_store_backend)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils import file_store_backend as files
from ansible_collections.pchat.cutover.plugins.module_utils import legacy_topology as legacy
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.tests.unit.fakes import FakeLyncPlatform, ps_object, result


# -- legacy pools ---------------------------------------------------------------------------------------------
def test_definitions_normalise_and_default():
    found = legacy.definitions([{'fqdn': 'GC2.contoso.com', 'servers': ['GC2-01.contoso.com', 'gc2-01.contoso.com'],
                                 'compliance_servers': ['gc2comp01.contoso.com']}])
    assert found == {'gc2.contoso.com': {
        'fqdn': 'gc2.contoso.com', 'kind': 'group_chat_2007r2', 'servers': ['gc2-01.contoso.com'],
        'compliance_servers': ['gc2comp01.contoso.com'], 'service_names': [], 'web_service': 'stop'}}
    assert legacy.definitions(None) == {}


@pytest.mark.parametrize('entry, words', [
    ({'fqdn': 'gc2'}, 'not a fully qualified domain name'),
    ({'fqdn': 'gc2.contoso.com', 'servers': ['a.contoso.com'], 'compliance_servers': ['A.contoso.com']},
     'both as a Group Chat server and as a compliance server'),
    ({'fqdn': 'gc2.contoso.com', 'service_names': ["x' OR Name LIKE '%"]}, 'is not a Group Chat service name'),
    ({'fqdn': 'gc2.contoso.com', 'service_names': ['w3svc']}, 'set web_service instead'),
    ({'fqdn': 'gc2.contoso.com', 'web_service': 'restart'}, 'is not stop or leave'),
    ({'fqdn': 'gc2.contoso.com', 'servers': ['not a host']}, 'servers item'),
])
def test_bad_definitions_are_refused_naming_the_pool(entry, words):
    with pytest.raises(PchatError) as caught:
        legacy.definitions([entry])
    assert words in str(caught.value)


def test_a_pool_named_twice_is_refused():
    with pytest.raises(PchatError, match='names gc2.contoso.com twice'):
        legacy.definitions([{'fqdn': 'gc2.contoso.com'}, {'fqdn': 'GC2.contoso.com'}])


def test_the_wmi_filter_asks_for_the_group_chat_services_and_iis():
    assert legacy.service_filter([]) == "DisplayName LIKE '%Group Chat%' OR Name = 'W3SVC'"
    assert legacy.service_filter(['OcsLookup', 'OcsChannel']) == \
        "Name = 'OcsLookup' OR Name = 'OcsChannel' OR Name = 'W3SVC'"


def test_the_compliance_server_stops_last_and_starts_first():
    servers = [{'fqdn': 'comp', 'role': 'compliance'}, {'fqdn': 'gc01', 'role': 'group_chat'},
               {'fqdn': 'gc02', 'role': 'group_chat'}]
    assert [s['fqdn'] for s in legacy.server_order(servers, 'disabled')] == ['gc01', 'gc02', 'comp']
    assert [s['fqdn'] for s in legacy.server_order(servers, 'stopped')] == ['gc01', 'gc02', 'comp']
    assert [s['fqdn'] for s in legacy.server_order(servers, 'started')] == ['comp', 'gc01', 'gc02']
    plain = [{'fqdn': 'pc01'}, {'fqdn': 'pc02'}]  # a Persistent Chat pool keeps its order
    assert legacy.server_order(plain, 'started') == plain


def test_the_inventory_may_repeat_the_topology_never_contradict_it():
    definition = {'servers': ['gc01.contoso.com', 'gc02.contoso.com']}
    legacy.check_topology_servers('gc.contoso.com', ['GC02.contoso.com', 'gc01.contoso.com'], definition)
    legacy.check_topology_servers('gc.contoso.com', ['gc01.contoso.com'], {'servers': []})
    with pytest.raises(PchatError, match='is in the Lync topology with the servers gc01.contoso.com'):
        legacy.check_topology_servers('gc.contoso.com', ['gc01.contoso.com'], definition)


def test_a_misspelt_service_name_is_found():
    assert legacy.missing_service_names({'service_names': ['OcsLookup', 'OcsChanel']}, ['ocslookup']) == \
        ['OcsLookup', 'OcsChanel'][1:]


def test_the_web_service_summary_says_what_is_done():
    pool = {'web_service': {'policy': 'leave'}, 'state': 'started',
            'servers': [{'fqdn': 'gc01', 'web_service': {'status': 'running', 'start_mode': 'automatic'}}]}
    assert 'W3SVC was left as it is' in legacy.web_service_summary(pool)
    pool['web_service']['policy'] = 'stop'
    assert 'managed with the Group Chat services' in legacy.web_service_summary(pool)
    assert 'gc01 running/automatic' in legacy.web_service_summary(pool)
    assert 'not readable through OcsPowershell' in legacy.web_service_summary(
        {'web_service': {'policy': 'stop'}, 'state': 'unknown', 'servers': [{'fqdn': 'gc01', 'web_service': None}]})


# -- uploaded files -------------------------------------------------------------------------------------------
def entry(path, size=None, time=None, directory=False):
    return path.lower(), {'path': path, 'dir': directory, 'size': size, 'time': time}


def listing(*entries):
    return dict(entries)


def test_an_empty_target_gets_one_copy_of_each_top_level_entry():
    source = listing(entry('Sales', directory=True), entry('Sales\\a.txt', 10, 100.0),
                     entry('Sales\\deep', directory=True), entry('Sales\\deep\\b.txt', 5, 100.0),
                     entry('readme.txt', 3, 100.0))
    diff = files.compare(source, None)
    assert diff['copies'] == {'': ['readme.txt', 'Sales']}
    assert sorted(diff['files'], key=str.lower) == ['readme.txt', 'Sales\\a.txt', 'Sales\\deep\\b.txt']
    assert diff['bytes'] == 18


def test_only_missing_and_older_files_are_copied_newer_ones_are_kept():
    source = listing(entry('Sales', directory=True), entry('Sales\\same.txt', 10, 100.0),
                     entry('Sales\\older.txt', 10, 200.0), entry('Sales\\newer.txt', 10, 100.0),
                     entry('Sales\\missing.txt', 4, 100.0), entry('Sales\\sub', directory=True),
                     entry('Sales\\sub\\x.txt', 1, 100.0), entry('Sales\\resized.txt', 9, 100.0))
    target = listing(entry('SALES', directory=True), entry('SALES\\SAME.TXT', 10, 101.5),
                     entry('Sales\\older.txt', 10, 150.0), entry('Sales\\newer.txt', 11, 400.0),
                     entry('Sales\\resized.txt', 8, 100.0))
    diff = files.compare(source, target)
    assert diff['copies'] == {'sales': ['Sales\\missing.txt', 'Sales\\older.txt', 'Sales\\resized.txt', 'Sales\\sub']}
    assert diff['newer_on_target'] == ['Sales\\newer.txt'] and diff['present'] == 1
    assert sorted(diff['files']) == ['Sales\\missing.txt', 'Sales\\older.txt', 'Sales\\resized.txt',
                                     'Sales\\sub\\x.txt']
    assert files.compare(source, dict(source))['files'] == []


def test_times_come_from_pypsrp_datetimes_or_their_text():
    """The listing's times, through FileStoreBackend.listing: LastWriteTimeUtc as pypsrp hands it back (its text, or a
    datetime), with or without an offset or a fraction; a time that cannot be read is None, never a guess."""
    when = datetime.datetime(2012, 5, 14, 9, 0, tzinfo=datetime.timezone.utc)
    share = '\\\\fs01\\Share'
    times = {'a.txt': when, 'b.txt': '2012-05-14T09:00:00Z', 'c.txt': '2012-05-14T09:00:00.5000000Z',
             'd.txt': '2012-05-14T11:00:00.0000000+02:00', 'e.txt': '2012-05-14T09:00:00',
             'f.txt': datetime.datetime(2012, 5, 14, 9, 0), 'g.txt': None, 'h.txt': 'yesterday'}
    platform = FakeLyncPlatform()
    platform.answers['Get-ChildItem'] = result(
        [ps_object(['System.IO.FileInfo', 'System.IO.FileSystemInfo'], FullName='%s\\%s' % (share, name),
                   PSIsContainer=False, Length=5, LastWriteTimeUtc=value) for name, value in sorted(times.items())] +
        [ps_object(['System.IO.DirectoryInfo'], FullName=share + '\\Sales', PSIsContainer=True,
                   LastWriteTimeUtc=when)])
    backend = files.FileStoreBackend(platform, {'source_pool': 'gc.contoso.com', 'target_pool': 'pcpool.contoso.com'},
                                     False)
    found, problem = backend.listing(share)
    assert problem is None and platform.calls == [('send', 'Get-ChildItem', {
        'LiteralPath': share, 'Recurse': None, 'Force': None}, False)]
    assert dict((key, entry['time']) for key, entry in found.items()) == {
        'a.txt': 1336986000.0, 'b.txt': 1336986000.0, 'c.txt': 1336986000.5, 'd.txt': 1336986000.0,
        'e.txt': 1336986000.0, 'f.txt': 1336986000.0, 'g.txt': None, 'h.txt': None, 'sales': None}
    assert found['sales'] == {'path': 'Sales', 'dir': True, 'size': None, 'time': None}


def test_the_manual_step_is_the_guides_xcopy_of_the_whole_folder():
    assert files.xcopy_command('\\\\gc01\\Files\\', '\\\\fs01\\Share\\1-PersistentChatServer-1') == \
        'xcopy "\\\\gc01\\Files" "\\\\fs01\\Share\\1-PersistentChatServer-1\\" /E /I /D /Y'
