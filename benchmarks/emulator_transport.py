# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Lync emulator's transport, measured with the real pypsrp client over HTTPS with NTLM (on demand; prints).

A private emulator process with the test shell (tests/emulator/harness.py) on the lab's address: pipeline round
trip of a trivial command (median, p95), runspace pool open + close, a 5,000-object listing, and two clients at once.
Aim (issue 9): median round trip under 30 ms; 5,000 objects under 5 s.

    LAB_IP=... LAB_DIR=... .venv/bin/python benchmarks/emulator_transport.py [--pipelines 300]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pypsrp.powershell import PowerShell  # noqa: E402

from tests.emulator import harness  # noqa: E402


def invoke(pool, name, **parameters):
    ps = PowerShell(pool)
    ps.add_cmdlet(name)
    for key, value in parameters.items():
        ps.add_parameter(key, value)
    return ps.invoke()


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def round_trips(emulator, count):
    samples = []
    with emulator.pool() as pool:
        for _round in range(10):  # warm-up
            invoke(pool, 'Get-Trivial')
        for _round in range(count):
            started = time.perf_counter()
            invoke(pool, 'Get-Trivial')
            samples.append(time.perf_counter() - started)
    return samples


def pool_cycles(emulator, count):
    samples = []
    for _round in range(count):
        started = time.perf_counter()
        pool = emulator.pool()
        pool.open()
        pool.close()
        samples.append(time.perf_counter() - started)
    return samples


def listings(emulator, count, objects):
    samples = []
    with emulator.pool() as pool:
        for _round in range(count):
            started = time.perf_counter()
            output = invoke(pool, 'Write-Objects', Count=objects)
            samples.append(time.perf_counter() - started)
            assert len(output) == objects
    return samples


def two_clients(emulator, count):
    """Median round trip of each of two clients running at the same time."""
    results = {}

    def client(name):
        results[name] = round_trips(emulator, count)

    threads = [threading.Thread(target=client, args=(name,)) for name in ('a', 'b')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [statistics.median(results[name]) for name in ('a', 'b')]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pipelines', type=int, default=300)
    parser.add_argument('--pools', type=int, default=30)
    parser.add_argument('--listings', type=int, default=3)
    args = parser.parse_args(argv)

    root = tempfile.mkdtemp(prefix='emulator-bench-')
    emulator = harness.make_emulator(root, harness.lab_connection()).start()
    try:
        trips = round_trips(emulator, args.pipelines)
        cycles = pool_cycles(emulator, args.pools)
        lists = listings(emulator, args.listings, 5000)
        pair = two_clients(emulator, args.pipelines // 3)
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)

    ms = 1000.0
    print('emulator transport (pypsrp 0.9.1, HTTPS, NTLM, %s:%d)' % (emulator.ip, emulator.port))
    print('  pipeline round trip (Get-Trivial, %d): median %.1f ms, p95 %.1f ms  (aim: median < 30 ms)' % (
        len(trips), statistics.median(trips) * ms, percentile(trips, 0.95) * ms))
    print('  runspace pool open + close (%d): median %.1f ms, p95 %.1f ms' % (
        len(cycles), statistics.median(cycles) * ms, percentile(cycles, 0.95) * ms))
    print('  5,000 objects listed (%d): median %.2f s, best %.2f s  (aim: < 5 s)' % (
        len(lists), statistics.median(lists), min(lists)))
    print('  two clients at once: median round trip %.1f ms and %.1f ms' % (pair[0] * ms, pair[1] * ms))
    return 0 if statistics.median(trips) < 0.030 else 1


if __name__ == '__main__':
    sys.exit(main())
