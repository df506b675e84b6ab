#!/usr/bin/env bash
# Build the collection tarball as it is published (`make build`; docs/packaging.md, "Releases"). From a staging copy
# of the checkout, never the checkout itself:
#   1. the pending changelog fragments are released as galaxy.yml's version (antsibull-changelog release, dated
#      with the last commit), so CHANGELOG.rst and changelogs/changelog.yaml in the tarball name its own version
#      and hold every fragment; a version already released with fragments pending stops the build (bump it);
#   2. the guides of the docs site are made from their Markdown (scripts/docsite.py -> docs/docsite/rst/);
#   3. ansible-galaxy collection build (build_ignore in galaxy.yml decides what ships).
# Usage: scripts/build.sh [OUTPUT_DIR]   (default: build/). Tools from TOOLS_BIN (default: the checkout's .venv/bin).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$src/build}")
tools=${TOOLS_BIN:-$src/.venv/bin}
export PATH="$tools:$PATH"

stage_root=$(mktemp -d)
trap 'rm -rf "$stage_root"' EXIT
# antsibull-changelog finds the collection's plugins with ansible-doc: the copy sits where a collection is looked for.
stage=$stage_root/ansible_collections/pchat/cutover
mkdir -p "$stage"
# What a used checkout holds besides the collection (git, virtualenvs, a running lab, build output) is not copied;
# the rest is, litter included: build_ignore keeps it out of the tarball (tests/packaging checks that).
tar -C "$src" --exclude=./.git --exclude='./.venv*' --exclude='./.lab*' --exclude=./.ansible --exclude=./build \
  --exclude=./tests/output --exclude=./docs/docsite/rst --exclude=./changelogs/.plugin-cache.yaml -cf - . \
  | tar -C "$stage" -xf -

version=$("$tools/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$src/galaxy.yml")
released=$("$tools/python" -c 'import sys, yaml; print(" ".join(map(str, (yaml.safe_load(open(sys.argv[1])) or {}).get("releases") or {})))' \
  "$src/changelogs/changelog.yaml")
pending=$(find "$src/changelogs/fragments" -maxdepth 1 \( -name '*.yml' -o -name '*.yaml' \) | wc -l)
if [[ " $released " == *" $version "* ]]; then
  if [ "$pending" -gt 0 ]; then
    echo "build: galaxy.yml version $version is already released in changelogs/changelog.yaml, but $pending changelog" \
         "fragment(s) are pending: set galaxy.yml's version to the next release" >&2
    exit 1
  fi
  echo "build: $version is released in changelogs/changelog.yaml"
else
  date=$(git -C "$src" log -1 --format=%cs 2>/dev/null || date -u +%F)
  # --cummulative-release: plugins added since the last release (version_added of a never published 0.2.0 too).
  if ! log=$(cd "$stage" && antsibull-changelog release --reload-plugins --version "$version" --date "$date" \
               --cummulative-release 2>&1); then
    echo "build: antsibull-changelog release failed:" >&2; echo "$log" >&2; exit 1
  fi
  echo "build: released $pending changelog fragment(s) as $version ($date) in the tarball's changelog"
fi

"$tools/python" "$src/scripts/docsite.py" "$stage"
mkdir -p "$out"
ansible-galaxy collection build --force --output-path "$out" "$stage"
