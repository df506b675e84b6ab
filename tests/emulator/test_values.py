# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conversions across the seam that the pypsrp client cannot send over the wire (test_transport.py covers the rest
end to end): psrpcore values in, plain Python out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import decimal

from psrpcore.types import PSChar, PSDateTime, PSDecimal, PSInt64, PSList, PSString

from lab.emulator import api, values


def test_datetimes_arrive_aware_utc():
    local = datetime.timezone(datetime.timedelta(hours=2))
    plain = values.to_plain(PSDateTime(2026, 1, 2, 12, 0, 0, tzinfo=local))
    assert plain.__class__ is datetime.datetime
    assert plain == datetime.datetime(2026, 1, 2, 10, 0, 0, tzinfo=datetime.timezone.utc)
    assert plain.tzinfo is datetime.timezone.utc
    naive = values.to_plain(PSDateTime(2026, 1, 2, 12, 0, 0))
    assert naive.tzinfo is datetime.timezone.utc and naive.hour == 12


def test_psrpcore_wrappers_become_builtins():
    assert values.to_plain(PSString('x')).__class__ is str  # not psrpcore's subclass
    assert values.to_plain(PSInt64(5)).__class__ is int
    assert values.to_plain(PSChar('a')) == 'a'
    assert values.to_plain(PSDecimal(decimal.Decimal('1.5'))) == 1.5
    converted = values.to_plain(PSList([PSString('a'), PSInt64(1)]))
    assert converted == ['a', 1] and converted.__class__ is list


def test_enums_both_ways():
    member = values.to_psrp(api.PSEnum('System.ServiceProcess.ServiceControllerStatus', 'Stopped', 1))
    assert member.PSObject.type_names[:2] == ['System.ServiceProcess.ServiceControllerStatus', 'System.Enum']
    assert int(member) == 1 and member.name == 'Stopped'
    back = values.to_plain(member)
    assert back == api.PSEnum('System.ServiceProcess.ServiceControllerStatus', 'Stopped', 1)
    assert back.name == 'Stopped'


def test_depth_one_out():
    inner = api.PSObj(['Inner'], [('A', 1)], 'inner text')
    outer = values.to_psrp(api.PSObj(['Outer'], [('Child', inner), ('Children', [inner])], 'outer'))
    props = {p.name: p.get_value(outer) for p in outer.PSObject.adapted_properties}
    assert props['Child'] == 'inner text'
    assert list(props['Children']) == ['inner text']
    assert outer.PSObject.type_names == ['Outer', 'System.Object']


def test_values_the_seam_does_not_list_are_refused():
    try:
        values.to_psrp(object())
    except TypeError as exc:
        assert 'cannot send' in str(exc)
    else:
        raise AssertionError('an unknown value type was sent')
