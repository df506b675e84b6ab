# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m lab up|down|status|reset|inspect|knobs``: the embedded lab behind ``make lab`` (see docs/lab.md)."""

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

from lab import certs, kerberos, names, platform_seed, samba, schema, seed_directory
from lab.config import LabConfig
from lab.emulator import auth as emulator_auth
from lab.emulator import process as emulator_process
from lab.emulator.settings import EmulatorSettings


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
    variables = {
        'PCHAT_LDAP_URL': 'ldaps://%s:%d' % (names.LAB_IP, names.LDAPS_PORT),
        'PCHAT_LDAP_BIND_DN': names.ADMIN_DN,
        'PCHAT_LDAP_BIND_PASSWORD': state['admin_password'],
        'PCHAT_LDAP_CA_FILE': config.ca_file,
    }
    variables.update(psrp_connection_variables(config, state))
    return variables


def psrp_connection_variables(config, state):
    """Where the Lync emulator listens and who logs on (docs/lab.md)."""
    settings = EmulatorSettings(config.lab_dir)
    return {
        'PCHAT_PSRP_HOST': settings.ip,
        'PCHAT_PSRP_PORT': str(settings.port),
        'PCHAT_PSRP_PATH': 'wsman',
        'PCHAT_PSRP_USERNAME': names.LYNC_ADMIN_USERNAME,
        'PCHAT_PSRP_PASSWORD': state['psrp_password'],
        'PCHAT_PSRP_AUTH': 'negotiate',
        'PCHAT_PSRP_SSL': 'true',
        'PCHAT_PSRP_CERT_VALIDATION': 'true',
        'PCHAT_PSRP_CA_FILE': config.ca_file,
    }


def kerberos_connection_variables(config, state):
    """The same lab with Kerberos for both LDAP and PowerShell remoting, and no password at all: the Lync
    administrator's tickets come from the lab's client keytab (KRB5_CLIENT_KTNAME) or a `kinit -k -t` into
    KRB5CCNAME. The user and password variables are set empty, so sourcing this file after connection.env
    leaves no password behind (docs/lab.md, Kerberos)."""
    variables = connection_variables(config, state)
    for key in ('PCHAT_LDAP_BIND_DN', 'PCHAT_LDAP_BIND_PASSWORD', 'PCHAT_PSRP_USERNAME', 'PCHAT_PSRP_PASSWORD'):
        variables[key] = ''
    variables['PCHAT_LDAP_BIND_METHOD'] = 'kerberos'
    variables['PCHAT_PSRP_AUTH'] = 'kerberos'
    variables.update(kerberos.client_environment(config.lab_dir))
    return variables


def _write_variables(config, name, variables, comment):
    lines = ['# %s: `set -a; . %s; set +a`' % (comment, os.path.join(config.lab_dir, name + '.env'))]
    for key, value in variables.items():
        lines.append('%s=%s' % (key, shlex.quote(value)))
    _write_private(os.path.join(config.lab_dir, name + '.env'), '\n'.join(lines) + '\n')
    _write_private(os.path.join(config.lab_dir, name + '.json'), json.dumps(variables, indent=2) + '\n')


def write_connection_env(config, state):
    """connection.env for shells, connection.json (the same variables) for the lab inventory; and their Kerberos
    twins connection-kerberos.env/.json; all 0600."""
    _write_variables(config, 'connection', connection_variables(config, state), 'pchat.cutover lab connection')
    _write_variables(config, 'connection-kerberos', kerberos_connection_variables(config, state),
                     'pchat.cutover lab connection over Kerberos, no passwords')


def ensure_psrp_password(config, state):
    """The Lync administrator's password, kept in lab-state.json beside the Administrator's (added to a state written
    before the emulator existed); returns True when it was just generated."""
    if state.get('psrp_password'):
        return False
    state['psrp_password'] = 'Lab-' + secrets.token_urlsafe(18)
    _write_private(config.state_file, json.dumps(state, indent=2) + '\n')
    return True


def ensure_test_user_password(config, state):
    """The test users' password (names.TEST_USERS), kept in lab-state.json like the others (added to a state written
    before the test users existed); returns True when it was just generated."""
    if state.get('test_user_password'):
        return False
    state['test_user_password'] = 'Lab-' + secrets.token_urlsafe(18)
    _write_private(config.state_file, json.dumps(state, indent=2) + '\n')
    return True


def emulator_up(config, state, out):
    """Start the Lync emulator next to Samba, or reuse the healthy one (lab/emulator/process.py)."""
    settings = EmulatorSettings(config.lab_dir)
    shell_spec = os.environ.get('LAB_EMULATOR_SHELL') or emulator_process.DEFAULT_SHELL
    if not emulator_process.shell_available(shell_spec):
        print('Lync emulator NOT started: its shell %s is not in this checkout (set LAB_EMULATOR_SHELL)' % shell_spec,
              file=out)
        return
    if not os.path.exists(settings.tls['emulator_cert']):
        raise samba.LabError('this lab was provisioned before the Lync emulator existed (no %s): rebuild it with '
                             '`make lab-down && make lab`' % settings.tls['emulator_cert'])
    emulator_auth.write_user_file(settings.user_file, names.LYNC_ADMIN_SAM, state['psrp_password'])
    try:
        pid, reused = emulator_process.start(settings, names.LYNC_ADMIN_USERNAME, state['psrp_password'],
                                             config.ca_file, shell_spec)
    except emulator_process.EmulatorError as exc:
        raise samba.LabError(str(exc))
    print('%s the Lync emulator (pid %d) on https://%s:%d/wsman and /OcsPowershell (%s%s)' % (
        'reusing' if reused else 'started', pid, settings.ip, settings.port, settings.auth,
        ' + Basic' if settings.allow_basic else ''), file=out)


def emulator_down(config, out):
    pid = emulator_process.stop(EmulatorSettings(config.lab_dir))
    print('stopped the Lync emulator (pid %s)' % pid if pid else 'no Lync emulator running', file=out)


def emulator_status(config, state, out):
    """Print the emulator's state; True if it answers an authenticated request."""
    settings = EmulatorSettings(config.lab_dir)
    pid = emulator_process.running_pid(settings)
    shell_spec = os.environ.get('LAB_EMULATOR_SHELL') or emulator_process.DEFAULT_SHELL
    if not pid and not emulator_process.shell_available(shell_spec):
        print('emulator: not started (its shell %s is not in this checkout)' % shell_spec, file=out)
        return True
    healthy, why = False, 'not running'
    if pid and state and state.get('psrp_password'):
        running_auth = (emulator_process.running_fingerprint(settings) or {}).get('auth')
        healthy, why = emulator_process.probe(settings, names.LYNC_ADMIN_USERNAME, state['psrp_password'],
                                              config.ca_file, auth=running_auth)
    print('emulator: %s' % ('pid %s, https://%s:%d %s' % (pid, settings.ip, settings.port,
                                                          'answering' if healthy else 'NOT answering (%s)' % why)
                            if pid else why), file=out)
    return healthy


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
        elif samba.write_smb_conf(config, certs.tls_paths(config.tls_dir)):
            # a lab from before its KDC: the new smb.conf takes effect at the next start
            if samba.stop(config):
                print('restarting the lab domain controller with its KDC', file=out)
        pid = samba.running_pid(config)
        if pid:
            print('reusing the running lab domain controller (pid %s)' % pid, file=out)
        else:
            pid = samba.start(config)
            print('started samba (pid %d), waiting for LDAPS on %s:%d ...' % (
                pid, names.LAB_IP, names.LDAPS_PORT), file=out)
        psrp_password_is_new = ensure_psrp_password(config, state)
        test_password_is_new = ensure_test_user_password(config, state)
        samba.wait_ready(config, state['admin_password'], pid)
        conn = samba.connect(config, state['admin_password'])
        # schemaUpdateNow is a modify of the rootDSE (DN ''), which ldap3 refuses to send with name checking on.
        conn.check_names = False
        try:
            added_attributes = schema.extend(conn)
            schema.ensure_containers(conn)
            created_well_known, added_users = seed_directory.seed(conn, config)
            seed_directory.ensure_lync_admin(conn, state['psrp_password'], psrp_password_is_new)
            seed_directory.ensure_test_users(conn, state['test_user_password'], test_password_is_new)
            kerberos_line = kerberos.ensure(config, conn)
            platform_line = platform_seed.ensure(config, conn)
        finally:
            conn.unbind()
        write_connection_env(config, state)
        emulator_up(config, state, out)
    print('schema: %d Lync attributes added; well-known user %s %s; %d SIP users added (LAB_USERS=%d)' % (
        added_attributes, names.WELL_KNOWN_SIP, 'created' if created_well_known else 'present',
        added_users, config.users), file=out)
    print(kerberos_line, file=out)
    print(platform_line, file=out)
    print('lab ready in %.1f s: `set -a; . %s; set +a` points playbooks at it' % (
        time.time() - started, config.connection_env), file=out)
    return 0


def down(config, out=sys.stdout):
    with LabLock(config):
        emulator_down(config, out)
        pid = samba.stop(config)
        print('stopped the lab samba (pid %s)' % pid if pid else 'no lab samba running', file=out)
        address = samba.release_loopback_address(config)
        if address:
            print('removed %s from lo (the lab had added it)' % address, file=out)
        if os.path.isdir(config.lab_dir):
            shutil.rmtree(config.lab_dir)
            print('removed %s' % config.lab_dir, file=out)
    try:
        os.unlink(config.lock_file)
    except OSError:
        pass
    return 0


def reset(config, out=sys.stdout):
    """The running lab back to its seeded state (lab/reset.py, docs/lab.md)."""
    from lab import reset as reset_mod  # pylint: disable=import-outside-toplevel
    with LabLock(config):
        state = load_state(config)
        if not (state and _provisioned(config) and os.path.exists(config.platform_db)):
            raise samba.LabError('no lab in %s: bring it up with `make lab` first' % config.lab_dir)
        print(reset_mod.reset(config, state), file=out)
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
    emulator_healthy = emulator_status(config, state, out)
    return 0 if healthy and emulator_healthy else 1


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


def post_message(config, rest):
    """`post <pool> <room> <sender sip> <text>`: a user posts in a room (lab/post.py)."""
    from lab import post  # pylint: disable=import-outside-toplevel
    if len(rest) != 4:
        raise samba.LabError('usage: python -m lab post <pool> <room> <sender sip> <text>')
    try:
        print(json.dumps({'id': post.post(config, *rest)}))
    except post.PostRefused as exc:
        raise samba.LabError('the post was refused: %s' % exc)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m lab', description=__doc__)
    parser.add_argument('command', choices=['up', 'down', 'status', 'reset', 'inspect', 'knobs', 'post'])
    args, rest = parser.parse_known_args(argv)
    config = LabConfig()
    try:
        if args.command in ('inspect', 'knobs'):
            return observer(args.command, config, rest)
        if args.command == 'post':
            return post_message(config, rest)
        if rest:
            parser.error('unrecognized arguments: %s' % ' '.join(rest))
        return {'up': up, 'down': down, 'status': status, 'reset': reset}[args.command](config)
    except samba.LabError as exc:
        print('lab %s failed: %s' % (args.command, exc), file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
