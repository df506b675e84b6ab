# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import-Module: on the WinRM path the Lync cmdlets exist only after the module that holds them is imported:
``Lync`` on Lync Server 2013, ``SkypeForBusiness`` on Skype for Business Server 2015 (the lab's ``LAB_FRONTEND``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import time

from lab import topology
from lab.emulator import objects
from lab.emulator.binding import STRINGS, SWITCH, Param
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
