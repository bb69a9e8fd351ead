#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run them.
# The README's test command and CI (.ci/run) both run exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
exec python -m pytest "$@"
