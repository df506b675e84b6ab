# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-CsPersistentChatMessage: the synthetic transaction that has two users exchange messages in a chat room.

The lab cannot sign users in, so it checks what the transaction depends on (docs/lab-emulator.md): the pool under
test is started (its chat services run on every active server, pool state Normal), sender and receiver exist as
SIP-enabled users in Lync's view of AD, the chat room exists and is enabled, and every Persistent Chat endpoint
homed on the pool owns its SIP URI alone (so a legacy client's URI resolves to this pool and nothing else)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from lab import topology
from lab.emulator import objects
from lab.emulator.binding import BOOL, CREDENTIAL, INT, STRING, SWITCH, Enum, Param
from lab.emulator.cmdlets import cmdlet
from lab.emulator.cmdlets.common import chat_services, pool_row
from lab.emulator.cmdlets.endpoints import endpoints

CLIENT, SERVER = 'ClientPlatform', 'ServerPlatform'


class Failure(Exception):
    def __init__(self, error, diagnosis):
        super(Failure, self).__init__(error)
        self.error = error
        self.diagnosis = diagnosis


def _pool_under_test(ctx, target):
    room_uri = ctx.get('ChatRoomUri')
    if room_uri:
        pool_name, _sep, room_name = room_uri.partition('\\')
        pool = pool_row(ctx.store, pool_name, 'PersistentChatServer')
        if pool is None or not room_name:
            raise Failure('Chat room "%s" was not found.' % room_uri, 'ChatRoomUri must be <Persistent Chat pool '
                                                                      'FQDN>\\<room name>.')
        return pool
    pool = pool_row(ctx.store, target, 'PersistentChatServer')
    if pool is not None:
        return pool
    registrar = pool_row(ctx.store, target, 'FrontEnd')
    if registrar is None:
        raise Failure('"%s" is neither a Registrar pool nor a Persistent Chat pool.' % target,
                      'Give the FQDN of the Registrar pool or of the Persistent Chat pool to test.')
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


def _check_user(ctx, view, sip, role):
    owners = [p for p in view.sip_owners(sip) if p.kind == 'user']
    if not owners or str(owners[0].get('msRTCSIP-UserEnabled', '')).upper() != 'TRUE':
        raise Failure('The %s %s is not a user enabled for Lync Server.' % (role, sip),
                      'Use two SIP-enabled test users.')


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
        pool = _pool_under_test(ctx, target)
        _check_started(ctx, pool)
        if not (ctx.get('SenderSipAddress') and ctx.get('ReceiverSipAddress')):
            raise Failure('No test users were given and no health monitoring configuration exists for %s.' % target,
                          'Give -SenderSipAddress and -ReceiverSipAddress.')
        view = ctx.lync_view()
        _check_user(ctx, view, ctx.get('SenderSipAddress'), 'sender')
        _check_user(ctx, view, ctx.get('ReceiverSipAddress'), 'receiver')
        _check_room(ctx, pool)
        _check_endpoints(ctx, view, pool)
    except Failure as failure:
        ctx.warning('Test-CsPersistentChatMessage failed for %s: %s' % (target, failure.error), forceable=True)
        ctx.write(objects.task_output(target, False, (time.time() - started) * 1000, failure.error,
                                      failure.diagnosis))
        return
    ctx.write(objects.task_output(target, True, (time.time() - started) * 1000))
