#!/usr/bin/env bash
# ansible-test sanity (the venv's ansible-core) on a copy of the collection placed at ansible_collections/pchat/cutover/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ansible_test.sh
run_sanity .venv "${SANITY_WORKDIR:-/tmp/pchat-sanity}" "$@"
