# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit lease held by the process doing the work (docs/reliability.md, "Concurrency").

A module of a cutover or rollback run gets the run's lease handle (option ``lease``: the unit, the run's random id,
the container, the lease length). Before it does anything it renews the lease once, naming itself as the run's
worker: if the lease is no longer the run's (another run took the unit over after it expired), the module stops
there and writes nothing - the run id is the fencing token. While the module works, a thread renews the lease
every third of its length, with what the module is doing (``work``, e.g. an import's progress), so a module that
works for hours (an export, an import, a wait for the front end's view of AD) holds the unit for as long as it
works, and only that long: when the module's process ends, nobody renews, and a run whose process is gone is taken
over at once on its host, or after the expiry from another one.

If a renewal finds the lease lost, or the directory stays unreachable until the lease would expire, the keeper
says so (``lost``) and the module stops its work before another run could take the unit.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import threading
import time

from ansible_collections.pchat.cutover.plugins.module_utils import progress as progress_file
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.lease import DEFAULT_LEASE_SECONDS, LeaseLost, UnitLease

RETRY_SECONDS = 2.0  # after a renewal that could not reach the directory
MARGIN_SECONDS = 5.0  # a lease that could not be renewed is given up this long before it would expire


class LeaseKeeper(object):
    """Holds one run's lease for the module process it runs in."""

    def __init__(self, handle, connect):
        """``handle``: the ``lease`` option; ``connect()``: a new directory connection (the keeper's own: its
        thread never shares the module's)."""
        self.handle = handle
        self.run_id = handle['run']
        self._connect = connect
        self._directory = None
        self._unit = None
        self.seconds = int(handle.get('seconds') or DEFAULT_LEASE_SECONDS)
        self.interval = max(1.0, self.seconds / 3.0)
        self.work = None
        self.lost = None  # a PchatError once the lease is lost (or could not be kept)
        self._valid_until = 0.0
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    # -- the directory ---------------------------------------------------------------------------------------
    def _lease(self):
        if self._unit is None:
            self._directory = self._connect()
            self._unit = UnitLease(self._directory, self.handle['unit'], container=self.handle.get('container'),
                                   lease_seconds=self.seconds, host=socket.gethostname(), pid=os.getpid())
        return self._unit

    def _drop_connection(self):
        if self._directory is not None:
            try:
                self._directory.close()
            except Exception:  # pylint: disable=broad-except
                pass
        self._directory = self._unit = None

    def _renew(self):
        with self._lock:
            started = time.monotonic()
            self._lease().renew(self.run_id, worker=os.getpid(), work=self.work)
            self._valid_until = started + self.seconds

    # -- what the module calls -------------------------------------------------------------------------------
    def start(self):
        """The fence: renew once, now (raises LeaseLost when the lease is not the run's any more), then keep it."""
        self._renew()
        self._thread = threading.Thread(target=self._keep, name='pchat-lease-keeper', daemon=True)
        self._thread.start()

    def _keep(self):
        due = self.interval
        while not self._stop.wait(due):
            try:
                self._renew()
                due = self.interval
            except LeaseLost as error:
                self.lost = error
                return
            except Exception as error:  # pylint: disable=broad-except
                # the directory is unreachable or dropped the connection: reconnect and retry soon, but never hold on
                # past the lease's end (another run may take the unit then)
                self._drop_connection()
                if time.monotonic() > self._valid_until - MARGIN_SECONDS:
                    self.lost = PchatError('the lease of unit %s could not be renewed (%s) and would expire: this task '
                                           'stops before another run could take the unit.'
                                           % (self.handle['unit'], getattr(error, 'msg', None) or type(error).__name__))
                    return
                due = RETRY_SECONDS

    def report(self, work):
        """What the module is doing now: written to the run's progress file at once (the controller shows it) and
        into the lease at the next renewal (another controller that finds the unit busy names it)."""
        self.work = work
        progress_file.write(self.run_id, {'work': work, 'pid': os.getpid()})

    def fence(self):
        """Before a write that must not happen if the run lost the unit: raise why, or confirm with one read of the
        directory that the lease is still the run's."""
        if self.lost is not None:
            raise self.lost
        with self._lock:
            unit = self._lease()
            if not unit.held_by(self.run_id):
                self.lost = LeaseLost(unit.unit, unit.dn, unit.current()[1])
                raise self.lost

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            self._drop_connection()
        progress_file.remove(self.run_id, os.getpid())
