# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import-Module: on the WinRM path the Lync cmdlets exist only after ``Import-Module Lync``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from lab.emulator import objects
from lab.emulator.binding import STRINGS, SWITCH, Param
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
