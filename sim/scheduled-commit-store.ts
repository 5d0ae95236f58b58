/**
 * An actor's view of the external commit store inside a simulation: every call parks with the
 * engine like a store call, so crashes and interleavings between claim, copy and finalize are
 * explored too.
 */
import type { CommitRecord, CommitStore } from "../stores/commit-store.js";
import type { ActorState, Simulation } from "./engine.js";

/** The commit store as one simulated actor sees it. */
export class ScheduledCommitStore implements CommitStore {
  constructor(
    private readonly sim: Simulation,
    private readonly actor: ActorState,
    private readonly inner: CommitStore,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  claim(table: string, version: number, stagedPath: string): Promise<void> {
    return this.sim.park(this.actor, "commit.claim", `${table}@${version}`, undefined, () =>
      this.inner.claim(table, version, stagedPath),
    );
  }

  get(table: string, version: number): Promise<CommitRecord | undefined> {
    return this.sim.park(this.actor, "commit.get", `${table}@${version}`, undefined, () =>
      this.inner.get(table, version),
    );
  }

  latest(table: string): Promise<CommitRecord | undefined> {
    return this.sim.park(this.actor, "commit.latest", table, undefined, () =>
      this.inner.latest(table),
    );
  }

  finalize(table: string, version: number, finalPath: string): Promise<void> {
    return this.sim.park(this.actor, "commit.finalize", `${table}@${version}`, undefined, () =>
      this.inner.finalize(table, version, finalPath),
    );
  }

  async close(): Promise<void> {
    // The commit store belongs to the run, not to one actor.
  }
}
