#!/usr/bin/env bash
# `make setup-oldest`: the virtualenv of the support matrix's oldest end (default .venv-oldest/) from
# requirements-oldest.txt: the oldest ansible-core meta/runtime.yml admits, pytest, and the collection's runtime
# libraries with their auth extras. gssapi and krb5 have no Linux wheels and compile here, so the packages that
# bindep.txt tags [compile] for this platform are installed first (only those: the run-time ones are not needed).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv-oldest}

# missing [PROFILE]: the packages of bindep.txt for PROFILE (default: the run-time ones) not installed here.
missing() {
  local rc=0
  .venv/bin/bindep -b "$@" || rc=$?
  [ "$rc" -le 1 ] || { echo "bindep could not read bindep.txt (exit $rc)" >&2; return "$rc"; }
}
for_compile=$(missing compile)
for_runtime=$(missing)
compile_only=$(comm -23 <(sort <<<"$for_compile") <(sort <<<"$for_runtime") | xargs)
if [ -n "$compile_only" ]; then
  echo "installing Debian packages (bindep.txt, compile): $compile_only"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086  # one package per word
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $compile_only >/dev/null
fi

[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r requirements-oldest.txt
