# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The -Filter of Lync's AD cmdlets ("the same Windows PowerShell filtering syntax used by the Where-Object
cmdlet"): the lab understands ``Property -op value`` terms (-eq, -ne, -like, -notlike; quoted text, $True,
$False, $null) joined by -and / -or, in braces or not. Anything else is refused with an error saying so."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from lab.emulator.cmdlets.common import matches

_TERM = re.compile(r'''^\s*(\w+)\s+-(eq|ne|like|notlike)\s+(?:"([^"]*)"|'([^']*)'|(\$true|\$false|\$null)|(\S+))\s*$''',
                   re.IGNORECASE)


def _value(match):
    if match.group(5):
        return {'$true': True, '$false': False, '$null': None}[match.group(5).lower()]
    for index in (3, 4, 6):
        if match.group(index) is not None:
            return match.group(index)
    return None


def _compare(actual, op, wanted):
    if isinstance(wanted, bool) or wanted is None:
        same = actual == wanted if isinstance(actual, bool) or actual is None else str(actual).lower() == str(
            wanted).lower()
    elif op in ('like', 'notlike'):
        same = matches(wanted, '' if actual is None else str(actual))
    else:
        same = str(actual if actual is not None else '').lower() == str(wanted).lower()
    return same if op in ('eq', 'like') else not same


def compile_filter(ctx, text):
    """A predicate over a PSObj's properties, or a terminating error for syntax the lab does not support."""
    body = text.strip()
    if body.startswith('{') and body.endswith('}'):
        body = body[1:-1]
    alternatives = []
    for branch in re.split(r'\s+-or\s+', body, flags=re.IGNORECASE):
        terms = []
        for part in re.split(r'\s+-and\s+', branch, flags=re.IGNORECASE):
            match = _TERM.match(part)
            if not match:
                ctx.fail(ctx.cmdlet_error('The filter "%s" is not supported by the Lync emulator: use Property -eq '
                                          '|-ne|-like|-notlike value, joined by -and or -or.' % text,
                                          'FilterNotSupported', category='InvalidArgument', target=text))
            terms.append((match.group(1), match.group(2).lower(), _value(match)))
        alternatives.append(terms)

    def predicate(obj):
        props = dict((k.lower(), v) for k, v in obj.properties.items())
        return any(all(_compare(props.get(name.lower()), op, wanted) for name, op, wanted in terms)
                   for terms in alternatives)
    return predicate


def principal_filter(ctx, text, builder):
    """A predicate over directory principals: ``builder`` makes the object whose properties the filter reads."""
    test = compile_filter(ctx, text)
    return lambda principal: test(builder(principal))
