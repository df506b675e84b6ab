# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m lab.emulator --lab-dir DIR [--shell module:Class]``: serve the Lync emulator in the foreground.

``python -m lab up`` starts it detached (lab/emulator/process.py); tests start it with their own shell. The shell is
``lab.emulator.shell:Shell`` unless ``--shell`` (or ``LAB_EMULATOR_SHELL``) names another class implementing
api.ShellInterface; it is made once, as ``Shell(lab_dir)``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import importlib
import logging
import os
import signal
import sys
import threading

from lab.emulator import process
from lab.emulator.auth import Authenticator
from lab.emulator.endpoint import Endpoint
from lab.emulator.knobs import Knobs
from lab.emulator.requestlog import RequestLog
from lab.emulator.server import EmulatorServer, serve_in_thread, tls_context
from lab.emulator.settings import EmulatorSettings

log = logging.getLogger('lab.emulator')


def load_shell(spec, lab_dir):
    module_name, _sep, class_name = spec.partition(':')
    shell_class = getattr(importlib.import_module(module_name), class_name or 'Shell')
    return shell_class(lab_dir)


def _reap_idle(endpoint, settings, stopped):
    interval = max(1.0, min(60.0, settings.idle_timeout_s / 4))
    while not stopped.wait(interval):
        endpoint.close_idle(settings.idle_timeout_s)


def serve(settings, shell_spec):
    os.makedirs(settings.dir, mode=0o700, exist_ok=True)
    logging.basicConfig(filename=settings.log_file, level=logging.INFO,
                        format='%(asctime)s %(levelname)s %(threadName)s %(message)s')
    shell = load_shell(shell_spec, settings.lab_dir)
    tls = settings.tls
    try:
        authenticator = Authenticator(settings.auth, settings.user_file, tls['emulator_cert'], settings.allow_basic,
                                      settings.keytab)
    except ValueError as exc:  # e.g. Kerberos asked for and no keytab: say so in the log, no traceback
        log.error('%s', exc)
        print(exc, file=sys.stderr)
        return 2
    endpoint = Endpoint(shell, RequestLog(settings.request_log), Knobs(settings.lab_dir))
    server = EmulatorServer((settings.ip, settings.port), tls_context(tls['emulator_cert'], tls['emulator_key']),
                            authenticator, endpoint)
    stopped = threading.Event()

    def stop(_signum, _frame):
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    serve_in_thread(server)
    threading.Thread(target=_reap_idle, args=(endpoint, settings, stopped), name='idle-reaper', daemon=True).start()
    process.write_pid_file(settings, shell_spec)
    log.info('listening on https://%s:%d (paths /wsman, /OcsPowershell; auth %s%s; shell %s)', settings.ip,
             settings.port, settings.auth, ' + Basic' if settings.allow_basic else '', shell_spec)
    while not stopped.wait(3600):
        pass
    log.info('stopping')
    server.shutdown()
    endpoint.close_all('shutdown')
    server.server_close()
    process.remove_pid_file(settings)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m lab.emulator', description=__doc__)
    parser.add_argument('--lab-dir', default=os.environ.get('LAB_DIR') or '.lab')
    parser.add_argument('--shell', default=os.environ.get('LAB_EMULATOR_SHELL') or process.DEFAULT_SHELL)
    args = parser.parse_args(argv)
    return serve(EmulatorSettings(args.lab_dir), args.shell)


if __name__ == '__main__':
    sys.exit(main())
