/**
 * Exploring a scenario over many seeds: run seed after seed, stop at the first violation,
 * shrink it, and compare the verdict with the scenario's expectation.
 */
import type { Scenario, Verdict } from "../scenarios/scenario.js";
import type { Violation } from "./checkers.js";
import { minimizeFailure } from "./minimize.js";
import { RESULT_FORMAT_VERSION, type RunOptions, type RunResult, runOnce } from "./run.js";
import { BatchCache } from "./workload.js";

/** Options of {@link exploreScenario}. */
export interface ExploreOptions extends Omit<RunOptions, "batches" | "choices"> {
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
  readonly failure?: FailureReport;
}

/** Run `scenario` over `options.seeds` until a checker fires. */
export async function exploreScenario(
  scenario: Scenario,
  options: ExploreOptions,
): Promise<ScenarioResult> {
  const runOptions: RunOptions = { makeStore: options.makeStore, batches: new BatchCache() };
  const totals = {
    steps: 0,
    commitsAcknowledged: 0,
    commitsFailed: 0,
    readsChecked: 0,
    crashes: 0,
  };
  let seedsRun = 0;
  let failing: RunResult | undefined;
  for (const seed of options.seeds) {
    const result = await runOnce(scenario, seed, runOptions);
    seedsRun++;
    totals.steps += result.stats.steps;
    totals.commitsAcknowledged += result.stats.commitsAcknowledged;
    totals.commitsFailed += result.stats.commitsFailed;
    totals.readsChecked += result.stats.readsChecked;
    totals.crashes += result.stats.crashes;
    if (result.violations.length > 0) {
      failing = result;
      break;
    }
  }
  const verdict: Verdict = failing === undefined ? "safe" : "unsafe";
  const base = {
    formatVersion: RESULT_FORMAT_VERSION,
    scenario,
    expected: scenario.expected,
    verdict,
    matchesExpectation: verdict === scenario.expected,
    seedsRun,
    firstSeed: options.seeds[0] ?? 0,
    totals,
  };
  if (failing === undefined) return base;
  const minimal =
    options.minimize === false
      ? { scenario, result: failing, runsSpent: 0 }
      : await minimizeFailure(scenario, failing, runOptions);
  return {
    ...base,
    failure: {
      seed: failing.seed,
      violations: failing.violations,
      minimal: { scenario: minimal.scenario, run: minimal.result, runsSpent: minimal.runsSpent },
    },
  };
}
