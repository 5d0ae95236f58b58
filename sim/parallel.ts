/**
 * Exploring seeds on several cores with worker threads, deterministically.
 *
 * Worker k runs seeds k, k+J, k+2J, ... in order. When some seed fails, every worker is told
 * to finish only the seeds before it, so the lowest failing seed — the one a sequential sweep
 * would report — is always found, and the totals count exactly the seeds up to it. The result
 * is identical to {@link exploreScenario}'s, only sooner.
 */
import { Worker } from "node:worker_threads";
import type { Scenario } from "../scenarios/scenario.js";
import {
  addStats,
  concludeSweep,
  type ExploreTotals,
  NO_TOTALS,
  type ScenarioResult,
  type SeedSweep,
} from "./explore.js";
import type { RunResult, RunStats } from "./run.js";
import type { SchedulerSpec } from "./scheduler.js";
import { runStoreFactory } from "./store-factory.js";
import { BatchCache } from "./workload.js";

/** Options of {@link exploreScenarioParallel}. */
export interface ParallelExploreOptions {
  readonly seeds: readonly number[];
  /** Store spec (`memory`, `local:DIR`): workers open their own stores. */
  readonly storeSpec: string;
  /** Worker threads to use (at least 1). */
  readonly jobs: number;
  readonly minimize?: boolean;
  readonly scheduler?: SchedulerSpec;
}

/** What a worker is given. */
export interface WorkerInput {
  readonly scenario: Scenario;
  readonly storeSpec: string;
  readonly scheduler?: SchedulerSpec;
  /** Indices into the seed list, with their seeds, in increasing index order. */
  readonly slice: readonly (readonly [index: number, seed: number])[];
}

/** What a worker reports. */
export type WorkerMessage =
  | { readonly type: "ran"; readonly index: number; readonly stats: RunStats }
  | { readonly type: "failed"; readonly index: number; readonly run: RunResult }
  | { readonly type: "done" };

/** Explore `scenario` over `options.seeds` on `options.jobs` worker threads. */
export async function exploreScenarioParallel(
  scenario: Scenario,
  options: ParallelExploreOptions,
): Promise<ScenarioResult> {
  const sweep = await sweepInWorkers(scenario, options);
  const runOptions = {
    makeStore: runStoreFactory(options.storeSpec),
    batches: new BatchCache(),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
  };
  return concludeSweep(scenario, options.seeds, sweep, runOptions, options.minimize !== false);
}

async function sweepInWorkers(
  scenario: Scenario,
  options: ParallelExploreOptions,
): Promise<SeedSweep> {
  const jobs = Math.max(1, Math.min(options.jobs, options.seeds.length));
  const stats = new Map<number, RunStats>();
  let firstFailure: { index: number; run: RunResult } | undefined;
  const workers = Array.from({ length: jobs }, (_, k) => {
    const slice = options.seeds.flatMap((seed, index) =>
      index % jobs === k ? [[index, seed] as const] : [],
    );
    const input: WorkerInput = {
      scenario,
      storeSpec: options.storeSpec,
      slice,
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    };
    return new Worker(new URL("./explore-worker.js", import.meta.url), { workerData: input });
  });
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on("message", (message: WorkerMessage) => {
            if (message.type === "ran") stats.set(message.index, message.stats);
            if (message.type === "failed") {
              stats.set(message.index, message.run.stats);
              if (firstFailure === undefined || message.index < firstFailure.index) {
                firstFailure = { index: message.index, run: message.run };
                for (const other of workers) other.postMessage({ stopAfter: message.index });
              }
            }
            if (message.type === "done") void worker.terminate().then(() => resolve());
          });
          worker.on("error", reject);
        }),
    ),
  );
  const lastIndex = firstFailure?.index ?? options.seeds.length - 1;
  let totals: ExploreTotals = NO_TOTALS;
  for (let index = 0; index <= lastIndex; index++) {
    const s = stats.get(index);
    if (s === undefined) throw new Error(`internal: seed index ${index} was not run by any worker`);
    totals = addStats(totals, s);
  }
  const failing = firstFailure;
  return failing === undefined
    ? { seedsRun: lastIndex + 1, totals }
    : { seedsRun: lastIndex + 1, totals, failing: failing.run };
}
