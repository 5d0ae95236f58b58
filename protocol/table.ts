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
import type { ObjectStore } from "../stores/store.js";
import {
  type CommitContext,
  type CommitResult,
  commitOperation,
  type RetryOptions,
} from "./commit.js";
import {
  assertSameSchema,
  changedRows,
  type DataInput,
  encodeBatch,
  encodeDeletionFile,
  matchingRows,
  readDeletedRows,
  readFragment,
  readLiveRows,
  scanVersion,
  toEncodedBatch,
} from "./data.js";
import { type Env, realEnv } from "./env.js";
import {
  CommitConflict,
  InvalidArgument,
  TableAlreadyExists,
  TableNotFound,
  VersionNotFound,
} from "./errors.js";
import { deletionPath, type VersionNaming } from "./layout.js";
import { type Lease, releaseLease } from "./leases.js";
import type {
  CellValue,
  FragmentDeletion,
  Manifest,
  NewFragment,
  Operation,
  Predicate,
  SchemaField,
} from "./manifest.js";
import type { CommitStrategy, CommitStrategyName } from "./strategy.js";
import {
  commitContext,
  readLeased,
  resolveLatest,
  type TableContext,
  writeContext,
  writeDataFile,
} from "./table-context.js";
import { findLatest, listVersions, readLatestManifest, readManifest } from "./versions.js";

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
  /**
   * Hold a reader lease of this duration on the version read (taken before its manifest is
   * read, moved along when the table refreshes), so that a cleanup with `respectLeases` keeps
   * its files. Release it with {@link Table.releaseLease}.
   */
  readonly leaseMs?: number;
}

/** How a table reads: fixed or refreshing, and the lease it holds. */
interface ReadState {
  readonly pinned: boolean;
  readonly readConsistencyIntervalMs: number | undefined;
  /** When the version in hand was known to be the latest (before the listing that found it). */
  readonly checkedAtMs?: number;
  readonly leaseMs?: number | undefined;
  readonly lease?: Lease | undefined;
}

/** Attempts to take a lease on a version that cleanup removes meanwhile, before giving up. */
const MAX_LEASE_ATTEMPTS = 5;

/** A versioned table. */
export class Table {
  private lastCheckedMs: number;
  private readonly pinned: boolean;
  private readonly readConsistencyIntervalMs: number | undefined;
  private readonly leaseMs: number | undefined;
  private lease: Lease | undefined;

  private constructor(
    private readonly ctx: TableContext,
    private current: Manifest,
    state: ReadState,
  ) {
    this.pinned = state.pinned;
    this.readConsistencyIntervalMs = state.readConsistencyIntervalMs;
    this.lastCheckedMs = state.checkedAtMs ?? ctx.env.clock.now();
    this.leaseMs = state.leaseMs;
    this.lease = state.lease;
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
      return new Table(ctx, manifest, {
        pinned: false,
        readConsistencyIntervalMs: options.readConsistencyIntervalMs,
      });
    } catch (error) {
      if (error instanceof CommitConflict) throw new TableAlreadyExists(store.description);
      throw error;
    }
  }

  /** Open the latest version, or `options.version`. Fails with `TableNotFound` on an empty store. */
  static async open(store: ObjectStore, options: OpenTableOptions = {}): Promise<Table> {
    const env = options.env ?? realEnv();
    const state = {
      pinned: options.version !== undefined,
      readConsistencyIntervalMs: options.readConsistencyIntervalMs,
      leaseMs: options.leaseMs,
    };
    for (let attempt = 1; ; attempt++) {
      const checkedAtMs = env.clock.now();
      const listed = await findLatest(store);
      if (listed === undefined) throw new TableNotFound(store.description);
      const ctx = commitContext(store, { ...options, env }, listed.naming);
      if (options.leaseMs === undefined) {
        const manifest =
          options.version === undefined
            ? await readLatestManifest(store, await resolveLatest(ctx, listed, 0))
            : await readManifest(store, options.version, listed.naming);
        return new Table(ctx, manifest, { ...state, checkedAtMs });
      }
      const version = options.version ?? (await resolveLatest(ctx, listed, 0)).version;
      const leased = await readLeased(ctx, version, options.leaseMs);
      if (leased !== undefined)
        return new Table(ctx, leased.manifest, { ...state, checkedAtMs, lease: leased.lease });
      // Cleaned up between the listing and the lease: a pinned version is gone for good.
      if (options.version !== undefined || attempt >= MAX_LEASE_ATTEMPTS)
        throw new VersionNotFound(version, undefined);
    }
  }

  /** The lease this table holds, if any. */
  get heldLease(): Lease | undefined {
    return this.lease;
  }

  /** Give up the lease (cleanup may then remove the version's files). */
  async releaseLease(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease !== undefined) await releaseLease(this.ctx.store, lease);
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
    const { updated, removedFragmentIds } = await this.markDeleted(predicate);
    return this.commit(ctx, { kind: "delete", predicate, updated, removedFragmentIds });
  }

  /**
   * Set columns of the rows where `predicate` holds: the rows are deleted where they are and
   * written again, changed, as one new fragment. Conflicts like a delete.
   */
  async update(
    predicate: Predicate,
    set: Readonly<Record<string, CellValue>>,
  ): Promise<CommitResult> {
    const ctx = this.writeContext("update");
    if (Object.keys(set).length === 0)
      throw new InvalidArgument("update needs at least one column to set");
    const { updated, removedFragmentIds, matched } = await this.markDeleted(predicate);
    const [first, ...rest] = matched.map((m) => changedRows(m.rows, m.offsets, set));
    const fragments: NewFragment[] = [];
    if (first !== undefined) {
      const batch = encodeBatch(first.concat(...rest));
      fragments.push(await writeDataFile(this.ctx, batch.bytes, batch.rowCount));
    }
    return this.commit(ctx, {
      kind: "update",
      predicate,
      set,
      updated,
      removedFragmentIds,
      fragments,
    });
  }

  /**
   * Compaction: rewrite the live rows of every fragment that has deleted rows or fewer than
   * `targetRowsPerFragment` rows (default 1024) as one fragment. Returns undefined when there is
   * nothing worth rewriting (fewer than two small fragments and none with deletions).
   */
  async compact(
    options: { readonly targetRowsPerFragment?: number } = {},
  ): Promise<CommitResult | undefined> {
    const ctx = this.writeContext("compact");
    const target = options.targetRowsPerFragment ?? 1024;
    const base = this.current;
    const chosen = base.fragments.filter(
      (f) => f.deletion !== undefined || f.physicalRows < target,
    );
    if (chosen.length < 2 && chosen.every((f) => f.deletion === undefined)) return undefined;
    const parts: ArrowTable[] = [];
    for (const fragment of chosen)
      parts.push(...(await readLiveRows(this.ctx.store, fragment, base.version)));
    const [first, ...rest] = parts;
    if (first === undefined) return undefined;
    const batch = encodeBatch(first.concat(...rest));
    const newFragment = await writeDataFile(this.ctx, batch.bytes, batch.rowCount);
    return this.commit(ctx, {
      kind: "rewrite",
      groups: [{ oldFragmentIds: chosen.map((f) => f.id), newFragment }],
    });
  }

  /** Commit a new version with the schema and fragments of `version` (undo to it). */
  async restore(version: number): Promise<CommitResult> {
    const ctx = this.writeContext("restore");
    const old = await readManifest(this.ctx.store, version, this.ctx.naming);
    return this.commit(ctx, {
      kind: "restore",
      restoredVersion: version,
      schema: old.schema,
      fragments: old.fragments,
      nextFragmentId: old.nextFragmentId,
    });
  }

  /** Write deletion files for the live rows where `predicate` holds; what a delete commits. */
  private async markDeleted(predicate: Predicate) {
    const base = this.current;
    const updated: FragmentDeletion[] = [];
    const removedFragmentIds: number[] = [];
    const matched: { rows: ArrowTable; offsets: number[] }[] = [];
    for (const fragment of base.fragments) {
      const rows = await readFragment(this.ctx.store, fragment, base.version);
      const deleted = await readDeletedRows(this.ctx.store, fragment, base.version);
      const fresh = matchingRows(rows, predicate).filter((row) => !deleted.has(row));
      if (fresh.length === 0) continue;
      matched.push({ rows, offsets: fresh });
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
    return { updated, removedFragmentIds, matched };
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
      if (this.leaseMs === undefined) {
        this.current = await readLatestManifest(this.ctx.store, latest);
      } else {
        const leased = await readLeased(this.ctx, latest.version, this.leaseMs);
        if (leased === undefined) throw new VersionNotFound(latest.version, undefined);
        const previous = this.lease;
        this.current = leased.manifest;
        this.lease = leased.lease;
        if (previous !== undefined) await releaseLease(this.ctx.store, previous);
      }
    }
    this.lastCheckedMs = startedMs;
    return this.current.version;
  }

  /** A read-only view of `version` (time travel), holding a lease when `leaseMs` is given. */
  async checkout(version: number, options: { readonly leaseMs?: number } = {}): Promise<Table> {
    const state = { pinned: true, readConsistencyIntervalMs: undefined };
    if (options.leaseMs === undefined)
      return new Table(
        this.ctx,
        await readManifest(this.ctx.store, version, this.ctx.naming),
        state,
      );
    const leased = await readLeased(this.ctx, version, options.leaseMs);
    if (leased === undefined) throw new VersionNotFound(version, this.current.version);
    return new Table(this.ctx, leased.manifest, { ...state, lease: leased.lease });
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
