/**
 * Scenarios as data: who writes and reads, with which commit strategy, under which faults, and
 * the verdict lancet expects. A scenario is plain versioned JSON, so a minimised failing
 * scenario can travel inside a replay file.
 */

import type { RetryOptions } from "../protocol/commit.js";
import type { VersionNaming } from "../protocol/layout.js";
import type { CellValue, Predicate } from "../protocol/manifest.js";
import type { CommitStrategyName } from "../protocol/strategy.js";

/** Format of scenario documents written by this build. */
export const SCENARIO_FORMAT_VERSION = 1;

/** `safe`: no checker may ever fire. `unsafe`: some seed must make a checker fire. */
export type Verdict = "safe" | "unsafe";

/**
 * One thing a writer does. Appended rows are `(writer, op, row)` triples. `compact` rewrites
 * small fragments and those with deletions; `restore` commits an old version again; `cleanup`
 * deletes old versions (Lance's age-based rule, or respecting reader leases).
 */
export type WriteOp =
  | { readonly kind: "append"; readonly rows: number }
  | { readonly kind: "overwrite"; readonly rows: number }
  | { readonly kind: "delete"; readonly predicate: Predicate }
  | {
      readonly kind: "update";
      readonly predicate: Predicate;
      readonly set: Readonly<Record<string, CellValue>>;
    }
  | { readonly kind: "compact"; readonly targetRowsPerFragment?: number }
  | { readonly kind: "restore"; readonly version: number }
  | {
      readonly kind: "cleanup";
      readonly olderThanMs: number;
      readonly minRetainedVersions?: number;
      readonly respectLeases?: boolean;
    };

/** A writer: its writes, in order. */
export interface WriterSpec {
  readonly ops: readonly WriteOp[];
  /** Virtual time to wait before the first write (default 0). */
  readonly startAfterMs?: number;
  /** Virtual pause between writes, uniform in [0, pauseMs] (default 0). */
  readonly pauseMs?: number;
}

/**
 * How fresh a reader's reads are (Lance's `read_consistency_interval`): `strong` looks for a
 * newer version before every read (interval 0), `eventual` at most once per `intervalMs`,
 * `never` keeps the version it opened.
 */
export type ReadConsistency = "strong" | "eventual" | "never";

/** A reader: how many times it reads the table and checks what it saw is whole. */
export interface ReaderSpec {
  readonly reads: number;
  /** Virtual pause between reads, uniform in [0, pauseMs] (default 10). */
  readonly pauseMs?: number;
  /** Default `strong`. */
  readonly consistency?: ReadConsistency;
  /** The interval of an `eventual` reader (default 20 ms). */
  readonly intervalMs?: number;
  /** Read this version (time travel) instead of the latest. */
  readonly version?: number;
  /** Hold a reader lease of this duration on the version read (see protocol/leases.ts). */
  readonly leaseMs?: number;
}

/** Faults to inject; each is off unless given. */
export interface ScenarioFaults {
  /**
   * Actors crash at store calls with this probability each, at most `maxCrashes` times a run.
   * Writers only, unless `readers`; with `restartAfterMs` a crashed actor starts again.
   */
  readonly crash?: {
    readonly probability: number;
    readonly maxCrashes: number;
    readonly restartAfterMs?: number;
    readonly readers?: boolean;
  };
  /** Calls fail before applying (503, throttling). */
  readonly transient?: { readonly probability: number; readonly max: number };
  /** Calls apply but their response is lost (a timeout): the caller cannot tell. */
  readonly lostResponse?: { readonly probability: number; readonly max: number };
  /** Listings omit objects created in the last `lagMs`. */
  readonly staleList?: { readonly probability: number; readonly lagMs: number };
  /** Actors' clocks run ahead of virtual time by up to this much (fixed per actor). */
  readonly clockSkewMs?: number;
  /** Virtual time per store call, uniform in [min, max] ms (default 1..3). */
  readonly latencyMs?: { readonly min: number; readonly max: number };
}

/**
 * How the simulated object store behaves: `honest` keeps every promise of the interface;
 * `ignoresConditions` claims conditional writes but silently ignores `create` and `ifMatch`
 * (s3rver; Alibaba OSS in lance #4205; plain S3 before August 2024); `laggingList` says
 * honestly that listings may lag writes (`listAfterWrite: false`; pair it with the
 * `staleList` fault).
 */
export type StoreModel = "honest" | "ignoresConditions" | "laggingList";

/** The store models, for validation and listings. */
export const STORE_MODELS: readonly StoreModel[] = ["honest", "ignoresConditions", "laggingList"];

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

/**
 * Every fault at once, at rates that leave most operations able to finish: what
 * `lancet run --all-faults` adds to a scenario (its own fault settings win).
 */
export const ALL_FAULTS: ScenarioFaults = {
  crash: { probability: 0.03, maxCrashes: 3, restartAfterMs: 50, readers: true },
  lostResponse: { probability: 0.03, max: 3 },
  transient: { probability: 0.03, max: 3 },
  staleList: { probability: 0.3, lagMs: 30 },
  clockSkewMs: 1000,
  latencyMs: { min: 1, max: 20 },
};

/**
 * `scenario` with {@link ALL_FAULTS} added. Lagging listings need a store that admits them
 * (`laggingList`); a store model that already changes behaviour (`ignoresConditions`) keeps its
 * listings fresh, since one simulated store has one model, and a scenario with its own stale
 * listings keeps its model (it is about what that model claims).
 */
export function withAllFaults(scenario: Scenario): Scenario {
  const model = scenario.storeModel ?? "honest";
  const { staleList, ...others } = ALL_FAULTS;
  // A scenario that sets its own stale listings is about them: leave its store model alone.
  if (scenario.faults.staleList !== undefined)
    return {
      ...scenario,
      title: `${scenario.title} (all faults)`,
      faults: { ...others, ...scenario.faults },
    };
  const lagging = model === "honest" || model === "laggingList";
  return {
    ...scenario,
    title: `${scenario.title} (all faults)`,
    storeModel: lagging ? "laggingList" : model,
    faults: { ...others, ...(lagging ? { staleList } : {}), ...scenario.faults },
  };
}
