/**
 * A fixed, deterministic environment for work done outside the scheduler (creating the table
 * before a run): time stands still and ids are numbered.
 */
import type { Env } from "../protocol/env.js";
import { SeededRandom } from "./random.js";

/** An env frozen at `timeMs` whose ids are `{label}-0`, `{label}-1`, ... */
export function createEnvAt(timeMs: number, label: string): Env {
  let next = 0;
  return {
    clock: { now: () => timeMs, sleep: async () => {} },
    random: new SeededRandom(0),
    ids: { next: () => `${label}-${(next++).toString(36)}` },
  };
}
