/**
 * The operations of a history, each with its outcome: what the checkers of ambiguous and failed
 * commits reason about. An operation spans from its `invoke` to its `ok`, `fail`, or the crash
 * of its actor; its transaction id is read off the transaction file it wrote (every commit
 * writes exactly one, named `_transactions/{readVersion}-{id}.txn`, before it claims).
 */
import { TRANSACTIONS_DIR } from "../protocol/layout.js";
import type { HistoryEvent, OpKind } from "./history.js";

/** Errors after which a commit may or may not have happened. */
export const INDETERMINATE_ERRORS: ReadonlySet<string> = new Set(["CommitOutcomeUnknown"]);

/**
 * How an operation ended: `ok`; `failed` (the protocol says it did not commit); `indeterminate`
 * (it may have: an ambiguous error, or its actor crashed); `open` (the run ended first).
 */
export type OperationOutcome = "ok" | "failed" | "indeterminate" | "open";

/** One operation of one actor. */
export interface HistoryOperation {
  readonly actor: string;
  readonly opId: number;
  readonly op: OpKind;
  readonly invokeIndex: number;
  /** Index of the ok/fail/crash event that ended it. */
  readonly endIndex: number | undefined;
  readonly outcome: OperationOutcome;
  /** The id of the transaction it wrote (writes that got that far). */
  readonly transactionId: string | undefined;
  readonly errorKind?: string;
}

interface Open {
  actor: string;
  opId: number;
  op: OpKind;
  invokeIndex: number;
  transactionId: string | undefined;
}

/** Every operation in `history`, in the order they began. */
export function operationsOf(history: readonly HistoryEvent[]): HistoryOperation[] {
  const open = new Map<string, Open>();
  const done: HistoryOperation[] = [];
  const close = (
    actor: string,
    endIndex: number | undefined,
    outcome: OperationOutcome,
    errorKind?: string,
  ) => {
    const current = open.get(actor);
    if (current === undefined) return;
    open.delete(actor);
    const { opId, op, invokeIndex, transactionId } = current;
    const ended = { actor, opId, op, invokeIndex, endIndex, outcome, transactionId };
    done.push(errorKind === undefined ? ended : { ...ended, errorKind });
  };
  for (const [index, event] of history.entries()) {
    switch (event.type) {
      case "invoke":
        close(event.actor, undefined, "open");
        open.set(event.actor, {
          actor: event.actor,
          opId: event.opId,
          op: event.op,
          invokeIndex: index,
          transactionId: undefined,
        });
        break;
      case "call": {
        const current = open.get(event.actor);
        if (current === undefined || event.method !== "put") break;
        const id = transactionIdOf(event.path);
        if (id !== undefined) current.transactionId = id;
        break;
      }
      case "ok":
        close(event.actor, index, "ok");
        break;
      case "fail":
        close(
          event.actor,
          index,
          INDETERMINATE_ERRORS.has(event.error.kind) ? "indeterminate" : "failed",
          event.error.kind,
        );
        break;
      case "crash":
        close(event.actor, index, "indeterminate");
        break;
      case "restart":
        break;
    }
  }
  for (const actor of [...open.keys()]) close(actor, undefined, "open");
  return done.sort((a, b) => a.invokeIndex - b.invokeIndex);
}

/** The transaction id in a transaction file's path, or undefined for other paths. */
export function transactionIdOf(path: string): string | undefined {
  if (!path.startsWith(TRANSACTIONS_DIR) || !path.endsWith(".txn")) return undefined;
  const name = path.slice(TRANSACTIONS_DIR.length, -".txn".length);
  const dash = name.indexOf("-");
  return dash < 0 ? undefined : name.slice(dash + 1);
}
