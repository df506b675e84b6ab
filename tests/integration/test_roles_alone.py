# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each phase role used alone, outside pchat.cutover.cutover, as a user embeds it in a play of their own: only the
unit's required variables are given, the connection comes from the PCHAT_* environment (the lab's); the migration's
options come from the unit's pchat_migration_* variables the roles declare (lookup migration_options), no
module_defaults. ansible-core does not apply argument-spec defaults, so every optional variable a
role's tasks use must come from its defaults/main.yml (tests/packaging/test_role_defaults.py checks them against
what ansible-doc shows); before they did, preflight, migrate, recreate and verify failed on undefined variables.

Each role runs as a preview (--check) against the lab as seeded (reset first): nothing changes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCEPTED = '[category_flattened, room_renamed, root_managers, invitations_off, federated_user]'

PLAYBOOK = r"""---
- name: One phase role alone
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    pchat_legacy_pool: gc.contoso.com
    pchat_target_pool: pcpool.contoso.com
    pchat_sip_address: sip:OCSChat@contoso.com
    pchat_migration_source_db_instance: 'gcsql.contoso.com\groupchat'
    pchat_migration_accept_warnings: %(accepted)s
    pchat_state_dir: %(state)s
  tasks:
    - name: The role, alone
      ansible.builtin.include_role:
        name: pchat.cutover.%(role)s
"""


def preview(role, lab, tmp_path):
    playbook = tmp_path / 'alone.yml'
    playbook.write_text(PLAYBOOK % {'role': role, 'accepted': ACCEPTED, 'state': tmp_path / 'state'})
    env = dict(os.environ, **dict((k, v) for k, v in lab.items() if k.startswith('PCHAT_')))
    env['ANSIBLE_COLLECTIONS_PATH'] = os.path.join(REPO_ROOT, '.ansible', 'collections')
    proc = subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), '-i', 'localhost,', '--check',
                           str(playbook)], cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False,
                          timeout=300)
    output = proc.stdout + proc.stderr
    assert 'is undefined' not in output and "has no attribute" not in output, output[-3000:]
    return proc.returncode, output


@pytest.mark.parametrize('role', ['preflight', 'disable', 'migrate', 'files', 'delete', 'start', 'verify'])
def test_a_phase_role_previews_alone(role, lab, clean_lab, tmp_path):
    returncode, output = preview(role, lab, tmp_path)
    assert returncode == 0, output[-3000:]
    assert 'failed=0' in output


def test_recreate_alone_refuses_for_the_owner_it_was_not_told_is_gone(lab, clean_lab, tmp_path):
    """Without preflight's reads (pchat_facts_before, by default nothing read) a preview cannot assume the delete
    phase ran: the well-known user still owns the SIP URI, and the endpoint is refused, naming it and the fix."""
    returncode, output = preview('recreate', lab, tmp_path)
    assert returncode != 0
    assert "is owned by user CN=OCSChat,CN=Users,DC=contoso,DC=com" in output and 'Delete or change that object' in output
