# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import-Module (on the WinRM path the Lync cmdlets exist only after the module that holds them is imported: ``Lync``
on Lync Server 2013, ``SkypeForBusiness`` on Skype for Business Server 2015, the lab's ``LAB_FRONTEND``) and Test-Path
(the front end's files, on the WinRM path only: Windows PowerShell's own command)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from lab import topology
from lab.emulator import objects, winpath
from lab.emulator.binding import CREDENTIAL, STRINGS, SWITCH, Enum, Param
from lab.emulator.cmdlets import CORE, LYNC, cmdlet


def frontend(store):
    """The front end the lab presents (``topology.FRONTENDS`` key), recorded in the store by ``lab up``."""
    row = store.execute("SELECT value FROM meta WHERE key = 'frontend'").fetchone()
    return row[0] if row and row[0] in topology.FRONTENDS else topology.DEFAULT_FRONTEND


def _module_pattern(name):
    """A module given by name or by the path of its manifest (``...\\Modules\\Lync\\Lync.psd1``)."""
    return re.compile(r'^(?:.*[\\/])?%s(?:\.psd1)?$' % re.escape(name), re.IGNORECASE)


@cmdlet('Import-Module', 'Microsoft.PowerShell.Commands.ImportModuleCommand', module=CORE,
        source='https://learn.microsoft.com/powershell/module/microsoft.powershell.core/import-module'
               '?view=powershell-4.0',
        params=[Param('Name', STRINGS, mandatory=True, position=0), Param('Force', SWITCH), Param('Global', SWITCH),
                Param('PassThru', SWITCH), Param('DisableNameChecking', SWITCH), Param('Prefix')],
        output='System.Management.Automation.PSModuleInfo (with -PassThru)')
def import_module(ctx):
    modules = ctx.session.state.setdefault('modules', set())
    installed = topology.FRONTENDS[frontend(ctx.store)]
    pattern = _module_pattern(installed['module'])
    for name in ctx.get('Name'):
        if not pattern.match(name.strip()):
            ctx.error(ctx.cmdlet_error(
                "The specified module '%s' was not loaded because no valid module file was found in any module "
                "directory." % name, 'Modules_ModuleNotFound', category='ResourceUnavailable', target=name,
                exception_type='System.IO.FileNotFoundException'))
            continue
        if LYNC not in modules or ctx.get('Force'):
            # Loading the module takes seconds on a real front end.
            time.sleep(float(ctx.knobs.get('import_module_latency_ms') or 0) / 1000.0)
            modules.add(LYNC)
            ctx.session.state['lync_module'] = installed['module']
        if ctx.get('PassThru'):
            ctx.write(objects.module_info(installed['module'], installed['module_path'], installed['product']))


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
