# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""psrp_auth=credssp against a front end that does not accept CredSSP, on the real path: pypsrp with
requests-credssp (pypsrp[credssp]) over HTTPS to the lab's emulator, whose listener offers Negotiate only (as a WinRM
listener does until `Enable-WSManCredSSP -Role Server`; lab/emulator/auth.py). requests-credssp then raises its own
"did not response CredSSP" error, which used to end the module in a traceback: the task now fails with the fix
(enable CredSSP on the front end, or negotiate with Kerberos delegation) and Microsoft's page for it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

pytest.importorskip('requests_credssp')  # requirements-dev.txt installs it; the message needs it to be reached


@pytest.mark.parametrize('module, args', [
    ('chat_pool_info', {'fqdns': ['pcpool.contoso.com']}),
    ('chat_pool', {'fqdn': 'gc.contoso.com', 'state': 'disabled', 'kind': 'legacy'}),
], ids=['read', 'change'])
def test_a_front_end_without_credssp_names_the_fix(run, observer, module, args):
    before = observer.inspect()
    result = run(module, dict(args, psrp_auth='credssp'))
    assert result.failed and 'Traceback' not in result.stderr, result.stderr[-2000:]
    message = result['msg']
    assert 'does not accept CredSSP' in message and 'Enable-WSManCredSSP -Role Server' in message, message
    assert 'https://learn.microsoft.com/powershell/module/microsoft.wsman.management/enable-wsmancredssp' in message
    assert 'psrp_auth=negotiate with Kerberos delegation' in message
    assert result['details']['error_type'] == 'AuthenticationException'
    # Refused at logon: no runspace pool, no pipeline, nothing changed.
    assert not result.requests.runspaces
    assert observer.inspect() == before
