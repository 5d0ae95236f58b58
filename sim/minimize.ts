/**
 * Shrinking a failure: greedily remove readers, writers, writes and rows from the scenario, and
 * keep any smaller scenario that still makes the same checker fire under some seed. What is
 * left is a minimal story of the bug, usually two writers and a handful of store calls.
 */
import type { Scenario, WriteOp } from "../scenarios/scenario.js";
import type { RunOptions, RunResult } from "./run.js";
import { runOnce } from "./run.js";

/** Bounds of the search. */
export interface MinimizeOptions {
  /** Seeds tried per candidate scenario besides the failing one (default 24). */
  readonly seedsPerCandidate?: number;
  /** Total runs the search may spend (default 600). */
  readonly maxRuns?: number;
}

/** A minimised failure. */
export interface Minimized {
  readonly scenario: Scenario;
  readonly result: RunResult;
  readonly runsSpent: number;
}

/** Shrink `scenario`, which fails as `failing`, keeping the first violation's checker firing. */
export async function minimizeFailure(
  scenario: Scenario,
  failing: RunResult,
  runOptions: RunOptions,
  options: MinimizeOptions = {},
): Promise<Minimized> {
  const target = failing.violations[0]?.checker;
  if (target === undefined) return { scenario, result: failing, runsSpent: 0 };
  const seedsPerCandidate = options.seedsPerCandidate ?? 24;
  const maxRuns = options.maxRuns ?? 600;
  let best = { scenario, result: failing };
  let runs = 0;
  let improved = true;
  while (improved && runs < maxRuns) {
    improved = false;
    for (const candidate of smallerScenarios(best.scenario)) {
      const seeds = [best.result.seed, ...Array.from({ length: seedsPerCandidate }, (_, i) => i)];
      for (const seed of seeds) {
        if (runs >= maxRuns) break;
        runs++;
        const result = await runOnce(candidate, seed, runOptions);
        if (result.violations.some((v) => v.checker === target)) {
          best = { scenario: candidate, result };
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
  }
  return { ...best, runsSpent: runs };
}

/** One-step reductions of a scenario, most aggressive first. */
function* smallerScenarios(s: Scenario): Generator<Scenario> {
  for (let i = 0; i < s.readers.length; i++) yield { ...s, readers: without(s.readers, i) };
  for (let i = 0; i < s.writers.length && s.writers.length > 1; i++)
    yield { ...s, writers: without(s.writers, i) };
  for (let i = 0; i < s.writers.length; i++) {
    const ops = s.writers[i]?.ops ?? [];
    if (ops.length > 1) yield withWriterOps(s, i, ops.slice(0, ops.length - 1));
    if (ops.length > 1) yield withWriterOps(s, i, ops.slice(1));
  }
  for (let i = 0; i < s.readers.length; i++) {
    const reader = s.readers[i];
    if (reader !== undefined && reader.reads > 1) {
      yield {
        ...s,
        readers: s.readers.map((r, j) => (j === i ? { ...r, reads: r.reads - 1 } : r)),
      };
    }
  }
  for (let i = 0; i < s.writers.length; i++) {
    const ops = s.writers[i]?.ops ?? [];
    if (ops.some((op) => "rows" in op && op.rows > 1)) {
      yield withWriterOps(
        s,
        i,
        ops.map((op): WriteOp => ("rows" in op ? { ...op, rows: 1 } : op)),
      );
    }
  }
}

function withWriterOps(s: Scenario, index: number, ops: readonly WriteOp[]): Scenario {
  return { ...s, writers: s.writers.map((w, j) => (j === index ? { ...w, ops } : w)) };
}

function without<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, i) => i !== index);
}
