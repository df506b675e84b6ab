#!/usr/bin/env bash
# `make demo`: the lab is up (make lab ran first); show the cutover's directory side working on it.
# Later phases (platform, migration, roles) extend this to the whole cutover.
set -euo pipefail
cd "$(dirname "$0")/.."
LAB_DIR="${LAB_DIR:-.lab}"
set -a; . "$LAB_DIR/connection.env"; set +a
export PATH="$PWD/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$PWD/ansible.cfg"
sample=$(.venv/bin/python - <<'PY'
import json
print(json.dumps({"pchat_report_sip_addresses": ["sip:labuser%05d@contoso.com" % i for i in range(1, 51)]
                  + ["sip:nobody@contoso.com"]}))
PY
)

echo "== Who owns the well-known Group Chat URI, and 50 member URIs (read-only)"
ansible-playbook playbooks/directory_report.yml -e "$sample"

backups="$(cd "$LAB_DIR" && pwd)/backups"
echo "== The pools before"
ansible-playbook demo/pools.yml
echo "== Preview (--check --diff): disable, refuse, delete, endpoint, rollback; nothing changes"
ansible-playbook demo/platform_roundtrip.yml --check --diff -e "pchat_backup_dir=$backups"
echo "== The same for real; the rollback at its end leaves the lab as it was"
ansible-playbook demo/platform_roundtrip.yml -e "pchat_backup_dir=$backups"
echo "== The pools after (legacy pool started again; the migrated data stays on the target)"
ansible-playbook demo/pools.yml
echo
echo "The lab is still up: 'set -a; . $LAB_DIR/connection.env; set +a' points playbooks at it; 'make lab-down' removes it."
