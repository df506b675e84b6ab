#!/usr/bin/env bash
# `make demo`: the lab is up (make lab ran first). Reset it to its seeded state, then run the whole cutover of its
# two units in parallel, through PowerShell remoting to the Lync emulator: the --check --diff preview, the real
# run, an idempotent re-run; print the report and what the emulator was asked.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg"
lab=${LAB_DIR:-.lab}
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

echo "== The lab, as make lab seeded it"
python -m lab reset
rm -rf "$lab/state" "$lab/reports"

echo "== The pools before (pchat.cutover.chat_pool_info over PowerShell remoting)"
ansible-playbook demo/pools.yml | grep -E '^ +"[a-z]'

echo "== Preview: ansible-playbook playbooks/cutover.yml --check --diff (changes nothing, writes a preview report)"
start=$(date +%s.%N); ansible-playbook playbooks/cutover.yml --check --diff > "$lab/demo-check.log"; t_check=$(since "$start")
grep -A3 'PLAY RECAP' "$lab/demo-check.log"

echo "== The cutover: ansible-playbook playbooks/cutover.yml"
start=$(date +%s.%N); ansible-playbook playbooks/cutover.yml > "$lab/demo-run.log"; t_run=$(since "$start")
grep -E '"msg": ".* -> .*left to do' "$lab/demo-run.log" | sed 's/^ *"msg": //'
grep -A3 'PLAY RECAP' "$lab/demo-run.log"
# The cutover's own report (the re-run below writes one of its own, with nothing left to do)
report=$(ls -t "$lab"/reports/contoso_group_chat-*-run.md | head -1)

echo "== Again (idempotent: changed=0, and no export or import sent)"
log_size=$(stat -c %s "$lab/psrp-requests.jsonl")
start=$(date +%s.%N); ansible-playbook playbooks/cutover.yml > "$lab/demo-again.log"; t_again=$(since "$start")
grep -A3 'PLAY RECAP' "$lab/demo-again.log"
python - "$lab/psrp-requests.jsonl" "$log_size" <<'PY'
import json, sys
with open(sys.argv[1]) as handle:
    handle.seek(int(sys.argv[2]))
    lines = [json.loads(line) for line in handle]
pipelines = [l for l in lines if 'cmdlets' in l]
moved = [c for l in pipelines for c in l['cmdlets'] if c.endswith('PersistentChatData')]
print('re-run: %d pipelines in %d runspace pools; export/import pipelines: %d'
      % (len(pipelines), len([l for l in lines if l.get('event') == 'open']), len(moved)))
PY

echo "== The pools after"
ansible-playbook demo/pools.yml | grep -E '^ +"[a-z]'

echo "== Checked with the lab's own view (python -m lab inspect, LDAP)"
python tests/lab_checks.py "$lab" gc.contoso.com pcpool.contoso.com sip:OCSChat@contoso.com "$lab/state"
python tests/lab_checks.py "$lab" gc2.contoso.com pcpool2.contoso.com sip:OCSChat2@contoso.com "$lab/state"

echo "== The cutover's report ($report; HTML beside it; each unit has its own)"
sed -n '1,/^### Rehearsal/p' "$report" | grep -v '^### Rehearsal' | head -90
echo "(the rest of it: the rehearsal's warnings, the rooms, the owner, the pools, the verification)"
echo
echo "Timings: preview ${t_check} s, cutover ${t_run} s, idempotent re-run ${t_again} s (two units in parallel)."
echo "Reports: $(ls "$lab"/reports/*-latest.* | tr '\n' ' ')"
echo "Roll back with: .venv/bin/ansible-playbook playbooks/rollback.yml ; the lab stays up ('make lab-down' removes it)."
