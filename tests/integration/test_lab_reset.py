# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The suite's lab reset (lab_reset.py) puts back what tests change: the store, the directory (well-known users,
seeded lab users, endpoint contacts), Lync's view of AD and the knobs; and it is fast."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from lab_reset import WELL_KNOWN

WELL_KNOWN_DN = 'CN=OCSChat,CN=Users,DC=contoso,DC=com'
LAB_USER_DN = 'CN=Lab User 00002,OU=Lab Users,DC=contoso,DC=com'


def test_reset_restores_store_directory_view_and_knobs(run, clean_lab, lab_reset, directory, ldap_admin):
    observer = clean_lab
    pristine = observer.inspect()
    pristine_name = directory.attribute(LAB_USER_DN, 'displayName')
    observer.set_chat_services('gc.contoso.com', 'Stopped', 'Disabled')
    directory.delete(WELL_KNOWN_DN)
    directory.delete(LAB_USER_DN)
    assert ldap_admin.modify('CN=OCSChat2,CN=Users,DC=contoso,DC=com',
                             {'description': [('MODIFY_REPLACE', ['changed by a test'])]})
    assert run('legacy_endpoint', {'sip_address': 'sip:OCSChat@contoso.com', 'pool_fqdn': 'pcpool.contoso.com'}).changed
    observer.knobs(ad_replication_lag_s=300, pipeline_latency_ms=5)
    assert observer.inspect() != pristine

    started = time.time()
    lab_reset.restore()
    assert time.time() - started < 5

    assert observer.inspect() == pristine
    for dn, attributes in WELL_KNOWN:
        for name in ('msRTCSIP-PrimaryUserAddress', 'description', 'sAMAccountName'):
            assert directory.attribute(dn, name) == attributes[name]
    assert directory.attribute(LAB_USER_DN, 'msRTCSIP-PrimaryUserAddress') == 'sip:labuser00002@contoso.com'
    assert directory.attribute(LAB_USER_DN, 'displayName') == pristine_name
    knobs = observer.knob_values()
    assert (knobs['ad_replication_lag_s'], knobs['pipeline_latency_ms']) == (0, 0)
    # Lync's view knows the re-added user only under its new objectGUID: with a lag, nothing deleted is still seen
    view = observer.store_rows("SELECT object_guid FROM ad_view WHERE sip = 'sip:OCSChat@contoso.com'")
    assert view == [(str(directory.attribute(WELL_KNOWN_DN, 'objectGUID')).strip('{}').lower(),)]
