/**
 * A fingerprint of the simulation's state after a step, for exhaustive search with state
 * deduplication: two schedule prefixes that reach the same fingerprint have the same futures,
 * so the search expands only one of them.
 *
 * The state is (1) the store's contents, as an order-independent combination of (path, digest
 * of the bytes written) — and the commit store's claims — and (2) each actor's observations: the
 * sequence of (call, outcome, digest of what it read) it has been given, with its status and
 * wake-up time, and (3) virtual time and the fault counters. It rests on one assumption: an
 * actor's behaviour is a function of its observations (true of the protocol code: its clock,
 * randomness and ids come from its env, whose streams advance only with what it has done).
 *
 * What it does not capture is the order in which *different* actors' events interleaved before
 * the merge point, so a checker that reads that order (real-time-order, fresh-reads) can miss a
 * violation whose cause lies in a pruned prefix. Checkers of the final state and of each
 * actor's own observations lose nothing. `lancet run --scheduler dfs --no-dedup` explores every
 * interleaving.
 *
 * The shared random streams need no place in it: latency is drawn once per applied call, and
 * fault decisions draw a number of times fixed by the fault settings, the fault counters and
 * how many calls each actor made (its trace), all part of the state; so both streams are at
 * the same position in two prefixes with the same fingerprint. Contents are compared by 32-bit digests (a
 * collision between two versions of one file is the residual risk); the state itself is
 * combined into 64 bits.
 */
import type { FaultCounts } from "./faults.js";
import { digestBytes } from "./history.js";

interface ActorView {
  readonly name: string;
  readonly status: string;
  readonly wakeAtMs: number;
}

interface AppliedCall {
  readonly method: string;
  readonly path: string;
  readonly mode: string | undefined;
  readonly stateDigest?: string;
}

/** Tracks a run's state as calls are applied. */
export class StateFingerprint {
  private readonly contents = new Map<string, { digest: string; hash: Hash }>();
  private storeHash: Hash = [0, 0];
  private readonly traces = new Map<string, Hash>();

  /** Fold one applied call into the state. */
  applied(actor: string, call: AppliedCall, outcome: string, result: unknown): void {
    const observed = `${call.method} ${call.path} ${outcome} ${resultDigest(result)}`;
    this.traces.set(actor, mix(this.traces.get(actor) ?? START, observed));
    if (outcome !== "ok") return;
    switch (call.method) {
      case "put":
        this.set(call.path, call.stateDigest ?? "?");
        break;
      case "delete":
        this.set(call.path, undefined);
        break;
      case "rename":
        if (call.mode !== undefined) {
          const moved = this.contents.get(call.mode)?.digest ?? "?";
          this.set(call.mode, undefined);
          this.set(call.path, moved);
        }
        break;
      case "commit.claim":
      case "commit.finalize":
        this.set(`commit:${call.path}`, call.method);
        break;
    }
  }

  /** The fingerprint of the current state. */
  fingerprint(nowMs: number, actors: readonly ActorView[], faults: Readonly<FaultCounts>): string {
    const parts = actors.map(
      (a) => `${a.name}:${a.status}:${a.wakeAtMs}:${show(this.traces.get(a.name) ?? START)}`,
    );
    const f = faults;
    return `${nowMs}|${show(this.storeHash)}|${parts.join(",")}|${f.crashes},${f.transient},${f.lostResponses},${f.staleLists},${f.restarts}`;
  }

  private set(path: string, digest: string | undefined): void {
    const old = this.contents.get(path);
    if (old !== undefined) this.storeHash = xor(this.storeHash, old.hash);
    if (digest === undefined) {
      this.contents.delete(path);
      return;
    }
    const hash = mix(START, `${path}=${digest}`);
    this.contents.set(path, { digest, hash });
    this.storeHash = xor(this.storeHash, hash);
  }
}

function resultDigest(result: unknown): string {
  if (result instanceof Error) return "";
  if (Array.isArray(result)) return result.map((m: { path?: string }) => m.path ?? "").join(",");
  if (typeof result === "object" && result !== null && "bytes" in result) {
    const bytes = (result as { bytes: unknown }).bytes;
    if (bytes instanceof Uint8Array) return digestBytes(bytes);
  }
  return "";
}

/**
 * Two independent 32-bit hashes (FNV-1a, and the same walk with another prime and offset):
 * 64 bits, so that a collision between two of the thousands of states a search visits, which
 * would wrongly prune one, is vanishingly unlikely (about n^2 / 2^65).
 */
type Hash = readonly [number, number];

const START: Hash = [0x811c9dc5, 0x9e3779b9];

function mix(seed: Hash, text: string): Hash {
  let a = seed[0] >>> 0;
  let b = seed[1] >>> 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return [a >>> 0, b >>> 0];
}

function xor(x: Hash, y: Hash): Hash {
  return [(x[0] ^ y[0]) >>> 0, (x[1] ^ y[1]) >>> 0];
}

function show(h: Hash): string {
  return `${h[0].toString(36)}.${h[1].toString(36)}`;
}
