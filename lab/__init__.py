# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded lab: a real Samba AD DC for contoso.com on loopback plus a SQLite stand-in for Lync.

Run it with ``python -m lab up|down|status`` from the repository root (``make lab`` does).
See docs/lab.md.
"""
