#!/usr/bin/env bash
# ansible-lint, production profile, offline, on the collection as it would be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$PWD/.ansible/collections"
mkdir -p .ansible/collections/ansible_collections/pchat
[ -e .ansible/collections/ansible_collections/pchat/cutover ] || ln -s ../../../.. .ansible/collections/ansible_collections/pchat/cutover
ansible-lint --offline --profile production "$@"
