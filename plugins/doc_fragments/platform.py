# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Options shared by every module that talks to the chat platform (Lync Server or the embedded lab).
    DOCUMENTATION = r'''
options:
  driver:
    description:
      - How to reach the chat platform.
      - V(lab) uses the embedded lab's SQLite store at O(lab_path) (see the collection's docs/lab.md).
      - V(psrp) runs the Lync Server Management Shell cmdlets over PowerShell remoting (pypsrp) on O(psrp_host).
        This driver is tested on the exact cmdlet invocations it sends and on parsing output shaped as the
        cmdlets return it; it has not been run against a live Lync server.
      - If not set, the environment variable E(PCHAT_DRIVER) is used, then V(lab).
    type: str
    choices: [lab, psrp]
    default: lab
  lab_path:
    description:
      - Path of the lab platform store (a SQLite file), with O(driver=lab).
      - If not set, the environment variable E(PCHAT_LAB_PATH) is used.
    type: path
  psrp_host:
    description:
      - Lync Server front end (or any server with the Lync Server Management Shell) to connect to, with O(driver=psrp).
      - If not set, the environment variable E(PCHAT_PSRP_HOST) is used.
    type: str
  psrp_port:
    description:
      - WinRM port. Defaults to 5986 with O(psrp_ssl=true), else 5985.
    type: int
  psrp_username:
    description:
      - Account to connect as; a member of CsAdministrator (and CsPersistentChatAdministrator for migration).
      - If not set, the environment variable E(PCHAT_PSRP_USERNAME) is used.
    type: str
  psrp_password:
    description:
      - Password of O(psrp_username). Never logged.
      - If not set, the environment variable E(PCHAT_PSRP_PASSWORD) is used.
    type: str
  psrp_auth:
    description:
      - WinRM authentication protocol.
    type: str
    choices: [negotiate, kerberos, ntlm, credssp, basic]
    default: negotiate
  psrp_ssl:
    description:
      - Use HTTPS for WinRM.
    type: bool
    default: true
  psrp_cert_validation:
    description:
      - Validate the WinRM server certificate. Turn off only in a throw-away lab.
    type: bool
    default: true
requirements:
  - pypsrp (Python library on the controller), with O(driver=psrp)
'''
