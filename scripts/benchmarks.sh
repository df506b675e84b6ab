#!/usr/bin/env bash
# Run every benchmark (on demand; not part of `make test`). Each prints its numbers and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in benchmarks/*.py; do
  printf '\n=== %s\n' "$bench"
  .venv/bin/python "$bench"
done
