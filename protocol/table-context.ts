/**
 * What a `Table` stands on: its context (store, env, strategy, naming), finding the latest
 * version behind a listing that may lag or a commit store that is ahead, reading a version
 * under a lease, and writing data files.
 */
import { NotFound } from "../stores/errors.js";
import type { ObjectStore } from "../stores/store.js";
import type { CommitContext } from "./commit.js";
import { realEnv } from "./env.js";
import { InvalidArgument } from "./errors.js";
import { dataPath, manifestPath, type VersionNaming } from "./layout.js";
import { acquireLease, type Lease, releaseLease } from "./leases.js";
import type { Manifest, NewFragment } from "./manifest.js";
import { type CommitStrategy, commitStrategy } from "./strategy.js";
import type { TableOptions } from "./table.js";
import { readManifestIfPresent, type VersionEntry } from "./versions.js";

/**
 * The newest committed version, from a listing that may be behind:
 * - with a strategy that commits outside the store, versions may be claimed but not yet copied
 *   into `_versions/`: finish them, so that readers see what is committed;
 * - on a store that does not promise list-after-write, probe upward from the newest version
 *   known (`known`, or the listing's) until a version is absent, as the commit loop does;
 * otherwise the listing is the truth.
 */
export async function resolveLatest(
  ctx: TableContext,
  listed: VersionEntry,
  known: number,
): Promise<VersionEntry> {
  const { store, strategy } = ctx;
  const naming = listed.naming;
  let version = Math.max(listed.version, known);
  const claimed = await strategy?.latestClaimed?.();
  if (strategy !== undefined && claimed !== undefined && claimed > version) {
    for (let v = version + 1; v <= claimed; v++)
      await strategy.complete?.(store, v, manifestPath(v, naming));
    version = claimed;
  }
  if (!store.capabilities.listAfterWrite) {
    while (await exists(store, manifestPath(version + 1, naming))) version++;
  }
  return version === listed.version
    ? listed
    : { version, naming, path: manifestPath(version, naming) };
}

async function exists(store: ObjectStore, path: string): Promise<boolean> {
  try {
    await store.head(path);
    return true;
  } catch (error) {
    if (error instanceof NotFound) return false;
    throw error;
  }
}

/**
 * Take a lease on `version`, then read its manifest. Undefined (and the lease given back) when
 * the version is gone, cleaned up before the lease was taken.
 */
export async function readLeased(
  ctx: TableContext,
  version: number,
  leaseMs: number,
): Promise<{ manifest: Manifest; lease: Lease } | undefined> {
  const lease = await acquireLease(ctx.store, ctx.env, version, leaseMs);
  const manifest = await readManifestIfPresent(ctx.store, version, ctx.naming);
  if (manifest !== undefined) return { manifest, lease };
  await releaseLease(ctx.store, lease);
  return undefined;
}

/** A commit context whose strategy may be missing (a store with no safe default). */
export type TableContext = Omit<CommitContext, "strategy"> & {
  readonly strategy: CommitStrategy | undefined;
};

/** The context for a write; refuses (before anything is written) when there is no strategy. */
export function writeContext(ctx: TableContext): CommitContext {
  const strategy = ctx.strategy;
  if (strategy === undefined) throw noSafeStrategy(ctx.store);
  return { ...ctx, strategy };
}

export function commitContext(
  store: ObjectStore,
  options: TableOptions,
  naming: VersionNaming,
): TableContext {
  const env = options.env ?? realEnv();
  const strategy = resolveStrategy(store, options.commitStrategy);
  const interval = options.readConsistencyIntervalMs;
  if (interval !== undefined && !(interval >= 0)) {
    throw new InvalidArgument(`readConsistencyIntervalMs must be >= 0, got ${interval}`);
  }
  return options.retry === undefined
    ? { store, env, strategy, naming }
    : { store, env, strategy, naming, retry: options.retry };
}

function resolveStrategy(
  store: ObjectStore,
  chosen: TableOptions["commitStrategy"],
): CommitStrategy | undefined {
  if (typeof chosen === "object") return chosen;
  if (chosen !== undefined) return commitStrategy(chosen);
  if (store.capabilities.conditionalCreate) return commitStrategy("conditionalPut");
  if (store.capabilities.renameIfAbsent) return commitStrategy("rename");
  // No safe default: readers need none, and writers are refused before they write.
  return undefined;
}

function noSafeStrategy(store: ObjectStore): InvalidArgument {
  return new InvalidArgument(
    `${store.description} offers neither atomic put-if-absent nor rename-if-absent, so concurrent writers would lose commits; pass commitStrategy: "unsafe" if there is only ever one writer`,
  );
}

export async function writeDataFile(
  ctx: Pick<CommitContext, "store" | "env">,
  bytes: Uint8Array,
  rowCount: number,
): Promise<NewFragment> {
  const path = dataPath(ctx.env.ids.next());
  await ctx.store.put(path, bytes, { mode: "overwrite" });
  return { path, physicalRows: rowCount, sizeBytes: bytes.byteLength };
}
