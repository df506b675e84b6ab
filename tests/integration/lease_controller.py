# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in controller for the lease tests: started under ``unshare --uts`` it gives itself its own host name,
then runs pchat.cutover modules on request, as a controller's ansible-playbook would. It stays alive between
requests, so it is the holder of the leases its module runs take (their parent process).

Requests and answers are JSON lines on stdin/stdout:
  {"module": "unit_lock", "args": {...}, "at": <epoch seconds or null>}  -> {"result": ..., "t0", "t1", "host"}
  {"exit": true}
``at`` lets two controllers start a module at the same instant (a race).

Usage: unshare --uts -- python lease_controller.py <host name>
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from module_runner import run_module  # noqa: E402  pylint: disable=wrong-import-position


def serve(host):
    socket.sethostname(host)  # only this UTS namespace: the racers get different host names
    print(json.dumps({'ready': True, 'host': socket.gethostname(), 'pid': os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get('exit'):
            return
        if request.get('at'):
            time.sleep(max(0.0, request['at'] - time.time()))
        started = time.time()
        result = run_module(request['module'], request['args'], timeout=120)
        answer = {'result': dict(result), 'stdout': result.stdout, 'stderr': result.stderr, 't0': started,
                  't1': time.time(), 'host': socket.gethostname()}
        print(json.dumps(answer), flush=True)


if __name__ == '__main__':
    serve(sys.argv[1])
