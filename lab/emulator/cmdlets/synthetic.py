# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-CsPersistentChatMessage: the synthetic transaction that has two users exchange messages in a chat room.

The lab cannot sign users in, so it checks what the transaction depends on (docs/lab-emulator.md), each rule from
the reference where it has one: -TargetFqdn is the Registrar pool [ref: "FQDN of the Registrar pool to be
tested"]; the test users log on with their credentials (-SenderCredential/-ReceiverCredential naming the same
accounts as the SIP addresses [ref], or, without them, credentials registered with Set-CsTestUserCredential [ref
Set-CsTestUserCredential]); they are managed by a Persistent Chat policy that gives them access [ref: "calls to
this cmdlet will fail ... if the two test user accounts have not been assigned a Persistent Chat policy that gives
them access"]; a chat room exists [ref: "will fail if you have not created any chat rooms"]. And (the lab's own
checks) the pool under test is started, and every Persistent Chat endpoint homed on it owns its SIP URI alone (so
a legacy client's URI resolves to this pool and nothing else)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from lab import topology
from lab.emulator import objects
from lab.emulator.binding import BOOL, CREDENTIAL, INT, STRING, SWITCH, Enum, Param
from lab.emulator.cmdlets import cmdlet, policies
from lab.emulator.cmdlets.common import chat_services, pool_row
from lab.emulator.cmdlets.endpoints import endpoints

CLIENT, SERVER = 'ClientPlatform', 'ServerPlatform'


class Failure(Exception):
    def __init__(self, error, diagnosis):
        super(Failure, self).__init__(error)
        self.error = error
        self.diagnosis = diagnosis


def _registrar(ctx, target):
    registrar = pool_row(ctx.store, target, 'FrontEnd')
    if registrar is None:
        chat_pool = pool_row(ctx.store, target, 'PersistentChatServer')
        raise Failure('"%s" is not a Registrar pool.' % target,
                      'TargetFqdn is the FQDN of the Registrar pool to be tested%s; choose the Persistent Chat pool '
                      'with -ChatRoomUri <pool>\\<room>.' % (
                          ' (%s is a Persistent Chat pool; its Registrar pool is %s)' % (target, chat_pool['registrar'])
                          if chat_pool is not None else ''))
    return registrar


def _pool_under_test(ctx, registrar):
    room_uri = ctx.get('ChatRoomUri')
    if room_uri:
        pool_name, _sep, room_name = room_uri.partition('\\')
        pool = pool_row(ctx.store, pool_name, 'PersistentChatServer')
        if pool is None or not room_name:
            raise Failure('Chat room "%s" was not found.' % room_uri, 'ChatRoomUri must be <Persistent Chat pool '
                                                                      'FQDN>\\<room name>.')
        return pool
    homed = ctx.store.execute("SELECT * FROM pools WHERE role = 'PersistentChatServer' AND registrar = ? "
                              "ORDER BY fqdn", (registrar['fqdn'],)).fetchall()
    if len(homed) != 1:
        raise Failure('Registrar pool %s serves %d Persistent Chat pools.' % (registrar['fqdn'], len(homed)),
                      'Give -ChatRoomUri <pool>\\<room> to say which Persistent Chat pool to test.')
    return homed[0]


def _check_started(ctx, pool):
    if (pool['pool_state'] or 'Normal') != 'Normal':
        raise Failure('Persistent Chat pool %s is in state %s.' % (pool['fqdn'], pool['pool_state']),
                      'The pool uses its backup databases; fail back before testing.')
    down = [s for s in chat_services(ctx.store, pool['fqdn']) if s['active'] and s['status'] != 'Running']
    if down:
        raise Failure('The Persistent Chat service is not running on %s.' % ', '.join(
            sorted(set(s['server_fqdn'] for s in down))), 'Start the Persistent Chat services of pool %s.'
            % pool['fqdn'])


def _check_user(ctx, sip, role, credential):
    """The user of ``sip`` signs in: a Lync-enabled user whose credential (given, or registered with
    Set-CsTestUserCredential) is its own and right, managed by a policy that allows Persistent Chat."""
    principal = policies.lync_user(ctx, sip)
    if principal is None:
        raise Failure('The %s %s is not a user enabled for Lync Server.' % (role, sip),
                      'Use two SIP-enabled test users.')
    if credential is not None:
        problem = policies.credential_problem(ctx, principal, credential['UserName'], credential['Password'])
        if problem:
            raise Failure('The %s %s could not sign in: %s.' % (role, sip, problem),
                          'Give the credential of the account whose SIP address is %s.' % sip)
    elif not policies.registered_test_user(ctx, principal):
        raise Failure('No test user credential is registered for the %s %s.' % (role, sip),
                      'Register it with Set-CsTestUserCredential -SipAddress %s, or give -%sCredential.'
                      % (sip, role.capitalize()))
    identity, enabled = policies.effective_policy(ctx.store, principal)
    if not enabled:
        raise Failure('The %s %s is managed by Persistent Chat policy %s, which does not enable Persistent Chat.'
                      % (role, sip, identity), 'Assign the test users a Persistent Chat policy with '
                                               'EnablePersistentChat $True (Grant-CsPersistentChatPolicy).')


def _check_room(ctx, pool):
    room_uri = ctx.get('ChatRoomUri')
    if room_uri:
        room = ctx.store.execute('SELECT * FROM rooms WHERE pool_fqdn = ? AND name = ? COLLATE NOCASE',
                                 (pool['fqdn'], room_uri.partition('\\')[2])).fetchone()
        if room is None or room['disabled']:
            raise Failure('Chat room "%s" was not found or is disabled.' % room_uri, 'Use an enabled chat room.')
        return
    if not ctx.store.execute('SELECT 1 FROM rooms WHERE pool_fqdn = ? AND disabled = 0', (pool['fqdn'],)).fetchone():
        raise Failure('Persistent Chat pool %s has no enabled chat room.' % pool['fqdn'],
                      'Create a chat room (or run the test with -Setup $True) first.')


def _check_endpoints(ctx, view, pool):
    homed = endpoints(ctx, pool=pool)
    if not homed:
        raise Failure('No Persistent Chat endpoint is homed on pool %s.' % pool['fqdn'],
                      'Clients cannot be routed to the pool.')
    for endpoint in homed:
        others = [p for p in view.sip_owners(endpoint.sip) if p.dn.lower() != endpoint.dn.lower()]
        if others:
            raise Failure('SIP address %s of endpoint %s is also owned by %s.' % (endpoint.sip, endpoint.dn,
                                                                                  others[0].dn),
                          'A client of %s would not reliably reach pool %s.' % (endpoint.sip, pool['fqdn']))


@cmdlet('Test-CsPersistentChatMessage', 'Microsoft.Rtc.SyntheticTransactions.Cmdlets.TestPersistentChatMessageCmdlet',
        sets=[CLIENT, SERVER], default_set=SERVER,
        params=[Param('TargetFqdn', STRING, mandatory=(SERVER,), position=2, aliases=('t',)),
                Param('ReceiverCredential', CREDENTIAL, sets=[CLIENT], mandatory=True, aliases=('rc',)),
                Param('SenderCredential', CREDENTIAL, sets=[CLIENT], mandatory=True, aliases=('sc',)),
                Param('ReceiverSipAddress', STRING, mandatory=(CLIENT,), aliases=('ra',)),
                Param('SenderSipAddress', STRING, mandatory=(CLIENT,), aliases=('sa',)),
                Param('Authentication', Enum('Microsoft.Rtc.SyntheticTransactions.AuthenticationMechanism',
                                             ['TrustedServer', 'Negotiate', 'ClientCertificate', 'LiveID']),
                      aliases=('Ath',)),
                Param('ChatRoomUri'), Param('Force', SWITCH), Param('OutLoggerVariable', aliases=('olv',)),
                Param('OutVerboseVariable', aliases=('ovv',)), Param('RegistrarPort', INT, aliases=('rp',)),
                Param('Setup', BOOL), Param('TestUser1SipAddress'), Param('TestUser2SipAddress')],
        output='Microsoft.Rtc.SyntheticTransactions.TaskOutput')
def test_message(ctx):
    started = time.time()
    target = ctx.get('TargetFqdn') or topology.FRONT_END_POOL
    try:
        registrar = _registrar(ctx, target)
        pool = _pool_under_test(ctx, registrar)
        _check_started(ctx, pool)
        if not (ctx.get('SenderSipAddress') and ctx.get('ReceiverSipAddress')):
            raise Failure('No test users were given and no health monitoring configuration exists for %s.' % target,
                          'Give -SenderSipAddress and -ReceiverSipAddress.')
        _check_user(ctx, ctx.get('SenderSipAddress'), 'sender', ctx.get('SenderCredential'))
        _check_user(ctx, ctx.get('ReceiverSipAddress'), 'receiver', ctx.get('ReceiverCredential'))
        _check_room(ctx, pool)
        _check_endpoints(ctx, ctx.lync_view(), pool)
    except Failure as failure:
        ctx.warning('Test-CsPersistentChatMessage failed for %s: %s' % (target, failure.error), forceable=True)
        ctx.write(objects.task_output(target, False, (time.time() - started) * 1000, failure.error,
                                      failure.diagnosis))
        return
    ctx.write(objects.task_output(target, True, (time.time() - started) * 1000))
