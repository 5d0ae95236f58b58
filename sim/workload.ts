/**
 * The actors of a scenario: writers that run their writes through the real `Table` API and
 * readers that repeatedly open the latest version and check that it is whole (manifest decoded,
 * every referenced file present). Both record each operation in the history.
 */
import { type Table as ArrowTable, tableFromArrays } from "apache-arrow";
import { cleanupOldVersions } from "../protocol/cleanup.js";
import type { CommitResult } from "../protocol/commit.js";
import { type EncodedBatch, encodeBatch } from "../protocol/data.js";
import { ProtocolError } from "../protocol/errors.js";
import { externalStore } from "../protocol/external-store.js";
import type { CommitStrategy, CommitStrategyName } from "../protocol/strategy.js";
import { Table } from "../protocol/table.js";
import { verifyFilesExist } from "../protocol/versions.js";
import type { ReaderSpec, Scenario, WriteOp } from "../scenarios/scenario.js";
import type { CommitStore } from "../stores/commit-store.js";
import { StoreError } from "../stores/errors.js";
import type { ActorContext } from "./engine.js";
import type { ReadObservation } from "./history.js";

/** The columns every scenario table has. */
export const WORKLOAD_COLUMNS = ["writer", "op", "row"] as const;

/** Encoded batches by `(writer, op)`, shared across the seeds of one scenario run. */
export class BatchCache {
  private readonly batches = new Map<string, EncodedBatch>();

  /** The rows writer `writer` writes in its op `op`: `rows` triples `(writer, op, row)`. */
  get(writer: number, op: number, rows: number): EncodedBatch {
    const key = `${writer}/${op}/${rows}`;
    let batch = this.batches.get(key);
    if (batch === undefined) {
      batch = encodeBatch(workloadRows(writer, op, rows));
      this.batches.set(key, batch);
    }
    return batch;
  }
}

/** An Arrow table of `(writer, op, row)` triples. */
export function workloadRows(writer: number, op: number, rows: number): ArrowTable {
  const column = (value: (row: number) => number) =>
    Int32Array.from({ length: rows }, (_, i) => value(i));
  return tableFromArrays({
    writer: column(() => writer),
    op: column(() => op),
    row: column((i) => i),
  });
}

/**
 * The body of writer number `index`. Its job list survives a crash (a restarted writer goes on
 * with the write after the one it was doing); its open table does not.
 */
export function writerActor(
  scenario: Scenario,
  index: number,
  batches: BatchCache,
  /** Writes already begun by earlier lives of this writer (a restarted process). */
  startAt = 0,
) {
  const spec = scenario.writers[index] ?? { ops: [] };
  const ops = spec.ops;
  let next = startAt;
  return async (ctx: ActorContext): Promise<void> => {
    let table: Table | undefined;
    let stale = false;
    if (next === 0 && (spec.startAfterMs ?? 0) > 0)
      await ctx.env.clock.sleep(spec.startAfterMs ?? 0);
    while (next < ops.length) {
      const opIndex = next++;
      const op = ops[opIndex] as WriteOp;
      if (opIndex > 0 && (spec.pauseMs ?? 0) > 0)
        await ctx.env.clock.sleep(Math.floor(ctx.env.random.next() * ((spec.pauseMs ?? 0) + 1)));
      const opId = ctx.record.invoke(op.kind);
      try {
        if (op.kind === "cleanup") {
          const report = await cleanupOldVersions(ctx.store, { env: ctx.env, ...op });
          ctx.record.ok(opId, op.kind, { version: 0, cleaned: report.versionsDeleted });
          continue;
        }
        if (table === undefined)
          table = await Table.open(ctx.store, {
            env: ctx.env,
            ...tableOptionsOf(scenario, ctx.commitStore),
          });
        else if (stale) await table.checkoutLatest();
        stale = false;
        const result = await runWrite(
          table,
          op,
          batches.get(index, opIndex, "rows" in op ? op.rows : 0),
        );
        ctx.record.ok(
          opId,
          op.kind,
          result === undefined
            ? { version: table.version, noop: true }
            : {
                version: result.manifest.version,
                transactionId: result.transaction.id,
                attempts: result.attempts,
              },
        );
      } catch (error) {
        rethrowIfBug(error);
        ctx.record.fail(opId, op.kind, error);
        stale = true;
      }
    }
  };
}

/**
 * The body of reader number `index`: it opens the table once, then reads it `reads` times with
 * its consistency setting (a strong reader looks for a newer version before every read). A
 * restarted reader reopens the table and goes on with its remaining reads.
 */
export function readerActor(
  scenario: Scenario,
  index: number,
  /** Reads already begun by earlier lives of this reader (a restarted process). */
  startAt = 0,
) {
  const spec = scenario.readers[index] ?? { reads: 0 };
  const pauseMs = spec.pauseMs ?? 10;
  const intervalMs = spec.version === undefined ? readIntervalMs(spec) : undefined;
  const detail = intervalMs === undefined ? {} : { staleBoundMs: intervalMs };
  // Files are immutable, so a file seen once need not be looked at again, unless cleanup runs.
  const filesMayGo = scenario.writers.some((w) => w.ops.some((op) => op.kind === "cleanup"));
  let done = startAt;
  return async (ctx: ActorContext): Promise<void> => {
    let verified = new Set<string>();
    let table: Table | undefined;
    for (let read = 0; done < spec.reads; read++) {
      done++;
      if (read > 0) await ctx.env.clock.sleep(Math.floor(ctx.env.random.next() * (pauseMs + 1)));
      const opId = ctx.record.invoke("read", detail);
      try {
        if (table === undefined) {
          // Readers consult the commit store too when there is one, and so finish unfinished commits.
          const commitStrategy =
            ctx.commitStore === undefined
              ? {}
              : { commitStrategy: strategyFor(scenario, ctx.commitStore) };
          table = await Table.open(ctx.store, {
            env: ctx.env,
            ...commitStrategy,
            ...(intervalMs === undefined ? {} : { readConsistencyIntervalMs: intervalMs }),
            ...(spec.version === undefined ? {} : { version: spec.version }),
            ...(spec.leaseMs === undefined ? {} : { leaseMs: spec.leaseMs }),
          });
        } else await table.countRows();
        if (filesMayGo) verified = new Set();
        await verifyFilesExist(ctx.store, table.manifest, verified);
        ctx.record.ok(opId, "read", { version: table.version, observation: observe(table) });
      } catch (error) {
        rethrowIfBug(error);
        ctx.record.fail(opId, "read", error);
      }
    }
    try {
      await table?.releaseLease();
    } catch (error) {
      // A lease not given back expires by itself.
      rethrowIfBug(error);
    }
  };
}

/** A reader's `readConsistencyIntervalMs` (undefined: never refresh). */
function readIntervalMs(spec: ReaderSpec): number | undefined {
  switch (spec.consistency ?? "strong") {
    case "strong":
      return 0;
    case "eventual":
      return spec.intervalMs ?? 20;
    case "never":
      return undefined;
  }
}

/** Run one write; undefined when it had nothing to do (a compaction of a compact table). */
function runWrite(
  table: Table,
  op: Exclude<WriteOp, { kind: "cleanup" }>,
  batch: EncodedBatch,
): Promise<CommitResult | undefined> {
  switch (op.kind) {
    case "append":
      return table.append(batch);
    case "overwrite":
      return table.overwrite(batch);
    case "delete":
      return table.delete(op.predicate);
    case "update":
      return table.update(op.predicate, op.set);
    case "compact":
      return table.compact(
        op.targetRowsPerFragment === undefined
          ? {}
          : { targetRowsPerFragment: op.targetRowsPerFragment },
      );
    case "restore":
      return table.restore(op.version);
  }
}

function observe(table: Table): ReadObservation {
  const manifest = table.manifest;
  return {
    version: manifest.version,
    transactionId: manifest.transaction.id,
    fragments: manifest.fragments.map(
      (f) => [f.id, f.physicalRows - (f.deletion?.deletedRows ?? 0)] as const,
    ),
  };
}

/** The table id runs use in the commit store. */
export const SIMULATED_TABLE_ID = "table";

/** The commit strategy a scenario's actors use (externalStore bound to the run's commit store). */
export function strategyFor(
  scenario: Scenario,
  commitStore: CommitStore | undefined,
): CommitStrategy | CommitStrategyName {
  if (scenario.commitStrategy !== "externalStore") return scenario.commitStrategy;
  if (commitStore === undefined)
    throw new Error("internal: an externalStore scenario without a commit store");
  return externalStore(commitStore, SIMULATED_TABLE_ID);
}

function tableOptionsOf(scenario: Scenario, commitStore: CommitStore | undefined) {
  const commitStrategy = strategyFor(scenario, commitStore);
  return scenario.retry === undefined
    ? { commitStrategy }
    : { commitStrategy, retry: scenario.retry };
}

/** Typed store and protocol errors are outcomes to record; anything else is a bug to surface. */
function rethrowIfBug(error: unknown): void {
  if (!(error instanceof StoreError) && !(error instanceof ProtocolError)) throw error;
}
