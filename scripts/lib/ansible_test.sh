# shellcheck shell=bash
# Shared by scripts/sanity.sh and scripts/matrix.sh (source it; the working directory is the repository root):
# run ansible-test from a given virtualenv on a copy of the collection at ansible_collections/pchat/cutover/.

# Print the X.Y version of the Python in virtualenv $1.
venv_python_version() {
  "$1/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# `ansible-test --venv` bootstraps pip in each test venv from ~/.ansible/test/cache/get_pip_<version>.py, which it
# would download from a host this machine cannot reach. Put our stand-in (scripts/get_pip_offline.py) where the
# ansible-test of virtualenv $1 looks for it (the pip version differs between ansible-core releases).
seed_pip_bootstrap() {
  local venv=$1 pip_version cache
  pip_version=$("$venv/bin/python" - "$(venv_python_version "$venv")" <<'PY'
import sys
from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version=sys.argv[1]))['pip'])
PY
)
  cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  mkdir -p "$(dirname "$cache")"
  install -m 0644 scripts/get_pip_offline.py "$cache"
}

# Copy what git tracks (plus untracked, not ignored files: what a release would contain) to
# $1/ansible_collections/pchat/cutover and print that path. The copy is a git repository of its own, as
# ansible-test wants.
collection_copy() {
  local dest="$1/ansible_collections/pchat/cutover"
  rm -rf "$dest"; mkdir -p "$dest"
  git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ "$dest/"
  (cd "$dest" && git init -q && git add -A >/dev/null 2>&1) || true
  echo "$dest"
}

# run_sanity VENV WORKDIR [ansible-test sanity arguments...]: ansible-test sanity of VENV's ansible-core, each
# test in its own virtualenv (--venv), on the VENV's Python.
run_sanity() {
  local venv=$1 work=$2 dest python
  shift 2
  venv=$(cd "$venv" && pwd)
  seed_pip_bootstrap "$venv"
  python=$(venv_python_version "$venv")
  dest=$(collection_copy "$work")
  (cd "$dest" && PATH="$venv/bin:$PATH" ansible-test sanity --venv --python "$python" --color no "$@")
}
