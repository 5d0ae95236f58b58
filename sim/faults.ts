/**
 * The fault model of the simulator. Every fault is decided when the scheduler applies a call,
 * from the run's own `faults` random stream, so a run with faults replays bit for bit from its
 * seed (or its choices). A fault that is not configured draws nothing: adding a fault kind does
 * not change the runs of scenarios that do not use it.
 *
 * - crash: the actor stops at a call, before or after the call's effect; with `restartAfterMs`
 *   it starts again from its body (a writer reopens the table and goes on with its next write,
 *   a reader reopens and goes on reading) — a process restarted by its supervisor;
 * - transient: the call fails before it has any effect (a 503 or throttling that the SDK gave
 *   up retrying);
 * - lost response: the call takes effect, but the caller gets an `AmbiguousStoreError`
 *   (a timeout after the request reached the server);
 * - stale list: a listing omits objects created in the last `lagMs` of virtual time (an
 *   eventually consistent listing, as S3 had before December 2020 and some gateways still do);
 * - clock skew: each actor's clock runs ahead of virtual time by a fixed offset (their
 *   timestamps, and cleanup cutoffs computed from them, disagree).
 * Latency is the engine's `latencyMs` (virtual time per call).
 */
import { AmbiguousStoreError, TransientStoreError } from "../stores/errors.js";
import type { SeededRandom } from "./random.js";

/** Actors stop at store calls, before or after the effect, and optionally restart. */
export interface CrashFault {
  /** Chance that a given call of an eligible actor is its last. */
  readonly probability: number;
  /** At most this many crashes per run. */
  readonly maxCrashes: number;
  /** Actors that may crash (by name). */
  readonly actors: readonly string[];
  /** Restart a crashed actor after this much virtual time (default: it stays down). */
  readonly restartAfterMs?: number;
}

/** A per-call fault with a probability and a budget per run. */
export interface CallFault {
  readonly probability: number;
  /** At most this many per run. */
  readonly max: number;
}

/** Listings that lag recent writes. */
export interface StaleListFault {
  /** Chance that a given listing is stale. */
  readonly probability: number;
  /** A stale listing omits objects created less than this long ago. */
  readonly lagMs: number;
}

/** The faults injected into a run. */
export interface FaultOptions {
  readonly crash?: CrashFault;
  readonly transient?: CallFault;
  readonly lostResponse?: CallFault;
  readonly staleList?: StaleListFault;
  /** Each actor's clock is ahead of virtual time by a fixed offset in [0, maxMs]. */
  readonly clockSkew?: { readonly maxMs: number };
}

/** What happens to one applied call. */
export type CallFaultDecision =
  | { readonly kind: "crash"; readonly effectApplied: boolean }
  | { readonly kind: "transient" }
  | { readonly kind: "lost-response" };

/** Counts of the faults injected so far. */
export interface FaultCounts {
  crashes: number;
  transient: number;
  lostResponses: number;
  staleLists: number;
  restarts: number;
}

/** Decides the faults of one run. */
export class FaultInjector {
  readonly counts: FaultCounts = {
    crashes: 0,
    transient: 0,
    lostResponses: 0,
    staleLists: 0,
    restarts: 0,
  };
  private readonly crashActors: ReadonlySet<string>;

  constructor(
    readonly options: FaultOptions,
    private readonly random: SeededRandom,
    private readonly root: SeededRandom,
  ) {
    this.crashActors = new Set(options.crash?.actors ?? []);
  }

  /** True when listings may lag (the engine then tracks when objects were created). */
  get tracksCreation(): boolean {
    return this.options.staleList !== undefined;
  }

  /** The fault, if any, for the call `actor` makes now. */
  decide(actor: string): CallFaultDecision | undefined {
    const { crash, transient, lostResponse } = this.options;
    const counts = this.counts;
    if (
      crash !== undefined &&
      counts.crashes < crash.maxCrashes &&
      this.crashActors.has(actor) &&
      this.random.chance(crash.probability)
    ) {
      counts.crashes++;
      return { kind: "crash", effectApplied: this.random.chance(0.5) };
    }
    if (
      transient !== undefined &&
      counts.transient < transient.max &&
      this.random.chance(transient.probability)
    ) {
      counts.transient++;
      return { kind: "transient" };
    }
    if (
      lostResponse !== undefined &&
      counts.lostResponses < lostResponse.max &&
      this.random.chance(lostResponse.probability)
    ) {
      counts.lostResponses++;
      return { kind: "lost-response" };
    }
    return undefined;
  }

  /** For a listing applied at `nowMs`: objects created after the returned time are left out. */
  listCutoffMs(nowMs: number): number | undefined {
    const stale = this.options.staleList;
    if (stale === undefined || !this.random.chance(stale.probability)) return undefined;
    this.counts.staleLists++;
    return nowMs - stale.lagMs;
  }

  /** How far `actor`'s clock is ahead of virtual time (fixed for the run). */
  clockOffsetMs(actor: string): number {
    const skew = this.options.clockSkew;
    if (skew === undefined || skew.maxMs <= 0) return 0;
    // Its own stream per actor: the offset does not depend on the order actors start in.
    return this.root.fork(`skew:${actor}`).between(0, skew.maxMs);
  }
}

/** The error a caller sees for a transient fault (nothing was applied). */
export function transientError(method: string, path: string): TransientStoreError {
  return new TransientStoreError(
    `simulated transient failure of ${method} ${path} (503 Slow Down; nothing applied)`,
    path,
  );
}

/** The error a caller sees for a lost response (the call was applied). */
export function lostResponseError(method: string, path: string): AmbiguousStoreError {
  return new AmbiguousStoreError(
    `simulated lost response of ${method} ${path}: the request may have applied (it did)`,
    path,
  );
}
