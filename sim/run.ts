/**
 * Running a scenario: one seed (a {@link RunResult}), or many seeds until a checker fires.
 */

import { manifestPath } from "../protocol/layout.js";
import { Table } from "../protocol/table.js";
import type { Scenario, Verdict } from "../scenarios/scenario.js";
import { MemoryCommitStore } from "../stores/commit-store.js";
import type { ObjectStore } from "../stores/store.js";
import { checkHistory, type Violation } from "./checkers.js";
import { type FaultOptions, Simulation } from "./engine.js";
import { readFinalState } from "./final-state.js";
import { digestBytes, type HistoryEvent } from "./history.js";
import { SeededRandom } from "./random.js";
import {
  ChoiceListScheduler,
  PctScheduler,
  RandomScheduler,
  ReplayScheduler,
  type Scheduler,
  type SchedulerSpec,
} from "./scheduler.js";
import { createEnvAt } from "./setup-env.js";
import { applyStoreModel } from "./store-models.js";
import { BatchCache, readerActor, strategyFor, writerActor } from "./workload.js";

/** Format of run results and replay files written by this build. */
export const RESULT_FORMAT_VERSION = 2;

/** Makes a fresh, empty store for one run. */
export type StoreFactory = (runLabel: string) => Promise<ObjectStore>;

/** Options of {@link runOnce}. */
export interface RunOptions {
  readonly makeStore: StoreFactory;
  /** Replay these scheduler choices instead of drawing them from the seed. */
  readonly choices?: readonly number[];
  /** Encoded batches shared across runs of the same scenario. */
  readonly batches?: BatchCache;
  /** How to choose the interleaving when no `choices` are given (default random). */
  readonly scheduler?: SchedulerSpec;
  /** Record a state fingerprint after every step (exhaustive search). */
  readonly fingerprints?: boolean;
}

/** Counts that describe one run. */
export interface RunStats {
  readonly steps: number;
  readonly virtualTimeMs: number;
  readonly commitsAcknowledged: number;
  readonly commitsFailed: number;
  readonly readsChecked: number;
  readonly crashes: number;
  /** Other faults injected: transient errors, lost responses, stale listings, restarts. */
  readonly faults: number;
  readonly finalVersion: number;
}

/** The outcome of one seed. */
export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly verdict: Verdict;
  readonly violations: readonly Violation[];
  readonly history: readonly HistoryEvent[];
  readonly choices: readonly number[];
  /** How many calls the scheduler chose among at each step. */
  readonly candidateCounts: readonly number[];
  /** With `fingerprints`: the state after each step. */
  readonly fingerprints?: readonly string[];
  readonly stats: RunStats;
}

/** Run `scenario` once with `seed`. */
export async function runOnce(
  scenario: Scenario,
  seed: number,
  options: RunOptions,
): Promise<RunResult> {
  const realStore = await options.makeStore(`${scenario.name}/seed-${seed}`);
  const store = applyStoreModel(realStore, scenario.storeModel);
  try {
    const random = new SeededRandom(seed);
    const batches = options.batches ?? new BatchCache();
    const commitStore =
      scenario.commitStrategy === "externalStore" ? new MemoryCommitStore() : undefined;
    await Table.create(store, batches.get(-1, -1, 0), {
      env: createEnvAt(0, "setup"),
      naming: scenario.naming,
      commitStrategy: strategyFor(scenario, commitStore),
    });
    const scheduler = schedulerFor(scenario, options, random);
    const faults = faultsOf(scenario);
    const sim = new Simulation({
      store,
      scheduler,
      random,
      faults,
      ...(scenario.faults.latencyMs ? { latencyMs: scenario.faults.latencyMs } : {}),
      ...(commitStore ? { commitStore } : {}),
      ...(options.fingerprints === true ? { fingerprints: true } : {}),
    });
    // The setup's manifest, as the first event: checkers compare later writes of it with it.
    const setupPath = manifestPath(1, scenario.naming);
    sim.history.push({
      type: "call",
      step: 0,
      timeMs: 0,
      actor: "setup",
      method: "put",
      path: setupPath,
      mode: "create",
      digest: digestBytes((await store.get(setupPath)).bytes),
      outcome: "ok",
    });
    for (let i = 0; i < scenario.writers.length; i++)
      sim.spawn(`w${i}`, writerActor(scenario, i, batches));
    for (let i = 0; i < scenario.readers.length; i++) sim.spawn(`r${i}`, readerActor(scenario, i));
    await sim.run();

    // The table as a reader that consults the commit store sees it: claimed versions completed.
    if (commitStore !== undefined) {
      await Table.open(store, {
        env: createEnvAt(sim.timeMs, "final"),
        commitStrategy: strategyFor(scenario, commitStore),
      });
    }
    const final = await readFinalState(store);
    const violations = checkHistory({ history: sim.history, final });
    return {
      scenario: scenario.name,
      seed,
      verdict: violations.length === 0 ? "safe" : "unsafe",
      violations,
      history: sim.history,
      choices: sim.choices,
      candidateCounts: sim.candidateCounts,
      ...(options.fingerprints === true ? { fingerprints: sim.fingerprints } : {}),
      stats: {
        ...statsOf(sim.history, sim.steps, sim.timeMs, final.versions.length),
        faults:
          sim.faultCounts.transient +
          sim.faultCounts.lostResponses +
          sim.faultCounts.staleLists +
          sim.faultCounts.restarts,
      },
    };
  } finally {
    await realStore.close();
  }
}

function schedulerFor(scenario: Scenario, options: RunOptions, random: SeededRandom): Scheduler {
  if (options.choices !== undefined) return new ReplayScheduler(options.choices);
  const spec = options.scheduler ?? { kind: "random" };
  switch (spec.kind) {
    case "random":
      return new RandomScheduler(random.fork("scheduler"));
    case "pct":
      return new PctScheduler(
        random.fork("scheduler"),
        spec.depth,
        spec.expectedSteps > 0 ? spec.expectedSteps : estimateSteps(scenario),
      );
    case "choices":
      return new ChoiceListScheduler(spec.choices);
  }
}

/**
 * A rough number of store calls a run of `scenario` makes (PCT places its change points among
 * this many steps): a few per write and per read, plus opening the table.
 */
export function estimateSteps(scenario: Scenario): number {
  const writes = scenario.writers.reduce((n, w) => n + 2 + 4 * w.ops.length, 0);
  const reads = scenario.readers.reduce((n, r) => n + 3 * r.reads, 0);
  return Math.max(10, writes + reads);
}

/** The engine's fault options for a scenario's faults (crashes hit writers, and readers if asked). */
export function faultsOf(scenario: Scenario): FaultOptions {
  const { crash, transient, lostResponse, staleList, clockSkewMs } = scenario.faults;
  const writers = scenario.writers.map((_, i) => `w${i}`);
  const readers = scenario.readers.map((_, i) => `r${i}`);
  return {
    ...(crash === undefined
      ? {}
      : {
          crash: {
            probability: crash.probability,
            maxCrashes: crash.maxCrashes,
            actors: crash.readers === true ? [...writers, ...readers] : writers,
            ...(crash.restartAfterMs === undefined ? {} : { restartAfterMs: crash.restartAfterMs }),
          },
        }),
    ...(transient === undefined ? {} : { transient }),
    ...(lostResponse === undefined ? {} : { lostResponse }),
    ...(staleList === undefined ? {} : { staleList }),
    ...(clockSkewMs === undefined ? {} : { clockSkew: { maxMs: clockSkewMs } }),
  };
}

function statsOf(
  history: readonly HistoryEvent[],
  steps: number,
  virtualTimeMs: number,
  finalVersion: number,
): Omit<RunStats, "faults"> {
  let commitsAcknowledged = 0;
  let commitsFailed = 0;
  let readsChecked = 0;
  let crashes = 0;
  for (const e of history) {
    if (e.type === "ok") e.op === "read" ? readsChecked++ : commitsAcknowledged++;
    else if (e.type === "fail" && e.op !== "read") commitsFailed++;
    else if (e.type === "crash") crashes++;
  }
  return {
    steps,
    virtualTimeMs,
    commitsAcknowledged,
    commitsFailed,
    readsChecked,
    crashes,
    finalVersion,
  };
}
