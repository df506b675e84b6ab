#!/usr/bin/env bash
# The support matrix's oldest end (docs/packaging.md): unit tests and ansible-test sanity with the oldest
# ansible-core that meta/runtime.yml declares, from .venv-oldest/ (`make setup-oldest` builds it). The newest end is
# .venv/, tested by the unit and sanity steps of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ansible_test.sh
venv=${OLDEST_VENV:-.venv-oldest}
[ -x "$venv/bin/ansible-test" ] || { echo "$venv has no ansible-test: run make setup-oldest" >&2; exit 1; }
start=$(date +%s)
core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
echo "ansible-core $core on Python $(venv_python_version "$venv") ($venv)"

"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit
# A work folder per checkout: worktrees and CI clones on one machine must not share it.
run_sanity "$venv" "${MATRIX_WORKDIR:-/tmp/pchat-matrix-$(pwd | cksum | cut -d' ' -f1)}"
echo "support matrix, ansible-core $core: unit tests and sanity passed in $(( $(date +%s) - start )) s"
