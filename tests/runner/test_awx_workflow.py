# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX workflow of docs/awx.md on ansible-runner, against the running lab: jobs of the installed collection, each
in a private data directory of its own (inventory: the lab's cutover units without any connection setting; the
connection only in env/envvars, as the custom credential type of docs/awx-credential-type.yml injects it; extra vars
as a job template and the workflow give them), and each controller's state folder outside every private data
directory.

* controller A (its state folder is the persistent volume): the preview job (--check --diff), then the cutover job;
* controller C, fresh (empty state folder): the cutover job again, with A's artifacts as extra vars: it finds
  everything done from the artifacts alone and repeats nothing (no export, no import, no pool stopped);
* controller B, fresh: the rollback job with A's artifacts as extra vars (an AWX workflow's rollback node): the
  well-known users come back with their original objectSid and objectGUID, read with plain LDAP.

Every job runs at -vvvv; no password of the lab appears in any job event, stdout or file of any artifacts folder
(ansible-runner's copy of the job's environment aside, see test_no_secret_in_any_job_event_stdout_or_artifact_file).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from awx_credential import lab_inputs  # noqa: E402 pylint: disable=wrong-import-position
from lab_checks import sip_owners  # noqa: E402 pylint: disable=wrong-import-position
from runner_job import RunnerJob  # noqa: E402 pylint: disable=wrong-import-position
from secret_scan import SecretScan  # noqa: E402 pylint: disable=wrong-import-position
from state_snapshot import inspect  # noqa: E402 pylint: disable=wrong-import-position

PRIVATE_DATA_DIR_ENTRIES = {'inventory', 'env', 'project', 'artifacts'}


class Controller(object):
    """A controller (an AWX execution node with its persistent volume): a state folder and a report folder, and a
    private data directory per job beside them."""

    def __init__(self, root, name, running_lab):
        self.root = os.path.join(root, name)
        self.state_dir = os.path.join(self.root, 'state')
        self.report_dir = os.path.join(self.root, 'reports')
        self.lab = running_lab

    def job(self, playbook, check=False, handed_over=None):
        hosts, group_vars = self.lab.unit_hosts()
        inventory = {'all': {'children': {'pchat_cutover_units': {'hosts': hosts, 'vars': group_vars}}}}
        extravars = {'pchat_state_dir': self.state_dir, 'pchat_report_dir': self.report_dir}
        if handed_over is not None:
            extravars['pchat_units'] = handed_over
        folder = os.path.join(self.root, 'job-%s%s' % (playbook, '-check' if check else ''))
        return RunnerJob(folder, playbook, inventory, lab_inputs(self.lab), extravars, check=check)


class Workflow(object):
    def __init__(self, running_lab, root):
        self.lab = running_lab
        self.units = dict((variables['pchat_legacy_pool'].lower(), variables)
                          for variables in running_lab.unit_hosts()[0].values())
        self.a = Controller(root, 'controller-a', running_lab)
        self.b = Controller(root, 'controller-b', running_lab)
        self.c = Controller(root, 'controller-c', running_lab)
        self.jobs = {}
        self.changing = {}  # job -> the cmdlets it sent that could change the lab (the emulator's request log)
        self.state_before = {}  # job -> whether its controller had a state folder before it ran
        self.seconds = {}

    def run(self, name, controller, job, collections):
        since = self.lab.request_log_size()
        self.state_before[name] = os.path.exists(controller.state_dir)
        started = time.time()
        job.run(collections)
        self.seconds[name] = round(time.time() - started, 1)
        assert job.rc == 0 and job.status == 'successful', job.explain()
        self.jobs[name] = job
        self.changing[name] = self.lab.changing_pipelines(since)
        return job

    def identities(self):
        conn = self.lab.ldap()
        try:
            return dict((pool, self.lab.user_identity(conn, unit['pchat_sip_address']))
                        for pool, unit in self.units.items())
        finally:
            conn.unbind()


@pytest.fixture(scope='module')
def workflow(running_lab, installed_collection, tmp_path_factory):
    running_lab.reset()
    flow = Workflow(running_lab, str(tmp_path_factory.mktemp('awx')))
    flow.original_identities = flow.identities()
    assert all(len(users) == 1 for users in flow.original_identities.values()), flow.original_identities
    flow.run('preview', flow.a, flow.a.job('cutover', check=True), installed_collection)
    cutover = flow.run('cutover', flow.a, flow.a.job('cutover'), installed_collection)
    handed_over = cutover.artifacts['pchat_units']
    flow.run('cutover again', flow.c, flow.c.job('cutover', handed_over=handed_over), installed_collection)
    flow.run('rollback', flow.b, flow.b.job('rollback', handed_over=handed_over), installed_collection)
    flow.identities_after_rollback = flow.identities()
    print('job seconds: %s' % flow.seconds)
    yield flow
    running_lab.reset()


def test_the_connection_came_from_the_docs_credential_type_alone(workflow, running_lab):
    """Each job's environment is what the credential injects: the CA certificates as files of the job's env/
    folder, the inputs left empty as empty variables (the modules take their defaults), nothing in the inventory."""
    for job in workflow.jobs.values():
        env = job.envvars
        assert set(env) == set(name for name in running_lab.connection if name.startswith('PCHAT_')
                               and name not in ('PCHAT_PSRP_SSL', 'PCHAT_PSRP_CERT_VALIDATION'))
        left_empty = [name for name, value in env.items() if value == '']
        assert left_empty == ['PCHAT_PSRP_PORT', 'PCHAT_PSRP_PATH', 'PCHAT_PSRP_AUTH']
        for setting in ('PCHAT_LDAP_CA_FILE', 'PCHAT_PSRP_CA_FILE'):
            assert os.path.dirname(env[setting]) == os.path.join(job.folder, 'env')
            with open(env[setting]) as injected, open(running_lab.connection[setting]) as lab_ca:
                assert injected.read() == lab_ca.read()
        with open(os.path.join(job.folder, 'inventory', 'hosts.yml')) as handle:
            assert not re.search(r'pchat_(ldap|bind|ldap_ca_file|psrp)|password', handle.read())


def test_the_preview_changes_nothing_and_hands_out_each_units_preview(workflow):
    assert workflow.changing['preview'] == []
    units = workflow.jobs['preview'].artifacts['pchat_units']
    assert sorted(units) == sorted(workflow.units)
    for pool, unit in units.items():
        assert unit['mode'] == 'check' and unit['backup'] is None, unit
        assert unit['outcome'].startswith('PREVIEW')
        assert all(os.path.isfile(path) and path.startswith(workflow.a.report_dir) for path in unit['reports'].values())


def test_the_cutover_hands_out_each_units_backup_migration_record_and_reports(workflow):
    units = workflow.jobs['cutover'].artifacts['pchat_units']
    assert sorted(units) == sorted(workflow.units)  # both units' set_stats are aggregated into one artifact
    for pool, unit in units.items():
        (dn, sid, guid), = workflow.original_identities[pool]
        backup = unit['backup']
        assert (backup['dn'], backup['object_sid'], backup['object_guid']) == (dn, sid, guid), backup
        assert unit['backup_file'].startswith(workflow.a.state_dir) and os.path.isfile(unit['backup_file'])
        assert unit['migration']['steps']['import']['done'] is True
        assert unit['outcome'] == 'PASSED'
        assert unit['reports'] and all(os.path.isfile(path) for path in unit['reports'].values())
    # the state is where the job says, not in the private data directory AWX throws away
    for job in workflow.jobs.values():
        assert set(os.listdir(job.folder)) == PRIVATE_DATA_DIR_ENTRIES, os.listdir(job.folder)


def test_no_secret_in_any_job_event_stdout_or_artifact_file(workflow, running_lab):
    """Every password of the lab, in every job's events, stdout (the artifact and what ansible-runner printed) and
    every file of its private data directory, and in the controllers' state and report folders.

    ansible-runner itself writes the job's whole environment into ``artifacts/<ident>/command`` (mode 0600), so the
    credential's variables are there under their own names, as in ``env/envvars``: that file is read as JSON and
    searched without those two values. The passwords reached each job only through env/envvars, which is not
    searched: no other input file (inventory, extra vars, command line, project) holds them."""
    scan = SecretScan(running_lab.passwords)
    findings = []
    events = 0
    for name, job in workflow.jobs.items():
        for event in job.events:
            events += 1
            findings += scan.text('%s event %s' % (name, event.get('counter')), json.dumps(event))
        findings += scan.text('%s stdout' % name, job.stdout)
        findings += scan.text('%s ansible-runner output' % name, job.cli_output)
        command = os.path.join(job.artifact_dir, 'command')
        assert os.stat(command).st_mode & 0o077 == 0
        with open(command) as handle:
            recorded = json.load(handle)
        for setting in running_lab.passwords:
            assert recorded['env'].pop(setting) == running_lab.passwords[setting]
        findings += scan.text('%s artifacts/command without the credential' % name, json.dumps(recorded))
        envvars = os.path.join(job.folder, 'env', 'envvars')
        findings += scan.files(job.folder, skip=lambda path, skipped=(command, envvars): path in skipped)
    for controller in (workflow.a, workflow.b, workflow.c):
        findings += scan.files(controller.state_dir) + scan.files(controller.report_dir)
    assert events > 100 and scan.files_scanned > 20, (events, scan.files_scanned)
    assert findings == [], '\n'.join(findings)


def test_a_fresh_controller_given_the_artifacts_repeats_nothing(workflow):
    """The cutover again on a controller whose state folder is empty: with the artifacts it knows the user's backup
    and the completed import, so it neither exports nor imports again, stops no pool, and reports no change; its
    own artifacts hand the same state on."""
    assert workflow.state_before['cutover again'] is False
    assert workflow.changing['cutover again'] == []
    job = workflow.jobs['cutover again']
    assert not any(job.changed_hosts().values()), job.changed_hosts()
    first, again = workflow.jobs['cutover'].artifacts['pchat_units'], job.artifacts['pchat_units']
    for pool in workflow.units:
        assert again[pool]['outcome'] == 'PASSED'
        assert again[pool]['backup'] == first[pool]['backup']
        assert again[pool]['migration'] == first[pool]['migration']
        assert again[pool]['backup_file'].startswith(workflow.c.state_dir)


def test_a_second_controller_rolls_back_from_the_artifacts_alone(workflow, running_lab):
    """Controller B never saw the cutover: the users come back with their objectSid and objectGUID (tombstones
    reanimated), each SIP URI is owned by its user again, the legacy pools run."""
    assert workflow.state_before['rollback'] is False
    assert workflow.identities_after_rollback == workflow.original_identities
    pools = dict((pool['fqdn'], pool) for pool in inspect(running_lab.lab_dir)['pools'])
    for pool, unit in workflow.units.items():
        owners = sip_owners(running_lab.connection, unit['pchat_sip_address'])
        assert [dn for dn, _classes in owners] == [workflow.original_identities[pool][0][0]], owners
        assert pools[pool]['state'] == 'started', pools[pool]
        assert os.listdir(os.path.join(workflow.b.state_dir, pool, 'backups'))
