# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite's helpers: ``Lab`` (the running lab given by LAB_DIR/LAB_IP: reset, knobs, holds, the
request log, the lab's own view) and ``Run`` (one ansible-playbook run in its own session: start, wait until it
reaches a named point, kill it as a controller crash would, finish).

Every wait is bounded and polls an observable (a hold line, a request-log line, a hook line, a file); nothing
waits a fixed time to let something happen."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

import ldap3

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, TESTS)
from lab_checks import check as lab_check, room_problems, sip_owners  # noqa: E402 pylint: disable=wrong-import-position
from state_snapshot import changing_pipelines, inspect, snapshot  # noqa: E402 pylint: disable=wrong-import-position

sys.path.insert(0, ROOT)
from lab.emulator.knobs import Knobs  # noqa: E402 pylint: disable=wrong-import-position

HOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hooks')
VENV_BIN = os.path.join(ROOT, '.venv', 'bin')
POLL = 0.01  # seconds between two looks at an observable
HOLD = 10  # seconds a held step waits on the emulator (or in a hooked module): the kill lands within it
REACH_TIMEOUT = 300  # a whole cutover takes 25-70 s on this machine kind, depending on its load
RUN_TIMEOUT = 600

Unit = collections.namedtuple('Unit', 'host legacy target sip')
# The lab inventory's first unit (inventories/lab/hosts.yml): 20 rooms, 2,000 messages on gc.contoso.com.
UNIT = Unit('contoso_group_chat', 'gc.contoso.com', 'pcpool.contoso.com', 'sip:OCSChat@contoso.com')


def lines_of(path, since=0):
    """The JSON lines of ``path`` after byte ``since`` ([] when it does not exist). A last line without its newline
    is one the emulator is still writing: it is left for the next read (parsing it half-written failed a run)."""
    try:
        with open(path) as handle:
            handle.seek(since)
            return [json.loads(line) for line in handle if line.strip() and line.endswith('\n')]
    except FileNotFoundError:
        return []


class Lab(object):
    """The lab the suite was given (never one it brings up itself)."""

    def __init__(self, lab_dir, lab_ip):
        self.dir = os.path.abspath(lab_dir)
        self.ip = lab_ip
        with open(os.path.join(self.dir, 'connection.json')) as handle:
            self.connection = json.load(handle)
        self.secrets = [self.connection['PCHAT_LDAP_BIND_PASSWORD'], self.connection['PCHAT_PSRP_PASSWORD']]
        self.knobs = Knobs(self.dir)
        self.state_dir = os.path.join(self.dir, 'state')
        self.report_dir = os.path.join(self.dir, 'reports')
        self.request_log = os.path.join(self.dir, 'psrp-requests.jsonl')
        self.emulator_log = os.path.join(self.dir, 'emulator', 'emulator.log')
        self.runs = []
        self.armed = {}  # (cmdlet, point) -> seconds of the holds armed since the last reset
        self.log_start = 0
        self.emulator_log_start = 0

    # -- the lab's own commands ----------------------------------------------------------------------------
    def env(self, **extra):
        return dict(os.environ, LAB_DIR=self.dir, LAB_IP=self.ip, **extra)

    def lab(self, *args):
        proc = subprocess.run([sys.executable, '-m', 'lab'] + list(args), cwd=ROOT, env=self.env(),
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, 'python -m lab %s failed:\n%s%s' % (' '.join(args), proc.stdout, proc.stderr)
        return proc.stdout

    def reset(self):
        """The lab as seeded, the unit's state and reports gone, no lease held (python -m lab reset)."""
        self.quiesce()
        self.lab('reset')
        for folder in (self.state_dir, self.report_dir):
            shutil.rmtree(folder, ignore_errors=True)
        self.clear_leases()
        self.runs = []
        self.mark_logs()

    def mark_logs(self):
        """From now on, requests() and emulator_log_text() show only what comes next."""
        self.log_start = os.path.getsize(self.request_log) if os.path.exists(self.request_log) else 0
        self.emulator_log_start = os.path.getsize(self.emulator_log) if os.path.exists(self.emulator_log) else 0

    def quiesce(self):
        """Every run of the test ended, and every emulator hold it armed is over (a held step carries on on the
        front end after its client died, as on WinRM: the next reset must not meet it)."""
        for run in self.runs:
            run.kill()
        ends = [hold['ts'] + self.armed[(hold['cmdlet'].lower(), hold['point'])] for hold in self.holds()
                if (hold['cmdlet'].lower(), hold['point']) in self.armed]
        while ends and time.time() < max(ends) + 2.0:
            time.sleep(0.1)
        self.armed = {}

    # -- knobs, holds, the request log -------------------------------------------------------------------
    def arm_hold(self, cmdlet, point, seconds, skip=0):
        """The emulator stops ``cmdlet`` at ``point`` for ``seconds``; the first ``skip`` arrivals there pass
        (held for 0 s, still recorded in holds.jsonl)."""
        rules = ([{'cmdlet': cmdlet, 'point': point, 'seconds': 0, 'times': skip}] if skip else [])
        rules.append({'cmdlet': cmdlet, 'point': point, 'seconds': seconds, 'times': 1})
        self.knobs.update(hold=list(self.knobs.read()['hold']) + rules)
        self.armed[(cmdlet.lower(), point)] = seconds

    def holds(self, cmdlet=None, point=None):
        return [h for h in lines_of(self.knobs.holds_path)
                if (cmdlet is None or h['cmdlet'].lower() == cmdlet.lower()) and (point is None or h['point'] == point)]

    def requests(self):
        """The request log of this test (pipelines and pool events), oldest first."""
        return lines_of(self.request_log, self.log_start)

    def pipelines(self, cmdlet=None, with_param=None, without_param=None):
        found = []
        for line in self.requests():
            names = dict(zip([c.lower() for c in line.get('cmdlets') or []], line.get('parameters') or []))
            if cmdlet is not None and cmdlet.lower() not in names:
                continue
            params = names.get((cmdlet or '').lower(), [])
            if with_param and with_param not in params or without_param and without_param in params:
                continue
            found.append(line)
        return found

    def changing_cmdlets(self):
        return changing_pipelines(self.dir, self.log_start)

    def emulator_log_text(self):
        with open(self.emulator_log, errors='replace') as handle:
            handle.seek(self.emulator_log_start)
            return handle.read()

    def figure(self, name, value):
        """Note a measured figure (docs/reliability.md quotes them) in $LAB_DIR/reliability-figures.jsonl."""
        with open(os.path.join(self.dir, 'reliability-figures.jsonl'), 'a') as handle:
            handle.write(json.dumps({'ts': round(time.time(), 1), 'name': name, 'value': round(value, 2)}) + '\n')

    # -- the lab's own view -------------------------------------------------------------------------------
    def inspect(self):
        return inspect(self.dir)

    def pool(self, fqdn, view=None):
        return [p for p in (view or self.inspect())['pools'] if p['fqdn'] == fqdn][0]

    def snapshot(self):
        return snapshot(self.dir)

    def owners(self, sip):
        """Every object carrying the SIP URI: [(dn, object classes)] (plain LDAP)."""
        return sip_owners(self.connection, sip)

    def unit_dir(self, unit):
        return os.path.join(self.state_dir, unit.legacy)

    def record(self, unit):
        """The unit's migration record (chat_migration's record_file), or {}."""
        try:
            with open(os.path.join(self.unit_dir(unit), 'migration.json')) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    def backups(self, unit):
        return sorted(glob.glob(os.path.join(self.unit_dir(unit), 'backups', '*.json')))

    def front_end_files(self, pattern):
        """Files the front end wrote under C:\\PchatMigration (the emulator's fs/c/PchatMigration)."""
        folder = os.path.join(self.dir, 'fs', 'c', 'PchatMigration')
        return sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, pattern)))

    # -- users of the chat pools ------------------------------------------------------------------------
    def _store_config(self):
        import types  # pylint: disable=import-outside-toplevel
        return types.SimpleNamespace(platform_db=os.path.join(self.dir, 'platform.sqlite'))

    def members(self, pool, room):
        from lab import post as lab_post  # pylint: disable=import-outside-toplevel
        return lab_post.members(self._store_config(), pool, room)

    def post(self, pool, room, text):
        """A member of ``room`` posts ``text`` there, as a chat client would (lab/post.py: the pool must be started);
        returns (sender, text)."""
        from lab import post as lab_post  # pylint: disable=import-outside-toplevel
        sender = self.members(pool, room)[0]
        lab_post.post(self._store_config(), pool, room, sender, text)
        return sender, text

    def messages(self, pool, room):
        from lab import post as lab_post  # pylint: disable=import-outside-toplevel
        return lab_post.messages(self._store_config(), pool, room)

    def rooms(self, pool):
        return [room['name'] for room in self.pool(pool)['rooms'] if not room['disabled']]

    # -- the unit's lease -----------------------------------------------------------------------------------
    def _ldap(self):
        import ssl  # pylint: disable=import-outside-toplevel
        from urllib.parse import urlsplit  # pylint: disable=import-outside-toplevel
        url = urlsplit(self.connection['PCHAT_LDAP_URL'])
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.connection['PCHAT_LDAP_CA_FILE'])
        return ldap3.Connection(ldap3.Server(url.hostname, port=url.port or 636, use_ssl=True, tls=tls),
                                self.connection['PCHAT_LDAP_BIND_DN'], self.connection['PCHAT_LDAP_BIND_PASSWORD'],
                                auto_bind=True)

    LEASES = 'CN=pchat.cutover,CN=Program Data,DC=contoso,DC=com'

    def lease(self, unit):
        """The unit's lease value as JSON (host, pid, ...), or None when free."""
        conn = self._ldap()
        try:
            conn.search('CN=%s,%s' % (unit.legacy, self.LEASES), '(objectClass=*)', search_scope=ldap3.BASE,
                        attributes=['adminDescription'])
            values = [e['attributes'].get('adminDescription') for e in conn.response if e.get('type') == 'searchResEntry']
        finally:
            conn.unbind()
        return json.loads(values[0]) if values and values[0] else None

    def clear_leases(self):
        """No unit lease held when a test starts (a failed test may leave one behind); the suite's runs are all
        dead by then (quiesce)."""
        conn = self._ldap()
        try:
            conn.search(self.LEASES, '(adminDescription=*)', attributes=['adminDescription'])
            for entry in [e for e in conn.response if e.get('type') == 'searchResEntry']:
                conn.modify(entry['dn'], {'adminDescription': [(ldap3.MODIFY_DELETE, [])]})
        finally:
            conn.unbind()

    # -- what the suite promises after every interruption ------------------------------------------------
    def assert_cut_over(self, unit):
        """Every room and message of the legacy pool on the target exactly once, the SIP URI owned by one legacy
        endpoint on the target, the user's backup present (tests/lab_checks.py), the pools as a cutover leaves
        them, and no password in any file the runs wrote."""
        problems, rooms, messages = lab_check(self.dir, unit.legacy, unit.target, unit.sip, self.state_dir)
        assert not problems and rooms and messages, (problems, rooms, messages)
        view = self.inspect()
        assert self.pool(unit.legacy, view)['state'] == 'disabled', self.pool(unit.legacy, view)
        assert self.pool(unit.target, view)['state'] == 'started', self.pool(unit.target, view)
        self.assert_no_secret_in_files()

    def assert_rolled_back(self, unit, user_guid):
        """The well-known user back as the only owner of the SIP URI (the same object: its tombstone reanimated),
        no endpoint for it, the legacy pool started, the migrated data still on the target exactly once, the
        backup still there."""
        owners = self.owners(unit.sip)
        assert len(owners) == 1 and 'user' in owners[0][1], owners
        assert self.user_guid(unit.sip) == user_guid
        view = self.inspect()
        assert not [e for e in view['endpoints'] if e['sip_address'].lower() == unit.sip.lower()], view['endpoints']
        assert self.pool(unit.legacy, view)['state'] == 'started', self.pool(unit.legacy, view)
        problems, rooms, _messages = room_problems(view, unit.legacy, unit.target)
        assert not problems and rooms, problems
        assert self.backups(unit)
        self.assert_no_secret_in_files()

    def user_guid(self, sip):
        conn = self._ldap()
        try:
            conn.search('DC=contoso,DC=com', '(msRTCSIP-PrimaryUserAddress=%s)' % sip, attributes=['objectGUID'])
            return [str(e['attributes']['objectGUID']) for e in conn.response if e.get('type') == 'searchResEntry']
        finally:
            conn.unbind()

    def user_dn_exists(self, dn):
        conn = self._ldap()
        try:
            return conn.search(dn, '(objectClass=user)', search_scope=ldap3.BASE)
        finally:
            conn.unbind()

    def assert_no_secret_in_files(self):
        for path in glob.glob(os.path.join(self.state_dir, '**', '*'), recursive=True) + \
                glob.glob(os.path.join(self.report_dir, '*')):
            if os.path.isfile(path):
                with open(path, errors='replace') as handle:
                    text = handle.read()
                assert not [s for s in self.secrets if s in text], 'a password is in %s' % path


class Run(object):
    """One ansible-playbook run of one unit, started in its own session so that it and everything it started can
    be killed at once, as a controller crash would; its output is collected as it comes."""

    def __init__(self, lab, playbook='cutover', unit=UNIT, extra_vars=None, hook=None, args=()):
        self.lab = lab
        self.playbook = playbook
        self.token = uuid.uuid4().hex
        # Only what saves time without changing what runs: no '-latest' copies of the report, progress lines at
        # least every second.
        variables = {'pchat_report_keep_latest': False, 'pchat_migration_poll_seconds': 1}
        variables.update(extra_vars or {})
        self.command = [os.path.join(VENV_BIN, 'ansible-playbook'), 'playbooks/%s.yml' % playbook, '--limit',
                        unit.host, '-e', json.dumps(variables)] + list(args)
        self.env = dict(os.environ, PCHAT_LAB_HOME=lab.dir, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'),
                        ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', PCHAT_RELIABILITY_RUN=self.token,
                        PATH=VENV_BIN + os.pathsep + os.environ.get('PATH', ''))
        self.hook_file = None
        if hook:
            self.hook_file = os.path.join(lab.dir, 'reliability-hook-%s.jsonl' % self.token[:8])
            self.env.update(PYTHONPATH=HOOKS, PCHAT_RELIABILITY_HOOK=json.dumps(dict(hook, file=self.hook_file)))
        self.proc = None
        self.lines = []
        self.line_times = []
        self.killed_at = None
        self.started_at = None
        self.outside = {}

    # -- life -----------------------------------------------------------------------------------------------
    def start(self):
        self.started_at = time.time()
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        self.lab.runs.append(self)
        return self

    def _pump(self):
        for line in self.proc.stdout:
            self.line_times.append(time.time())
            self.lines.append(line)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def output(self):
        return ''.join(self.lines)

    def seen(self, text):
        """When the run printed the first line containing ``text`` (None if it did not)."""
        return next((at for at, line in zip(list(self.line_times), list(self.lines)) if text in line), None)

    def tail(self, size=4000):
        return self.output[-size:]

    def finish(self, timeout=RUN_TIMEOUT):
        """Wait for the run to end by itself; its exit code."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('the run did not end within %d s:\n%s' % (timeout, self.tail()))
        self.pump.join(10)
        self.ended_at = time.time()
        self.lab.figure('%s %s in' % (self.playbook, 'completed' if self.proc.returncode == 0 else 'failed'),
                        self.ended_at - self.started_at)
        return self.proc.returncode

    def succeed(self):
        """Run to the end; it must pass."""
        if self.proc is None:
            self.start()
        returncode = self.finish()
        assert returncode == 0, 'the run failed (rc %s):\n%s' % (returncode, self.tail(6000))
        return self

    def leftovers(self):
        """Processes of this run that are alive outside its process group: Ansible runs an async task's module
        (the import) in a session of its own. Found by the run's marker in their environment."""
        found = []
        marker = ('PCHAT_RELIABILITY_RUN=%s' % self.token).encode()
        for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:
            try:
                with open('/proc/%d/environ' % pid, 'rb') as handle:
                    if marker in handle.read().split(b'\0'):
                        found.append(pid)
            except OSError:
                continue
        return found

    def kill(self):
        """A controller crash: SIGKILL to the playbook's process group (ansible-playbook, its workers, the module
        processes) and to the processes of this run that left it (an async task's module: ``outside``, pid ->
        command line)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.killed_at = time.time()
        self.outside = dict((pid, cmdline(pid)) for pid in self.leftovers() if pid != self.proc.pid)
        for pid in [None] + list(self.outside):
            try:
                if pid is None:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(30)
        self.pump.join(10)
        self.lab.figure('%s killed after' % self.playbook, self.killed_at - self.started_at)
        deadline = time.time() + 10
        while self.leftovers() and time.time() < deadline:
            time.sleep(POLL)
        assert not self.leftovers(), 'processes of the killed run still live: %s' % self.leftovers()

    # -- reaching a point ----------------------------------------------------------------------------------
    def wait_for(self, what, probe, timeout=REACH_TIMEOUT):
        """Poll ``probe()`` until it returns something true (returned); fails, naming ``what``, if the run ends
        or the time is up first."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = probe()
            if found:
                return found
            if self.proc.poll() is not None:
                self.pump.join(10)
                found = probe()
                if found:
                    return found
                raise AssertionError('the run ended (rc %s) before %s:\n%s' % (self.proc.returncode, what, self.tail()))
            time.sleep(POLL)
        raise AssertionError('the run did not reach %s within %d s:\n%s' % (what, timeout, self.tail()))

    def wait_hold(self, cmdlet, point, nth=1):
        """The emulator's hold line of the n-th arrival of ``cmdlet`` at ``point``."""
        return self.wait_for('%s at %s (hold %d)' % (cmdlet, point, nth),
                             lambda: (self.lab.holds(cmdlet, point)[nth - 1:nth] or [None])[0])

    def wait_request(self, what, match):
        """The first request-log line of this test for which ``match(line)`` holds."""
        return self.wait_for(what, lambda: next((line for line in self.lab.requests() if match(line)), None))

    def wait_hook(self):
        """The hook line (tests/reliability/hooks): the run is paused at the hook's point."""
        return self.wait_for('the hook point', lambda: (lines_of(self.hook_file) or [None])[0])

    def held_at_kill(self, line, seconds):
        """The kill landed while the run was paused at ``line``'s point (held for ``seconds`` from its ts)."""
        return self.killed_at is not None and line['ts'] <= self.killed_at < line['ts'] + seconds

    def reported(self, task):
        """Whether the run printed a result (ok/changed/failed/skipping) for the task named ``task`` (the start of
        its name, as in ``TASK [role : name``): a step the client saw finish."""
        sections = self.output.split('\nTASK [')
        return any(any(word in section for word in ('\nok: [', '\nchanged: [', '\nfatal: [', '\nskipping: ['))
                   for section in sections[1:] if ' : %s' % task in section.split('\n', 1)[0])

    def takeover_warning(self):
        """The warning of unit_lock when this run took the lease over (from the output), or ''."""
        text = ' '.join(self.output.split())
        start = text.find('took over the lease of unit')
        return '' if start < 0 else text[start:start + 400]


def cmdline(pid):
    """A process's command line ('' when it is gone)."""
    try:
        with open('/proc/%s/cmdline' % pid, 'rb') as handle:
            return handle.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    except OSError:
        return ''


# -- killing a run at a named point --------------------------------------------------------------------------
def kill_when_held(lab, cmdlet, point, skip=0, playbook='cutover'):
    """Start the playbook, kill it while the emulator holds ``cmdlet`` at ``point`` (after ``skip`` arrivals)."""
    lab.arm_hold(cmdlet, point, HOLD, skip=skip)
    run = Run(lab, playbook).start()
    hold = run.wait_hold(cmdlet, point, nth=skip + 1)
    run.kill()
    assert run.held_at_kill(hold, HOLD), 'killed %.2f s after the hold line' % (run.killed_at - hold['ts'])
    lab.figure('kill landed after the hold line', run.killed_at - hold['ts'])
    return run


def kill_at_hook(lab, playbook='cutover', **hook):
    """Start the playbook, whose modules pause at the hook's point (tests/reliability/hooks); kill it there."""
    run = Run(lab, playbook, hook=dict(hook, seconds=HOLD)).start()
    line = run.wait_hook()
    run.kill()
    assert run.held_at_kill(line, HOLD), 'killed %.2f s after the hook line' % (run.killed_at - line['ts'])
    lab.figure('kill landed after the hook line', run.killed_at - line['ts'])
    return run, line


def kill_at_request(lab, what, match, playbook='cutover'):
    """Start the playbook and kill it as soon as a request-log line matches."""
    run = Run(lab, playbook).start()
    line = run.wait_request(what, match)
    run.kill()
    lab.figure('kill landed after the request-log line', run.killed_at - line['ts'])
    return run, line


def assert_took_over(run, killed):
    """The run took the killed run's lease over at once (same host, its process gone), naming it."""
    warning = run.takeover_warning()
    assert 'from pid %d' % killed.pid in warning and 'no longer running on this host' in warning, warning
