# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit tests' fakes (tests/unit/fakes.py) answer as the real LyncPlatform and Directory do: the seeded lab read
over the real wire (pypsrp to the emulator, ldap3 to Samba) equals what the fakes build for the same lab. Read-only.
A change of a real answer's shape fails here, not silently in the unit tests that trust the fakes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.pchat.cutover.plugins.module_utils.directory import Directory
from ansible_collections.pchat.cutover.plugins.module_utils.lync import LyncPlatform
from ansible_collections.pchat.cutover.tests.unit import fakes

SIP = 'sip:OCSChat@contoso.com'


@pytest.fixture
def platform(lab, clean_lab):
    found = LyncPlatform({
        'psrp_host': lab['PCHAT_PSRP_HOST'], 'psrp_port': int(lab['PCHAT_PSRP_PORT']), 'psrp_path': 'wsman',
        'psrp_username': lab['PCHAT_PSRP_USERNAME'], 'psrp_password': lab['PCHAT_PSRP_PASSWORD'],
        'psrp_auth': 'negotiate', 'psrp_ssl': True, 'psrp_cert_validation': True,
        'psrp_ca_file': lab['PCHAT_PSRP_CA_FILE'],
        'legacy_pools': [{'fqdn': 'gc.contoso.com', 'compliance_servers': ['gccomp01.contoso.com']}]})
    yield found
    found.close()


@pytest.fixture
def directory(lab, clean_lab):
    found = Directory({'ldap_url': lab['PCHAT_LDAP_URL'], 'ldap_bind_dn': lab['PCHAT_LDAP_BIND_DN'],
                       'ldap_bind_password': lab['PCHAT_LDAP_BIND_PASSWORD'], 'ldap_ca_file': lab['PCHAT_LDAP_CA_FILE'],
                       'ldap_validate_certs': True, 'ldap_timeout': 30})
    yield found
    found.close()


def test_pools_are_shaped_as_the_fakes_build_them(platform):
    target = platform.pool('pcpool.contoso.com')
    assert target == fakes.persistent_chat_pool('pcpool.contoso.com', status='stopped')  # seeded: stopped, Normal
    assert platform.pool('gc.contoso.com') == fakes.legacy_pool('gc.contoso.com')  # seeded: started, automatic


def test_endpoints_are_shaped_as_the_fakes_build_them(platform):
    (automatic,) = platform.endpoints(pool_fqdn='pcpool.contoso.com')
    built = fakes.endpoint(automatic['sip_address'], 'pcpool.contoso.com', automatic['display_name'])
    assert sorted(automatic) == sorted(built) and automatic['pool_fqdn'] == built['pool_fqdn']
    assert automatic['dn'].endswith(',' + fakes.CONTACTS) and automatic['dn'].startswith('CN={')
    # the seed's target pools hold no rooms: a listed room's shape (fakes.listed_room) is not compared here
    assert platform.rooms('pcpool.contoso.com') == [] and platform.categories('pcpool.contoso.com') == []


def test_sip_owners_are_answered_as_the_fake_directory_answers(directory, platform):
    (automatic,) = platform.endpoints(pool_fqdn='pcpool.contoso.com')
    fake = fakes.FakeDirectory()
    fake.add_user('OCSChat', SIP)
    fake.add_contact(automatic['dn'], automatic['sip_address'], 'pcpool.contoso.com')
    asked = [SIP, automatic['sip_address'], 'sip:nobody@contoso.com']
    assert directory.find_sip_owners(asked) == fake.find_sip_owners(asked)
