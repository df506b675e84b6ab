# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded lab: a real Samba AD DC for contoso.com on loopback plus a SQLite stand-in for Lync.

Run it with ``python -m lab up|down|status`` from the repository root (``make lab`` does).
See docs/lab.md.
"""

import os
import sys

# The lab uses the collection's own store code (plugins/module_utils/lab_store.py): make the checkout importable
# as ansible_collections.pchat.cutover, as `make setup` links it.
_COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '.ansible', 'collections')
_LINK = os.path.join(_COLLECTIONS, 'ansible_collections', 'pchat', 'cutover')
if not os.path.lexists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(os.path.join('..', '..', '..', '..'), _LINK)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
