/**
 * The `externalStore` commit strategy: versions are serialised by an external commit store
 * (LanceDB's DynamoDB handler), so the object store needs no conditional writes at all.
 *
 * 1. put the manifest at a staged name (`{final}-{id}`, which readers ignore);
 * 2. claim the version in the commit store, pointing at the staged name — the commit point;
 *    a lost claim deletes the staged copy and is a lost race;
 * 3. copy the staged manifest to its final name; 4. mark the record finalized; 5. delete the
 *    staged copy. Anyone who finds a claimed but unfinished version (its writer stopped between
 *    2 and 4) finishes steps 3–5 for it; finishing twice is harmless (same bytes).
 */
import type { CommitStore } from "../stores/commit-store.js";
import { VersionClaimed } from "../stores/commit-store.js";
import { NotFound } from "../stores/errors.js";
import type { ObjectStore } from "../stores/store.js";
import { parseManifestPath } from "./layout.js";
import { type CommitStrategy, VersionTaken } from "./strategy.js";

/** The externalStore strategy for table `tableId` (e.g. its base URI) on `commitStore`. */
export function externalStore(commitStore: CommitStore, tableId: string): CommitStrategy {
  return {
    name: "externalStore",
    async claim(store, env, path, bytes) {
      const version = versionOf(path);
      const staged = `${path}-${env.ids.next()}`;
      await store.put(staged, bytes, { mode: "overwrite" });
      try {
        await commitStore.claim(tableId, version, staged);
      } catch (error) {
        if (!(error instanceof VersionClaimed)) {
          // The claim may have applied before the error: ours only if the record names our staged copy.
          const record = await commitStore.get(tableId, version);
          if (record?.path !== staged) throw error;
          await finish(store, commitStore, tableId, version, staged, path, bytes);
          return;
        }
        await store.delete(staged);
        throw new VersionTaken(path);
      }
      await finish(store, commitStore, tableId, version, staged, path, bytes);
    },

    async complete(store, version, path) {
      const record = await commitStore.get(tableId, version);
      if (record === undefined) return false;
      if (!record.finalized) await finish(store, commitStore, tableId, version, record.path, path);
      return true;
    },

    async latestClaimed() {
      return (await commitStore.latest(tableId))?.version;
    },
  };
}

/**
 * Steps 3–5, idempotent and safe to race with another finisher (lance #5515). The claiming
 * writer passes the manifest bytes it staged; a finisher of someone else's commit reads them.
 */
async function finish(
  store: ObjectStore,
  commitStore: CommitStore,
  tableId: string,
  version: number,
  staged: string,
  path: string,
  known?: Uint8Array,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = known ?? (await store.get(staged)).bytes;
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    // Someone else finished first and removed the staged copy: the record must say so.
    const record = await commitStore.get(tableId, version);
    if (record?.finalized) return;
    throw error;
  }
  await store.put(path, bytes, { mode: "overwrite" });
  await commitStore.finalize(tableId, version, path);
  await store.delete(staged);
}

function versionOf(path: string): number {
  const parsed = parseManifestPath(path);
  if (parsed === undefined) throw new Error(`internal: ${path} is not a manifest path`);
  return parsed.version;
}
