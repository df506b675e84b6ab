# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cmdlets the emulator offers, each declared once with ``@cmdlet(...)``: its parameters and sets (as the
Microsoft reference page documents them), whether it supports ShouldProcess, which module provides it, and the
function that does its work. ``all_specs()`` imports every cmdlet module and returns the registry."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib

LYNC = 'Lync'
CORE = 'Core'  # Windows PowerShell's own commands on the WinRM path
REFERENCE = 'https://learn.microsoft.com/powershell/module/skype/'
MODULES = ('modules', 'endpoints', 'rooms', 'topology', 'services', 'files', 'chatdata', 'adusers', 'synthetic',
           'policies')
_REGISTRY = {}


class CmdletSpec(object):
    """``sets``: parameter set names in the reference's order (None: one set); ``default_set``: the set
    PowerShell picks when several remain. ``should_process``: has -WhatIf/-Confirm. Lync cmdlets that do prompt
    unless -Confirm:$false is sent (docs/lab-emulator.md, "ShouldProcess")."""

    def __init__(self, name, class_name, handler, params=(), sets=None, default_set=None, should_process=False,
                 module=LYNC, source=None, output=None):
        self.name = name
        self.class_name = class_name
        self.handler = handler
        self.params = list(params)
        self.sets = list(sets) if sets else None
        self.default_set = default_set
        self.should_process = should_process
        self.module = module
        self.source = source or (REFERENCE + name.lower() if module == LYNC else None)
        self.output = output

    @property
    def prompts_unless_confirm_false(self):
        return self.should_process and self.module == LYNC

    def __repr__(self):
        return 'CmdletSpec(%r)' % self.name


def cmdlet(name, class_name, **kwargs):
    """Register the decorated function as the work of cmdlet ``name``."""
    def wrap(handler):
        _REGISTRY[name.lower()] = CmdletSpec(name, class_name, handler, **kwargs)
        return handler
    return wrap


def all_specs():
    for module in MODULES:
        importlib.import_module('lab.emulator.cmdlets.' + module)
    return dict(_REGISTRY)
