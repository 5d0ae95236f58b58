/**
 * Schedulers decide which parked store call the simulator applies next. The choice is the only
 * source of interleaving, so a run is determined by its seed, or by its list of choices.
 */
import type { SeededRandom } from "./random.js";

/** A parked store call the scheduler may pick. */
export interface Candidate {
  readonly actor: string;
  readonly method: string;
  readonly path: string;
}

/** Picks the next call to apply. */
export interface Scheduler {
  readonly name: SchedulerName;
  /** Index into `candidates` (never empty, in a stable order) of the call to apply next. */
  choose(candidates: readonly Candidate[]): number;
}

/** Names of the built-in schedulers. */
export type SchedulerName = "random" | "replay";

/** Uniformly random among the parked calls. */
export class RandomScheduler implements Scheduler {
  readonly name = "random";
  constructor(private readonly random: SeededRandom) {}
  choose(candidates: readonly Candidate[]): number {
    return this.random.int(candidates.length);
  }
}

/**
 * Replays a recorded list of choices; past its end (or where a recorded index no longer fits)
 * it falls back to the first candidate, so a shortened list is still a valid schedule.
 */
export class ReplayScheduler implements Scheduler {
  readonly name = "replay";
  private position = 0;
  constructor(private readonly choices: readonly number[]) {}
  choose(candidates: readonly Candidate[]): number {
    const choice = this.choices[this.position++] ?? 0;
    return choice < candidates.length ? choice : 0;
  }
}
