/**
 * Checkers: pure functions from a history and the final store state to violations. Each states
 * one promise of the protocol; a run is `safe` when none fires. Every checker has a test in
 * which it catches a deliberately planted bug (test/sim/checkers.test.ts).
 */
import { parseManifestPath } from "../protocol/layout.js";
import {
  ambiguousCommitWhole,
  failedCommitInvisible,
  freshReads,
  noDuplicateCommit,
  referencedFilesExist,
} from "./checkers-outcomes.js";
import type { FinalState, FinalVersion } from "./final-state.js";
import {
  type CallEvent,
  COMMIT_OPS,
  type HistoryEvent,
  type InvokeEvent,
  isCommit,
  type OkEvent,
  type ReadObservation,
} from "./history.js";
import { type HistoryOperation, operationsOf } from "./operations.js";

/** Names of the checkers. */
export type CheckerName =
  | "failed-commit-invisible"
  | "ambiguous-commit-whole"
  | "no-duplicate-commit"
  | "referenced-files-exist"
  | "fresh-reads"
  | "acked-rows-present"
  | "no-duplicate-rows"
  | "no-read-errors"
  | "no-lost-commit"
  | "manifest-written-once"
  | "versions-contiguous"
  | "versions-created-in-order"
  | "no-torn-read"
  | "monotonic-reads"
  | "real-time-order";

/** A broken promise, with the history events that show it. */
export interface Violation {
  readonly checker: CheckerName;
  readonly message: string;
  /** Indices into the history of the events that show the violation. */
  readonly events: readonly number[];
}

/** What a checker reads. */
export interface CheckInput {
  readonly history: readonly HistoryEvent[];
  readonly final: FinalState;
  /** The history's operations, if already computed (see {@link operationsOf}). */
  readonly operations?: readonly HistoryOperation[];
}

/** A checker: one promise, checked. */
export interface Checker {
  readonly name: CheckerName;
  /** The promise, in a sentence. */
  readonly promise: string;
  check(input: CheckInput): Violation[];
}

/**
 * Every version whose manifest some actor deleted (a cleanup, finished or not: one that crashed
 * half way has deleted manifests too).
 */
export function cleanedVersions(history: readonly HistoryEvent[]): Set<number> {
  const out = new Set<number>();
  for (const e of history) {
    if (e.type !== "call" || e.method !== "delete" || e.outcome !== "ok") continue;
    const version = parseManifestPath(e.path)?.version;
    if (version !== undefined) out.add(version);
  }
  return out;
}
const TORN_READ_ERRORS = new Set(["CorruptFile", "MissingDataFile"]);

/** Every acknowledged commit is its own version in the final table. */
export const noLostCommit: Checker = {
  name: "no-lost-commit",
  promise: "every acknowledged commit is the version it was acknowledged as",
  check({ history, final }) {
    const byVersion = versionMap(final);
    const cleaned = cleanedVersions(history);
    const out: Violation[] = [];
    history.forEach((event, index) => {
      if (!isCommit(event)) return;
      const found = byVersion.get(event.version);
      if (found?.transactionId === event.transactionId) return;
      // Deleted by a cleanup, as old versions are meant to be.
      if (found === undefined && cleaned.has(event.version)) return;
      out.push({
        checker: "no-lost-commit",
        message:
          `${event.actor}'s ${event.op} was acknowledged as version ${event.version} (transaction ${event.transactionId}) ` +
          (found === undefined
            ? "but that version is not in the store"
            : `but version ${event.version} holds transaction ${found.transactionId}: the commit was lost`),
        events: [index, ...writesOf(history, found?.path)],
      });
    });
    return out;
  },
};

/** A manifest path, once written, never gets other bytes. */
export const manifestWrittenOnce: Checker = {
  name: "manifest-written-once",
  promise: "each version's manifest is written once and never replaced by other bytes",
  check({ history }) {
    // Rewriting identical bytes is harmless (finishing another writer's external-store commit does it).
    const writes = new Map<string, number[]>();
    history.forEach((event, index) => {
      if (!isManifestWrite(event)) return;
      const list = writes.get(event.path) ?? [];
      list.push(index);
      writes.set(event.path, list);
    });
    const out: Violation[] = [];
    for (const [path, indices] of writes) {
      const digests = new Set(indices.map((i) => (history[i] as CallEvent).digest ?? `#${i}`));
      if (digests.size < 2) continue;
      const actors = indices.map((i) => history[i]?.actor).join(", ");
      out.push({
        checker: "manifest-written-once",
        message: `${path} was written ${indices.length} times with ${digests.size} different contents (by ${actors}): a committed version was replaced`,
        events: indices,
      });
    }
    return out;
  },
};

/** The final versions are 1..N, but for those a cleanup deleted, each decodable. */
export const versionsContiguous: Checker = {
  name: "versions-contiguous",
  promise:
    "the table's versions are 1..N with no gap (but cleaned ones) and no undecodable manifest",
  check({ history, final }) {
    const out: Violation[] = [];
    const cleaned = cleanedVersions(history);
    const present = new Set(final.versions.map((v) => v.version));
    const newest = final.versions.at(-1)?.version ?? 0;
    // Report the first gap only: every version after it is out of place too.
    let gapFrom: number | undefined;
    for (let v = 1; v <= newest && gapFrom === undefined; v++)
      if (!present.has(v) && !cleaned.has(v)) gapFrom = v;
    if (gapFrom !== undefined) {
      let gapTo = gapFrom;
      while (!present.has(gapTo + 1) && gapTo < newest) gapTo++;
      out.push({
        checker: "versions-contiguous",
        message: `expected version ${gapFrom}, found version ${gapTo + 1} next: versions ${gapFrom}..${gapTo} are missing`,
        events: [],
      });
    }
    for (const c of final.corrupt) {
      out.push({
        checker: "versions-contiguous",
        message: `manifest ${c.path} is corrupt: ${c.reason}`,
        events: [],
      });
    }
    return out;
  },
};

/**
 * A manifest is never created below a version that already exists: such a version is invisible
 * to every reader of the latest (a writer that rebased on a version a cleanup removed).
 * Writing the same bytes again (finishing another writer's external-store commit) is fine.
 */
export const versionsCreatedInOrder: Checker = {
  name: "versions-created-in-order",
  promise: "no version is created below one that already exists",
  check({ history }) {
    const out: Violation[] = [];
    const written = new Map<number, { digest: string | undefined; index: number }>();
    const deleted = new Set<number>();
    let highest: { version: number; index: number } | undefined;
    history.forEach((event, index) => {
      if (event.type === "call" && event.method === "delete" && event.outcome === "ok") {
        const version = parseManifestPath(event.path)?.version;
        if (version !== undefined) deleted.add(version);
        return;
      }
      if (!isManifestWrite(event)) return;
      const version = parseManifestPath(event.path)?.version as number;
      const before = written.get(version);
      const same =
        before !== undefined && before.digest !== undefined && before.digest === event.digest;
      if (!same && highest !== undefined && highest.version > version) {
        out.push({
          checker: "versions-created-in-order",
          message: `${event.actor} wrote version ${version} after version ${highest.version} existed: readers of the latest never see it${before === undefined ? "" : deleted.has(version) ? ` (it re-created version ${version}, which a cleanup had deleted)` : ` (it replaced the version ${version} written earlier)`}`,
          events: [highest.index, index],
        });
      }
      written.set(version, { digest: event.digest, index });
      if (highest === undefined || version > highest.version) highest = { version, index };
    });
    return out;
  },
};

/** Every read saw exactly some committed version, whole. */
export const noTornRead: Checker = {
  name: "no-torn-read",
  promise: "every read sees exactly one committed version, whole",
  check({ history, final }) {
    const byVersion = versionMap(final);
    const cleaned = cleanedVersions(history);
    const out: Violation[] = [];
    history.forEach((event, index) => {
      if (event.type === "fail" && event.op === "read" && TORN_READ_ERRORS.has(event.error.kind)) {
        out.push({
          checker: "no-torn-read",
          message: `${event.actor} read a version it could not read whole: ${event.error.kind}: ${event.error.message}`,
          events: [index],
        });
      }
      if (event.type !== "ok" || event.op !== "read" || event.observation === undefined) return;
      const committed = byVersion.get(event.version);
      // A version since cleaned up: nothing left to compare with (its files were checked when read).
      if (committed === undefined && cleaned.has(event.version)) return;
      const difference = compareRead(event.observation, committed);
      if (difference !== undefined) {
        out.push({
          checker: "no-torn-read",
          message: `${event.actor} read version ${event.version} as ${difference}`,
          events: [index],
        });
      }
    });
    return out;
  },
};

/** A reader that looks again never sees an older version. */
export const monotonicReads: Checker = {
  name: "monotonic-reads",
  promise: "a reader (within one process lifetime) never goes back to an older version",
  check({ history }) {
    const last = new Map<string, { version: number; index: number }>();
    const out: Violation[] = [];
    history.forEach((event, index) => {
      // A restarted process remembers nothing: its reads start afresh.
      if (event.type === "restart") last.delete(event.actor);
      if (event.type !== "ok" || event.op !== "read") return;
      const previous = last.get(event.actor);
      if (previous !== undefined && event.version < previous.version) {
        out.push({
          checker: "monotonic-reads",
          message: `${event.actor} read version ${event.version} after having read version ${previous.version}`,
          events: [previous.index, index],
        });
      }
      last.set(event.actor, { version: event.version, index });
    });
    return out;
  },
};

/** A commit acknowledged before another began gets the lower version. */
export const realTimeOrder: Checker = {
  name: "real-time-order",
  promise: "a commit acknowledged before another commit began has the lower version",
  check({ history }) {
    const commits = ackedWrites(history);
    const out: Violation[] = [];
    for (const a of commits) {
      for (const b of commits) {
        if (a.okIndex < b.invokeIndex && a.version >= b.version) {
          out.push({
            checker: "real-time-order",
            message: `${a.actor}'s commit finished (version ${a.version}) before ${b.actor}'s began, yet ${b.actor}'s got version ${b.version}`,
            events: [a.okIndex, b.invokeIndex, b.okIndex],
          });
        }
      }
    }
    return out;
  },
};

/** Every built-in checker. */
export const CHECKERS: readonly Checker[] = [
  noLostCommit,
  manifestWrittenOnce,
  versionsContiguous,
  versionsCreatedInOrder,
  noTornRead,
  monotonicReads,
  realTimeOrder,
  failedCommitInvisible,
  ambiguousCommitWhole,
  noDuplicateCommit,
  referencedFilesExist,
  freshReads,
];

/** Run `checkers` (default: all) and collect their violations. */
export function checkHistory(
  input: CheckInput,
  checkers: readonly Checker[] = CHECKERS,
): Violation[] {
  const shared = { ...input, operations: input.operations ?? operationsOf(input.history) };
  return checkers.flatMap((checker) => checker.check(shared));
}

function versionMap(final: FinalState): Map<number, FinalVersion> {
  return new Map(final.versions.map((v) => [v.version, v]));
}

function isManifestWrite(event: HistoryEvent): event is CallEvent {
  return (
    event.type === "call" &&
    event.outcome === "ok" &&
    (event.method === "put" || event.method === "rename") &&
    parseManifestPath(event.path) !== undefined
  );
}

function writesOf(history: readonly HistoryEvent[], path: string | undefined): number[] {
  if (path === undefined) return [];
  const out: number[] = [];
  history.forEach((e, i) => {
    if (isManifestWrite(e) && e.path === path) out.push(i);
  });
  return out;
}

function compareRead(
  seen: ReadObservation,
  committed: FinalVersion | undefined,
): string | undefined {
  if (committed === undefined) return "a version that is not in the final table";
  if (seen.transactionId !== committed.transactionId) {
    return `transaction ${seen.transactionId}, but the version committed is transaction ${committed.transactionId}`;
  }
  if (committed.missingFiles.length > 0)
    return `a version whose files are missing: ${committed.missingFiles.join(", ")}`;
  if (!sameFragments(seen.fragments, committed.fragments)) {
    return `fragments ${JSON.stringify(seen.fragments)}, but the committed version has ${JSON.stringify(committed.fragments)}`;
  }
  return undefined;
}

function sameFragments(a: ReadObservation["fragments"], b: ReadObservation["fragments"]): boolean {
  return (
    a.length === b.length && a.every(([id, rows], i) => b[i]?.[0] === id && b[i]?.[1] === rows)
  );
}

interface AckedWrite {
  readonly actor: string;
  readonly version: number;
  readonly invokeIndex: number;
  readonly okIndex: number;
}

function ackedWrites(history: readonly HistoryEvent[]): AckedWrite[] {
  const open = new Map<string, number>();
  const out: AckedWrite[] = [];
  history.forEach((event, index) => {
    if (event.type === "invoke" && COMMIT_OPS.has((event as InvokeEvent).op))
      open.set(`${event.actor}#${event.opId}`, index);
    if (isCommit(event)) {
      const invokeIndex = open.get(`${event.actor}#${(event as OkEvent).opId}`);
      if (invokeIndex !== undefined)
        out.push({ actor: event.actor, version: event.version, invokeIndex, okIndex: index });
    }
  });
  return out;
}
