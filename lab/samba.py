# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provision, start, stop and probe the lab's own Samba AD domain controller (never the system's)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import signal
import socket
import ssl
import subprocess
import time

import ldap3

from lab import names


class LabError(Exception):
    """A lab failure with a message for the person running ``make lab``."""


def provision(config, admin_password):
    """Provision contoso.com into config.samba_dir with samba-tool (about 4 s)."""
    os.makedirs(config.samba_dir, mode=0o700, exist_ok=True)
    command = [
        'samba-tool', 'domain', 'provision',
        '--targetdir=' + config.samba_dir,
        '--realm=' + names.REALM, '--domain=' + names.NETBIOS,
        '--server-role=dc', '--dns-backend=NONE',
        '--host-name=' + names.DC_HOST,
        '--adminpass=' + admin_password,
        '--option=interfaces = ' + names.LAB_IP,
        '--option=bind interfaces only = yes',
    ]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LabError('samba-tool domain provision failed (exit %d):\n%s' % (
            proc.returncode, (proc.stdout + proc.stderr)[-3000:]))


# Every [global] key the lab sets (a rewrite replaces them, so write_smb_conf can run again on an older lab).
_MANAGED_KEYS = ('server services', 'log file', 'logging', 'max log size', 'log level', 'dcerpc endpoint servers',
                 'dsdb:schema update allowed', 'pid directory', 'winbindd socket directory', 'ncalrpc dir',
                 'ntp signd socket directory', 'tls enabled', 'tls keyfile', 'tls certfile', 'tls cafile',
                 'ldap server require strong auth')


def write_smb_conf(config, tls_paths):
    """Trim the provisioned smb.conf to an LDAP + Kerberos DC whose files all stay in the lab folder; True if the
    file changed (idempotent: an older lab's file is brought up to date)."""
    run_dir = os.path.join(config.samba_dir, 'run')
    os.makedirs(run_dir, mode=0o700, exist_ok=True)
    keep = []
    with open(config.smb_conf) as handle:
        before = handle.read()
    for line in before.splitlines():
        if line.strip().startswith('['):
            if line.strip() != '[global]':
                break  # file shares are not part of the lab
        key = line.split('=', 1)[0].strip().lower()
        if key in _MANAGED_KEYS:
            continue
        keep.append(line.rstrip('\n'))
    while keep and not keep[-1].strip():
        keep.pop()
    keep += [
        '',
        # the KDC (ports 88 and 464 on LAB_IP, as bound by `bind interfaces only`) serves CONTOSO.COM
        '\tserver services = ldap, kdc',
        '\tdsdb:schema update allowed = yes',
        '\tpid directory = ' + run_dir,
        '\twinbindd socket directory = ' + os.path.join(run_dir, 'winbindd'),
        '\tncalrpc dir = ' + os.path.join(run_dir, 'ncalrpc'),
        '\tntp signd socket directory = ' + os.path.join(run_dir, 'ntp_signd'),
        '\tlogging = file',
        '\tlog file = ' + config.log_file,
        '\tmax log size = 10000',
        '\tlog level = 1',
        '\ttls enabled = yes',
        '\ttls keyfile = ' + tls_paths['key'],
        '\ttls certfile = ' + tls_paths['cert'],
        '\ttls cafile = ' + tls_paths['ca'],
        # Simple binds need TLS. A SASL (GSSAPI) bind without signing is accepted over TLS only, as AD with "LDAP
        # server signing requirements" does: ldap3 negotiates no SASL security layer (`yes` would refuse it even
        # over LDAPS in Samba 4.17).
        '\tldap server require strong auth = allow_sasl_over_tls',
    ]
    after = '\n'.join(keep) + '\n'
    if after == before:
        return False
    with open(config.smb_conf, 'w') as handle:
        handle.write(after)
    return True


def read_pid(config):
    try:
        with open(config.pid_file) as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def is_our_samba(config, pid):
    """True if ``pid`` is a samba process of this lab: its executable is samba and it holds this lab's pid file
    open (samba retitles its command line, so that cannot be used)."""
    if not pid:
        return False
    try:
        if os.path.basename(os.readlink('/proc/%d/exe' % pid)) != 'samba':
            return False
        fd_dir = '/proc/%d/fd' % pid
        wanted = os.path.realpath(config.pid_file)
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(os.path.join(fd_dir, fd)) == wanted:
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False


def running_pid(config):
    pid = read_pid(config)
    return pid if is_our_samba(config, pid) else None


def port_open(port, host=names.LAB_IP, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _loopback_marker(config):
    """Where the lab notes an address it added to ``lo`` (removed again by ``down``, and only then)."""
    return os.path.join(config.lab_dir, 'loopback-address')


def ensure_loopback_address(address=names.LAB_IP, config=None):
    """Samba binds only to addresses an interface carries: a LAB_IP other than 127.0.0.1 is added to ``lo``, and with
    ``config`` the lab notes that it did, so that ``release_loopback_address`` removes it (and nothing else)."""
    shown = subprocess.run(['ip', '-o', 'addr', 'show', 'dev', 'lo'], capture_output=True, text=True, check=False)
    if (' %s/' % address) in shown.stdout:
        return False
    added = subprocess.run(['ip', 'addr', 'add', address + '/8', 'dev', 'lo'], capture_output=True, text=True,
                           check=False)
    if added.returncode != 0:
        raise LabError('LAB_IP=%s is not on the loopback interface and `ip addr add %s/8 dev lo` failed: %s'
                       % (address, address, added.stderr.strip()))
    if config is not None:
        os.makedirs(config.lab_dir, exist_ok=True)
        with open(_loopback_marker(config), 'w') as handle:
            handle.write(address + '\n')
    return True


def release_loopback_address(config):
    """Remove from ``lo`` the address this lab added (its marker names it); an address the lab found there stays.
    Returns the address removed, or None."""
    try:
        with open(_loopback_marker(config)) as handle:
            address = handle.read().strip()
    except OSError:
        return None
    removed = subprocess.run(['ip', 'addr', 'del', address + '/8', 'dev', 'lo'], capture_output=True, text=True,
                             check=False)
    os.unlink(_loopback_marker(config))
    return address if removed.returncode == 0 else None


def start(config):
    """Start samba in its own session; return its pid once the pid file names it."""
    ensure_loopback_address(config=config)
    for port in (names.LDAP_PORT, names.LDAPS_PORT, names.KDC_PORT):
        if port_open(port):
            raise LabError(
                'port %d on %s is already in use by another process, so the lab\'s domain controller cannot '
                'listen there. Find it with `ss -ltnp "sport = :%d"`; if it is another lab, stop that one with '
                '`LAB_DIR=<its folder> make lab-down`.' % (port, names.LAB_IP, port))
    log = open(os.path.join(config.lab_dir, 'samba.stdout.log'), 'ab')
    try:
        proc = subprocess.Popen(['samba', '-i', '-M', 'single', '-s', config.smb_conf],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, close_fds=True)
    finally:
        log.close()
    return proc.pid


def wait_ready(config, admin_password, pid, timeout=60):
    """Wait until LDAPS answers and binds with certificate validation; raise LabError with the log tail."""
    deadline = time.time() + timeout
    last_error = None
    while time.time() < deadline:
        if not _alive(pid):
            break
        try:
            conn = connect(config, admin_password)
            conn.unbind()
            return
        except Exception as exc:  # pylint: disable=broad-except
            last_error = exc
            time.sleep(0.3)
    raise LabError('the lab\'s samba (pid %s) did not answer LDAPS on %s:%d within %d s (last error: %s).\n'
                   'Log tail:\n%s' % (pid, names.LAB_IP, names.LDAPS_PORT, timeout, last_error, log_tail(config)))


def log_tail(config, lines=25):
    chunks = []
    for path in (os.path.join(config.lab_dir, 'samba.stdout.log'), config.log_file):
        try:
            with open(path, errors='replace') as handle:
                chunks.append('--- %s\n%s' % (path, ''.join(handle.readlines()[-lines:])))
        except OSError:
            pass
    return '\n'.join(chunks) or '(no log)'


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child counts as dead
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().split(')')[-1].split()[0] != 'Z'
    except OSError:
        return False


def connect(config, admin_password):
    """An LDAPS connection as Administrator that validates the server certificate against the lab CA."""
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file)
    server = ldap3.Server(names.LAB_IP, port=names.LDAPS_PORT, use_ssl=True, tls=tls, connect_timeout=5)
    return ldap3.Connection(server, names.ADMIN_DN, admin_password, auto_bind=True, auto_referrals=False,
                            receive_timeout=30, raise_exceptions=True)


def stop(config, timeout=20):
    """Stop the lab's samba (only if the pid file names a samba using this lab's smb.conf)."""
    pid = running_pid(config)
    if not pid:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + timeout
    while time.time() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    return pid
