#!/usr/bin/env bash
# The long test: 10,000 seeds of every built-in scenario with every fault on (crash and
# restart of writers and readers, lost responses, 503s, lagging listings, clock skew, latency),
# then 10,000 seeds of each as written, then 10,000 PCT schedules of each with every fault on.
# Safe scenarios must stay safe, unsafe ones must be caught.
# Usage: scripts/long-test.sh [SEEDS] [extra lancet run options, e.g. --jobs auto]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-10000}"
shift || true
npm run build >/dev/null
mkdir -p out
start=$(date +%s)
node dist/cli/bin.js run all --all-faults --seeds "$seeds" --md out/long-test-all-faults.md "$@"
node dist/cli/bin.js run all --seeds "$seeds" --md out/long-test.md "$@"
node dist/cli/bin.js run all --all-faults --scheduler pct --seeds "$seeds" --md out/long-test-pct.md "$@"
echo "long test: $seeds seeds per scenario, three times, in $(( $(date +%s) - start )) s"
