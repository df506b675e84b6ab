# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded lab: a real Samba AD DC for contoso.com on loopback plus the Lync emulator and its store.

Run it with ``python -m lab up|down|status`` from the repository root (``make lab`` does).
See docs/lab.md.
"""

import os
import sys

# Tools that use the lab next to the collection (tests, benchmarks) import the checkout as
# ansible_collections.pchat.cutover, as `make setup` links it; the lab itself no longer imports the collection.
_COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '.ansible', 'collections')
_LINK = os.path.join(_COLLECTIONS, 'ansible_collections', 'pchat', 'cutover')
if not os.path.lexists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(os.path.join('..', '..', '..', '..'), _LINK)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
