/**
 * Searches over interleavings that are not seed sweeps:
 *
 * - {@link exploreDfs}: exhaustive depth-first search for tiny scenarios. A run follows a
 *   prefix of choices and then always the first candidate; every step past the prefix where
 *   other candidates were parked is a branch point, and each alternative becomes a new prefix.
 *   Runs are replays, so the search holds no state but the stack of prefixes. With state
 *   deduplication (see state-fingerprint.ts for what it assumes) a prefix whose state was
 *   reached before is not expanded again. Bounded by a number of runs.
 * - {@link exploreWithFastCheck}: fast-check generates the list of scheduling choices and, on a
 *   failure, shrinks it to a minimal interleaving that still fails.
 *
 * Both stop at the first violation and return it as a run whose recorded choices replay it.
 */
import fc from "fast-check";
import type { Scenario } from "../scenarios/scenario.js";
import {
  addStats,
  type ExploreTotals,
  NO_TOTALS,
  type ScenarioResult,
  type SearchReport,
  scenarioResult,
} from "./explore.js";
import { estimateSteps, type RunResult, runOnce, type StoreFactory } from "./run.js";
import { BatchCache } from "./workload.js";

/** Options of {@link exploreDfs}. */
export interface DfsOptions {
  readonly makeStore: StoreFactory;
  /** The seed behind faults and actors' own randomness (the schedule comes from the search). */
  readonly seed?: number;
  /** Give up after this many runs (default 10,000). */
  readonly maxRuns?: number;
  /** Skip prefixes that reach a state seen before (default true). */
  readonly dedup?: boolean;
}

/** Explore every interleaving of `scenario` (up to the bound), depth first. */
export async function exploreDfs(scenario: Scenario, options: DfsOptions): Promise<ScenarioResult> {
  const seed = options.seed ?? 0;
  const maxRuns = options.maxRuns ?? 10_000;
  const dedup = options.dedup !== false;
  const runOptions = {
    makeStore: options.makeStore,
    batches: new BatchCache(),
    fingerprints: dedup,
  };
  const visited = new Set<string>();
  const stack: number[][] = [[]];
  let runs = 0;
  let statesDeduplicated = 0;
  let totals: ExploreTotals = NO_TOTALS;
  let failing: RunResult | undefined;
  while (stack.length > 0 && runs < maxRuns) {
    const prefix = stack.pop() as number[];
    const run = await runOnce(scenario, seed, { ...runOptions, choices: prefix });
    runs++;
    totals = addStats(totals, run.stats);
    if (run.violations.length > 0) {
      failing = run;
      break;
    }
    // Steps before the prefix's last choice were expanded by the runs that led here.
    const from = Math.max(0, prefix.length - 1);
    let last = run.choices.length - 1;
    if (dedup) {
      const fingerprints = run.fingerprints ?? [];
      for (let step = from; step < run.choices.length; step++) {
        const state = fingerprints[step] as string;
        if (visited.has(state)) {
          statesDeduplicated++;
          // The state after `step` was reached before: what follows it is covered.
          last = step - 1;
          break;
        }
        visited.add(state);
      }
    }
    // Alternatives at each step past the prefix whose state before it is new (the state before
    // step s is the one after s - 1); pushed shallow to deep, so the deepest is run next.
    for (let step = prefix.length; step <= last + 1 && step < run.choices.length; step++) {
      const count = run.candidateCounts[step] ?? 1;
      for (let alternative = count - 1; alternative >= 1; alternative--)
        stack.push([...run.choices.slice(0, step), alternative]);
    }
  }
  const search: SearchReport = {
    runs,
    ...(dedup ? { statesDeduplicated } : {}),
    exhausted: failing === undefined && stack.length === 0,
  };
  const done = { seedsRun: runs, firstSeed: seed, totals, scheduler: "dfs", search };
  return scenarioResult(scenario, done, failing);
}

/** Options of {@link exploreWithFastCheck}. */
export interface FastCheckSearchOptions {
  readonly makeStore: StoreFactory;
  /** Seed of fast-check, and of faults and actors' randomness. */
  readonly seed?: number;
  /** Schedules fast-check generates (default 200). */
  readonly numRuns?: number;
}

/** Let fast-check generate schedules, and shrink the first failing one. */
export async function exploreWithFastCheck(
  scenario: Scenario,
  options: FastCheckSearchOptions,
): Promise<ScenarioResult> {
  const seed = options.seed ?? 0;
  const batches = new BatchCache();
  const run = (choices: readonly number[]) =>
    runOnce(scenario, seed, {
      makeStore: options.makeStore,
      batches,
      scheduler: { kind: "choices", choices },
    });
  let runs = 0;
  let totals: ExploreTotals = NO_TOTALS;
  const maxLength = 2 * estimateSteps(scenario);
  const details = await fc.check(
    // At least as long as a run, so that the schedule is fast-check's and not the fallback's.
    fc.asyncProperty(
      fc.array(fc.nat({ max: 15 }), { minLength: maxLength / 2, maxLength }),
      async (choices) => {
        const result = await run(choices);
        runs++;
        totals = addStats(totals, result.stats);
        return result.violations.length === 0;
      },
    ),
    { seed, numRuns: options.numRuns ?? 200 },
  );
  const shrunk = details.counterexample?.[0];
  const failing = shrunk === undefined ? undefined : await run(shrunk);
  const done = { seedsRun: runs, firstSeed: seed, totals, scheduler: "fc", search: { runs } };
  return scenarioResult(scenario, done, failing);
}
