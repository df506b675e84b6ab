#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: chat_files
short_description: Copy the files uploaded to legacy Group Chat rooms into the Persistent Chat file store
version_added: 0.3.0
description:
  - The migration guide's step after the import - "XCOPY all uploaded files (the entire folder) to the new ...
    Persistent Chat file store" - which the import does not do.
  - Lists both sides (C(Get-ChildItem -Recurse)) and copies what the file store lacks or holds in an older version,
    with one C(Copy-Item -Recurse -Force) per folder that receives something (a missing sub-folder is copied whole), the
    target folder made first if it cannot be listed (C(New-Item -ItemType Directory -Force)). Copies keep their last
    write time, so a run again copies nothing. Afterwards the target is listed again; a file still missing fails the
    task, naming it.
  - Never deletes, and never overwrites a file that is newer on the target (a legacy client may have posted it to
    the new pool); those are reported.
  - When the front end cannot list or copy the files, nothing is changed and the result is V(manual_step) with what
    to do by hand; the cutover's verdict then says PASSED, manual step pending.
author:
  - pchat.cutover contributors (@pchat-cutover)
extends_documentation_fragment:
  - pchat.cutover.files
  - pchat.cutover.platform
  - pchat.cutover.lease
  - pchat.cutover.directory
attributes:
  check_mode:
    support: full
    description: Lists both sides and reports what would be copied (counts and bytes); copies nothing.
  diff_mode:
    support: full
    description: The number of files missing from the file store before and after.
seealso:
  - module: pchat.cutover.chat_files_info
'''

EXAMPLES = r'''
- name: Copy the uploaded files into the Persistent Chat file store
  pchat.cutover.chat_files:
    source_pool: gc.contoso.com
    target_pool: pcpool.contoso.com
    source_dir: \\gc01.contoso.com\GroupChatFiles
  register: files

- name: Say what is left to do by hand, if anything
  ansible.builtin.debug:
    msg: "{{ files.manual_step or files.summary }}"
'''

RETURN = r'''
status:
  description: V(in_sync), V(to_copy) (check mode), V(copied) or V(manual_step).
  returned: always
  type: str
  sample: copied
source_dir:
  description: The Group Chat file repository.
  returned: always
  type: str
  sample: '\\gcfs.contoso.com\GroupChatFiles'
target_dir:
  description: The folder in the Persistent Chat file store, or V(null) when it could not be found.
  returned: always
  type: str
  sample: '\\pcfs.contoso.com\share\1-PersistentChatServer-1'
target_from:
  description: V(topology) or V(inventory), V(null) when not found.
  returned: always
  type: str
  sample: topology
manual_step:
  description: With V(manual_step), what to do by hand and why.
  returned: always
  type: str
  sample: ''
counts:
  description: C(files), C(bytes), C(present), C(to_copy), C(to_copy_bytes), C(copied), C(copied_bytes),
    C(newer_on_target).
  returned: always
  type: dict
  sample: {files: 7, bytes: 66534, present: 0, to_copy: 0, to_copy_bytes: 0, copied: 7, copied_bytes: 66534,
           newer_on_target: 0}
files:
  description: Relative paths of the files copied (or, in check mode, to copy), at most 50.
  returned: always
  type: list
  sample: [Engineering/design-review.docx, readme.txt]
  elements: str
newer_on_target:
  description: Relative paths of files kept because they are newer on the target.
  returned: always
  type: list
  sample: []
  elements: str
summary:
  description: One line saying what was done.
  returned: always
  type: str
  sample: copied 7 file(s) (66,534 bytes) to the Persistent Chat file store
'''

from ansible_collections.pchat.cutover.plugins.module_utils.file_store_backend import FILES_ARGUMENT_SPEC, FileStoreBackend
from ansible_collections.pchat.cutover.plugins.module_utils.module_base import PchatModule


def main():
    module = PchatModule(argument_spec=dict(FILES_ARGUMENT_SPEC), uses=('platform',))
    module.run(lambda: FileStoreBackend(module.platform, module.params, module.check_mode).run())


if __name__ == '__main__':
    main()
