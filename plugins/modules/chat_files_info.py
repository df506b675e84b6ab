#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_files_info
short_description: Compare the files uploaded to legacy Group Chat rooms with the Persistent Chat file store
version_added: 0.3.0
description:
  - Finds the Persistent Chat pool's folder in its file store (C(Get-CsService)), lists the Group Chat file
    repository and that folder (C(Get-ChildItem -Recurse)), and says what M(pchat.cutover.chat_files) would copy.
  - When the front end cannot list or copy them (Lync's own endpoint, no repository given, a share it cannot read),
    the status is V(manual_step) and O(ignore:manual_step) says what to do by hand, with both paths.
  - Read-only twin of M(pchat.cutover.chat_files); the preflight phase plans from it.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.files
  - pchat.cutover.platform
  - pchat.cutover.lease
  - pchat.cutover.directory
  - pchat.cutover.info_module
options:
  copied_by_hand:
    description:
      - The operator says the files were copied by hand (for a front end the cutover cannot check, such as Lync's own
        endpoint). Nothing is read; the status is V(done_by_hand), which the verdict lists as not verified.
    type: bool
    default: false
seealso:
  - module: pchat.cutover.chat_files
'''

EXAMPLES = r'''
- name: Which uploaded files are not yet in the Persistent Chat file store?
  pchat.cutover.chat_files_info:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    source_dir: \\gc01.contoso.com\GroupChatFiles
  register: files
'''

RETURN = r'''
status:
  description: V(in_sync) (every file is there), V(to_copy) (some are missing or older), V(manual_step),
    V(done_by_hand) (O(copied_by_hand)) or V(unknown) (O(target_pool) is no Persistent Chat pool; C(summary) says
    so).
  returned: always
  type: str
  sample: to_copy
source_dir:
  description: The Group Chat file repository (as given).
  returned: always
  type: str
  sample: '\\gcfs.contoso.com\GroupChatFiles'
target_dir:
  description: The folder in the Persistent Chat file store, or V(null) when it could not be found.
  returned: always
  type: str
  sample: '\\pcfs.contoso.com\share\1-PersistentChatServer-1'
target_from:
  description: V(topology) or V(inventory) (O(target_dir)), V(null) when not found.
  returned: always
  type: str
  sample: topology
manual_step:
  description: With V(manual_step), what to do by hand (both paths, the command) and why the cutover could not.
  returned: always
  type: str
  sample: ''
counts:
  description: C(files), C(bytes) (the repository), C(present), C(to_copy), C(to_copy_bytes), C(copied),
    C(copied_bytes), C(newer_on_target); empty with V(manual_step).
  returned: always
  type: dict
  sample: {files: 7, bytes: 66534, present: 0, to_copy: 7, to_copy_bytes: 66534, newer_on_target: 0}
files:
  description: Relative paths of the files to copy (at most 50).
  returned: always
  type: list
  sample: [Engineering/design-review.docx, readme.txt]
  elements: str
newer_on_target:
  description: Relative paths of files newer on the target, which are kept (at most 50).
  returned: always
  type: list
  sample: []
  elements: str
summary:
  description: One line saying where the files stand.
  returned: always
  type: str
  sample: 7 file(s) (66,534 bytes) to copy to the Persistent Chat file store
'''

from ansible_collections.pchat.cutover.plugins.module_utils.file_store_backend import FILES_ARGUMENT_SPEC, FileStoreBackend
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule


def main():
    module = PchatModule(argument_spec=dict(FILES_ARGUMENT_SPEC, copied_by_hand=dict(type='bool', default=False)),
                         uses=('platform',))
    module.run(lambda: FileStoreBackend(module.platform, module.params, module.check_mode).info())


if __name__ == '__main__':
    main()
