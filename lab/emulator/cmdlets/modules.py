# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import-Module (on the WinRM path the Lync cmdlets exist only after ``Import-Module Lync``) and Test-Path (the
front end's files, on the WinRM path only: Windows PowerShell's own command)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from lab.emulator import objects, winpath
from lab.emulator.binding import CREDENTIAL, STRINGS, SWITCH, Enum, Param
from lab.emulator.cmdlets import CORE, LYNC, cmdlet

LYNC_MODULE_PATH = 'C:\\Program Files\\Common Files\\Microsoft Lync Server 2013\\Modules\\Lync\\Lync.psd1'
_LYNC_NAME = re.compile(r'^(?:.*[\\/])?lync(?:\.psd1)?$', re.IGNORECASE)


@cmdlet('Import-Module', 'Microsoft.PowerShell.Commands.ImportModuleCommand', module=CORE,
        source='https://learn.microsoft.com/powershell/module/microsoft.powershell.core/import-module'
               '?view=powershell-4.0',
        params=[Param('Name', STRINGS, mandatory=True, position=0), Param('Force', SWITCH), Param('Global', SWITCH),
                Param('PassThru', SWITCH), Param('DisableNameChecking', SWITCH), Param('Prefix')],
        output='System.Management.Automation.PSModuleInfo (with -PassThru)')
def import_module(ctx):
    modules = ctx.session.state.setdefault('modules', set())
    for name in ctx.get('Name'):
        if not _LYNC_NAME.match(name.strip()):
            ctx.error(ctx.cmdlet_error(
                "The specified module '%s' was not loaded because no valid module file was found in any module "
                "directory." % name, 'Modules_ModuleNotFound', category='ResourceUnavailable', target=name,
                exception_type='System.IO.FileNotFoundException'))
            continue
        if LYNC not in modules or ctx.get('Force'):
            # Loading the Lync module takes seconds on a real front end.
            time.sleep(float(ctx.knobs.get('import_module_latency_ms') or 0) / 1000.0)
            modules.add(LYNC)
        if ctx.get('PassThru'):
            ctx.write(objects.module_info('Lync', LYNC_MODULE_PATH))


@cmdlet('Test-Path', 'Microsoft.PowerShell.Commands.TestPathCommand', module=CORE,
        source='https://learn.microsoft.com/powershell/module/microsoft.powershell.management/test-path'
               '?view=powershell-4.0',
        sets=['Path', 'LiteralPath'], default_set='Path',
        params=[Param('Path', STRINGS, sets=['Path'], mandatory=True, position=0, pipeline='both'),
                Param('LiteralPath', STRINGS, sets=['LiteralPath'], mandatory=True, aliases=('PSPath',)),
                Param('PathType', Enum('Microsoft.PowerShell.Commands.TestPathType', ['Any', 'Container', 'Leaf']),
                      aliases=('Type',)),
                Param('IsValid', SWITCH), Param('Filter'), Param('Include', STRINGS), Param('Exclude', STRINGS),
                Param('Credential', CREDENTIAL)],
        output='System.Boolean (one per path)')
def test_path(ctx):
    """True or False for each path [ps4 Test-Path]; -IsValid tells only whether the path is well formed."""
    for path in ctx.get('Path') or ctx.get('LiteralPath'):
        if ctx.get('IsValid'):
            try:
                winpath.to_local(ctx.lab_dir, path)
                ctx.write(True)
            except winpath.PathError as exc:
                ctx.write(exc.kind == 'DirectoryNotFoundException' or exc.kind == 'UnauthorizedAccessException')
            continue
        ctx.write(winpath.exists(ctx.lab_dir, path, str(ctx.get('PathType') or 'Any')))
