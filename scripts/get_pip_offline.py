# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip.py that ``ansible-test --venv`` downloads (it cannot be fetched from here).

scripts/sanity.sh copies it to ~/.ansible/test/cache/get_pip_<version>.py. Like get-pip.py it takes pip-install
arguments plus --no-setuptools/--no-wheel; it bootstraps pip with ensurepip, then installs what was asked for
from the package index, trusting the system CA bundle.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'


def main():
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
    command = [sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check']
    if os.path.exists(CA_BUNDLE):
        command += ['--cert', CA_BUNDLE]
    subprocess.check_call(command + args)


if __name__ == '__main__':
    main()
