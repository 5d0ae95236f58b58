/**
 * LanceDB as a system under test: the same writers and readers, through `@lancedb/lancedb`
 * (its prebuilt native library) instead of lancet's protocol code. LanceDB exposes versions
 * but not transaction ids, so its histories are checked at the level of rows (see
 * row-checkers.ts): every acknowledged append's rows are in the final table exactly once,
 * reads never fail and never go back to an older version.
 *
 * `@lancedb/lancedb` is loaded only when this target is used and is not a dependency of
 * lancet: install it beside lancet (`npm install --no-save @lancedb/lancedb`; .ci/run does).
 * Its prebuilt native package exists only for some platforms, which is also why it cannot sit
 * in lancet's lock file.
 */

import { realEnv } from "../protocol/env.js";
import { InvalidArgument } from "../protocol/errors.js";
import type { Scenario } from "../scenarios/scenario.js";
import type { Recorder } from "../sim/engine.js";
import { parseS3Url } from "../stores/s3-url.js";
import { parseStoreSpec } from "../stores/spec.js";

/** The table every LanceDB run uses. */
export const LANCEDB_TABLE = "lancet";

/** What an actor needs to reach the run's LanceDB table. */
export interface LanceDbActorConfig {
  readonly role: "writer" | "reader";
  readonly index: number;
  readonly scenario: Scenario;
  readonly storeSpec: string;
  readonly startAt: number;
  readonly commitStore?: CommitStoreLocation;
}

/** A DynamoDB commit table (LanceDB's `s3+ddb://` external manifest store). */
export interface CommitStoreLocation {
  readonly endpoint?: string;
  readonly tableName: string;
}

/** The part of `@lancedb/lancedb`'s API this adapter uses (it is not a dependency of lancet). */
interface LanceDb {
  connect(
    uri: string,
    options: { storageOptions: Record<string, string>; readConsistencyInterval?: number },
  ): Promise<LanceDbConnection>;
}

interface LanceDbConnection {
  createTable(name: string, rows: readonly Record<string, number>[]): Promise<unknown>;
  openTable(name: string): Promise<LanceDbTable>;
  close(): void;
}

interface LanceDbTable {
  add(rows: readonly Record<string, number>[]): Promise<unknown>;
  version(): Promise<number>;
  countRows(): Promise<number>;
  query(): { toArray(): Promise<unknown[]> };
}

/** The package, by a name TypeScript does not resolve: lancet builds without it. */
const LANCEDB_PACKAGE: string = "@lancedb/lancedb";

/** True when `@lancedb/lancedb` can be loaded here. */
export async function lancedbAvailable(): Promise<boolean> {
  try {
    await loadLanceDb();
    return true;
  } catch {
    return false;
  }
}

async function loadLanceDb(): Promise<LanceDb> {
  try {
    return (await import(LANCEDB_PACKAGE)) as LanceDb;
  } catch (cause) {
    throw new InvalidArgument(
      "--target lancedb needs the @lancedb/lancedb package: npm install @lancedb/lancedb",
      {
        cause,
      },
    );
  }
}

/** LanceDB's URI and storage options for a lancet store spec (local directory or S3). */
export function lancedbLocation(
  storeSpec: string,
  commitStore?: CommitStoreLocation,
): {
  uri: string;
  storageOptions: Record<string, string>;
} {
  const spec = parseStoreSpec(storeSpec);
  switch (spec.kind) {
    case "local":
      if (commitStore !== undefined)
        throw new InvalidArgument("LanceDB's external commit store works with S3 only (s3+ddb://)");
      return { uri: spec.dir, storageOptions: {} };
    case "s3": {
      const location = parseS3Url(storeSpec);
      const storageOptions: Record<string, string> = {
        aws_region: location.region ?? process.env.AWS_REGION ?? "us-east-1",
      };
      if (location.endpoint !== undefined) {
        storageOptions.aws_endpoint = location.endpoint;
        if (location.endpoint.startsWith("http://")) storageOptions.allow_http = "true";
      }
      const { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret } = process.env;
      if (key !== undefined) storageOptions.aws_access_key_id = key;
      if (secret !== undefined) storageOptions.aws_secret_access_key = secret;
      const path = [location.bucket, location.prefix].filter((p) => p !== "").join("/");
      if (commitStore === undefined) return { uri: `s3://${path}`, storageOptions };
      if (commitStore.endpoint !== undefined)
        storageOptions.dynamodb_endpoint = commitStore.endpoint;
      return { uri: `s3+ddb://${path}?ddbTableName=${commitStore.tableName}`, storageOptions };
    }
    case "memory":
      throw new InvalidArgument(
        "LanceDB runs in processes need a shared store: local:DIR or s3://...",
      );
  }
}

/** A LanceDB connection to the run's database. */
async function connect(
  storeSpec: string,
  commitStore: CommitStoreLocation | undefined,
  options: { readConsistencyInterval?: number } = {},
): Promise<LanceDbConnection> {
  const lancedb = await loadLanceDb();
  const { uri, storageOptions } = lancedbLocation(storeSpec, commitStore);
  return lancedb.connect(uri, { storageOptions, ...options });
}

/** Rows `(writer, op, row)` of one append, as LanceDB takes them. */
function rowsOf(writer: number, op: number, count: number) {
  return Array.from({ length: count }, (_, row) => ({ writer, op, row }));
}

/** Create the run's table, holding one setup row. */
export async function createLanceDbTable(
  storeSpec: string,
  commitStore?: CommitStoreLocation,
): Promise<void> {
  const db = await connect(storeSpec, commitStore);
  await db.createTable(LANCEDB_TABLE, rowsOf(-1, -1, 1));
  db.close();
}

/** Every `(writer, op, row)` in the latest version of the run's table. */
export async function readLanceDbRows(
  storeSpec: string,
  commitStore?: CommitStoreLocation,
): Promise<[number, number, number][]> {
  const db = await connect(storeSpec, commitStore);
  const table = await db.openTable(LANCEDB_TABLE);
  const rows = (await table.query().toArray()) as { writer: number; op: number; row: number }[];
  db.close();
  return rows.map((r) => [Number(r.writer), Number(r.op), Number(r.row)]);
}

/** A writer: its appends through `table.add`; other kinds of write are refused up front. */
export async function lancedbWriter(config: LanceDbActorConfig, record: Recorder): Promise<void> {
  const db = await connect(config.storeSpec, config.commitStore);
  const table = await db.openTable(LANCEDB_TABLE);
  const ops = config.scenario.writers[config.index]?.ops ?? [];
  for (let opIndex = config.startAt; opIndex < ops.length; opIndex++) {
    const op = ops[opIndex];
    if (op?.kind !== "append")
      throw new InvalidArgument(`the lancedb target runs appends only, not ${op?.kind}`);
    const opId = record.invoke("append");
    try {
      await table.add(rowsOf(config.index, opIndex, op.rows));
      record.ok(opId, "append", { version: await table.version() });
    } catch (error) {
      record.fail(opId, "append", error);
    }
  }
  db.close();
}

/** A strong reader (consistency interval 0): version and row count, `reads` times. */
export async function lancedbReader(config: LanceDbActorConfig, record: Recorder): Promise<void> {
  const db = await connect(config.storeSpec, config.commitStore, { readConsistencyInterval: 0 });
  const spec = config.scenario.readers[config.index] ?? { reads: 0 };
  const env = realEnv();
  const table = await db.openTable(LANCEDB_TABLE);
  for (let read = config.startAt; read < spec.reads; read++) {
    if (read > config.startAt)
      await env.clock.sleep(Math.floor(env.random.next() * (spec.pauseMs ?? 10)));
    const opId = record.invoke("read");
    try {
      const rows = await table.countRows();
      record.ok(opId, "read", { version: await table.version(), rowCount: rows });
    } catch (error) {
      record.fail(opId, "read", error);
    }
  }
  db.close();
}
