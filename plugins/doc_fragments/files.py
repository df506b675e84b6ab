# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # What chat_files and chat_files_info share: which unit's uploaded files, from where to where.
    DOCUMENTATION = r'''
options:
  source_pool:
    description:
      - FQDN of the legacy Group Chat pool whose rooms the files were posted to (named in messages and in the manual
        step).
    type: str
    required: true
  target_pool:
    description:
      - FQDN of the Persistent Chat pool; its file store is found in the topology (the C(FileStore) of its
        C(PersistentChatServer) service, that file store's C(UncPath)), and the files go into the pool's folder there,
        named by the service's C(ServiceId).
    type: str
    required: true
  source_dir:
    description:
      - The Group Chat file repository, where the legacy Web service keeps uploaded files, for example
        V(\\\\gc01.contoso.com\\GroupChatFiles). It is a setting of Group Chat, not of the Lync topology, so no cmdlet
        finds it; unset, the result is a manual step that names the target.
    type: str
  target_dir:
    description:
      - The folder to copy into, instead of the one found in the topology.
    type: str
notes:
  - Files are listed and copied with C(Get-ChildItem), C(Copy-Item) and C(New-Item) in the front end's session, which
    Lync's own endpoint (O(psrp_path=OcsPowershell)) does not offer; there the result is a manual step with both
    paths and the command. Shares on other servers are a second hop from that session (CredSSP or Kerberos
    delegation to their C(cifs) service); when a share cannot be listed, the result is a manual step too.
  - Files compare by relative path (without regard to case), size and last write time (2 seconds apart count as the
    same); a file newer on the target is kept and reported.
'''
