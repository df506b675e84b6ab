# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # What every module of the action group shares: it accepts both connection kinds.
    DOCUMENTATION = r'''
notes:
  - Every module of the collection accepts the directory options and the platform options, so that
    C(module_defaults) for the C(group/pchat.cutover.all) action group sets them once for every module; a module
    ignores the kind it does not use.
'''

    # Read-only modules (the _info modules).
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode and reports what is there.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
'''
