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
export type SchedulerName = "random" | "pct" | "replay" | "choices";

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

/**
 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte: "A Randomized Scheduler with Probabilistic
 * Guarantees of Finding Bugs", ASPLOS 2010). Each actor gets a random priority, all above
 * `depth`; the highest-priority actor with a parked call always runs. At `depth - 1` change
 * points, drawn uniformly among the first `expectedSteps` steps, the actor that just ran drops
 * to priority i (the i-th change point), below every initial priority. A bug that needs d
 * ordering constraints is found with probability at least 1 / (n k^(d-1)) per run, for n
 * actors and k steps: narrow windows that uniform random choice almost never hits (one
 * writer pausing exactly between its check and its put while another runs to completion).
 */
export class PctScheduler implements Scheduler {
  readonly name = "pct";
  private readonly priorities = new Map<string, number>();
  private readonly changePoints = new Map<number, number>();
  private step = 0;

  constructor(
    private readonly random: SeededRandom,
    readonly depth: number,
    expectedSteps: number,
  ) {
    if (!(Number.isSafeInteger(depth) && depth >= 1))
      throw new Error(`PCT depth must be a positive integer, got ${depth}`);
    const bound = Math.max(1, Math.floor(expectedSteps));
    for (let i = 1; i < depth; i++) {
      // Distinct steps; with fewer steps than change points, some points are dropped.
      let point = random.int(bound);
      for (let tries = 0; this.changePoints.has(point) && tries < 8; tries++)
        point = random.int(bound);
      if (!this.changePoints.has(point)) this.changePoints.set(point, i);
    }
  }

  choose(candidates: readonly Candidate[]): number {
    let best = 0;
    let bestPriority = Number.NEGATIVE_INFINITY;
    candidates.forEach((candidate, index) => {
      const priority = this.priorityOf(candidate.actor);
      if (priority > bestPriority) {
        best = index;
        bestPriority = priority;
      }
    });
    const lowered = this.changePoints.get(this.step++);
    const chosen = candidates[best];
    if (lowered !== undefined && chosen !== undefined) this.priorities.set(chosen.actor, lowered);
    return best;
  }

  private priorityOf(actor: string): number {
    let priority = this.priorities.get(actor);
    if (priority === undefined) {
      // Above every change-point priority (< depth); a float, so ties have probability zero.
      priority = this.depth + this.random.next();
      this.priorities.set(actor, priority);
    }
    return priority;
  }
}

/**
 * Replays choices that come from elsewhere (fast-check): each is taken modulo the number of
 * candidates, so any list of naturals is a valid schedule; past its end, the first candidate.
 */
export class ChoiceListScheduler implements Scheduler {
  readonly name = "choices";
  private position = 0;
  constructor(private readonly choices: readonly number[]) {}
  choose(candidates: readonly Candidate[]): number {
    const choice = this.choices[this.position++] ?? 0;
    return choice % candidates.length;
  }
}

/** How a run picks its interleaving (replay choices, when given, override it). */
export type SchedulerSpec =
  | { readonly kind: "random" }
  | { readonly kind: "pct"; readonly depth: number; readonly expectedSteps: number }
  | { readonly kind: "choices"; readonly choices: readonly number[] };
