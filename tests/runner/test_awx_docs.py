# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/awx.md shows the credential type that the workflow test injects (docs/awx-credential-type.yml): what an
administrator pastes into AWX is what is tested."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from awx_credential import ROOT, credential_type  # noqa: E402 pylint: disable=wrong-import-position


def yaml_blocks(path):
    """{first comment line: the parsed block} of the YAML code blocks of a Markdown file."""
    with open(path) as handle:
        text = handle.read()
    blocks = {}
    for body in re.findall(r'^```yaml\n(.*?)^```', text, re.MULTILINE | re.DOTALL):
        first = body.splitlines()[0]
        if first.startswith('# '):
            blocks[first[2:]] = yaml.safe_load(body)
    return blocks


def test_the_docs_show_the_credential_type_that_is_tested():
    blocks = yaml_blocks(os.path.join(ROOT, 'docs', 'awx.md'))
    kind = credential_type()
    assert blocks['Input configuration'] == kind['inputs']
    assert blocks['Injector configuration'] == kind['injectors']
    assert all(name.startswith('PCHAT_') for name in kind['injectors']['env'])  # what the modules read, nothing else
