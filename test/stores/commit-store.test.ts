import { randomUUID } from "node:crypto";
import { tableFromArrays } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { externalStore } from "../../protocol/external-store.js";
import { Table } from "../../protocol/table.js";
import { type CommitStore, MemoryCommitStore, VersionClaimed } from "../../stores/commit-store.js";
import { DynamoCommitStore } from "../../stores/dynamodb-commit-store.js";
import { S3Store } from "../../stores/s3.js";
import { parseS3Url } from "../../stores/s3-url.js";
import { listAll } from "../../stores/store.js";
import {
  DYNALITE_CREDENTIALS,
  type RunningDynalite,
  type RunningS3rver,
  S3RVER_CREDENTIALS,
  s3UnderTest,
  startDynalite,
  startS3rver,
} from "../support/servers.js";
import { wrapStore } from "../support/wrap-store.js";

let dynalite: RunningDynalite;
let s3rver: RunningS3rver;
beforeAll(async () => {
  dynalite = await startDynalite();
  s3rver = await startS3rver("lancet-ext");
});
afterAll(async () => {
  await dynalite?.stop();
  await s3rver?.stop();
});

async function dynamoStore(): Promise<DynamoCommitStore> {
  const store = new DynamoCommitStore({
    tableName: "lancet-commits",
    endpoint: dynalite.endpoint,
    credentials: DYNALITE_CREDENTIALS,
  });
  await store.createTableIfMissing();
  return store;
}

const implementations: [string, () => Promise<CommitStore>][] = [
  ["memory", async () => new MemoryCommitStore()],
  ["dynamodb (dynalite)", dynamoStore],
];

for (const [name, make] of implementations) {
  describe(`commit store contract: ${name}`, () => {
    it("a version is claimed once; the second claim is VersionClaimed and changes nothing", async () => {
      const store = await make();
      const table = `t-${randomUUID()}`;
      await store.claim(table, 1, "_versions/1.manifest-a");
      await expect(store.claim(table, 1, "_versions/1.manifest-b")).rejects.toBeInstanceOf(
        VersionClaimed,
      );
      expect(await store.get(table, 1)).toEqual({
        table,
        version: 1,
        path: "_versions/1.manifest-a",
        finalized: false,
      });
      expect(await store.get(table, 2)).toBeUndefined();
    });

    it("32 racers claiming one version: exactly one wins", async () => {
      const store = await make();
      const table = `t-${randomUUID()}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 32 }, (_, i) => store.claim(table, 7, `staged-${i}`)),
      );
      const winners = outcomes.filter((o) => o.status === "fulfilled").length;
      const losers = outcomes.filter(
        (o) => o.status === "rejected" && o.reason instanceof VersionClaimed,
      ).length;
      expect({ winners, losers }).toEqual({ winners: 1, losers: 31 });
    });

    it("latest is the highest version; finalize points the record at the final path", async () => {
      const store = await make();
      const table = `t-${randomUUID()}`;
      expect(await store.latest(table)).toBeUndefined();
      for (const v of [1, 2, 10]) await store.claim(table, v, `staged-${v}`);
      expect((await store.latest(table))?.version).toBe(10);
      await store.finalize(table, 10, "_versions/10.manifest");
      expect(await store.latest(table)).toMatchObject({
        version: 10,
        path: "_versions/10.manifest",
        finalized: true,
      });
    });
  });
}

const rows = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) });
const underTest = s3UnderTest();

/**
 * Concurrent writers need a store whose puts are atomic: s3rver writes objects in place, so a
 * reader racing a copy sees a truncated manifest (qualification's atomic-visibility probe shows
 * it). So this runs on the honest server under test (Ceph in CI), using no conditional writes.
 */
describe.skipIf(underTest === undefined)(
  "externalStore on real servers: the S3 server under test + dynalite",
  () => {
    it("four concurrent writers x 5 appends: every acknowledged append is in the table once", async () => {
      const location = parseS3Url(underTest ?? "");
      const store = new S3Store({
        ...location,
        prefix: `external-${randomUUID()}`,
        conditionalWrites: false,
      });
      await store.createBucketIfMissing();
      const commits = await dynamoStore();
      const table = `s3://${location.bucket}/${randomUUID()}`;
      const strategy = externalStore(commits, table);
      await Table.create(store, rows([0]), { commitStrategy: strategy });
      const acknowledged: number[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          const writer = await Table.open(store, {
            commitStrategy: strategy,
            retry: { backoffUnitMs: 5 },
          });
          for (let i = 0; i < 5; i++)
            acknowledged.push((await writer.append(rows([w * 100 + i]))).manifest.version);
        }),
      );
      expect(new Set(acknowledged).size).toBe(20);
      const final = await Table.open(store, { commitStrategy: strategy });
      expect(final.version).toBe(21);
      expect(await final.countRows()).toBe(21);
      await store.close();
    });
  },
);

describe("externalStore on real servers: s3rver (ignores conditional writes) + dynalite", () => {
  const s3 = () =>
    new S3Store(
      parseS3Url(`s3://lancet-ext/${randomUUID()}?endpoint=${s3rver.endpoint}`),
      S3RVER_CREDENTIALS,
    );

  it("a writer killed between claim and copy: the next writer finishes the commit and builds on it", async () => {
    const store = s3();
    const commits = await dynamoStore();
    const table = `s3://lancet-ext/${randomUUID()}`;
    const strategy = externalStore(commits, table);
    await Table.create(store, rows([0]), { commitStrategy: strategy });
    const dying = wrapStore(store, {
      put: async (path, bytes, options) => {
        if (path.endsWith(".manifest")) throw new Error("killed");
        return store.put(path, bytes, options);
      },
    });
    await expect(
      (await Table.open(dying, { commitStrategy: strategy })).append(rows([1])),
    ).rejects.toThrow("killed");
    expect(await commits.get(table, 2)).toMatchObject({ finalized: false });

    const next = await Table.open(store, { commitStrategy: strategy });
    expect(next.version).toBe(2);
    expect((await next.append(rows([2]))).manifest.version).toBe(3);
    expect(await next.countRows()).toBe(3);
    expect((await listAll(store, "_versions/")).every((m) => m.path.endsWith(".manifest"))).toBe(
      true,
    );
    await store.close();
  });

  it("a missing commit table is a clear error", async () => {
    const store = new DynamoCommitStore({
      tableName: "no-such-table",
      endpoint: dynalite.endpoint,
      credentials: DYNALITE_CREDENTIALS,
    });
    await expect(store.latest("t")).rejects.toThrow(/commit table no-such-table does not exist/);
  });
});
