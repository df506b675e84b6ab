# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kill-point hooks for the reliability suite, for steps the Lync emulator cannot hold because it does not see
them (the LDAP writes the collection makes itself) or because the emulator has no hold point there.

The suite starts a playbook with ``PYTHONPATH=tests/reliability/hooks`` and ``PCHAT_RELIABILITY_HOOK`` set to a
JSON rule; every Python process of that run (ansible-playbook, its workers, the module processes) loads this file
at start-up. Without the variable it does nothing. The lease renewer runs ``python -I`` with a minimal environment
and never loads it.

A rule names one point, and the n-th time (``nth``, default 1) any process of the run reaches it, that process
appends ``{"ts", "point", "target", "pid"}`` to ``file`` and sleeps ``seconds``; the test waits for that line and
kills the run while it sleeps, so the kill provably lands at that point:

- ``{"kind": "ldap", "ops": ["delete"], "dn": "CN=OCSChat,"}``: right after an LDAP operation (ldap3
  ``Connection.<op>``) on a DN containing ``dn`` succeeded, before the module goes on; with ``"release": true``
  only a modify that deletes values and adds none (the lease's release: every renewal swaps);
- ``{"kind": "psrp", "cmdlet": "Remove-CsPersistentChatEndpoint"}``: right after the pipeline of that cmdlet was
  sent to the front end, before its result is read.

Nothing else changes: the real modules talk to the real directory and emulator; the hook only pauses them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fcntl
import json
import os
import time

RULE = os.environ.get('PCHAT_RELIABILITY_HOOK')


def _reached(rule, target):
    """Count this arrival at the point (across the run's processes); on the n-th, record it and sleep."""
    with open(rule['file'] + '.count', 'a+') as counter:
        fcntl.flock(counter, fcntl.LOCK_EX)
        counter.seek(0)
        count = len(counter.read()) + 1
        counter.write('.')
        counter.flush()
    if count != int(rule.get('nth', 1)):
        return
    line = json.dumps({'ts': time.time(), 'point': rule['kind'], 'target': target, 'pid': os.getpid()})
    with open(rule['file'], 'a') as handle:
        handle.write(line + '\n')
    time.sleep(float(rule.get('seconds', 30)))


def _only_deletes(args, kwargs):
    """A modify that only deletes values (the lease's release; every renewal swaps, deleting and adding)."""
    import ldap3  # pylint: disable=import-outside-toplevel
    changes = args[0] if args else kwargs.get('changes') or {}
    operations = [change[0] for values in changes.values() for change in
                  (values if isinstance(values, list) else [values])]
    return bool(operations) and all(op == ldap3.MODIFY_DELETE for op in operations)


def _hook_ldap(rule):
    import ldap3  # pylint: disable=import-outside-toplevel

    def wrap(name):
        original = getattr(ldap3.Connection, name)

        def hooked(self, dn, *args, **kwargs):
            result = original(self, dn, *args, **kwargs)  # raises on failure (the collection binds with raise_exceptions)
            if rule['dn'].lower() in str(dn).lower() and (not rule.get('release') or _only_deletes(args, kwargs)):
                _reached(rule, '%s %s' % (name, dn))
            return result
        setattr(ldap3.Connection, name, hooked)

    for name in rule['ops']:
        wrap(name)


def _hook_psrp(rule):
    from pypsrp.powershell import PowerShell  # pylint: disable=import-outside-toplevel
    original = PowerShell.invoke

    def invoke(self, *args, **kwargs):
        names = [getattr(command, 'cmd', '') or '' for command in self.commands]
        if any(name.lower() == rule['cmdlet'].lower() for name in names):
            self.begin_invoke(*args, **kwargs)  # the pipeline is on the front end now
            _reached(rule, rule['cmdlet'])
            return self.end_invoke()
        return original(self, *args, **kwargs)
    PowerShell.invoke = invoke


if RULE:
    _RULE = json.loads(RULE)
    try:
        {'ldap': _hook_ldap, 'psrp': _hook_psrp}[_RULE['kind']](_RULE)
    except ImportError:
        pass  # an interpreter without the library cannot reach the point either
