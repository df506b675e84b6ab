# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""README.md's play of its own ("The modules in a playbook of your own") runs as written against the lab: its
module_defaults carry the whole connection (no PCHAT_* variable in the environment), one action group per connection
kind (sip_address_info, a directory module, would reject a psrp_* option), mapped from the pchat_* variables of an
inventory like the README's, here with the lab's values."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARKER = '<!-- module-defaults-example:'


def readme_play():
    with open(os.path.join(REPO_ROOT, 'README.md')) as handle:
        text = handle.read()
    match = re.search(re.escape(MARKER) + r'.*?\n```yaml\n(.*?)\n```', text, re.S)
    assert match, 'README.md lost its module_defaults example (marked %s)' % MARKER
    return match.group(1)


def test_the_readme_play_reaches_the_lab_through_module_defaults_alone(lab, tmp_path):
    play = readme_play()
    defaults = yaml.safe_load(play)[0]['module_defaults']
    directory, platform = defaults['group/pchat.cutover.directory'], defaults['group/pchat.cutover.platform']
    assert {'ldap_url', 'ldap_bind_dn', 'ldap_bind_password'} <= set(directory)
    assert {'psrp_host', 'psrp_password'} <= set(platform)
    options = list(directory) + list(platform)
    (tmp_path / 'play.yml').write_text(play + '\n')
    unit = {
        'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}',
        'pchat_legacy_pool': 'gc.contoso.com', 'pchat_target_pool': 'pcpool.contoso.com',
        'pchat_sip_address': 'sip:OCSChat@contoso.com',
        'pchat_migration_source_db_instance': 'gcsql.contoso.com\\groupchat', 'pchat_migration_accept_warnings': [],
        'pchat_state_dir': str(tmp_path / 'state'),
    }
    # The inventory's connection variables, each from the lab's PCHAT_* value of the option it maps to.
    unit.update(('pchat_' + option, lab['PCHAT_' + option.upper()]) for option in options)
    inventory = {'all': {'children': {'pchat_cutover_units': {'hosts': {'contoso_group_chat': unit}}}}}
    (tmp_path / 'hosts.json').write_text(json.dumps(inventory))
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith('PCHAT_'))
    env['ANSIBLE_COLLECTIONS_PATH'] = os.path.join(REPO_ROOT, '.ansible', 'collections')
    proc = subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), '-i',
                           str(tmp_path / 'hosts.json'), str(tmp_path / 'play.yml')],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert re.search(r'contoso_group_chat\s*: ok=3 .*failed=0', output), output[-2000:]
    for key in ('PCHAT_LDAP_BIND_PASSWORD', 'PCHAT_PSRP_PASSWORD'):
        assert lab[key] not in output
