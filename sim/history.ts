/**
 * The history of a simulated run, Jepsen style: what each actor invoked, how it completed
 * (ok, fail, or never — a crash), and every store call the scheduler applied, in order.
 * Histories are plain JSON; checkers and reports read nothing else.
 */
import { createHash } from "node:crypto";

/** Operations actors perform. */
export type OpKind =
  | "append"
  | "overwrite"
  | "delete"
  | "update"
  | "compact"
  | "restore"
  | "cleanup"
  | "read";

/** The operations that commit a version (a cleanup deletes versions instead). */
export const COMMIT_OPS: ReadonlySet<string> = new Set([
  "append",
  "overwrite",
  "delete",
  "update",
  "compact",
  "restore",
]);

/** What a reader saw: one version, as a whole. */
export interface ReadObservation {
  readonly version: number;
  readonly transactionId: string;
  /** Fragment ids with their live row counts, in manifest order. */
  readonly fragments: readonly (readonly [id: number, liveRows: number])[];
}

interface EventBase {
  /** Index of the scheduling step at which the event happened. */
  readonly step: number;
  /** Virtual time in milliseconds. */
  readonly timeMs: number;
  readonly actor: string;
}

/**
 * An acknowledged commit that committed something (not a compaction with nothing to do). The
 * narrowed type keeps other `ok` events (reads, no-ops) possible when this is false.
 */
export function isCommit(event: HistoryEvent): event is OkEvent & { readonly noop?: false } {
  return event.type === "ok" && COMMIT_OPS.has(event.op) && event.noop !== true;
}

/** An actor starts an operation. */
export interface InvokeEvent extends EventBase {
  readonly type: "invoke";
  readonly opId: number;
  readonly op: OpKind;
  /**
   * Reads: how stale the read may be, in ms of virtual time (0 = it must see every commit
   * acknowledged before it began). Absent: no freshness promise (a reader that never refreshes).
   */
  readonly staleBoundMs?: number;
}

/** An operation completes successfully. */
export interface OkEvent extends EventBase {
  readonly type: "ok";
  readonly opId: number;
  readonly op: OpKind;
  /** Version committed (writes) or read (reads). */
  readonly version: number;
  /** The committed transaction's id (writes). */
  readonly transactionId?: string;
  readonly attempts?: number;
  readonly observation?: ReadObservation;
  /** A compaction that found nothing to do: it committed nothing (`version` is the one it saw). */
  readonly noop?: boolean;
  /** A cleanup: the versions whose manifests it deleted. */
  readonly cleaned?: readonly number[];
  /** A read through a system that shows no manifest (LanceDB): the rows it counted. */
  readonly rowCount?: number;
}

/** An operation fails with an error the actor saw. */
export interface FailEvent extends EventBase {
  readonly type: "fail";
  readonly opId: number;
  readonly op: OpKind;
  readonly error: { readonly kind: string; readonly message: string };
}

/** An actor crashes at a store call (before or after its effect); its operation never completes. */
export interface CrashEvent extends EventBase {
  readonly type: "crash";
  readonly call: string;
  readonly effectApplied: boolean;
}

/** A crashed actor starts again (a fresh process: it remembers nothing but its job list). */
export interface RestartEvent extends EventBase {
  readonly type: "restart";
  /** 1 after the first crash, 2 after the second, ... */
  readonly incarnation: number;
}

/** A store call applied by the scheduler, with its outcome. */
export interface CallEvent extends EventBase {
  readonly type: "call";
  readonly method: string;
  readonly path: string;
  readonly mode?: string;
  /** For puts of manifests: a digest of the bytes written. */
  readonly digest?: string;
  /** `ok` or the typed error kind the store raised. */
  readonly outcome: string;
  /**
   * An injected fault: `transient` = failed before applying (the outcome says so);
   * `lost-response` = applied with `outcome`, but the caller was told the result is unknown.
   */
  readonly fault?: "transient" | "lost-response";
}

/** One entry of a history. */
export type HistoryEvent =
  | InvokeEvent
  | OkEvent
  | FailEvent
  | CrashEvent
  | RestartEvent
  | CallEvent;

/** FNV-1a digest of some bytes, as 8 hex digits: enough to tell two manifests apart. */
export function digestBytes(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** A short, stable digest of a history: equal digests mean bit-for-bit equal histories. */
export function hashHistory(events: readonly HistoryEvent[]): string {
  return createHash("sha256").update(JSON.stringify(events)).digest("hex").slice(0, 16);
}

/** How a history names an error: its `kind` (typed store and protocol errors), else its name. */
export function errorKind(error: unknown): string {
  if (error instanceof Error && "kind" in error && typeof error.kind === "string")
    return error.kind;
  return error instanceof Error ? error.name : "Error";
}

/** An error's message, for a history. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
