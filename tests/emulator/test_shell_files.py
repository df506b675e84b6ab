# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows PowerShell 4.0's file system cmdlets on /wsman (Get-ChildItem, Copy-Item, New-Item) over the lab's file
shares: what copying Group Chat's uploaded files into the Persistent Chat file store needs; and the front end as
Skype for Business Server 2015 (its module is SkypeForBusiness)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from lab import file_stores, platform_seed, topology

from .conftest import Runner, make_session, store

REPOSITORY = topology.LEGACY_FILE_REPOSITORIES[topology.LEGACY_POOL]
SHARE = '\\\\%s\\LyncShare' % topology.FILE_STORE


def local(scratch, unc):
    return file_stores.local_path(scratch, unc)


def test_get_child_item_lists_the_repository_directories_first(wsman):
    result = wsman.run('Get-ChildItem', LiteralPath=[REPOSITORY])
    assert result.ok and result.errors == []
    assert [(o['Name'], o['PSIsContainer']) for o in result.outputs] == [
        ('Engineering', True), ('Sales', True), ('Support', True), ('readme.txt', False)]
    every = wsman.run('Get-ChildItem', LiteralPath=[REPOSITORY], Recurse=None, File=None).outputs
    assert len(every) == len(topology.LEGACY_FILES[topology.LEGACY_POOL])
    sizes = dict((o['FullName'][len(REPOSITORY) + 1:], o['Length']) for o in every)
    assert sizes == dict(topology.LEGACY_FILES[topology.LEGACY_POOL])
    folders = wsman.run('Get-ChildItem', LiteralPath=[REPOSITORY], Recurse=None, Directory=None).outputs
    assert [o['Name'] for o in folders] == ['Engineering', 'build', 'Sales', 'Support']
    upper = wsman.run('Get-ChildItem', LiteralPath=[REPOSITORY.upper() + '\\SALES']).outputs  # Windows: any case
    assert [o['Name'] for o in upper] == ['contacts.csv', 'pricing-2012.xlsx']


def test_a_missing_path_is_a_non_terminating_path_not_found(wsman):
    result = wsman.run('Get-ChildItem', LiteralPath=['\\\\nosuch.contoso.com\\share', REPOSITORY + '\\Nothing'])
    assert result.ok and result.outputs == []
    assert [e.error_id for e in result.errors] == ['PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand'] * 2
    assert result.errors[1].message == "Cannot find path '%s\\Nothing' because it does not exist." % REPOSITORY


def test_copy_item_keeps_the_last_write_time_and_whatif_copies_nothing(wsman, scratch):
    target = SHARE + '\\pc'
    assert wsman.run('New-Item', Path=[target], ItemType='Directory', Confirm=False).ok
    whatif = wsman.run('Copy-Item', LiteralPath=[REPOSITORY + '\\Engineering'], Destination=target, Recurse=None,
                       WhatIf=None)
    assert whatif.ok and whatif.verbose[0].startswith('What if: Performing the operation "Copy Directory" on target')
    assert os.listdir(local(scratch, target)) == []
    copied = wsman.run('Copy-Item', LiteralPath=[REPOSITORY + '\\Engineering', REPOSITORY + '\\readme.txt'],
                       Destination=target, Recurse=None, Force=None, PassThru=None, Confirm=False)
    assert copied.ok and [o['Name'] for o in copied.outputs] == ['Engineering', 'readme.txt']
    for relative, _size, mtime in file_stores.seeded_files(topology.LEGACY_POOL):
        path = os.path.join(local(scratch, target), *relative.split('\\'))
        if relative.startswith('Engineering') or relative == 'readme.txt':
            assert int(os.path.getmtime(path)) == mtime
        else:
            assert not os.path.exists(path)
    flat = wsman.run('Copy-Item', LiteralPath=[REPOSITORY + '\\Sales'], Destination=target, Confirm=False)
    assert flat.ok and os.listdir(os.path.join(local(scratch, target), 'Sales')) == []  # no -Recurse: the folder only


def test_copy_item_into_a_missing_folder_and_new_item_over_an_existing_one_fail_cleanly(wsman, scratch):
    missing = wsman.run('Copy-Item', LiteralPath=[REPOSITORY + '\\readme.txt'], Destination=SHARE + '\\a\\b\\c.txt',
                        Confirm=False)
    assert missing.errors[0].error_id == 'CopyDirectoryInfoItemIOError,Microsoft.PowerShell.Commands.CopyItemCommand'
    assert not os.path.exists(os.path.join(local(scratch, SHARE), 'a'))
    assert wsman.run('New-Item', Path=[SHARE + '\\x\\y'], ItemType='Directory', Confirm=False).ok  # makes parents
    again = wsman.run('New-Item', Path=[SHARE + '\\x\\y'], ItemType='Directory', Confirm=False)
    assert again.errors[0].error_id == 'DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand'
    assert again.errors[0].category == 'ResourceExists'
    forced = wsman.run('New-Item', Path=[SHARE + '\\x\\y'], ItemType='Directory', Force=None, Confirm=False)
    assert forced.ok and forced.errors == [] and forced.outputs[0]['FullName'] == SHARE + '\\x\\y'
    unknown_share = wsman.run('New-Item', Path=['\\\\nosuch.contoso.com\\share\\x'], ItemType='Directory',
                              Confirm=False)
    assert unknown_share.errors[0].error_id == 'NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand'


def test_the_file_cmdlets_are_not_on_ocs_powershell(ocs):
    for name in ('Get-ChildItem', 'Copy-Item', 'New-Item'):
        assert ocs.run(name, LiteralPath=[REPOSITORY]).failure.error_id == 'CommandNotFoundException'


def test_a_skype_for_business_server_2015_front_end_has_the_module_skypeforbusiness(shell, scratch):
    conn = store(scratch)
    platform_seed.set_frontend(conn, 'sfb2015')
    conn.close()
    runner = Runner(shell, make_session())
    lync = runner.run('Import-Module', Name=['Lync'])
    assert lync.errors[0].error_id == 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand'
    assert runner.run('Get-CsPool').failure.error_id == 'CommandNotFoundException'
    both = runner.run('Import-Module', Name=['Lync', 'SkypeForBusiness'], PassThru=None)
    assert [(o['Name'], o['Description']) for o in both.outputs] == [
        ('SkypeForBusiness', 'Skype for Business Server 2015 Management Shell')]
    assert 'Skype for Business Server 2015' in both.outputs[0]['Path']
    assert runner.run('Get-CsPool', Identity=topology.TARGET_POOL).ok
    assert runner.run('SkypeForBusiness\\Get-CsPool', Identity=topology.TARGET_POOL).ok
    assert runner.run('Lync\\Get-CsPool').failure.error_id == 'CommandNotFoundException'
