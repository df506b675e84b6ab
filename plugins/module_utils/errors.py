# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type module_utils raise; module_base.PchatModule turns it into fail_json(msg=..., details=...)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class PchatError(Exception):
    """A failure to report to the user: ``msg`` names the object and the fix, ``details`` is extra context."""

    def __init__(self, msg, details=None):
        super(PchatError, self).__init__(msg)
        self.msg = msg
        self.details = details

    def fail_kwargs(self):
        kwargs = {'msg': self.msg}
        if self.details is not None:
            kwargs['details'] = self.details
        return kwargs
