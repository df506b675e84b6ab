# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: unit_state
short_description: What earlier runs of a cutover unit left on the controller
version_added: 0.2.0
description:
  - Reads a unit's folder under O(state_dir) (C(<state_dir>/<legacy pool FQDN>/)) and returns the newest backup of
    the well-known user that carried O(sip_address) and the data migration's record.
  - Used by the cutover and rollback roles; a missing folder is an empty state, not an error.
author:
  - pchat.cutover contributors (@pchat-cutover)
options:
  _terms:
    description: The unit's legacy pool FQDN (one).
    required: true
    type: list
    elements: str
  state_dir:
    description: The state folder (C(pchat_state_dir)).
    type: path
    required: true
  sip_address:
    description: The unit's well-known SIP URI.
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Read what earlier runs recorded
  ansible.builtin.set_fact:
    unit_state: "{{ lookup('pchat.cutover.unit_state', 'gc.contoso.com', state_dir='~/.pchat-cutover',
                    sip_address='sip:OCSChat@contoso.com') }}"
'''

RETURN = r'''
_raw:
  description: One dict per term.
  type: list
  elements: dict
  contains:
    dir:
      description: The unit's folder.
      type: str
    backup_file:
      description: Path of the newest backup of the well-known user, or V(null).
      type: str
    backup:
      description: C(dn), C(object_guid), C(object_sid) and C(taken_at) of that backup, or V(null).
      type: dict
    migration:
      description: The data migration's record (see M(pchat.cutover.chat_migration)), or V(null).
      type: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.pchat.cutover.plugins.plugin_utils import unit_state


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) != 1:
            raise AnsibleLookupError('pchat.cutover.unit_state takes one legacy pool FQDN, got %d terms' % len(terms))
        return [unit_state.read(self.get_option('state_dir'), terms[0], self.get_option('sip_address'))]
