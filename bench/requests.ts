/**
 * Store requests per uncontended commit, per strategy, and commit latency on real stores:
 * part of `npm run bench`.
 */

import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays } from "apache-arrow";
import { externalStore } from "../protocol/external-store.js";
import type { CommitStrategy, CommitStrategyName } from "../protocol/strategy.js";
import { Table } from "../protocol/table.js";
import { type CommitStore, MemoryCommitStore } from "../stores/commit-store.js";
import { CountingStore } from "../stores/counting.js";
import { LocalStore } from "../stores/local.js";
import { MemoryStore } from "../stores/memory.js";
import { S3Store } from "../stores/s3.js";
import { parseS3Url } from "../stores/s3-url.js";
import type { ObjectStore } from "../stores/store.js";

const rows = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) });

/** Counts a commit store's calls, as CountingStore counts a store's. */
function countingCommitStore(inner: CommitStore): CommitStore & { calls: number } {
  const counted = {
    description: inner.description,
    calls: 0,
    claim: (t: string, v: number, p: string) => (counted.calls++, inner.claim(t, v, p)),
    get: (t: string, v: number) => (counted.calls++, inner.get(t, v)),
    latest: (t: string) => (counted.calls++, inner.latest(t)),
    finalize: (t: string, v: number, p: string) => (counted.calls++, inner.finalize(t, v, p)),
    close: () => inner.close(),
  };
  return counted;
}

/** Requests made by one uncontended append (data file included), for each strategy. */
export async function requestsPerCommit(): Promise<string[]> {
  const lines: string[] = [];
  const strategies: [string, (commits: CommitStore) => CommitStrategy | CommitStrategyName][] = [
    ["conditionalPut", () => "conditionalPut"],
    ["rename", () => "rename"],
    ["unsafe", () => "unsafe"],
    ["externalStore", (commits) => externalStore(commits, "t")],
  ];
  for (const [name, strategyOf] of strategies) {
    const store = new CountingStore(new MemoryStore());
    const commits = countingCommitStore(new MemoryCommitStore());
    const commitStrategy = strategyOf(commits);
    const table = await Table.create(store, rows([1]), { commitStrategy });
    store.reset();
    commits.calls = 0;
    await table.append(rows([2]));
    const c = store.counts;
    const detail = `put ${c.put}, get ${c.get}, head ${c.head}, list ${c.list}, delete ${c.delete}, rename ${c.rename}`;
    const extra = name === "externalStore" ? ` + ${commits.calls} commit-store calls` : "";
    lines.push(
      `  ${name.padEnd(15)} ${store.total} store requests${extra} (${detail}); ${store.total - 1} beyond the data file`,
    );
  }
  return lines;
}

/** Median latency of `count` sequential appends on `store`, in ms. */
async function appendLatencyMs(store: ObjectStore, count: number): Promise<number> {
  const table = await Table.create(store, rows([0]));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const startedMs = performance.now();
    await table.append(rows([i]));
    times.push(performance.now() - startedMs);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** Commit latency on memory, local disk, and the S3 server named by LANCET_BENCH_S3_URL or LANCET_TEST_S3_URL. */
export async function commitLatency(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(
    `  memory         median append ${(await appendLatencyMs(new MemoryStore(), 50)).toFixed(2)} ms`,
  );
  const dir = await mkdtemp(join(tmpdir(), "lancet-bench-latency-"));
  try {
    lines.push(
      `  local disk     median append ${(await appendLatencyMs(new LocalStore(dir), 50)).toFixed(2)} ms`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const url = process.env.LANCET_BENCH_S3_URL ?? process.env.LANCET_TEST_S3_URL;
  if (url === undefined) {
    lines.push(
      "  s3             (set LANCET_BENCH_S3_URL and AWS credentials to measure a real server)",
    );
    return lines;
  }
  const location = parseS3Url(url);
  const store = new S3Store({
    ...location,
    prefix: `${location.prefix}/bench-${randomUUID()}`.replace(/^\//, ""),
  });
  try {
    await store.createBucketIfMissing();
    lines.push(
      `  ${store.description}  median append ${(await appendLatencyMs(store, 30)).toFixed(1)} ms (conditionalPut)`,
    );
  } finally {
    await store.close();
  }
  return lines;
}
