/**
 * Replay files: a failing run as self-contained, versioned JSON — the (minimised) scenario,
 * the seed and every scheduler choice — and re-running one to the identical history.
 */

import type { Scenario } from "../scenarios/scenario.js";
import { validateScenario } from "../scenarios/validate.js";
import type { Violation } from "./checkers.js";
import { hashHistory } from "./history.js";
import { RESULT_FORMAT_VERSION, type RunResult, runOnce, type StoreFactory } from "./run.js";

/** A replay file. */
export interface ReplayFile {
  readonly formatVersion: number;
  readonly kind: "lancet-replay";
  readonly scenario: Scenario;
  readonly seed: number;
  readonly choices: readonly number[];
  /** Digest of the recorded history; a replay must reproduce it. */
  readonly historyHash: string;
  readonly violations: readonly Violation[];
}

/** A replay file or its contents that cannot be used. */
export class InvalidReplayFile extends Error {
  readonly kind = "InvalidReplayFile";
  constructor(source: string, why: string) {
    super(`invalid replay file ${source}: ${why}`);
    this.name = "InvalidReplayFile";
  }
}

/** The replay file of a run of `scenario`. */
export function replayFileOf(scenario: Scenario, run: RunResult): ReplayFile {
  return {
    formatVersion: RESULT_FORMAT_VERSION,
    kind: "lancet-replay",
    scenario,
    seed: run.seed,
    choices: run.choices,
    historyHash: hashHistory(run.history),
    violations: run.violations,
  };
}

/** Parse and validate a replay file's text (`source` names it in errors). */
export function parseReplayFile(text: string, source: string): ReplayFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidReplayFile(source, `not JSON (${(error as Error).message})`);
  }
  const v = value as Partial<ReplayFile> | null;
  if (typeof v !== "object" || v === null || v.kind !== "lancet-replay") {
    throw new InvalidReplayFile(source, "not a lancet replay file (kind is not 'lancet-replay')");
  }
  if (v.formatVersion !== RESULT_FORMAT_VERSION) {
    throw new InvalidReplayFile(
      source,
      `unsupported formatVersion ${String(v.formatVersion)} (this build reads ${RESULT_FORMAT_VERSION})`,
    );
  }
  if (!Number.isSafeInteger(v.seed)) throw new InvalidReplayFile(source, "missing integer 'seed'");
  if (!Array.isArray(v.choices) || !v.choices.every((c) => Number.isSafeInteger(c) && c >= 0)) {
    throw new InvalidReplayFile(source, "'choices' must be an array of non-negative integers");
  }
  if (typeof v.historyHash !== "string")
    throw new InvalidReplayFile(source, "missing 'historyHash'");
  try {
    validateScenario(v.scenario);
  } catch (error) {
    throw new InvalidReplayFile(source, (error as Error).message);
  }
  return v as ReplayFile;
}

/** The outcome of a replay. */
export interface ReplayOutcome {
  readonly run: RunResult;
  /** True when the replay reproduced the recorded history exactly. */
  readonly identical: boolean;
}

/** Re-run a replay file. */
export async function replay(file: ReplayFile, makeStore: StoreFactory): Promise<ReplayOutcome> {
  const run = await runOnce(file.scenario, file.seed, { makeStore, choices: file.choices });
  return { run, identical: hashHistory(run.history) === file.historyHash };
}
