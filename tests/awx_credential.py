# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A credential of the custom credential type in docs/awx-credential-type.yml, injected into a job as AWX injects
it (CredentialType.inject_credential in AWX's awx/main/models/credential):

* the inputs are checked against the type's fields (known ids, required ones given, choices);
* an input left empty is not in the template namespace, so its templates render '' (AWX's Jinja environment has
  the default Undefined);
* each ``file`` injector is rendered into a new file of the job's ``env/`` folder (mode 0600), whose path the
  ``tower.filename.<name>`` namespace holds for the other templates;
* each ``env`` injector is rendered with Jinja's immutable sandbox.

The credential type the docs give is the one the tests use: a change to it that breaks the jobs breaks the tests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
import tempfile
import types

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CREDENTIAL_TYPE = os.path.join(ROOT, 'docs', 'awx-credential-type.yml')


def credential_type():
    with open(CREDENTIAL_TYPE) as handle:
        return yaml.safe_load(handle)


def check_inputs(kind, inputs):
    fields = dict((field['id'], field) for field in kind['inputs']['fields'])
    unknown = sorted(set(inputs) - set(fields))
    assert not unknown, 'inputs the credential type does not have: %s' % unknown
    missing = [name for name in kind['inputs'].get('required', []) if not inputs.get(name)]
    assert not missing, 'required inputs left empty: %s' % missing
    for name, value in inputs.items():
        choices = fields[name].get('choices')
        assert not (value and choices) or value in choices, '%s=%r is not one of %s' % (name, value, choices)


def inject(inputs, env_dir):
    """The environment variables the credential gives a job whose private data directory's env/ is ``env_dir``."""
    kind = credential_type()
    check_inputs(kind, inputs)
    namespace = dict((name, value) for name, value in inputs.items() if value)
    sandbox = ImmutableSandboxedEnvironment()
    filenames = types.SimpleNamespace()
    os.makedirs(env_dir, mode=0o700, exist_ok=True)
    for label, template in (kind['injectors'].get('file') or {}).items():
        fd, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(fd, 'w') as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        setattr(filenames, label.split('.', 1)[1], path)
    namespace['tower'] = types.SimpleNamespace(filename=filenames)
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in kind['injectors']['env'].items())


def lab_inputs(running_lab):
    """What an AWX administrator types into a credential for the lab: the CA certificates pasted as PEM, and the
    port, endpoint and authentication left empty where the lab uses the defaults the type's help texts give."""
    settings = running_lab.connection

    def pem(setting):
        with open(settings[setting]) as handle:
            return handle.read()
    defaults = {'PCHAT_PSRP_PORT': '5986', 'PCHAT_PSRP_PATH': 'wsman', 'PCHAT_PSRP_AUTH': 'negotiate'}
    inputs = {'ldap_url': settings['PCHAT_LDAP_URL'], 'ldap_bind_dn': settings['PCHAT_LDAP_BIND_DN'],
              'ldap_bind_password': settings['PCHAT_LDAP_BIND_PASSWORD'], 'ldap_ca': pem('PCHAT_LDAP_CA_FILE'),
              'psrp_host': settings['PCHAT_PSRP_HOST'], 'psrp_username': settings['PCHAT_PSRP_USERNAME'],
              'psrp_password': settings['PCHAT_PSRP_PASSWORD'], 'psrp_ca': pem('PCHAT_PSRP_CA_FILE')}
    for setting, default in defaults.items():
        if settings[setting] != default:
            inputs[setting[len('PCHAT_'):].lower()] = settings[setting]
    return inputs
