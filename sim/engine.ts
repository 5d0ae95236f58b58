/**
 * The deterministic simulation engine.
 *
 * Actors are async functions running the real protocol code. Each gets its own view of the
 * store in which every call *parks*: the call is recorded as pending and the actor waits. The
 * engine then asks the scheduler which parked call to apply, applies it to the real underlying
 * store, advances the virtual clock, and resumes that one actor until it parks again (its next
 * call, a sleep, or its end). Only one actor ever runs at a time, and only microtasks run in
 * between, so the interleaving is exactly the sequence of scheduler choices: same seed, same
 * history, bit for bit.
 *
 * Actors must be sequential (one outstanding store call or sleep at a time); the engine checks.
 */
import type { Env } from "../protocol/env.js";
import type { CommitStore } from "../stores/commit-store.js";
import type { ObjectStore } from "../stores/store.js";
import {
  type CallFaultDecision,
  type FaultCounts,
  FaultInjector,
  type FaultOptions,
  lostResponseError,
  transientError,
} from "./faults.js";
import {
  errorKind,
  errorMessage,
  type HistoryEvent,
  type OpKind,
  type ReadObservation,
} from "./history.js";
import type { SeededRandom } from "./random.js";
import { ScheduledCommitStore } from "./scheduled-commit-store.js";
import { ScheduledStore } from "./scheduled-store.js";
import type { Candidate, Scheduler } from "./scheduler.js";
import { StateFingerprint } from "./state-fingerprint.js";

export type { CrashFault, FaultOptions } from "./faults.js";

/** The harness itself misbehaved (an actor broke the rules, a bound was hit). Not a verdict. */
export class SimulationError extends Error {
  readonly kind = "SimulationError";
  constructor(message: string) {
    super(message);
    this.name = "SimulationError";
  }
}

/** Settings of one simulation. */
export interface EngineOptions {
  /** The real store the calls are applied to. */
  readonly store: ObjectStore;
  readonly scheduler: Scheduler;
  /** Root of the run's randomness (faults, latency, actors' own randomness). */
  readonly random: SeededRandom;
  readonly faults?: FaultOptions;
  /** Bound on applied calls; exceeding it is a `SimulationError` (livelock guard). */
  readonly maxSteps?: number;
  /** Virtual latency of one store call, uniform in [min, max] ms. */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** An external commit store shared by the actors (for the externalStore strategy). */
  readonly commitStore?: CommitStore;
  /** Record a fingerprint of the state after every step (for exhaustive search; costs time). */
  readonly fingerprints?: boolean;
}

/** Records an actor's operations into the history. */
export interface Recorder {
  invoke(op: OpKind, detail?: { readonly staleBoundMs?: number }): number;
  ok(
    opId: number,
    op: OpKind,
    result: {
      version: number;
      transactionId?: string;
      attempts?: number;
      observation?: ReadObservation;
      noop?: boolean;
      cleaned?: readonly number[];
      rowCount?: number;
    },
  ): void;
  fail(opId: number, op: OpKind, error: unknown): void;
}

/** What an actor body receives. */
export interface ActorContext {
  readonly name: string;
  readonly store: ObjectStore;
  /** The run's commit store, scheduled like the object store (when the run has one). */
  readonly commitStore: CommitStore | undefined;
  readonly env: Env;
  readonly record: Recorder;
  /** 0 on the first start, then 1, 2, ... after each crash and restart. */
  readonly incarnation: number;
}

/** A parked store call. */
export interface PendingCall extends Candidate {
  readonly mode: string | undefined;
  /** Digest of the bytes a put writes, for manifests (checkers compare contents). */
  readonly digest?: string;
  /** Digest of the bytes a put writes, any object (state fingerprints only). */
  readonly stateDigest?: string;
  readonly apply: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Status = "running" | "calling" | "sleeping" | "done" | "crashed";

/** One actor's scheduling state. */
export class ActorState {
  status: Status = "running";
  call: PendingCall | undefined;
  wakeAtMs = 0;
  wake: (() => void) | undefined;
  onPark: (() => void) | undefined;
  /** Ids handed out by the actor's env (continues across restarts: ids stay unique). */
  nextId = 0;
  /** Operation ids in the history (continues across restarts). */
  nextOpId = 0;
  incarnation = 0;
  constructor(
    readonly name: string,
    readonly index: number,
    readonly body: (ctx: ActorContext) => Promise<void>,
  ) {}
}

const DEFAULT_MAX_STEPS = 100_000;

/** One deterministic run over a set of actors. */
export class Simulation {
  readonly history: HistoryEvent[] = [];
  /** The scheduler's choice at every step: with the seed, a complete replay. */
  readonly choices: number[] = [];
  /** How many parked calls the scheduler chose among, at every step. */
  readonly candidateCounts: number[] = [];
  /** With `fingerprints`: the state after every step (see {@link StateFingerprint}). */
  readonly fingerprints: string[] = [];
  private readonly actors: ActorState[] = [];
  private readonly harnessErrors: string[] = [];
  private readonly faults: FaultInjector;
  private readonly latencyRandom: SeededRandom;
  private readonly state: StateFingerprint | undefined;
  /** When each live object was first written (only tracked when listings may lag). */
  private readonly createdAtMs = new Map<string, number>();
  private nowMs = 0;
  private step = 0;

  constructor(readonly options: EngineOptions) {
    this.faults = new FaultInjector(
      options.faults ?? {},
      options.random.fork("faults"),
      options.random,
    );
    this.latencyRandom = options.random.fork("latency");
    this.state = options.fingerprints === true ? new StateFingerprint() : undefined;
  }

  /** The faults injected so far. */
  get faultCounts(): Readonly<FaultCounts> {
    return this.faults.counts;
  }

  /** Virtual time in milliseconds. */
  get timeMs(): number {
    return this.nowMs;
  }

  /** Store calls applied so far. */
  get steps(): number {
    return this.step;
  }

  /** Add an actor; it starts when {@link run} does. */
  spawn(name: string, body: (ctx: ActorContext) => Promise<void>): void {
    if (this.actors.some((a) => a.name === name))
      throw new SimulationError(`duplicate actor name ${name}`);
    this.actors.push(new ActorState(name, this.actors.length, body));
  }

  /** Run every actor to completion (or crash) under the scheduler. */
  async run(): Promise<void> {
    const maxSteps = this.options.maxSteps ?? DEFAULT_MAX_STEPS;
    for (const actor of this.actors) await this.resume(actor, () => this.start(actor));
    for (;;) {
      await this.wakeDueSleepers();
      const ready = this.actors.filter((a) => a.status === "calling");
      if (ready.length === 0) {
        let earliest = Number.POSITIVE_INFINITY;
        for (const a of this.actors)
          if (a.status === "sleeping") earliest = Math.min(earliest, a.wakeAtMs);
        if (earliest === Number.POSITIVE_INFINITY) break;
        this.nowMs = Math.max(this.nowMs, earliest);
        continue;
      }
      if (this.step >= maxSteps) {
        throw new SimulationError(
          `no end after ${maxSteps} store calls (livelock?); raise maxSteps if intended`,
        );
      }
      const candidates = ready.map((a) => a.call as PendingCall);
      const index = this.options.scheduler.choose(candidates);
      const chosen = ready[index];
      if (chosen === undefined)
        throw new SimulationError(`scheduler chose ${index} of ${ready.length} candidates`);
      this.choices.push(index);
      this.candidateCounts.push(candidates.length);
      await this.apply(chosen);
      if (this.state !== undefined)
        this.fingerprints.push(this.state.fingerprint(this.nowMs, this.actors, this.faults.counts));
    }
    if (this.harnessErrors.length > 0) throw new SimulationError(this.harnessErrors.join("\n"));
  }

  /** Park `actor` on a store call; called by its {@link ScheduledStore}. */
  park<T>(
    actor: ActorState,
    method: string,
    path: string,
    mode: string | undefined,
    apply: () => Promise<T>,
    digest?: string,
    stateDigest?: string,
  ): Promise<T> {
    this.assertRunning(actor, `${method} ${path}`);
    return new Promise<T>((resolve, reject) => {
      actor.call = {
        actor: actor.name,
        method,
        path,
        mode,
        ...(digest === undefined ? {} : { digest }),
        ...(stateDigest === undefined ? {} : { stateDigest }),
        apply,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      actor.status = "calling";
      this.signalPark(actor);
    });
  }

  /** Park `actor` for `ms` of virtual time. */
  sleep(actor: ActorState, ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    this.assertRunning(actor, `sleep ${ms}`);
    return new Promise<void>((resolve) => {
      actor.status = "sleeping";
      actor.wakeAtMs = this.nowMs + ms;
      actor.wake = resolve;
      this.signalPark(actor);
    });
  }

  /**
   * A listing applied now: the keys it may show. Undefined = all of them; otherwise objects
   * created after the cutoff are left out (a stale listing).
   */
  listFilter(): ((path: string) => boolean) | undefined {
    const cutoffMs = this.faults.listCutoffMs(this.nowMs);
    if (cutoffMs === undefined) return undefined;
    return (path) => (this.createdAtMs.get(path) ?? Number.NEGATIVE_INFINITY) <= cutoffMs;
  }

  /** Track object creation and removal (for stale listings); called after a call applied. */
  noteWrite(path: string, removed: boolean): void {
    if (!this.faults.tracksCreation) return;
    if (removed) this.createdAtMs.delete(path);
    else if (!this.createdAtMs.has(path)) this.createdAtMs.set(path, this.nowMs);
  }

  private start(actor: ActorState): void {
    const offsetMs = this.faults.clockOffsetMs(actor.name);
    const random = this.options.random.fork(
      actor.incarnation === 0 ? `actor:${actor.name}` : `actor:${actor.name}#${actor.incarnation}`,
    );
    const env: Env = {
      clock: { now: () => this.nowMs + offsetMs, sleep: (ms) => this.sleep(actor, ms) },
      random,
      ids: { next: () => `${actor.name}-${(actor.nextId++).toString(36)}` },
    };
    const ctx: ActorContext = {
      name: actor.name,
      store: new ScheduledStore(this, actor),
      commitStore:
        this.options.commitStore === undefined
          ? undefined
          : new ScheduledCommitStore(this, actor, this.options.commitStore),
      env,
      record: this.recorder(actor),
      incarnation: actor.incarnation,
    };
    actor.body(ctx).then(
      () => this.finish(actor),
      (error: unknown) => {
        this.harnessErrors.push(
          `actor ${actor.name} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        this.finish(actor);
      },
    );
  }

  private finish(actor: ActorState): void {
    actor.status = "done";
    this.signalPark(actor);
  }

  private async apply(actor: ActorState): Promise<void> {
    const call = actor.call as PendingCall;
    actor.call = undefined;
    const fault = this.faults.decide(actor.name);
    if (fault?.kind === "crash" && !fault.effectApplied) return this.crash(actor, call, false);

    let failed = false;
    let result: unknown;
    if (fault?.kind === "transient") {
      failed = true;
      result = transientError(call.method, call.path);
    } else {
      try {
        result = await call.apply();
      } catch (error) {
        failed = true;
        result = error;
      }
    }
    this.step++;
    const { min, max } = this.options.latencyMs ?? { min: 1, max: 3 };
    this.nowMs += this.latencyRandom.between(min, max);
    this.history.push({
      type: "call",
      step: this.step,
      timeMs: this.nowMs,
      actor: actor.name,
      method: call.method,
      path: call.path,
      ...(call.mode === undefined ? {} : { mode: call.mode }),
      ...(call.digest === undefined ? {} : { digest: call.digest }),
      outcome: failed ? errorKind(result) : "ok",
      ...faultField(fault),
    });
    this.state?.applied(actor.name, call, failed ? errorKind(result) : "ok", result);
    if (fault?.kind === "crash") return this.crash(actor, call, true);
    if (fault?.kind === "lost-response") {
      const lost = lostResponseError(call.method, call.path);
      return this.resume(actor, () => call.reject(lost));
    }
    await this.resume(actor, () => (failed ? call.reject(result) : call.resolve(result)));
  }

  private crash(actor: ActorState, call: PendingCall, effectApplied: boolean): void {
    actor.status = "crashed";
    this.history.push({
      type: "crash",
      step: this.step,
      timeMs: this.nowMs,
      actor: actor.name,
      call: `${call.method} ${call.path}`,
      effectApplied,
    });
    const restartAfterMs = this.options.faults?.crash?.restartAfterMs;
    if (restartAfterMs === undefined) return;
    // Down for a while, then started afresh: the old incarnation's pending call never returns.
    actor.status = "sleeping";
    actor.wakeAtMs = this.nowMs + Math.max(1, restartAfterMs);
    actor.wake = () => {
      actor.incarnation++;
      this.faults.counts.restarts++;
      this.history.push({
        type: "restart",
        step: this.step,
        timeMs: this.nowMs,
        actor: actor.name,
        incarnation: actor.incarnation,
      });
      this.start(actor);
    };
  }

  private async wakeDueSleepers(): Promise<void> {
    for (const actor of this.actors) {
      if (actor.status === "sleeping" && actor.wakeAtMs <= this.nowMs) {
        await this.resume(actor, actor.wake as () => void);
      }
    }
  }

  /** Let `actor` run (by calling `wakeUp`) and wait until it parks again. */
  private resume(actor: ActorState, wakeUp: () => void): Promise<void> {
    return new Promise<void>((parked) => {
      actor.onPark = parked;
      actor.status = "running";
      wakeUp();
    });
  }

  private signalPark(actor: ActorState): void {
    const parked = actor.onPark;
    actor.onPark = undefined;
    parked?.();
  }

  private assertRunning(actor: ActorState, what: string): void {
    if (actor.status !== "running") {
      throw new SimulationError(
        `actor ${actor.name} started '${what}' while ${actor.status}: simulated actors must make one store call at a time`,
      );
    }
  }

  private recorder(actor: ActorState): Recorder {
    const base = () => ({ step: this.step, timeMs: this.nowMs, actor: actor.name });
    return {
      invoke: (op, detail) => {
        const opId = actor.nextOpId++;
        this.history.push({ type: "invoke", ...base(), opId, op, ...detail });
        return opId;
      },
      ok: (opId, op, result) => this.history.push({ type: "ok", ...base(), opId, op, ...result }),
      fail: (opId, op, error) =>
        this.history.push({
          type: "fail",
          ...base(),
          opId,
          op,
          error: { kind: errorKind(error), message: errorMessage(error) },
        }),
    };
  }
}

function faultField(fault: CallFaultDecision | undefined): {
  fault?: "transient" | "lost-response";
} {
  if (fault?.kind === "transient" || fault?.kind === "lost-response") return { fault: fault.kind };
  return {};
}
