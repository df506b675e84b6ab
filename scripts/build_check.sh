#!/usr/bin/env bash
# Build the collection tarball as `make build` does (scripts/build.sh), install it into a scratch path, and render
# every module's docs from there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./scripts/build.sh "$out" >/dev/null
tarball=$(ls "$out"/pchat-cutover-*.tar.gz)
ansible-galaxy collection install --force -p "$out/installed" "$tarball" >/dev/null 2>&1
export ANSIBLE_COLLECTIONS_PATH="$out/installed"
shopt -s nullglob
count=0
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py)
  # ansible-doc exits 0 even when it finds nothing: require the module's own entry in the JSON.
  ansible-doc --json "pchat.cutover.$name" 2>/dev/null | grep -q "\"pchat.cutover.$name\"" \
    || { echo "ansible-doc could not render pchat.cutover.$name from the built collection" >&2; exit 1; }
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "no modules found under plugins/modules" >&2; exit 1; }
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB); ansible-doc rendered $count module(s) from the installed tarball"
