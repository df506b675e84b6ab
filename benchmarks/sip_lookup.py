# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve 10,000 SIP URIs against the lab's Samba AD: batched look-up vs one search per URI.

    make benchmarks            # or: .venv/bin/python benchmarks/sip_lookup.py [--uris N] [--missing M]

Seeds the lab up to the needed number of users (LAB_USERS, additive and idempotent), then times
1. the collection's batched look-up (DirectoryClient.find_sip_owners, as sip_address_info and chat_migration use
   it), in-process, and the same as a whole `sip_address_info` module run;
2. the naive loop: one LDAP search per URI over the domain partition only (cheaper than what the batched
   look-up answers, which also covers Lync's contacts in the configuration partition).
Prints searches, wall time and the ratio. Target (DESIGN.md): a few dozen searches, at least 20x faster.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, 'tests'), ROOT]
# conftest puts the checkout on sys.path as ansible_collections.pchat.cutover
import conftest  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position
from module_runner import run_module  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.pchat.cutover.plugins.module_utils.directory import (  # noqa: E402 pylint: disable=wrong-import-position
    SIP_ATTRIBUTE, DirectoryClient, escape_filter_value,
)


def lab_up(users):
    env = dict(os.environ, LAB_USERS=str(users))
    started = time.time()
    proc = subprocess.run([sys.executable, '-m', 'lab', 'up'], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit('lab up failed:\n' + proc.stdout + proc.stderr)
    print('lab seeded to %d users in %.1f s' % (users, time.time() - started))
    lab_dir = os.path.abspath(os.environ.get('LAB_DIR') or os.path.join(ROOT, '.lab'))
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        return json.load(handle)


def params(env):
    return {'ldap_url': env['PCHAT_LDAP_URL'], 'ldap_bind_dn': env['PCHAT_LDAP_BIND_DN'],
            'ldap_bind_password': env['PCHAT_LDAP_BIND_PASSWORD'], 'ldap_ca_file': env['PCHAT_LDAP_CA_FILE'], 'ldap_validate_certs': True,
            'ldap_start_tls': False, 'ldap_allow_plain_bind': False, 'ldap_search_base': None, 'ldap_timeout': 30}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--uris', type=int, default=10000)
    parser.add_argument('--missing', type=int, default=500, help='how many of the URIs have no owner')
    parser.add_argument('--batch-size', type=int, default=500)
    args = parser.parse_args()
    present = args.uris - args.missing
    env = lab_up(max(present, int(os.environ.get('LAB_USERS') or 0)))
    uris = ['sip:labuser%05d@contoso.com' % i for i in range(1, present + 1)]
    uris += ['sip:missing%05d@contoso.com' % i for i in range(args.missing)]
    random.Random(7).shuffle(uris)

    client = DirectoryClient(params(env))
    client.root_dse()
    client.searches = 0
    started = time.time()
    owners = client.find_sip_owners(uris, args.batch_size)
    batched_time = time.time() - started
    batched_searches = client.searches
    strategy = client.last_strategy
    found = sum(1 for o in owners.values() if o['kind'] == 'user')
    assert found == present and len(owners) == args.uris, (found, present, len(owners))

    started = time.time()
    result = run_module('sip_address_info', {'sip_addresses': uris, 'batch_size': args.batch_size},
                        env=dict((k, v) for k, v in env.items() if k.startswith('PCHAT_')))
    module_time = time.time() - started
    assert not result.failed, result.get('msg')
    assert result['summary']['user'] == present

    client.searches = 0
    started = time.time()
    forced = client.find_sip_owners(uris, args.batch_size, strategy='batched')
    forced_time = time.time() - started
    forced_searches = client.searches
    assert forced == owners

    client.searches = 0
    base = client.search_base
    started = time.time()
    naive_found = 0
    for uri in uris:
        if list(client.search(base, '(%s=%s)' % (SIP_ATTRIBUTE, escape_filter_value(uri)), ['objectClass'])):
            naive_found += 1
    naive_time = time.time() - started
    naive_searches = client.searches
    client.close()
    assert naive_found == present

    print('URIs: %d (%d owned by users, %d with no owner), batch size %d' % (
        args.uris, present, args.missing, args.batch_size))
    print('look-up (auto -> %s): %6d LDAP searches  %8.2f s' % (strategy, batched_searches, batched_time))
    print('look-up (OR batches): %6d LDAP searches  %8.2f s' % (forced_searches, forced_time))
    print('sip_address_info run: %6d LDAP searches  %8.2f s (whole module process)' % (
        result['searches'], module_time))
    print('naive loop:           %6d LDAP searches  %8.2f s' % (naive_searches, naive_time))
    print('ratio naive/auto:     %.1fx faster, %.0fx fewer searches (target: >= 20x, a few dozen searches)' % (
        naive_time / batched_time, naive_searches / float(batched_searches)))
    print('ratio naive/module:   %.1fx faster' % (naive_time / module_time))
    print('ratio naive/OR batches: %.1fx faster' % (naive_time / forced_time))


if __name__ == '__main__':
    main()
