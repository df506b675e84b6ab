# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, find, probe and stop the lab's emulator process (``python -m lab up|down|status`` and the tests).

The emulator writes ``$LAB_DIR/emulator/emulator.pid`` once it listens, and ``emulator.json`` with the settings it
runs with (so ``up`` restarts one started with other settings). A pid is taken for this lab's emulator only if
``/proc/<pid>/cmdline`` is ``... -m lab.emulator --lab-dir <this LAB_DIR> ...``: another lab's emulator, or a process
that reused the pid, is never signalled.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time

DEFAULT_SHELL = 'lab.emulator.shell:Shell'
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_FAULT_SHELL_NOT_FOUND = 2150858843


class EmulatorError(Exception):
    """A failure to start or stop the emulator, with a message for the person running the lab."""


def _state_file(settings):
    return os.path.join(settings.dir, 'emulator.json')


def _fingerprint(settings, shell_spec):
    return {'ip': settings.ip, 'port': settings.port, 'auth': settings.auth, 'allow_basic': settings.allow_basic,
            'shell': shell_spec}


def write_pid_file(settings, shell_spec):
    """Called by the emulator itself once it listens."""
    os.makedirs(settings.dir, mode=0o700, exist_ok=True)
    for path, text in ((_state_file(settings), json.dumps(_fingerprint(settings, shell_spec)) + '\n'),
                       (settings.pid_file, '%d\n' % os.getpid())):
        tmp = path + '.tmp'
        with open(tmp, 'w') as handle:
            handle.write(text)
        os.replace(tmp, path)


def remove_pid_file(settings):
    for path in (settings.pid_file, _state_file(settings)):
        try:
            os.unlink(path)
        except OSError:
            pass


def read_pid(settings):
    try:
        with open(settings.pid_file) as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[-1].split()[0] != 'Z'
    except OSError:
        return False


def is_our_emulator(settings, pid):
    """True if ``pid`` is a live ``python -m lab.emulator --lab-dir <settings.lab_dir>``."""
    if not pid or not _alive(pid):
        return False
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().decode('utf-8', 'replace').split('\0')
    except OSError:
        return False
    if 'lab.emulator' not in argv or '--lab-dir' not in argv:
        return False
    index = argv.index('--lab-dir') + 1
    return index < len(argv) and os.path.realpath(argv[index]) == os.path.realpath(settings.lab_dir)


def running_pid(settings):
    pid = read_pid(settings)
    return pid if is_our_emulator(settings, pid) else None


def running_fingerprint(settings):
    try:
        with open(_state_file(settings)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def port_in_use(ip, port):
    try:
        with socket.create_connection((ip, port), timeout=0.5):
            return True
    except OSError:
        return False


def shell_available(shell_spec):
    """Whether the shell's module exists (``lab/emulator/shell.py`` is written by the shell half; until it is merged
    the lab comes up without the emulator instead of failing)."""
    try:
        return importlib.util.find_spec(shell_spec.partition(':')[0]) is not None
    except ModuleNotFoundError:
        return False


@contextlib.contextmanager
def _environment(values):
    """``values`` in os.environ for the block (MIT krb5 reads KRB5_* whenever it makes a context)."""
    saved = dict((key, os.environ.get(key)) for key in values)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def probe_kerberos_environment(settings):
    """A Kerberos client of its own for the probe: the lab's krb5.conf, a memory ticket cache, the Lync
    administrator's keytab (no password)."""
    return {'KRB5_CONFIG': settings.krb5_config, 'KRB5CCNAME': 'MEMORY:lab-emulator-probe',
            'KRB5_CLIENT_KTNAME': 'FILE:' + settings.client_keytab}


def probe(settings, username, password, ca_file, timeout=5, auth=None):
    """``(True, '')`` if the emulator answers an authenticated WS-Management request over HTTPS with certificate
    validation (a Get of a shell that does not exist: it must say "shell not found"), else ``(False, why)``.
    It opens no runspace pool, so it leaves no line in the request log. ``auth``: how the emulator authenticates
    (default: the settings'); in ``kerberos`` mode the probe logs on with a ticket from the lab's client keytab."""
    import requests  # pylint: disable=import-outside-toplevel
    from pypsrp.exceptions import AuthenticationError, WinRMError, WSManFaultError  # pylint: disable=import-outside-toplevel
    from pypsrp.wsman import WSMan, SelectorSet  # pylint: disable=import-outside-toplevel
    from spnego.exceptions import SpnegoError  # pylint: disable=import-outside-toplevel

    if (auth or settings.auth) == 'kerberos':
        credentials, environment = {'auth': 'kerberos'}, probe_kerberos_environment(settings)
    else:
        credentials, environment = {'auth': 'negotiate', 'username': username, 'password': password}, {}
    selectors = SelectorSet()
    selectors.add_option('ShellId', '00000000-0000-0000-0000-000000000000')
    with _environment(environment):
        client = WSMan(settings.ip, port=settings.port, path='wsman', ssl=True, cert_validation=ca_file,
                       connection_timeout=timeout, read_timeout=timeout + 5, operation_timeout=timeout,
                       no_proxy=True, **credentials)
        try:
            client.get('http://schemas.microsoft.com/wbem/wsman/1/windows/shell', selector_set=selectors)
            return False, 'a Get of a shell that does not exist succeeded'
        except WSManFaultError as exc:
            if exc.code == _FAULT_SHELL_NOT_FOUND:
                return True, ''
            return False, 'unexpected WS-Management fault %s' % exc.code
        except AuthenticationError:
            return False, 'authentication as %s refused' % credentials.get('username', 'the keytab\'s principal')
        except (requests.exceptions.RequestException, WinRMError, OSError, SpnegoError) as exc:
            return False, '%s: %s' % (type(exc).__name__, exc)
        finally:
            client.close()


def start(settings, username, password, ca_file, shell_spec=DEFAULT_SHELL, timeout=30):
    """Start the emulator detached (own session, log in ``emulator.log``), or reuse a healthy one started with the
    same settings; return ``(pid, reused)``. Raises EmulatorError, with the log tail, if it does not answer."""
    pid = running_pid(settings)
    if pid:
        same = running_fingerprint(settings) == _fingerprint(settings, shell_spec)
        if same and probe(settings, username, password, ca_file)[0]:
            return pid, True
        stop(settings)
    if port_in_use(settings.ip, settings.port):
        raise EmulatorError(
            'port %d on %s is already in use by another process, so the lab\'s Lync emulator cannot listen there. '
            'Find it with `ss -ltnp "sport = :%d"`; if it is another lab, stop that one with '
            '`LAB_DIR=<its folder> make lab-down`, or give this lab another LAB_PSRP_PORT.'
            % (settings.port, settings.ip, settings.port))
    os.makedirs(settings.dir, mode=0o700, exist_ok=True)
    remove_pid_file(settings)
    environ = dict(os.environ, **settings.environment())
    environ['PYTHONPATH'] = os.pathsep.join(p for p in (REPO_ROOT, environ.get('PYTHONPATH')) if p)
    command = [sys.executable, '-m', 'lab.emulator', '--lab-dir', settings.lab_dir, '--shell', shell_spec]
    log = open(settings.log_file, 'ab')
    try:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=REPO_ROOT, env=environ, start_new_session=True, close_fds=True)
    finally:
        log.close()
    deadline = time.time() + timeout
    why = 'no pid file yet'
    while time.time() < deadline:
        if proc.poll() is not None:
            why = 'it exited with status %d' % proc.returncode
            break
        if read_pid(settings) == proc.pid:
            healthy, why = probe(settings, username, password, ca_file)
            if healthy:
                return proc.pid, False
        time.sleep(0.2)
    if proc.poll() is None:
        _terminate(proc.pid)
    raise EmulatorError('the Lync emulator did not answer on https://%s:%d within %d s (%s).\nLog tail:\n%s'
                        % (settings.ip, settings.port, timeout, why, log_tail(settings)))


def _terminate(pid, timeout=10):
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline and _alive(pid):
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child (tests)
    except ChildProcessError:
        pass


def stop(settings, timeout=10):
    """Stop this lab's emulator (only if the pid file names it, see is_our_emulator); return its pid or None."""
    pid = running_pid(settings)
    if not pid:
        return None
    _terminate(pid, timeout)
    remove_pid_file(settings)
    return pid


def log_tail(settings, lines=25):
    try:
        with open(settings.log_file, errors='replace') as handle:
            return ''.join(handle.readlines()[-lines:]) or '(empty log)'
    except OSError:
        return '(no log)'
