# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Remove-Item on the WinRM path (Windows PowerShell's FileSystem provider), for files on the emulated front end's
disks ($LAB_DIR/fs): the cutover removes its rehearsal's scratch export with it. Lync's own endpoint does not offer
it (module Core)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil

from lab.emulator import winpath
from lab.emulator.binding import STRINGS, SWITCH, Param
from lab.emulator.cmdlets import CORE, cmdlet


@cmdlet('Remove-Item', 'Microsoft.PowerShell.Commands.RemoveItemCommand', module=CORE, should_process=True,
        sets=['Path', 'LiteralPath'],
        source='https://learn.microsoft.com/powershell/module/microsoft.powershell.management/remove-item'
               '?view=powershell-4.0',
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
        if not ctx.should_process(path, 'Remove File' if os.path.isfile(local) else 'Remove Directory'):
            continue
        if os.path.isdir(local):
            shutil.rmtree(local)
        else:
            os.unlink(local)
