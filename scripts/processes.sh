#!/usr/bin/env bash
# Longer multi-process runs: every append-only scenario, lancet and LanceDB, on a local
# directory, on the S3 server named by LANCET_TEST_S3_URL (if set), and on s3rver (which
# ignores conditional writes: lost commits expected, for both). Prints one line per run.
# Usage: scripts/processes.sh [RUNS] [KILLS]
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
kills="${2:-3}"
export NODE_NO_WARNINGS=1
npm run build >/dev/null
node -e 'import("@lancedb/lancedb").then(() => process.exit(0), () => process.exit(1))' ||
  npm install --no-save --no-audit --no-fund @lancedb/lancedb@0.39.0 >/dev/null
dir=$(mktemp -d /tmp/lancet-processes-XXXXXX)
s3rver_pid=""
dynalite_pid=""
trap 'kill $s3rver_pid $dynalite_pid 2>/dev/null; rm -rf "$dir"' EXIT
scenarios="single-writer-many-readers multi-writer-conditional-put writer-crash-mid-commit"
lancet() { node dist/cli/bin.js "$@"; }

lancet run $scenarios --mode processes --target both --store "local:$dir/local" --seeds "$runs" --kills "$kills"
if [ -n "${LANCET_TEST_S3_URL:-}" ]; then
  lancet run $scenarios --mode processes --target both --store "$LANCET_TEST_S3_URL" --seeds "$runs" --kills "$kills"
fi
# s3rver accepts If-None-Match and ignores it: the lying store.
node scripts/start-s3rver.mjs "$dir/s3rver" 4599 > "$dir/s3rver.log" 2>&1 &
s3rver_pid=$!
sleep 2
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
  lancet run multi-writer-conditional-put --mode processes --target both \
  --store "s3://lies?endpoint=http://127.0.0.1:4599" --seeds "$runs" --kills 0
# The same lying store with a DynamoDB commit store (dynalite): safe again.
node scripts/start-dynalite.mjs 4598 > "$dir/dynalite.log" 2>&1 &
dynalite_pid=$!
sleep 1
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
  lancet run multi-writer-s3-external-store --mode processes --target both \
  --store "s3://lies/ddb?endpoint=http://127.0.0.1:4599" --commit-store http://127.0.0.1:4598 \
  --seeds "$runs" --kills "$kills"
exit 0
