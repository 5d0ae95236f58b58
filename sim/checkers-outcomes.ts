/**
 * Checkers of what faults make hard: commits that failed or ended ambiguously, duplicated
 * commits, files that must exist, and reads that must be fresh. Like the core checkers, each is
 * a pure function of the history and the final state, with a planted-bug test.
 */
import type { Checker, Violation } from "./checkers.js";
import type { FinalState, FinalVersion } from "./final-state.js";
import { type CallEvent, type HistoryEvent, isCommit } from "./history.js";
import { operationsOf } from "./operations.js";

/** A commit the protocol reported as failed is not in the table. */
export const failedCommitInvisible: Checker = {
  name: "failed-commit-invisible",
  promise: "a commit reported as failed never becomes visible",
  check({ history, final, operations }) {
    const byTransaction = versionsByTransaction(final);
    const out: Violation[] = [];
    for (const op of operations ?? operationsOf(history)) {
      if (op.outcome !== "failed" || op.transactionId === undefined) continue;
      const found = byTransaction.get(op.transactionId);
      if (found === undefined || found.length === 0) continue;
      out.push({
        checker: "failed-commit-invisible",
        message: `${op.actor}'s ${op.op} failed with ${op.errorKind}, yet its transaction ${op.transactionId} is version ${found.map((v) => v.version).join(", ")}: a caller told "failed" will write the same data again`,
        events: [op.invokeIndex, ...(op.endIndex === undefined ? [] : [op.endIndex])],
      });
    }
    return out;
  },
};

/** A commit that ended ambiguously is in the table whole, once, or not at all. */
export const ambiguousCommitWhole: Checker = {
  name: "ambiguous-commit-whole",
  promise: "a commit with an unknown outcome (ambiguous error, crash) is fully visible or absent",
  check({ history, final, operations }) {
    const byTransaction = versionsByTransaction(final);
    const out: Violation[] = [];
    for (const op of operations ?? operationsOf(history)) {
      if (op.outcome !== "indeterminate" || op.transactionId === undefined) continue;
      const found = byTransaction.get(op.transactionId) ?? [];
      const events = [op.invokeIndex, ...(op.endIndex === undefined ? [] : [op.endIndex])];
      if (found.length > 1) {
        out.push({
          checker: "ambiguous-commit-whole",
          message: `${op.actor}'s ${op.op} ended ambiguously and its transaction ${op.transactionId} is committed ${found.length} times (versions ${found.map((v) => v.version).join(", ")})`,
          events,
        });
      }
      const partial = found.find((v) => v.missingFiles.length > 0);
      if (partial !== undefined) {
        out.push({
          checker: "ambiguous-commit-whole",
          message: `${op.actor}'s ${op.op} ended ambiguously and is visible as version ${partial.version} without its files: ${partial.missingFiles.join(", ")}`,
          events,
        });
      }
    }
    return out;
  },
};

/** No transaction is committed twice, and no data file is in a version twice. */
export const noDuplicateCommit: Checker = {
  name: "no-duplicate-commit",
  promise: "each transaction commits at most once and a version never holds a data file twice",
  check({ final }) {
    const out: Violation[] = [];
    for (const [id, versions] of versionsByTransaction(final)) {
      if (versions.length < 2) continue;
      out.push({
        checker: "no-duplicate-commit",
        message: `transaction ${id} is committed as versions ${versions.map((v) => v.version).join(", ")}: a retry committed it again`,
        events: [],
      });
    }
    for (const version of final.versions) {
      const seen = new Set<string>();
      const twice = version.dataFiles.filter((f) => seen.size === seen.add(f).size);
      if (twice.length === 0) continue;
      out.push({
        checker: "no-duplicate-commit",
        message: `version ${version.version} holds data file${twice.length > 1 ? "s" : ""} ${twice.join(", ")} twice: an append was rebased onto itself and its rows count double`,
        events: [],
      });
    }
    return out;
  },
};

/** Every file a version in the table references exists. */
export const referencedFilesExist: Checker = {
  name: "referenced-files-exist",
  promise:
    "every file a retained version references exists (cleanup deletes only unreferenced files)",
  check({ history, final }) {
    const out: Violation[] = [];
    for (const version of final.versions) {
      if (version.missingFiles.length === 0) continue;
      const deletions = deletionsOf(history, version.missingFiles);
      const who =
        deletions.length === 0
          ? "never written or deleted outside the run"
          : `deleted by ${[...new Set(deletions.map((i) => history[i]?.actor))].join(", ")}`;
      out.push({
        checker: "referenced-files-exist",
        message: `version ${version.version} references ${version.missingFiles.join(", ")}, which ${version.missingFiles.length > 1 ? "are" : "is"} gone (${who})`,
        events: deletions,
      });
    }
    return out;
  },
};

/**
 * A read with a staleness bound b sees at least every version acknowledged more than b ms
 * before it began (b = 0: acknowledged before it began, in history order).
 */
export const freshReads: Checker = {
  name: "fresh-reads",
  promise:
    "a strong read sees every commit acknowledged before it began; an eventual one lags by at most its interval",
  check({ history }) {
    const out: Violation[] = [];
    const newest: { version: number; index: number; timeMs: number }[] = [];
    const invokes = new Map<string, { index: number; timeMs: number; boundMs: number }>();
    history.forEach((event, index) => {
      if (isCommit(event)) {
        newest.push({ version: event.version, index, timeMs: event.timeMs });
        return;
      }
      if (event.type === "invoke" && event.op === "read" && event.staleBoundMs !== undefined) {
        invokes.set(`${event.actor}#${event.opId}`, {
          index,
          timeMs: event.timeMs,
          boundMs: event.staleBoundMs,
        });
        return;
      }
      if (event.type !== "ok" || event.op !== "read") return;
      const invoke = invokes.get(`${event.actor}#${event.opId}`);
      if (invoke === undefined) return;
      const due = newest.filter((c) =>
        invoke.boundMs === 0 ? c.index < invoke.index : c.timeMs < invoke.timeMs - invoke.boundMs,
      );
      const missed = due.reduce((a, c) => (c.version > a.version ? c : a), {
        version: 0,
        index: -1,
        timeMs: 0,
      });
      if (event.version < missed.version) {
        out.push({
          checker: "fresh-reads",
          message:
            invoke.boundMs === 0
              ? `${event.actor}'s strong read saw version ${event.version}, but version ${missed.version} was acknowledged before the read began`
              : `${event.actor}'s read (interval ${invoke.boundMs} ms) saw version ${event.version}, but version ${missed.version} was acknowledged ${invoke.timeMs - missed.timeMs} ms before the read began`,
          events: [missed.index, invoke.index, index],
        });
      }
    });
    return out;
  },
};

function versionsByTransaction(final: FinalState): Map<string, FinalVersion[]> {
  const map = new Map<string, FinalVersion[]>();
  for (const v of final.versions) {
    const list = map.get(v.transactionId) ?? [];
    list.push(v);
    map.set(v.transactionId, list);
  }
  return map;
}

function deletionsOf(history: readonly HistoryEvent[], paths: readonly string[]): number[] {
  const wanted = new Set(paths);
  const out: number[] = [];
  history.forEach((event, index) => {
    if (
      event.type === "call" &&
      (event as CallEvent).method === "delete" &&
      event.outcome === "ok" &&
      wanted.has(event.path)
    )
      out.push(index);
  });
  return out;
}
