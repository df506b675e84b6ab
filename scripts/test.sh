#!/usr/bin/env bash
# Every test and quality gate, in the order that fails fastest. `make test` (and so CI) runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "unit tests"
$PY -m pytest -q -p no:cacheprovider tests/unit

step "lab (bring up / reuse)"
$PY -m lab up

step "Lync emulator tests (shell in-process on the real Samba AD; transport with the real pypsrp client over HTTPS/NTLM; conformance against the lab's own emulator, which lab reset puts back)"
$PY -m pytest -q -p no:cacheprovider tests/emulator

step "integration tests (real Samba AD + lab store; the whole cutover, re-run and rollback with the front end as Skype for Business Server 2015 too: about 1 min)"
$PY -m pytest -q -p no:cacheprovider --durations=8 tests/integration

step "ansible-test sanity"
./scripts/sanity.sh

step "support matrix: unit tests + sanity on the oldest ansible-core (meta/runtime.yml)"
./scripts/matrix.sh

step "ansible-lint (production profile)"
./scripts/lint.sh

step "collection build (changelog released as galaxy.yml's version, docs site guides) + ansible-doc of every module"
./scripts/build_check.sh

step "packaging: tarball contents, changelog, execution-environment build context, role defaults, RETURN samples, links"
$PY -m pytest -q -p no:cacheprovider tests/packaging

step "publishing: galaxy-importer as Automation Hub runs it, antsibull-docs lint-collection-docs, the docs site (30-45 s)"
.venv-publish/bin/python scripts/publish_check.py

if [ -x scripts/molecule.sh ]; then
  step "molecule scenarios"
  ./scripts/molecule.sh
fi
step "ansible-runner: the AWX workflow on the lab (preview, cutover, a fresh controller, rollback from the artifacts; about 2.5 min)"
$PY -m pytest -q -p no:cacheprovider tests/runner

step "no secret anywhere: each password by -e, inventory, vault and environment, cutover and rollback, check and real, -vvvv (about 1.5 min)"
$PY -m pytest -q -p no:cacheprovider tests/secrets

step "reliability suite (kill points, concurrency, bad input; on the lab above, reset between tests)"
$PY -m pytest -q -p no:cacheprovider --durations=8 tests/reliability

step "all gates passed"
