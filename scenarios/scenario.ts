/**
 * Scenarios as data: who writes and reads, with which commit strategy, under which faults, and
 * the verdict lancet expects. A scenario is plain versioned JSON, so a minimised failing
 * scenario can travel inside a replay file.
 */

import type { RetryOptions } from "../protocol/commit.js";
import type { VersionNaming } from "../protocol/layout.js";
import type { Predicate } from "../protocol/manifest.js";
import type { CommitStrategyName } from "../protocol/strategy.js";

/** Format of scenario documents written by this build. */
export const SCENARIO_FORMAT_VERSION = 1;

/** `safe`: no checker may ever fire. `unsafe`: some seed must make a checker fire. */
export type Verdict = "safe" | "unsafe";

/** One write a writer performs. Appended rows are `(writer, op, row)` triples. */
export type WriteOp =
  | { readonly kind: "append"; readonly rows: number }
  | { readonly kind: "overwrite"; readonly rows: number }
  | { readonly kind: "delete"; readonly predicate: Predicate };

/** A writer: its writes, in order. */
export interface WriterSpec {
  readonly ops: readonly WriteOp[];
}

/** A reader: how many times it opens the latest version and checks it whole. */
export interface ReaderSpec {
  readonly reads: number;
  /** Virtual pause between reads, uniform in [0, pauseMs] (default 10). */
  readonly pauseMs?: number;
}

/** Faults to inject. */
export interface ScenarioFaults {
  /** Writers crash at store calls with this probability each, at most `maxCrashes` times a run. */
  readonly crash?: { readonly probability: number; readonly maxCrashes: number };
}

/**
 * How the simulated object store behaves: `honest` keeps every promise of the interface;
 * `ignoresConditions` claims conditional writes but silently ignores `create` and `ifMatch`
 * (s3rver; Alibaba OSS in lance #4205; plain S3 before August 2024).
 */
export type StoreModel = "honest" | "ignoresConditions";

/** A named situation with an expected verdict. */
export interface Scenario {
  readonly formatVersion: number;
  readonly name: string;
  readonly title: string;
  /** One paragraph: the real-world situation and why the verdict is what it is. */
  readonly story: string;
  readonly expected: Verdict;
  readonly commitStrategy: CommitStrategyName;
  readonly naming: VersionNaming;
  /** The simulated store's behaviour (default `honest`). */
  readonly storeModel?: StoreModel;
  readonly writers: readonly WriterSpec[];
  readonly readers: readonly ReaderSpec[];
  readonly faults: ScenarioFaults;
  /** Seeds `lancet run` explores by default. */
  readonly seeds: number;
  readonly retry?: RetryOptions;
}

/** `count` appends of `rows` rows each. */
export function appends(count: number, rows = 2): WriteOp[] {
  return Array.from({ length: count }, () => ({ kind: "append", rows }) as const);
}
