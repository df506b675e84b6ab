# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of pchat.cutover.unit_lock_info: the module, supervised (progress, the operator's interrupt): plugin_utils/supervised.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.plugin_utils.supervised import SupervisedAction


class ActionModule(SupervisedAction):
    pass
