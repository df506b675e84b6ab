# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's own Lync emulator (the real shell on the real store and Samba AD), measured with the real pypsrp client
over HTTPS with NTLM (on demand, `make benchmarks`; prints numbers and ratios to the aims).

* pipeline round trip of a trivial Lync pipeline (``Get-CsPersistentChatState -Identity
  PersistentChatServer:pcpool.contoso.com``) in one runspace pool, on each path: median and p95;
* runspace pool open + ``Import-Module Lync`` + close on /wsman (open + close on /OcsPowershell);
* a 5,000-room ``Get-CsPersistentChatRoom`` listing: total, and the part spent in pypsrp's deserialisation (its
  ``Serializer.deserialize``, timed around each top-level call) against the rest (the emulator, the wire, the
  message layer).

Aims (issue 9): median pipeline under 30 ms, 5,000 rooms under 5 s. The 5,000 rooms go into a category of their
own in the target pool, straight into the store, and are removed afterwards: the lab is left as it was found.
The lab's latency knobs must be 0 (the benchmark refuses otherwise).

    LAB_IP=... LAB_DIR=... .venv/bin/python benchmarks/emulator.py [--pipelines 300] [--pools 30] [--listings 3]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pypsrp import serializer as pypsrp_serializer  # noqa: E402

from lab import topology  # noqa: E402
from tests.emulator import harness  # noqa: E402
from tests.emulator.conformance import OCS, PATHS, WSMAN, Lab, add_rooms, pipeline, remove_category  # noqa: E402

STATE = ('Get-CsPersistentChatState', {'Identity': 'PersistentChatServer:' + topology.TARGET_POOL})
CATEGORY = 'Emulator benchmark'
AIM_PIPELINE_S = 0.030
AIM_ROOMS_S = 5.0


def invoke(pool, *commands):
    ps, output = pipeline(pool, *commands)
    if ps.had_errors or ps.streams.error:
        raise RuntimeError('%s failed: %s' % (commands[0][0], [str(e) for e in ps.streams.error]))
    return output


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def lync_pool(lab, path):
    pool = lab.pool(path)
    pool.open()
    if path == WSMAN:
        invoke(pool, ('Import-Module', {'Name': 'Lync'}))
    return pool


def round_trips(lab, path, count):
    pool = lync_pool(lab, path)
    try:
        for _round in range(10):  # warm-up
            invoke(pool, STATE)
        return [timed(invoke, pool, STATE)[0] for _round in range(count)]
    finally:
        pool.close()


def pool_cycle(lab, path):
    pool = lync_pool(lab, path)
    pool.close()


def pool_cycles(lab, path, count):
    return [timed(pool_cycle, lab, path)[0] for _round in range(count)]


class DeserialisationClock(object):
    """Seconds spent in pypsrp's ``Serializer.deserialize``, outermost calls only (pypsrp passes ``clear=False`` to
    the nested ones, which are not timed again)."""

    def __init__(self):
        self.seconds = 0.0
        self._original = pypsrp_serializer.Serializer.deserialize

    def __enter__(self):
        clock, original = self, self._original

        def deserialize(serializer, *args, **kwargs):
            if not kwargs.get('clear', True):
                return original(serializer, *args, **kwargs)
            started = time.perf_counter()
            try:
                return original(serializer, *args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started

        pypsrp_serializer.Serializer.deserialize = deserialize
        return self

    def __exit__(self, *exc):
        pypsrp_serializer.Serializer.deserialize = self._original


def room_listings(lab, count, rooms):
    """[(total seconds, deserialisation seconds)] of listing the benchmark's ``rooms`` rooms ``count`` times."""
    add_rooms(lab.dir, topology.TARGET_POOL, CATEGORY, rooms)
    try:
        pool = lab.pool(OCS)
        pool.open()
        try:
            samples = []
            for _round in range(count):
                with DeserialisationClock() as clock:
                    seconds, output = timed(invoke, pool, ('Get-CsPersistentChatRoom', {
                        'Category': '%s\\%s' % (topology.TARGET_POOL, CATEGORY), 'ResultSize': rooms}))
                if len(output) != rooms:
                    raise RuntimeError('listed %d rooms, not %d' % (len(output), rooms))
                samples.append((seconds, clock.seconds))
            return samples
        finally:
            pool.close()
    finally:
        remove_category(lab.dir, topology.TARGET_POOL, CATEGORY)


def ms(seconds):
    return '%.1f ms' % (seconds * 1000.0)


def verdict(value, aim):
    return '%.2f x the aim: %s' % (value / aim, 'met' if value < aim else 'MISSED')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pipelines', type=int, default=300)
    parser.add_argument('--pools', type=int, default=30)
    parser.add_argument('--listings', type=int, default=3)
    parser.add_argument('--rooms', type=int, default=5000)
    args = parser.parse_args(argv)

    lab = Lab(harness.lab_connection())
    knobs = lab.knobs.read()
    if knobs['pipeline_latency_ms'] or knobs['import_module_latency_ms']:
        print('the lab has latency knobs set (%s): `python -m lab knobs reset` first' % dict(
            (k, knobs[k]) for k in ('pipeline_latency_ms', 'import_module_latency_ms')), file=sys.stderr)
        return 2

    trips = dict((path, round_trips(lab, path, args.pipelines)) for path in PATHS)
    cycles = dict((path, pool_cycles(lab, path, args.pools)) for path in PATHS)
    lists = room_listings(lab, args.listings, args.rooms)

    print('Lync emulator of the lab (real shell; pypsrp 0.9.1, HTTPS, NTLM, %s:%d)' % (lab.emulator.ip,
                                                                                       lab.emulator.port))
    for path in PATHS:
        median = statistics.median(trips[path])
        print('  pipeline round trip, %s (%s, %d in one pool): median %s, p95 %s  (%s)' % (
            path, STATE[0], len(trips[path]), ms(median), ms(percentile(trips[path], 0.95)),
            verdict(median, AIM_PIPELINE_S)))
    for path, what in ((WSMAN, 'open + Import-Module Lync + close'), (OCS, 'open + close')):
        print('  runspace pool %s, %s (%d): median %s, p95 %s' % (
            what, path, len(cycles[path]), ms(statistics.median(cycles[path])), ms(percentile(cycles[path], 0.95))))
    totals = [total for total, _decode in lists]
    best_total, best_decode = min(lists)
    median_total = statistics.median(totals)
    print('  %d rooms listed (Get-CsPersistentChatRoom, %d runs): median %.2f s, best %.2f s  (%s)' % (
        args.rooms, len(lists), median_total, best_total, verdict(median_total, AIM_ROOMS_S)))
    print('    of the best run: pypsrp deserialisation %.2f s (%.0f %%), emulator + wire + message layer %.2f s '
          '(%s)' % (best_decode, 100.0 * best_decode / best_total, best_total - best_decode,
                    verdict(best_total - best_decode, AIM_ROOMS_S)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
