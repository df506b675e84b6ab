# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's state, read without the collection's code: a fingerprint of the whole lab (every directory object's
DN and uSNChanged - any write to AD changes one - and `python -m lab inspect`'s view of the store), and the
pipelines the emulator logged that could have changed something.

    .venv/bin/python tests/state_snapshot.py [LAB_DIR]   # prints the fingerprint as JSON
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import ssl
import subprocess
import sys
from urllib.parse import urlsplit

import ldap3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Cmdlet verbs that change the lab; under -WhatIf they change nothing. Export writes a file unless -AsBytes.
CHANGING_VERBS = ('set', 'new', 'remove', 'start', 'stop', 'import', 'enable', 'disable', 'copy')


def connection(lab_dir):
    with open(os.path.join(lab_dir, 'connection.json')) as handle:
        return json.load(handle)


def directory_fingerprint(settings):
    url = urlsplit(settings['PCHAT_LDAP_URL'])
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings['PCHAT_LDAP_CA_FILE'])
    server = ldap3.Server(url.hostname, port=url.port or 636, use_ssl=True, tls=tls)
    conn = ldap3.Connection(server, settings['PCHAT_LDAP_BIND_DN'], settings['PCHAT_LDAP_BIND_PASSWORD'], auto_bind=True)
    entries = []
    for base in ('DC=contoso,DC=com', 'CN=Configuration,DC=contoso,DC=com'):
        for entry in conn.extend.standard.paged_search(base, '(objectClass=*)', attributes=['uSNChanged'],
                                                       paged_size=1000, generator=True):
            if entry.get('type') == 'searchResEntry' and 'CN=pchat.cutover,CN=Program Data' not in entry['dn']:
                # the unit leases are taken in check mode too (a preview must not overlap a run): not lab state
                entries.append('%s|%s' % (entry['dn'].lower(), entry['attributes'].get('uSNChanged')))
    conn.unbind()
    entries.sort()
    return len(entries), hashlib.sha256('\n'.join(entries).encode()).hexdigest()


def inspect(lab_dir):
    """`python -m lab inspect` of the lab: pools, services, rooms with message counts and checksums, endpoints.
    Its code (lab/inspect.py) runs in this process when it can be imported (a quarter of a second instead of a
    second, which a suite that fingerprints the lab after each of dozens of cases notices)."""
    try:
        if ROOT not in sys.path:
            sys.path.append(ROOT)
        from lab import inspect as lab_inspect  # pylint: disable=import-outside-toplevel
    except ImportError:
        out = subprocess.run([sys.executable, '-m', 'lab', 'inspect'], cwd=ROOT, env=dict(os.environ, LAB_DIR=lab_dir),
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)
    return json.loads(json.dumps(lab_inspect.snapshot(os.path.abspath(lab_dir))))


def files_fingerprint(lab_dir):
    """The emulated front end's disks ($LAB_DIR/fs: its C: drive, the Group Chat file repositories and the file
    stores): every path, and every file's size and last write time (a rehearsal's scratch export must be gone again
    after a preview)."""
    root = os.path.join(lab_dir, 'fs')
    entries = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            local = os.path.join(folder, name)
            stat = os.stat(local)
            entries.append('%s|%s|%s' % (os.path.relpath(local, root), '' if name in dirs else stat.st_size,
                                         '' if name in dirs else int(stat.st_mtime)))
    entries.sort()
    return hashlib.sha256('\n'.join(entries).encode()).hexdigest()


def snapshot(lab_dir):
    ldap_count, ldap_digest = directory_fingerprint(connection(lab_dir))
    view = json.dumps(inspect(lab_dir), sort_keys=True)
    return {'ldap_objects': ldap_count, 'ldap_digest': ldap_digest,
            'store_digest': hashlib.sha256(view.encode()).hexdigest(), 'files_digest': files_fingerprint(lab_dir)}


def request_log_size(lab_dir):
    try:
        return os.path.getsize(os.path.join(lab_dir, 'psrp-requests.jsonl'))
    except OSError:
        return 0


def changing_pipelines(lab_dir, since=0):
    """The pipelines logged after byte ``since`` of the request log that could change the lab. An export to a file
    that the same runspace removes again (Remove-Item) is preflight's rehearsal: a scratch file, not a change (the
    files of the fingerprint show it is gone)."""
    found = []
    with open(os.path.join(lab_dir, 'psrp-requests.jsonl')) as handle:
        handle.seek(since)
        pipelines = [json.loads(line) for line in handle]
    scratch = set(p.get('runspace') for p in pipelines if (p.get('cmdlets') or [''])[0].lower() == 'remove-item')
    for pipeline in pipelines:
        for cmdlet, names in zip(pipeline.get('cmdlets') or [], pipeline.get('parameters') or []):
            verb = cmdlet.split('-', 1)[0].lower()
            in_scratch = pipeline.get('runspace') in scratch
            writes_file = cmdlet.lower() == 'export-cspersistentchatdata' and 'AsBytes' not in names and not in_scratch
            removes_scratch = cmdlet.lower() == 'remove-item' and in_scratch
            if (verb in CHANGING_VERBS and cmdlet.lower() != 'import-module' and 'WhatIf' not in names
                    and not removes_scratch) or writes_file:
                found.append(cmdlet)
    return found


if __name__ == '__main__':
    print(json.dumps(snapshot(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '.lab')))))
