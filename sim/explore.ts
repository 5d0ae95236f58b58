/**
 * Exploring a scenario over many seeds: run seed after seed, stop at the first violation,
 * shrink it, and compare the verdict with the scenario's expectation.
 */
import type { Scenario, Verdict } from "../scenarios/scenario.js";
import type { Violation } from "./checkers.js";
import { type Minimized, minimizeFailure } from "./minimize.js";
import {
  RESULT_FORMAT_VERSION,
  type RunOptions,
  type RunResult,
  type RunStats,
  runOnce,
} from "./run.js";
import { BatchCache } from "./workload.js";

/** Options of {@link exploreScenario}. */
export interface ExploreOptions extends Omit<RunOptions, "batches" | "choices" | "fingerprints"> {
  /** The seeds to run, in order. */
  readonly seeds: readonly number[];
  /** Shrink the first failure (default true). */
  readonly minimize?: boolean;
}

/** Totals over every seed run. */
export interface ExploreTotals {
  readonly steps: number;
  readonly commitsAcknowledged: number;
  readonly commitsFailed: number;
  readonly readsChecked: number;
  readonly crashes: number;
  /** Other faults injected: transient errors, lost responses, stale listings, restarts. */
  readonly faults: number;
}

/** A failure: the run that found it, and its minimised form. */
export interface FailureReport {
  readonly seed: number;
  readonly violations: readonly Violation[];
  /** The shrunk scenario and run that still show the first violation's checker firing. */
  readonly minimal: {
    readonly scenario: Scenario;
    readonly run: RunResult;
    readonly runsSpent: number;
  };
}

/** The outcome of exploring one scenario. */
export interface ScenarioResult {
  readonly formatVersion: number;
  readonly scenario: Scenario;
  readonly expected: Verdict;
  readonly verdict: Verdict;
  readonly matchesExpectation: boolean;
  readonly seedsRun: number;
  readonly firstSeed: number;
  readonly totals: ExploreTotals;
  /** How interleavings were chosen: `random`, `pct`, `dfs` or `fc`. */
  readonly scheduler?: string;
  /** Exhaustive search: how far it got. */
  readonly search?: SearchReport;
  readonly failure?: FailureReport;
}

/** What an exhaustive (or fast-check) search did. */
export interface SearchReport {
  /** Schedules run. */
  readonly runs: number;
  /** Prefixes not expanded because their state had been reached before (DFS). */
  readonly statesDeduplicated?: number;
  /** True when every interleaving (up to deduplication) was run. */
  readonly exhausted?: boolean;
}

/** Seeds swept: how many ran, what they did, and the first failing run if any. */
export interface SeedSweep {
  readonly seedsRun: number;
  readonly totals: ExploreTotals;
  readonly failing?: RunResult;
}

/** Sum of the stats of runs, as {@link ExploreTotals}. */
export function addStats(totals: ExploreTotals, stats: RunStats): ExploreTotals {
  return {
    steps: totals.steps + stats.steps,
    commitsAcknowledged: totals.commitsAcknowledged + stats.commitsAcknowledged,
    commitsFailed: totals.commitsFailed + stats.commitsFailed,
    readsChecked: totals.readsChecked + stats.readsChecked,
    crashes: totals.crashes + stats.crashes,
    faults: totals.faults + stats.faults,
  };
}

/** Totals of no runs. */
export const NO_TOTALS: ExploreTotals = {
  steps: 0,
  commitsAcknowledged: 0,
  commitsFailed: 0,
  readsChecked: 0,
  crashes: 0,
  faults: 0,
};

/** Run `seeds` in order, stopping at the first run in which a checker fires. */
export async function sweepSeeds(
  scenario: Scenario,
  seeds: readonly number[],
  runOptions: RunOptions,
): Promise<SeedSweep> {
  let totals = NO_TOTALS;
  let seedsRun = 0;
  for (const seed of seeds) {
    const result = await runOnce(scenario, seed, runOptions);
    seedsRun++;
    totals = addStats(totals, result.stats);
    if (result.violations.length > 0) return { seedsRun, totals, failing: result };
  }
  return { seedsRun, totals };
}

/** What was run for a scenario, whatever chose the schedules. */
export interface RunsDone {
  readonly seedsRun: number;
  readonly firstSeed: number;
  readonly totals: ExploreTotals;
  /** How interleavings were chosen: `random`, `pct`, `dfs` or `fc`. */
  readonly scheduler: string;
  readonly search?: SearchReport;
}

/**
 * The scenario's result: the verdict against its expectation and, when a run failed, that run
 * with its minimal form (the failing run itself unless a shrunk one is given).
 */
export function scenarioResult(
  scenario: Scenario,
  done: RunsDone,
  failing: RunResult | undefined,
  minimal?: Minimized,
): ScenarioResult {
  const verdict: Verdict = failing === undefined ? "safe" : "unsafe";
  const base = {
    formatVersion: RESULT_FORMAT_VERSION,
    scenario,
    expected: scenario.expected,
    verdict,
    matchesExpectation: verdict === scenario.expected,
    ...done,
  };
  if (failing === undefined) return base;
  const shrunk = minimal ?? { scenario, result: failing, runsSpent: 0 };
  return {
    ...base,
    failure: {
      seed: failing.seed,
      violations: failing.violations,
      minimal: { scenario: shrunk.scenario, run: shrunk.result, runsSpent: shrunk.runsSpent },
    },
  };
}

/** Turn a sweep into the scenario's result: verdict against expectation, failure shrunk. */
export async function concludeSweep(
  scenario: Scenario,
  seeds: readonly number[],
  sweep: SeedSweep,
  runOptions: RunOptions,
  minimize = true,
): Promise<ScenarioResult> {
  const failing = sweep.failing;
  const minimal =
    failing !== undefined && minimize
      ? await minimizeFailure(scenario, failing, runOptions)
      : undefined;
  const done = {
    seedsRun: sweep.seedsRun,
    firstSeed: seeds[0] ?? 0,
    totals: sweep.totals,
    scheduler: runOptions.scheduler?.kind ?? "random",
  };
  return scenarioResult(scenario, done, failing, minimal);
}

/** Run `scenario` over `options.seeds` until a checker fires, then shrink the failure. */
export async function exploreScenario(
  scenario: Scenario,
  options: ExploreOptions,
): Promise<ScenarioResult> {
  const runOptions: RunOptions = {
    makeStore: options.makeStore,
    batches: new BatchCache(),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
  };
  const sweep = await sweepSeeds(scenario, options.seeds, runOptions);
  return concludeSweep(scenario, options.seeds, sweep, runOptions, options.minimize !== false);
}
