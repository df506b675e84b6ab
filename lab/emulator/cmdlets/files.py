# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows PowerShell 4.0's file system cmdlets on the WinRM path (``Get-ChildItem``, ``Copy-Item``, ``New-Item``,
``Remove-Item``), on the lab's disks (``$LAB_DIR/fs``, lab/emulator/winpath.py): what copying Group Chat's uploaded
files into the Persistent Chat file store needs, and removing the rehearsal's scratch export. Not on /OcsPowershell,
which offers Lync cmdlets only."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
import shutil

from lab.emulator import winpath
from lab.emulator.api import PSEnum, PSObj
from lab.emulator.binding import STRING, STRINGS, SWITCH, Enum, Param
from lab.emulator.cmdlets import CORE, cmdlet
from lab.emulator.cmdlets.common import matches

PS4 = 'https://learn.microsoft.com/powershell/module/microsoft.powershell.management/%s?view=powershell-4.0'
PROVIDER = 'Microsoft.PowerShell.Core\\FileSystem'
FILE_ATTRIBUTES = 'System.IO.FileAttributes'
ATTRIBUTE_VALUES = {'Directory': 16, 'Archive': 32}


def _when(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)


def item(located):
    """A System.IO.FileInfo or DirectoryInfo as the FileSystem provider writes it (its PS* note properties first).
    The front end's clock is UTC (assumption), so local and UTC times are the same."""
    stat = os.stat(located.local)
    directory = os.path.isdir(located.local)
    name = os.path.basename(located.local.rstrip(os.sep)) or located.windows
    parent = located.windows.rstrip('\\').rsplit('\\', 1)[0]
    props = [
        ('PSPath', '%s::%s' % (PROVIDER, located.windows)),
        ('PSParentPath', '%s::%s' % (PROVIDER, parent)),
        ('PSChildName', name),
        ('PSDrive', located.windows[0] if located.windows[1:2] == ':' else None),
        ('PSProvider', PROVIDER),
        ('PSIsContainer', directory),
        ('Mode', 'd----' if directory else '-a---'),
        ('BaseName', name if directory else os.path.splitext(name)[0]),
        ('Name', name),
    ]
    if not directory:
        props += [('Length', stat.st_size), ('DirectoryName', parent), ('Directory', parent),
                  ('IsReadOnly', False)]
    else:
        props += [('Parent', parent.rsplit('\\', 1)[-1]), ('Root', located.windows.split('\\')[0] + '\\')]
    kind = 'Directory' if directory else 'Archive'
    props += [
        ('Exists', True),
        ('FullName', located.windows),
        ('Extension', '' if directory else os.path.splitext(name)[1]),
        ('CreationTime', _when(stat.st_mtime)),
        ('CreationTimeUtc', _when(stat.st_mtime)),
        ('LastAccessTime', _when(stat.st_mtime)),
        ('LastAccessTimeUtc', _when(stat.st_mtime)),
        ('LastWriteTime', _when(stat.st_mtime)),
        ('LastWriteTimeUtc', _when(stat.st_mtime)),
        ('Attributes', PSEnum(FILE_ATTRIBUTES, kind, ATTRIBUTE_VALUES[kind])),
    ]
    types = ['System.IO.DirectoryInfo' if directory else 'System.IO.FileInfo', 'System.IO.FileSystemInfo',
             'System.MarshalByRefObject']
    return PSObj(types, props, name if directory else located.windows)


def _not_found(ctx, path):
    return ctx.cmdlet_error("Cannot find path '%s' because it does not exist." % path, 'PathNotFound',
                            category='ObjectNotFound', target=path,
                            exception_type='System.Management.Automation.ItemNotFoundException')


def _locate(ctx, path):
    """The Located of ``path``; a path Windows would refuse is a terminating error, as the provider reports it."""
    try:
        return winpath.locate(ctx.lab_dir, path)
    except winpath.PathError as exc:
        if exc.kind == 'ItemNotFoundException':
            return None
        ctx.fail(ctx.cmdlet_error(str(exc), 'ItemPathError', category='InvalidArgument', target=path,
                                  exception_type='System.' + exc.kind))


def _paths(ctx):
    """The paths of -Path or -LiteralPath (the lab has no wildcards in file names, so both are literal)."""
    return list(ctx.get('LiteralPath') or ctx.get('Path') or [])


def _children(located):
    """Directories first, then files, each by name: the FileSystem provider's order."""
    entries = sorted(os.listdir(located.local), key=lambda n: n.lower())
    return ([located.child(n) for n in entries if os.path.isdir(os.path.join(located.local, n))] +
            [located.child(n) for n in entries if not os.path.isdir(os.path.join(located.local, n))])


def _wanted(ctx, child):
    if ctx.get('File') and child.is_dir:
        return False
    if ctx.get('Directory') and not child.is_dir:
        return False
    name = os.path.basename(child.local)
    if ctx.has('Filter') and not matches(ctx.get('Filter'), name):
        return False
    if ctx.has('Include') and not any(matches(p, name) for p in ctx.get('Include')):
        return False
    if ctx.has('Exclude') and any(matches(p, name) for p in ctx.get('Exclude')):
        return False
    return True


def _walk(ctx, located):
    for child in _children(located):
        if _wanted(ctx, child):
            ctx.write(item(child))
        if child.is_dir and ctx.get('Recurse'):
            _walk(ctx, child)


@cmdlet('Get-ChildItem', 'Microsoft.PowerShell.Commands.GetChildItemCommand', module=CORE,
        sets=['Items', 'LiteralItems'], default_set='Items', source=PS4 % 'get-childitem',
        params=[Param('Path', STRINGS, sets=['Items'], position=0, pipeline='both'),
                Param('LiteralPath', STRINGS, sets=['LiteralItems'], mandatory=True, aliases=('PSPath',),
                      pipeline='property'),
                Param('Filter', STRING, position=1), Param('Include', STRINGS), Param('Exclude', STRINGS),
                Param('Recurse', SWITCH, aliases=('s',)), Param('Force', SWITCH), Param('Name', SWITCH),
                Param('File', SWITCH), Param('Directory', SWITCH, aliases=('ad', 'd'))],
        output='System.IO.FileInfo, System.IO.DirectoryInfo (FileSystem provider)')
def get_child_item(ctx):
    for path in _paths(ctx) or ['C:\\Users\\Public\\Documents']:
        located = _locate(ctx, path)
        if located is None or not located.exists:
            ctx.error(_not_found(ctx, path))
            continue
        if not located.is_dir:
            if _wanted(ctx, located):
                ctx.write(item(located))
            continue
        _walk(ctx, located)


def _copy_tree(source, target, recurse):
    os.makedirs(target, exist_ok=True)
    shutil.copystat(source, target)
    if not recurse:
        return
    for name in os.listdir(source):
        child = os.path.join(source, name)
        existing = winpath.locate_child(target, name)
        if os.path.isdir(child):
            _copy_tree(child, existing, True)
        else:
            shutil.copy2(child, existing)  # Windows' CopyFile keeps the last write time; so does copy2


@cmdlet('Copy-Item', 'Microsoft.PowerShell.Commands.CopyItemCommand', module=CORE, should_process=True,
        sets=['Path', 'LiteralPath'], default_set='Path', source=PS4 % 'copy-item',
        params=[Param('Path', STRINGS, sets=['Path'], mandatory=True, position=0, pipeline='both'),
                Param('LiteralPath', STRINGS, sets=['LiteralPath'], mandatory=True, aliases=('PSPath',),
                      pipeline='property'),
                Param('Destination', STRING, position=1, pipeline='property'), Param('Container', SWITCH),
                Param('Force', SWITCH), Param('Filter', STRING), Param('Include', STRINGS),
                Param('Exclude', STRINGS), Param('Recurse', SWITCH), Param('PassThru', SWITCH)],
        output='none (System.IO.FileInfo, System.IO.DirectoryInfo with -PassThru)')
def copy_item(ctx):
    if not ctx.has('Destination'):
        ctx.fail(ctx.cmdlet_error('The lab has no current location: give -Destination.', 'NoDestination',
                                  category='InvalidArgument'))
    destination = _locate(ctx, ctx.get('Destination'))
    if destination is None:
        ctx.error(_not_found(ctx, ctx.get('Destination')))
        return
    for path in _paths(ctx):
        source = _locate(ctx, path)
        if source is None or not source.exists:
            ctx.error(_not_found(ctx, path))
            continue
        name = os.path.basename(source.local)
        target = destination.child(name) if destination.is_dir else destination
        if target.exists and not target.is_dir and source.is_dir:
            ctx.error(ctx.cmdlet_error('Container cannot be copied onto existing leaf item.',
                                       'CopyContainerItemToLeafError', category='InvalidArgument', target=path,
                                       exception_type='System.Management.Automation.PSArgumentException'))
            continue
        if not os.path.isdir(os.path.dirname(target.local.rstrip(os.sep))):
            ctx.error(ctx.cmdlet_error("Could not find a part of the path '%s'." % target.windows,
                                       'CopyDirectoryInfoItemIOError', category='WriteError', target=path,
                                       exception_type='System.IO.DirectoryNotFoundException'))
            continue
        action = 'Copy Directory' if source.is_dir else 'Copy File'
        if not ctx.should_process('Item: %s Destination: %s' % (source.windows, target.windows), action):
            continue
        ctx.hold('copy:%s' % name)
        if source.is_dir:
            _copy_tree(source.local, target.local, bool(ctx.get('Recurse')))
        else:
            shutil.copy2(source.local, target.local)
        if ctx.get('PassThru'):
            ctx.write(item(target))


@cmdlet('New-Item', 'Microsoft.PowerShell.Commands.NewItemCommand', module=CORE, should_process=True,
        sets=['pathSet', 'nameSet'], default_set='pathSet', source=PS4 % 'new-item',
        params=[Param('Path', STRINGS, mandatory=('pathSet',), position=0, pipeline='property'),
                Param('Name', STRING, sets=['nameSet'], mandatory=True, pipeline='property'),
                Param('ItemType', Enum('System.String', ['Directory', 'File']), aliases=('Type',),
                      pipeline='property'),
                Param('Value', STRING, pipeline='both'), Param('Force', SWITCH)],
        output='System.IO.FileInfo, System.IO.DirectoryInfo')
def new_item(ctx):
    kind = ctx.get('ItemType') or 'File'
    for path in ctx.get('Path') or []:
        if ctx.has('Name'):
            path = path.rstrip('\\') + '\\' + ctx.get('Name')
        located = _locate(ctx, path)
        if located is None:
            ctx.error(ctx.cmdlet_error("Could not find a part of the path '%s'." % path, 'NewItemIOError',
                                       category='WriteError', target=path,
                                       exception_type='System.IO.DirectoryNotFoundException'))
            continue
        if located.exists and not ctx.get('Force'):
            ctx.error(ctx.cmdlet_error('An item with the specified name %s already exists.' % located.windows,
                                       '%sExist' % kind, category='ResourceExists', target=path,
                                       exception_type='System.IO.IOException'))
            continue
        action = 'Create Directory' if kind == 'Directory' else 'Create File'
        if not ctx.should_process('Destination: %s' % located.windows, action):
            continue
        if kind == 'Directory':
            os.makedirs(located.local, exist_ok=True)  # Directory.CreateDirectory makes every missing parent
        else:
            if not os.path.isdir(os.path.dirname(located.local)):
                ctx.error(ctx.cmdlet_error("Could not find a part of the path '%s'." % located.windows,
                                           'NewItemIOError', category='WriteError', target=path,
                                           exception_type='System.IO.DirectoryNotFoundException'))
                continue
            with open(located.local, 'w', encoding='utf-8') as handle:
                handle.write(ctx.get('Value') or '')
        ctx.write(item(located))


@cmdlet('Remove-Item', 'Microsoft.PowerShell.Commands.RemoveItemCommand', module=CORE, should_process=True,
        sets=['Path', 'LiteralPath'], source=PS4 % 'remove-item',
        params=[Param('Path', STRINGS, sets=['Path'], mandatory=True, position=0),
                Param('LiteralPath', STRINGS, sets=['LiteralPath'], mandatory=True, aliases=('PSPath',)),
                Param('Force', SWITCH), Param('Recurse', SWITCH)],
        output='None')
def remove_item(ctx):
    for path in ctx.get('LiteralPath') or ctx.get('Path'):
        try:
            local = winpath.to_local(ctx.lab_dir, path, must_exist=True)
        except winpath.PathError:
            ctx.error(ctx.cmdlet_error("Cannot find path '%s' because it does not exist." % path,
                                       'PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand',
                                       category='ObjectNotFound', target=path,
                                       exception_type='System.Management.Automation.ItemNotFoundException'))
            continue
        if os.path.isdir(local) and os.listdir(local) and not ctx.get('Recurse'):
            ctx.error(ctx.cmdlet_error('The item at %s has children and the Recurse parameter was not specified.'
                                       % path, 'DirectoryNotEmpty', category='WriteError', target=path))
            continue
        if not ctx.should_process(path, 'Remove Directory' if os.path.isdir(local) else 'Remove File'):
            continue
        if os.path.isdir(local):
            shutil.rmtree(local)
        else:
            os.unlink(local)
