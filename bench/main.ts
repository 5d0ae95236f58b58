/**
 * `npm run bench`: how fast the simulator explores schedules.
 *
 * Reference: `multi-writer-conditional-put` (3 writers x 5 appends + 2 readers x 4 reads) on the
 * memory store, one process, one core. Figures are measured side by side in one run, so ratios
 * between them are meaningful even on a noisy machine; absolute figures are not.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { findScenario } from "../scenarios/catalog.js";
import { appends, type Scenario } from "../scenarios/scenario.js";
import { exploreScenario } from "../sim/explore.js";
import { exploreScenarioParallel } from "../sim/parallel.js";
import { runOnce, type StoreFactory } from "../sim/run.js";
import type { SchedulerSpec } from "../sim/scheduler.js";
import { exploreDfs, exploreWithFastCheck } from "../sim/search.js";
import { BatchCache } from "../sim/workload.js";
import { LocalStore } from "../stores/local.js";
import { MemoryStore } from "../stores/memory.js";
import { commitLatency, requestsPerCommit } from "./requests.js";

const memory: StoreFactory = async () => new MemoryStore();

async function schedulesPerSecond(
  scenario: Scenario,
  makeStore: StoreFactory,
  runs: number,
  scheduler: SchedulerSpec = { kind: "random" },
): Promise<{ perSecond: number; stepsPerRun: number }> {
  const batches = new BatchCache();
  for (let seed = 0; seed < Math.min(200, runs); seed++)
    await runOnce(scenario, 1_000_000 + seed, { makeStore, batches, scheduler });
  let steps = 0;
  const startedMs = performance.now();
  for (let seed = 0; seed < runs; seed++)
    steps += (await runOnce(scenario, seed, { makeStore, batches, scheduler })).stats.steps;
  const seconds = (performance.now() - startedMs) / 1000;
  return { perSecond: runs / seconds, stepsPerRun: steps / runs };
}

async function seedsUntilCaught(
  scenario: Scenario,
  trials: number,
  scheduler: SchedulerSpec = { kind: "random" },
): Promise<number[]> {
  const counts: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const seeds = Array.from({ length: 1000 }, (_, i) => trial * 1000 + i);
    const result = await exploreScenario(scenario, {
      seeds,
      makeStore: memory,
      minimize: false,
      scheduler,
    });
    counts.push(result.verdict === "unsafe" ? result.seedsRun : Number.POSITIVE_INFINITY);
  }
  return counts.sort((a, b) => a - b);
}

const reference = findScenario("multi-writer-conditional-put");
const runs = Number(process.env.LANCET_BENCH_RUNS ?? 3000);
console.log(`lancet bench (node ${process.version}, ${runs} schedules per figure)`);

const mem = await schedulesPerSecond(reference, memory, runs);
console.log(
  `reference ${reference.name} on memory: ${mem.perSecond.toFixed(0)} schedules/s (${mem.stepsPerRun.toFixed(0)} store calls each, ${((mem.perSecond * mem.stepsPerRun) / 1000).toFixed(0)}k calls/s)`,
);

// One thread against all cores, interleaved so that both see the same machine.
const jobs = availableParallelism();
const sequential: number[] = [];
const parallel: number[] = [];
const seeds = Array.from({ length: runs }, (_, i) => i);
for (let round = 0; round < 3; round++) {
  let startedMs = performance.now();
  await exploreScenario(reference, { seeds, makeStore: memory });
  sequential.push(runs / ((performance.now() - startedMs) / 1000));
  startedMs = performance.now();
  await exploreScenarioParallel(reference, { seeds, storeSpec: "memory", jobs });
  parallel.push(runs / ((performance.now() - startedMs) / 1000));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `reference, ${runs} seeds x 3 rounds: 1 thread ${median(sequential).toFixed(0)} schedules/s, ${jobs} worker threads ${median(parallel).toFixed(0)} schedules/s (x${(median(parallel) / median(sequential)).toFixed(2)})`,
);

for (const name of ["single-writer-many-readers", "writer-crash-mid-commit"]) {
  const r = await schedulesPerSecond(findScenario(name), memory, runs);
  console.log(
    `${name} on memory: ${r.perSecond.toFixed(0)} schedules/s (${r.stepsPerRun.toFixed(0)} store calls each)`,
  );
}

const dir = await mkdtemp(join(tmpdir(), "lancet-bench-"));
try {
  const localRuns = Math.max(50, Math.floor(runs / 20));
  const local = await schedulesPerSecond(
    reference,
    async (label) => new LocalStore(join(dir, label)),
    localRuns,
  );
  console.log(
    `reference on local disk: ${local.perSecond.toFixed(0)} schedules/s (memory is ${(mem.perSecond / local.perSecond).toFixed(1)}x faster)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log("store requests per uncontended append:");
for (const line of await requestsPerCommit()) console.log(line);
console.log("commit latency:");
for (const line of await commitLatency()) console.log(line);

console.log("per scheduler:");
const pct = { kind: "pct", depth: 3, expectedSteps: 0 } as const;
const schedulers: [string, SchedulerSpec][] = [
  ["random", { kind: "random" }],
  ["pct (depth 3)", pct],
];
// Side by side, alternating, so that both see the same machine.
const perSecond = new Map<string, number[]>();
for (let round = 0; round < 3; round++) {
  for (const [name, spec] of schedulers) {
    const r = await schedulesPerSecond(reference, memory, Math.floor(runs / 3), spec);
    perSecond.set(name, [...(perSecond.get(name) ?? []), r.perSecond]);
  }
}
for (const [name, spec] of schedulers) {
  const caught = await seedsUntilCaught(findScenario("multi-writer-unsafe"), 25, spec);
  console.log(
    `  ${name.padEnd(14)} reference ${median(perSecond.get(name) ?? []).toFixed(0)} schedules/s; ` +
      `multi-writer-unsafe caught after a median of ${median(caught)} seeds (25 trials, max ${caught.at(-1)})`,
  );
}
const tiny = {
  ...reference,
  writers: [{ ops: appends(1) }, { ops: appends(1) }],
  readers: [{ reads: 1 }],
};
for (const dedup of [false, true]) {
  const startedMs = performance.now();
  const r = await exploreDfs(tiny, { makeStore: memory, dedup, maxRuns: 20_000 });
  console.log(
    `  dfs ${dedup ? "with" : "without"} dedup: 2 writers x 1 append + 1 reader, ${r.search?.runs} schedules${r.search?.exhausted ? ", every interleaving" : ""}, ${r.verdict} (${((performance.now() - startedMs) / 1000).toFixed(2)} s)`,
  );
}
{
  const startedMs = performance.now();
  const r = await exploreWithFastCheck(findScenario("multi-writer-unsafe"), { makeStore: memory });
  const run = r.failure?.minimal.run;
  console.log(
    `  fc: multi-writer-unsafe ${r.verdict} after ${r.search?.runs} schedules including shrinking; shrunk schedule has ${run?.choices.filter((c) => c !== 0).length ?? "-"} non-first choices (${((performance.now() - startedMs) / 1000).toFixed(2)} s)`,
  );
}
