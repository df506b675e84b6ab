#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection placed at ansible_collections/pchat/cutover/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.venv"
pip_version=$("$venv/bin/python" - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version='3.11'))['pip'])
PY
)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
install -m 0644 scripts/get_pip_offline.py "$cache"

work="${SANITY_WORKDIR:-/tmp/pchat-sanity}"
dest="$work/ansible_collections/pchat/cutover"
rm -rf "$dest"; mkdir -p "$dest"
# Only the files git tracks (plus untracked, not ignored ones): what a release would contain.
git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ "$dest/"
cd "$dest"
# ansible-test wants a git repository or a clean tree; give it one of its own.
[ -d .git ] || git init -q
git add -A >/dev/null 2>&1 || true
export PATH="$venv/bin:$PATH"
ansible-test sanity --venv --python 3.11 --color no "$@"
