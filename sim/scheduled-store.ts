/**
 * An actor's view of the store inside a simulation: every call parks with the engine, which
 * applies it to the real store when the scheduler picks it. A listing is one call that returns
 * the whole listing at the moment it is applied.
 */

import { VERSIONS_DIR } from "../protocol/layout.js";
import {
  type GetOptions,
  type ListOptions,
  listAll,
  type ObjectMeta,
  type ObjectStore,
  type PutOptions,
} from "../stores/store.js";
import type { ActorState, Simulation } from "./engine.js";
import { digestBytes } from "./history.js";

/** The store as one simulated actor sees it. */
export class ScheduledStore implements ObjectStore {
  constructor(
    private readonly sim: Simulation,
    private readonly actor: ActorState,
  ) {}

  get description(): string {
    return this.sim.options.store.description;
  }

  get capabilities() {
    return this.sim.options.store.capabilities;
  }

  get(path: string, options?: GetOptions) {
    return this.sim.park(this.actor, "get", path, undefined, () =>
      this.sim.options.store.get(path, options),
    );
  }

  head(path: string) {
    return this.sim.park(this.actor, "head", path, undefined, () =>
      this.sim.options.store.head(path),
    );
  }

  put(path: string, bytes: Uint8Array, options?: PutOptions) {
    const mode = options?.mode ?? "overwrite";
    const label = typeof mode === "string" ? mode : "ifMatch";
    const digest = path.startsWith(VERSIONS_DIR) ? digestBytes(bytes) : undefined;
    // State fingerprints need every object's contents; the history records manifests' only.
    const stateDigest =
      this.sim.options.fingerprints === true ? (digest ?? digestBytes(bytes)) : undefined;
    return this.sim.park(
      this.actor,
      "put",
      path,
      label,
      async () => {
        const result = await this.sim.options.store.put(path, bytes, options);
        this.sim.noteWrite(path, false);
        return result;
      },
      digest,
      stateDigest,
    );
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const { sim, actor } = this;
    return {
      async *[Symbol.asyncIterator]() {
        yield* await sim.park(actor, "list", prefix, undefined, async () => {
          const listed = await listAll(sim.options.store, prefix, options);
          const visible = sim.listFilter();
          return visible === undefined ? listed : listed.filter((meta) => visible(meta.path));
        });
      },
    };
  }

  delete(path: string) {
    return this.sim.park(this.actor, "delete", path, undefined, async () => {
      await this.sim.options.store.delete(path);
      this.sim.noteWrite(path, true);
    });
  }

  renameIfAbsent(from: string, to: string) {
    // The source travels as the call's mode: timelines show it, and state fingerprints need it.
    return this.sim.park(this.actor, "rename", to, from, async () => {
      await this.sim.options.store.renameIfAbsent(from, to);
      this.sim.noteWrite(from, true);
      this.sim.noteWrite(to, false);
    });
  }

  async close(): Promise<void> {
    // The underlying store belongs to the run, not to one actor: nothing to release here.
  }
}
