/**
 * A versioned table on an object store: the library's front door.
 *
 * ```ts
 * const table = await Table.create(store, arrowTable);
 * await table.append(moreRows);          // commits version 2
 * const old = await table.checkout(1);   // time travel, read-only
 * const rows = await table.toArrow();    // scan the current version
 * ```
 *
 * A `Table` holds one manifest (the version it reads). Writes commit on top of it through the
 * commit loop, rebasing over concurrent writers when the operations are compatible.
 */
import { Table as ArrowTable } from "apache-arrow";
import { NotFound } from "../stores/errors.js";
import type { ObjectStore } from "../stores/store.js";
import {
  type CommitContext,
  type CommitResult,
  commitOperation,
  type RetryOptions,
} from "./commit.js";
import {
  assertSameSchema,
  type DataInput,
  encodeDeletionFile,
  matchingRows,
  readDeletedRows,
  readFragment,
  scanVersion,
  toEncodedBatch,
} from "./data.js";
import { type Env, realEnv } from "./env.js";
import { CommitConflict, InvalidArgument, TableAlreadyExists, TableNotFound } from "./errors.js";
import { dataPath, deletionPath, manifestPath, type VersionNaming } from "./layout.js";
import type {
  FragmentDeletion,
  Manifest,
  NewFragment,
  Operation,
  Predicate,
  SchemaField,
} from "./manifest.js";
import { type CommitStrategy, type CommitStrategyName, commitStrategy } from "./strategy.js";
import {
  findLatest,
  listVersions,
  readLatestManifest,
  readManifest,
  type VersionEntry,
} from "./versions.js";

/** Options shared by {@link Table.create} and {@link Table.open}. */
export interface TableOptions {
  /** Clock, randomness and ids; defaults to the real ones. */
  readonly env?: Env;
  /**
   * How versions are claimed. Defaults to `conditionalPut` when the store claims atomic
   * put-if-absent, else `rename` when it claims rename-if-absent; otherwise there is no safe
   * default and it must be given (`unsafe` is correct for one writer only).
   */
  readonly commitStrategy?: CommitStrategy | CommitStrategyName;
  readonly retry?: RetryOptions;
  /**
   * How stale reads may be: unset = never refresh on read, 0 = check for a newer version before
   * every read, d > 0 = at most once per d milliseconds of the env clock. Writes always rebase
   * on the latest version.
   */
  readonly readConsistencyIntervalMs?: number;
}

/** Options of {@link Table.create}. */
export interface CreateTableOptions extends TableOptions {
  /** Manifest naming (default `v2`, newest first in a sorted listing). */
  readonly naming?: VersionNaming;
}

/** Options of {@link Table.open}. */
export interface OpenTableOptions extends TableOptions {
  /** Open this version (time travel, read-only) instead of the latest. */
  readonly version?: number;
}

/** A versioned table. */
export class Table {
  private lastCheckedMs: number;

  private constructor(
    private readonly ctx: TableContext,
    private current: Manifest,
    private readonly pinned: boolean,
    private readonly readConsistencyIntervalMs: number | undefined,
    /** When the version in hand was known to be the latest (before the listing that found it). */
    checkedAtMs: number = ctx.env.clock.now(),
  ) {
    this.lastCheckedMs = checkedAtMs;
  }

  /** Create a table holding `data` as version 1. Fails with `TableAlreadyExists` if one is there. */
  static async create(
    store: ObjectStore,
    data: DataInput,
    options: CreateTableOptions = {},
  ): Promise<Table> {
    const ctx = writeContext(commitContext(store, options, options.naming ?? "v2"));
    if ((await findLatest(store)) !== undefined) throw new TableAlreadyExists(store.description);
    const batch = toEncodedBatch(data);
    const fragment = await writeDataFile(ctx, batch.bytes, batch.rowCount);
    try {
      const { manifest } = await commitOperation(ctx, undefined, {
        kind: "create",
        schema: batch.schema,
        fragments: [fragment],
      });
      return new Table(ctx, manifest, false, options.readConsistencyIntervalMs);
    } catch (error) {
      if (error instanceof CommitConflict) throw new TableAlreadyExists(store.description);
      throw error;
    }
  }

  /** Open the latest version, or `options.version`. Fails with `TableNotFound` on an empty store. */
  static async open(store: ObjectStore, options: OpenTableOptions = {}): Promise<Table> {
    const startedMs = (options.env ?? realEnv()).clock.now();
    const listed = await findLatest(store);
    if (listed === undefined) throw new TableNotFound(store.description);
    const ctx = commitContext(store, options, listed.naming);
    const manifest =
      options.version === undefined
        ? await readLatestManifest(store, await resolveLatest(ctx, listed, 0))
        : await readManifest(store, options.version, listed.naming);
    return new Table(
      ctx,
      manifest,
      options.version !== undefined,
      options.readConsistencyIntervalMs,
      startedMs,
    );
  }

  /** The version this table reads. */
  get version(): number {
    return this.current.version;
  }

  /** The manifest of the version this table reads. */
  get manifest(): Manifest {
    return this.current;
  }

  /** The table's columns. */
  get schema(): readonly SchemaField[] {
    return this.current.schema;
  }

  /** True when opened at a fixed version (time travel): reads only. */
  get isPinned(): boolean {
    return this.pinned;
  }

  /** Add rows as a new fragment. Rebases over concurrent appends and deletes. */
  async append(data: DataInput): Promise<CommitResult> {
    const ctx = this.writeContext("append");
    const batch = toEncodedBatch(data);
    assertSameSchema(this.current.schema, batch.schema);
    const fragment = await writeDataFile(this.ctx, batch.bytes, batch.rowCount);
    return this.commit(ctx, { kind: "append", fragments: [fragment] });
  }

  /** Replace every row (and the schema) with `data`. */
  async overwrite(data: DataInput): Promise<CommitResult> {
    const ctx = this.writeContext("overwrite");
    const batch = toEncodedBatch(data);
    const fragment = await writeDataFile(this.ctx, batch.bytes, batch.rowCount);
    return this.commit(ctx, { kind: "overwrite", schema: batch.schema, fragments: [fragment] });
  }

  /** Delete the rows where `predicate` holds, as deletion files (fragments emptied are dropped). */
  async delete(predicate: Predicate): Promise<CommitResult> {
    const ctx = this.writeContext("delete");
    const base = this.current;
    const updated: FragmentDeletion[] = [];
    const removedFragmentIds: number[] = [];
    for (const fragment of base.fragments) {
      const rows = await readFragment(this.ctx.store, fragment, base.version);
      const deleted = await readDeletedRows(this.ctx.store, fragment, base.version);
      const fresh = matchingRows(rows, predicate).filter((row) => !deleted.has(row));
      if (fresh.length === 0) continue;
      for (const row of fresh) deleted.add(row);
      if (deleted.size === fragment.physicalRows) {
        removedFragmentIds.push(fragment.id);
        continue;
      }
      const path = deletionPath(fragment.id, base.version, this.ctx.env.ids.next());
      await this.ctx.store.put(path, encodeDeletionFile(fragment.id, deleted), {
        mode: "overwrite",
      });
      updated.push({ fragmentId: fragment.id, deletion: { path, deletedRows: deleted.size } });
    }
    return this.commit(ctx, { kind: "delete", predicate, updated, removedFragmentIds });
  }

  /**
   * Move to the newest version; returns it. Never moves back to an older version (a lagging
   * listing cannot make a reader go back in time). Costs one listing when nothing changed.
   */
  async checkoutLatest(): Promise<number> {
    // What a refresh sees was committed before it began: the consistency interval counts from here.
    const startedMs = this.ctx.env.clock.now();
    const listed = await findLatest(this.ctx.store);
    if (listed === undefined) throw new TableNotFound(this.ctx.store.description);
    const latest = await resolveLatest(this.ctx, listed, this.current.version);
    // Versions are immutable: the manifest in hand is the one at that version.
    if (latest.version > this.current.version) {
      this.current = await readLatestManifest(this.ctx.store, latest);
    }
    this.lastCheckedMs = startedMs;
    return this.current.version;
  }

  /** A read-only view of `version` (time travel). */
  async checkout(version: number): Promise<Table> {
    const manifest = await readManifest(this.ctx.store, version, this.ctx.naming);
    return new Table(this.ctx, manifest, true, undefined);
  }

  /** Every version in the store, oldest first. */
  async listVersions(): Promise<number[]> {
    return (await listVersions(this.ctx.store)).map((entry) => entry.version);
  }

  /** Live rows of the version read (refreshing first if the consistency interval says so). */
  async countRows(): Promise<number> {
    await this.refreshForRead();
    let rows = 0;
    for (const f of this.current.fragments) rows += f.physicalRows - (f.deletion?.deletedRows ?? 0);
    return rows;
  }

  /** Every live row of the version read, as one Arrow table. */
  async toArrow(): Promise<ArrowTable> {
    await this.refreshForRead();
    return (await scanVersion(this.ctx.store, this.current)) ?? new ArrowTable();
  }

  private async commit(ctx: CommitContext, operation: Operation): Promise<CommitResult> {
    const result = await commitOperation(ctx, this.current, operation);
    this.current = result.manifest;
    this.lastCheckedMs = this.ctx.env.clock.now();
    return result;
  }

  private async refreshForRead(): Promise<void> {
    const interval = this.readConsistencyIntervalMs;
    if (this.pinned || interval === undefined) return;
    if (this.ctx.env.clock.now() - this.lastCheckedMs >= interval) await this.checkoutLatest();
  }

  private writeContext(what: string): CommitContext {
    if (this.pinned) {
      throw new InvalidArgument(
        `cannot ${what}: this table is checked out at version ${this.version} (time travel is read-only); open the latest version to write`,
      );
    }
    return writeContext(this.ctx);
  }
}

/**
 * The newest committed version, from a listing that may be behind:
 * - with a strategy that commits outside the store, versions may be claimed but not yet copied
 *   into `_versions/`: finish them, so that readers see what is committed;
 * - on a store that does not promise list-after-write, probe upward from the newest version
 *   known (`known`, or the listing's) until a version is absent, as the commit loop does;
 * otherwise the listing is the truth.
 */
async function resolveLatest(
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

/** A commit context whose strategy may be missing (a store with no safe default). */
type TableContext = Omit<CommitContext, "strategy"> & {
  readonly strategy: CommitStrategy | undefined;
};

/** The context for a write; refuses (before anything is written) when there is no strategy. */
function writeContext(ctx: TableContext): CommitContext {
  const strategy = ctx.strategy;
  if (strategy === undefined) throw noSafeStrategy(ctx.store);
  return { ...ctx, strategy };
}

function commitContext(
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

async function writeDataFile(
  ctx: Pick<CommitContext, "store" | "env">,
  bytes: Uint8Array,
  rowCount: number,
): Promise<NewFragment> {
  const path = dataPath(ctx.env.ids.next());
  await ctx.store.put(path, bytes, { mode: "overwrite" });
  return { path, physicalRows: rowCount, sizeBytes: bytes.byteLength };
}
