# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module accepts both connection kinds' options.

``module_defaults: {group/pchat.cutover.all: {...}}`` hands the same options to every module of the action group,
and Ansible rejects an option a module does not declare, so each module declares the directory and the platform
options, and documents the ones it does not use as such.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils.directory import DIRECTORY_ARGUMENT_SPEC
from ansible_collections.pchat.cutover.plugins.module_utils.platform import PLATFORM_ARGUMENT_SPEC


def connection_argument_spec(**module_options):
    """The module's own options plus the directory and the platform connection options."""
    spec = dict(DIRECTORY_ARGUMENT_SPEC)
    spec.update(PLATFORM_ARGUMENT_SPEC)
    spec.update(module_options)
    return spec
