#!/usr/bin/env bash
# `make demo`: the lab is up (make lab ran first); run the whole cutover on it, both units in parallel:
# first the --check --diff preview, then the real run, then an idempotent re-run; print the report.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

echo "== Who owns the well-known Group Chat URIs, and 50 member URIs (read-only)"
sample=$(.venv/bin/python -c 'import json; print(json.dumps({"pchat_report_sip_addresses": ["sip:labuser%05d@contoso.com" % i for i in range(1, 51)] + ["sip:nobody@contoso.com"]}))')
ansible-playbook playbooks/directory_report.yml -e "$sample" | grep -E '"msg"|RECAP|: ok='

echo "== The pools before"
ansible-playbook demo/pools.yml | grep -E '^ +"[a-z]'

echo "== Preview: ansible-playbook playbooks/cutover.yml --check --diff (changes nothing, writes a preview report)"
start=$(date +%s.%N); ansible-playbook playbooks/cutover.yml --check --diff > .lab/demo-check.log; t_check=$(since "$start")
grep -A3 'PLAY RECAP' .lab/demo-check.log

echo "== The cutover: ansible-playbook playbooks/cutover.yml"
start=$(date +%s.%N); ansible-playbook playbooks/cutover.yml > .lab/demo-run.log; t_run=$(since "$start")
report=$(ls -t reports/contoso_group_chat-*-run.md | head -1)
grep -A12 'Show the plan' .lab/demo-run.log | grep -E 'left to do|owner now' | head -4
grep -A3 'PLAY RECAP' .lab/demo-run.log

echo "== Again (idempotent: changed=0)"
start=$(date +%s.%N); ansible-playbook playbooks/cutover.yml > .lab/demo-again.log; t_again=$(since "$start")
grep -A3 'PLAY RECAP' .lab/demo-again.log

echo "== The pools after"
ansible-playbook demo/pools.yml | grep -E '^ +"[a-z]'

echo "== Summary of the cutover's report ($report; HTML beside it; each unit has its own)"
sed -n '1,/^## Rooms/p' "$report" | grep -v '^## Rooms' | head -70
echo
echo "Timings: preview ${t_check} s, cutover ${t_run} s, idempotent re-run ${t_again} s (two units in parallel)."
echo "Reports: $(ls reports/*-latest.* | tr '\n' ' ')"
echo "Roll back with: .venv/bin/ansible-playbook playbooks/rollback.yml ; the lab stays up ('make lab-down' removes it)."
