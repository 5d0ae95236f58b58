/**
 * The environment seam: everything nondeterministic the protocol needs (time, randomness,
 * unique ids) comes in through an {@link Env}. Production code uses {@link realEnv}; the
 * simulator passes a virtual clock and a seeded generator so a run replays bit for bit.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleepReal } from "node:timers/promises";

/** Time as the protocol sees it, in milliseconds. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch; never decreases for one caller. */
  now(): number;
  /** Resolve after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** A source of uniform randomness. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/** A source of unique identifiers (file names, transaction ids). */
export interface IdSource {
  /** A new identifier, unique within the table, safe in an object path. */
  next(): string;
}

/** Everything nondeterministic, injected. */
export interface Env {
  readonly clock: Clock;
  readonly random: Random;
  readonly ids: IdSource;
}

/** The production environment: wall clock, `Math.random`, `crypto.randomUUID`. */
export function realEnv(): Env {
  return {
    clock: { now: () => Date.now(), sleep: (ms) => sleepReal(ms) },
    random: { next: () => Math.random() },
    ids: { next: () => randomUUID() },
  };
}

/** An integer in [0, bound) drawn from `random`. */
export function randomInt(random: Random, bound: number): number {
  return Math.floor(random.next() * bound);
}
