# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m lab up|down|status|inspect|knobs``: the embedded lab behind ``make lab`` (see docs/lab.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import fcntl
import json
import os
import secrets
import shlex
import shutil
import sys
import time

from lab import certs, names, platform_seed, samba, schema, seed_directory
from lab.config import LabConfig


class LabLock(object):
    """An exclusive flock next to the lab folder: two ``make lab`` runs never provision the same folder."""

    def __init__(self, config, wait=True):
        self.path = config.lock_file
        self.wait = wait
        self.handle = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path) or '.', exist_ok=True)
        self.handle = open(self.path, 'a')
        flags = fcntl.LOCK_EX if self.wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(self.handle, flags)
        except BlockingIOError:
            raise samba.LabError('another lab command holds %s; wait for it to finish' % self.path)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def load_state(config):
    try:
        with open(config.state_file) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def connection_variables(config, state):
    return {
        'PCHAT_LDAP_URL': 'ldaps://%s:%d' % (names.LAB_IP, names.LDAPS_PORT),
        'PCHAT_BIND_DN': names.ADMIN_DN,
        'PCHAT_BIND_PASSWORD': state['admin_password'],
        'PCHAT_CA_FILE': config.ca_file,
        'PCHAT_DRIVER': 'lab',
        'PCHAT_LAB_PATH': config.platform_db,
    }


def write_connection_env(config, state):
    """connection.env for shells, connection.json (the same variables) for the lab inventory; both 0600."""
    variables = connection_variables(config, state)
    lines = ['# pchat.cutover lab connection: `set -a; . %s; set +a`' % config.connection_env]
    for key, value in variables.items():
        lines.append('%s=%s' % (key, shlex.quote(value)))
    _write_private(config.connection_env, '\n'.join(lines) + '\n')
    _write_private(os.path.join(config.lab_dir, 'connection.json'), json.dumps(variables, indent=2) + '\n')


def _provisioned(config):
    return os.path.exists(config.smb_conf) and os.path.exists(os.path.join(config.samba_dir, 'private', 'sam.ldb'))


def up(config, out=sys.stdout):
    started = time.time()
    os.makedirs(config.lab_dir, mode=0o700, exist_ok=True)
    with LabLock(config):
        state = load_state(config)
        if not (state and _provisioned(config)):
            if os.path.exists(config.samba_dir):
                # A provision interrupted half-way: samba-tool cannot resume it, so start that part over.
                samba.stop(config)
                shutil.rmtree(config.samba_dir)
            state = {'admin_password': 'Lab-' + secrets.token_urlsafe(18)}
            print('provisioning contoso.com into %s ...' % config.samba_dir, file=out)
            samba.provision(config, state['admin_password'])
            paths = certs.make_tls(config.tls_dir)
            samba.write_smb_conf(config, paths)
            _write_private(config.state_file, json.dumps(state, indent=2) + '\n')
        pid = samba.running_pid(config)
        if pid:
            print('reusing the running lab domain controller (pid %s)' % pid, file=out)
        else:
            pid = samba.start(config)
            print('started samba (pid %d), waiting for LDAPS on %s:%d ...' % (
                pid, names.LAB_IP, names.LDAPS_PORT), file=out)
        samba.wait_ready(config, state['admin_password'], pid)
        conn = samba.connect(config, state['admin_password'])
        # schemaUpdateNow is a modify of the rootDSE (DN ''), which ldap3 refuses to send with name checking on.
        conn.check_names = False
        try:
            added_attributes = schema.extend(conn)
            schema.ensure_containers(conn)
            created_well_known, added_users = seed_directory.seed(conn, config)
            platform_line = platform_seed.ensure(config, conn)
        finally:
            conn.unbind()
        write_connection_env(config, state)
    print('schema: %d Lync attributes added; well-known user %s %s; %d SIP users added (LAB_USERS=%d)' % (
        added_attributes, names.WELL_KNOWN_SIP, 'created' if created_well_known else 'present',
        added_users, config.users), file=out)
    print(platform_line, file=out)
    print('lab ready in %.1f s: `set -a; . %s; set +a` points playbooks at it' % (
        time.time() - started, config.connection_env), file=out)
    return 0


def down(config, out=sys.stdout):
    with LabLock(config):
        pid = samba.stop(config)
        print('stopped the lab samba (pid %s)' % pid if pid else 'no lab samba running', file=out)
        if os.path.isdir(config.lab_dir):
            shutil.rmtree(config.lab_dir)
            print('removed %s' % config.lab_dir, file=out)
    try:
        os.unlink(config.lock_file)
    except OSError:
        pass
    return 0


def status(config, out=sys.stdout):
    pid = samba.running_pid(config)
    state = load_state(config)
    healthy = False
    if pid and state:
        try:
            samba.connect(config, state['admin_password']).unbind()
            healthy = True
        except Exception:  # pylint: disable=broad-except
            healthy = False
    print('lab folder: %s (%s)' % (config.lab_dir, 'provisioned' if _provisioned(config) else 'not provisioned'),
          file=out)
    print('samba: %s' % ('pid %s, LDAPS %s' % (pid, 'answering' if healthy else 'NOT answering') if pid
                         else 'not running'), file=out)
    return 0 if healthy else 1


def observer(command, config, rest):
    """`inspect` (the lab's truth as JSON) and `knobs` (show, set key=JSON..., reset): see docs/lab-emulator.md."""
    if command == 'inspect':
        from lab import inspect  # pylint: disable=import-outside-toplevel
        return inspect.main(config)
    from lab.emulator import knobs  # pylint: disable=import-outside-toplevel
    store = knobs.Knobs(config.lab_dir)
    if rest[:1] == ['reset']:
        store.reset()
    elif rest[:1] == ['set']:
        store.update(**dict((k, json.loads(v)) for k, _sep, v in (item.partition('=') for item in rest[1:])))
    elif rest:
        raise samba.LabError('usage: python -m lab knobs [set key=JSON ... | reset]')
    print(json.dumps(store.read(), indent=2))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m lab', description=__doc__)
    parser.add_argument('command', choices=['up', 'down', 'status', 'inspect', 'knobs'])
    args, rest = parser.parse_known_args(argv)
    config = LabConfig()
    try:
        if args.command in ('inspect', 'knobs'):
            return observer(args.command, config, rest)
        if rest:
            parser.error('unrecognized arguments: %s' % ' '.join(rest))
        return {'up': up, 'down': down, 'status': status}[args.command](config)
    except samba.LabError as exc:
        print('lab %s failed: %s' % (args.command, exc), file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
