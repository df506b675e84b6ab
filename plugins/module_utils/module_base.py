# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module base every pchat.cutover module uses (as amazon.aws's AnsibleAWSModule does for AWS).

It owns what every ``main()`` would otherwise write again: the connection options of the kinds the module uses
(``uses``; ``module_defaults`` for each kind's action group), the check that the Python libraries are installed, the
directory and platform clients (opened on first use, one of each per module run, always closed), and the
translation of a PchatError into ``fail_json(msg=..., details=...)``.

It also makes every module behave the same way when the operator stops the run (Ctrl-C, SIGTERM: the module's
action plugin forwards the signal to it): the module sends nothing more, a long cmdlet it runs is stopped on the
front end, and it fails saying what it knows of where it stopped. And when it works for a cutover or rollback run
(option ``lease``), it holds the unit's lease while it works, and stops writing if the run lost it (lease_keeper.py).

A module is then::

    module = PchatModule(argument_spec=dict(...), uses=('directory',))
    module.run(lambda: SomeBackend(module).result())
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import signal

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.pchat.cutover.plugins.module_utils.connection import connection_argument_spec
from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError

LIBRARIES = {'directory': 'ldap3', 'platform': 'pypsrp'}


def _import_error(kind):
    """The traceback of the failed import of ``kind``'s library, or None."""
    if kind == 'directory':
        from ansible_collections.pchat.cutover.plugins.module_utils.directory_connection import LDAP3_IMPORT_ERROR
        return LDAP3_IMPORT_ERROR
    from ansible_collections.pchat.cutover.plugins.module_utils.psrp_session import PYPSRP_IMPORT_ERROR
    return PYPSRP_IMPORT_ERROR


class PchatModule(AnsibleModule):
    """An AnsibleModule with the connection options, the clients and uniform error reporting.

    ``uses``: which connections the module needs, ``'directory'`` and/or ``'platform'``; their libraries are
    checked before anything else happens. Check mode is always supported: every module plans before it acts.
    """

    def __init__(self, argument_spec, uses=(), keeps_lease=True, **kwargs):
        kwargs.setdefault('supports_check_mode', True)
        super(PchatModule, self).__init__(argument_spec=connection_argument_spec(uses, **argument_spec), **kwargs)
        self.uses = tuple(uses)
        self._directory = None
        self._platform = None
        self.interrupted = None  # the name of the signal that stopped the run, once one came
        self.keeper = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        holds_lease = keeps_lease and self.params.get('lease')
        for kind in self.uses + (('directory',) if holds_lease else ()):
            error = _import_error(kind)
            if error:
                self.fail_json(msg=missing_required_lib(LIBRARIES[kind]), exception=error)
        if holds_lease:
            from ansible_collections.pchat.cutover.plugins.module_utils.directory_connection import DirectoryConnection
            from ansible_collections.pchat.cutover.plugins.module_utils.lease_keeper import LeaseKeeper
            self.keeper = LeaseKeeper(self.params['lease'], lambda: DirectoryConnection(self.params))

    def _on_signal(self, signum, _frame):
        # Only note it: the work stops at its next safe point (before the next cmdlet or write, or at the next read
        # of a long cmdlet's streams), never in the middle of reading an answer.
        if self.interrupted is None:
            self.interrupted = signal.Signals(signum).name

    def stop_reason(self):
        """Why this module must send and write nothing more, or None."""
        if self.interrupted:
            return 'the run was interrupted (%s)' % self.interrupted
        if self.keeper is not None and self.keeper.lost is not None:
            return self.keeper.lost.msg
        return None

    def before_write(self, what):
        reason = self.stop_reason()
        if reason:
            raise PchatError('%s was not done: %s.' % (what, reason), details={'stopped': reason})

    @property
    def directory(self):
        """The connected Directory (opened on first use)."""
        if self._directory is None:
            from ansible_collections.pchat.cutover.plugins.module_utils.directory import Directory
            self._directory = Directory(self.params)
            self._directory.before_write = self.before_write
        return self._directory

    @property
    def platform(self):
        """The connected Lync platform (one runspace pool for the whole module run, opened on first use)."""
        if self._platform is None:
            from ansible_collections.pchat.cutover.plugins.module_utils.lync import LyncPlatform
            self._platform = LyncPlatform(self.params, stop_reason=self.stop_reason)
        return self._platform

    def close(self):
        for client in (self._platform, self._directory):
            if client is not None:
                client.close()
        self._platform = self._directory = None
        if self.keeper is not None:
            self.keeper.stop()

    def fail(self, error, **extra):
        """fail_json from a PchatError, after closing the clients."""
        self.close()
        kwargs = error.fail_kwargs()
        kwargs.update(extra)
        if self.interrupted:
            kwargs['interrupted'] = self.interrupted
        self.fail_json(**kwargs)

    def run(self, work):
        """Call ``work()`` for the result dict and exit with it; a PchatError becomes a clean failure. A ``diff``
        key is dropped unless diff mode is on."""
        try:
            if self.keeper is not None:
                self.keeper.start()  # the fence: a module of a run that lost the unit's lease does nothing
            result = work()
            if self.interrupted:  # the work ended anyway (nothing was left to stop): still, the run stops here
                raise PchatError('the run was interrupted (%s) while this task ran; what it did is in the result.'
                                 % self.interrupted, details={'result': result})
        except PchatError as error:
            self.fail(error)
        except Exception:
            self.close()
            raise
        # What the run cost, for benchmarks and anyone counting round trips (no values, only counts).
        if self._directory is not None:
            result.setdefault('ldap_searches', self._directory.searches)
        if self._platform is not None:
            result.setdefault('psrp_pipelines', self._platform.pipelines)
        self.close()
        if not self._diff:
            result.pop('diff', None)
        self.exit_json(**result)
