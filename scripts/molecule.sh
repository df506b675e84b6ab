#!/usr/bin/env bash
# The molecule scenarios (default driver, localhost, against the lab): cutover, check_mode, rollback.
# Each prepares an untouched lab first, so this leaves a lab that has been cut over.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
for scenario in ${MOLECULE_SCENARIOS:-cutover check_mode rollback}; do
  printf '\n--- molecule scenario %s\n' "$scenario"
  start=$(date +%s)
  molecule test -s "$scenario"
  echo "scenario $scenario: $(( $(date +%s) - start )) s"
done
