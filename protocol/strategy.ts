/**
 * Commit strategies: how a writer claims version N+1 so that at most one writer gets it.
 *
 * - `conditionalPut`: one put-if-absent of the final manifest (S3 `If-None-Match: *`, link on a
 *   local disk). The default wherever the store offers it.
 * - `rename`: write a uniquely named temp manifest, then rename it into place unless the final
 *   name exists (local file systems). Readers ignore the temp names.
 * - `externalStore`: stage the manifest, claim the version in an external commit store (the
 *   commit point), copy the staged manifest to its final name (see external-store.ts).
 * - `unsafe`: look whether the version exists, then plain put. Correct for a single writer; two
 *   writers can both pass the check and the later put silently replaces the earlier manifest.
 *   It exists so that the simulator can show the lost commit.
 */

import { AlreadyExists, NotFound } from "../stores/errors.js";
import type { ObjectStore } from "../stores/store.js";
import type { Env } from "./env.js";
import { InvalidArgument, ProtocolError } from "./errors.js";

/** Another writer holds the version this commit tried to claim; the commit loop rebases. */
export class VersionTaken extends ProtocolError {
  override readonly kind = "VersionTaken";
  constructor(readonly path: string) {
    super(`version already committed by another writer: ${path}`);
  }
}

/** Claims a version by writing its manifest. */
export interface CommitStrategy {
  /** Stable name, as used in scenarios and reports. */
  readonly name: CommitStrategyName;
  /**
   * Write `bytes` at `path` if and only if no manifest is there; throw {@link VersionTaken}
   * when another writer has it. Any other error leaves the outcome to the caller to classify.
   */
  claim(store: ObjectStore, env: Env, path: string, bytes: Uint8Array): Promise<void>;
  /**
   * Strategies that commit outside the object store: make sure a version that was claimed is at
   * its final `path` (finishing a commit whose writer stopped between claim and copy). True when
   * the version exists now; false when it was never claimed.
   */
  complete?(store: ObjectStore, version: number, path: string): Promise<boolean>;
  /** Strategies that commit outside the object store: the newest claimed version, if any. */
  latestClaimed?(): Promise<number | undefined>;
}

/** Names of the built-in strategies. */
export type CommitStrategyName = "conditionalPut" | "rename" | "externalStore" | "unsafe";

/** Names of the built-in strategies, for argument parsing and listings. */
export const COMMIT_STRATEGY_NAMES: readonly CommitStrategyName[] = [
  "externalStore",
  "conditionalPut",
  "rename",
  "unsafe",
];

/** Put-if-absent of the final manifest. */
export const conditionalPut: CommitStrategy = {
  name: "conditionalPut",
  async claim(store, _env, path, bytes) {
    try {
      await store.put(path, bytes, { mode: "create" });
    } catch (error) {
      if (error instanceof AlreadyExists) throw new VersionTaken(path);
      throw error;
    }
  },
};

/** Temp manifest, then rename-if-absent into place. */
export const rename: CommitStrategy = {
  name: "rename",
  async claim(store, env, path, bytes) {
    const temp = `${path}-${env.ids.next()}`;
    await store.put(temp, bytes, { mode: "overwrite" });
    try {
      await store.renameIfAbsent(temp, path);
    } catch (error) {
      if (!(error instanceof AlreadyExists)) throw error;
      await store.delete(temp);
      throw new VersionTaken(path);
    }
  },
};

/** Check, then plain put: a race window between the two. */
export const unsafe: CommitStrategy = {
  name: "unsafe",
  async claim(store, _env, path, bytes) {
    try {
      await store.head(path);
      throw new VersionTaken(path);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
    await store.put(path, bytes, { mode: "overwrite" });
  },
};

/** The built-in strategy called `name`. */
export function commitStrategy(name: CommitStrategyName): CommitStrategy {
  switch (name) {
    case "conditionalPut":
      return conditionalPut;
    case "rename":
      return rename;
    case "unsafe":
      return unsafe;
    case "externalStore":
      throw new InvalidArgument(
        "externalStore needs a commit store: pass externalStore(commitStore, tableId) as commitStrategy",
      );
  }
}
