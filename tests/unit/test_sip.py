# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError
from ansible_collections.pchat.cutover.plugins.module_utils.sip import normalize_sip, sip_equal, validate_fqdn


@pytest.mark.parametrize('value, expected', [
    ('sip:OCSChat@contoso.com', 'sip:ocschat@contoso.com'),
    ('SIP:first.last@Sub.Contoso.com', 'sip:first.last@sub.contoso.com'),
    ("sip:o'brien+x@contoso.com", "sip:o'brien+x@contoso.com"),
])
def test_normalize_sip_accepts(value, expected):
    assert normalize_sip(value) == expected


@pytest.mark.parametrize('value, fragment', [
    ('OCSChat@contoso.com', "lacks the 'sip:' prefix"),
    ('sip:ocschat', 'malformed'),
    ('sip:@contoso.com', 'malformed'),
    ('sip:a@b', 'malformed'),
    ('sip:*)(objectClass=*@contoso.com', 'malformed'),
    ('sip:a,b=c@contoso.com', 'malformed'),
    ('sip:a@contoso.com;drop', 'malformed'),
    ('sip:' + 'a' * 460 + '@contoso.com', 'too long'),
    (42, 'not a string'),
])
def test_normalize_sip_rejects(value, fragment):
    with pytest.raises(PchatError) as err:
        normalize_sip(value)
    assert fragment in err.value.msg


@pytest.mark.parametrize('value', ['pcpool', 'pc_pool.contoso.com', '-a.contoso.com', 'a..b', "x';drop.com", ''])
def test_validate_fqdn_rejects(value):
    with pytest.raises(PchatError) as err:
        validate_fqdn(value, 'pool')
    assert 'not a fully qualified domain name' in err.value.msg


def test_validate_fqdn_lowercases():
    assert validate_fqdn('PCPool.Contoso.com') == 'pcpool.contoso.com'


def test_sip_equal_ignores_case_and_prefix():
    assert sip_equal('sip:OCSChat@contoso.com', 'ocschat@CONTOSO.com')
    assert not sip_equal('sip:a@contoso.com', 'sip:b@contoso.com')
