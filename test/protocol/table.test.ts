import { tableFromArrays } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  CorruptFile,
  InvalidArgument,
  MissingDataFile,
  SchemaMismatch,
  TableAlreadyExists,
  TableNotFound,
  VersionNotFound,
} from "../../protocol/errors.js";
import { manifestPath } from "../../protocol/layout.js";
import { Table } from "../../protocol/table.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { CountingStore } from "../../stores/counting.js";
import { AlreadyExists } from "../../stores/errors.js";
import { MemoryStore } from "../../stores/memory.js";
import { listAll, type PutOptions } from "../../stores/store.js";
import { NO_ATOMIC_PRIMITIVES, wrapStore } from "../support/wrap-store.js";

const rows = (ids: number[]) =>
  tableFromArrays({ id: Int32Array.from(ids), score: Float64Array.from(ids.map((i) => i / 2)) });
const env = () => createEnvAt(1_000, "t");

describe("Table", () => {
  it("creates, appends, scans and time-travels", async () => {
    const store = new MemoryStore();
    const table = await Table.create(store, rows([1, 2, 3]), { env: env() });
    expect(table.version).toBe(1);
    const result = await table.append(rows([4, 5]));
    expect(result.manifest.version).toBe(2);
    expect(result.attempts).toBe(1);
    expect(await table.countRows()).toBe(5);
    expect((await table.toArrow()).getChild("id")?.toArray()).toEqual(
      Int32Array.from([1, 2, 3, 4, 5]),
    );

    const v1 = await table.checkout(1);
    expect(v1.isPinned).toBe(true);
    expect(await v1.countRows()).toBe(3);
    await expect(v1.append(rows([9]))).rejects.toBeInstanceOf(InvalidArgument);
    expect(await table.listVersions()).toEqual([1, 2]);
  });

  it("a second handle sees the other's commit after checkoutLatest", async () => {
    const store = new MemoryStore();
    const writer = await Table.create(store, rows([1]), { env: env() });
    const reader = await Table.open(store, { env: env() });
    await writer.append(rows([2]));
    expect(reader.version).toBe(1);
    expect(await reader.checkoutLatest()).toBe(2);
    expect(await reader.countRows()).toBe(2);
  });

  it("rebases an append over a concurrent append", async () => {
    const store = new MemoryStore();
    await Table.create(store, rows([1]), { env: env() });
    const a = await Table.open(store, { env: createEnvAt(0, "a") });
    const b = await Table.open(store, { env: createEnvAt(0, "b") });
    await a.append(rows([2]));
    const result = await b.append(rows([3]));
    expect(result.manifest.version).toBe(3);
    expect(result.attempts).toBe(2);
    expect(result.manifest.fragments.map((f) => f.id)).toEqual([0, 1, 2]);
    expect(await b.countRows()).toBe(3);
  });

  it("deletes rows by predicate with deletion files, and drops emptied fragments", async () => {
    const store = new MemoryStore();
    const table = await Table.create(store, rows([1, 2, 3, 4]), { env: env() });
    await table.append(rows([10]));
    await table.delete({ column: "id", op: "<=", value: 2 });
    expect(await table.countRows()).toBe(3);
    expect(table.manifest.fragments[0]?.deletion?.deletedRows).toBe(2);
    await table.delete({ column: "id", op: "=", value: 10 });
    expect(table.manifest.fragments.map((f) => f.id)).toEqual([0]);
    expect((await table.toArrow()).getChild("id")?.toArray()).toEqual(Int32Array.from([3, 4]));
  });

  it("overwrite replaces rows and schema", async () => {
    const store = new MemoryStore();
    const table = await Table.create(store, rows([1, 2]), { env: env() });
    await table.overwrite(tableFromArrays({ name: ["x"] }));
    expect(table.schema.map((f) => f.name)).toEqual(["name"]);
    expect(await table.countRows()).toBe(1);
  });

  it("refuses data with another schema", async () => {
    const table = await Table.create(new MemoryStore(), rows([1]), { env: env() });
    await expect(
      table.append(tableFromArrays({ other: Int32Array.from([1]) })),
    ).rejects.toBeInstanceOf(SchemaMismatch);
  });

  it("reports a missing table, an existing table and a missing version with typed errors", async () => {
    const store = new MemoryStore();
    await expect(Table.open(store)).rejects.toBeInstanceOf(TableNotFound);
    await Table.create(store, rows([1]), { env: env() });
    await expect(Table.create(store, rows([1]), { env: env() })).rejects.toBeInstanceOf(
      TableAlreadyExists,
    );
    await expect(Table.open(store, { version: 7 })).rejects.toBeInstanceOf(VersionNotFound);
  });

  it("a corrupt manifest gets CorruptFile naming the file, and the store is left untouched", async () => {
    const store = new MemoryStore();
    await Table.create(store, rows([1]), { env: env() });
    const path = manifestPath(2, "v2");
    await store.put(path, new TextEncoder().encode('{"formatVersion": 1, "version": 2, '));
    const error = await Table.open(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFile);
    expect((error as CorruptFile).path).toBe(path);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect((await store.get(path)).bytes.byteLength).toBeGreaterThan(0);
  });

  it("a manifest from a future format is refused clearly", async () => {
    const store = new MemoryStore();
    await Table.create(store, rows([1]), { env: env() });
    const manifest = JSON.parse(
      new TextDecoder().decode((await store.get(manifestPath(1, "v2"))).bytes),
    );
    await store.put(
      manifestPath(2, "v2"),
      new TextEncoder().encode(JSON.stringify({ ...manifest, version: 2, formatVersion: 99 })),
    );
    await expect(Table.open(store)).rejects.toThrow(/unsupported formatVersion 99/);
  });

  it("a missing data file gets MissingDataFile with the path and version", async () => {
    const store = new MemoryStore();
    const table = await Table.create(store, rows([1]), { env: env() });
    const path = table.manifest.fragments[0]?.path ?? "";
    await store.delete(path);
    const error = await table.toArrow().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDataFile);
    expect(error).toMatchObject({ path, version: 1 });
  });

  /** A counting store holding a table with 31 versions, its counts reset. */
  async function thirtyOneVersions(naming: "v1" | "v2"): Promise<CountingStore> {
    const store = new CountingStore(new MemoryStore());
    const table = await Table.create(store, rows([1]), { env: env(), naming });
    for (let i = 0; i < 30; i++) await table.append(rows([i]));
    store.reset();
    return store;
  }

  it("a V2 reader finds the latest version with one list request reading one key", async () => {
    const store = await thirtyOneVersions("v2");
    const reader = await Table.open(store, { env: env() });
    expect(reader.version).toBe(31);
    expect(store.counts).toMatchObject({ list: 1, listEntries: 1, get: 1 });
  });

  it("a V1 reader has to read the whole listing", async () => {
    const store = await thirtyOneVersions("v1");
    const reader = await Table.open(store, { env: env() });
    expect(reader.version).toBe(31);
    expect(store.counts.list).toBe(1);
    expect(store.counts.listEntries).toBeGreaterThanOrEqual(31);
  });

  it("an uncontended append costs three store requests: data, transaction, manifest", async () => {
    for (const commitStrategy of ["conditionalPut", "rename", "unsafe"] as const) {
      const store = new CountingStore(new MemoryStore());
      const table = await Table.create(store, rows([1]), { env: env(), commitStrategy });
      store.reset();
      await table.append(rows([2]));
      const expected = { conditionalPut: 3, rename: 4, unsafe: 4 }[commitStrategy];
      expect(store.total, commitStrategy).toBe(expected);
    }
  });

  it("refuses to pick a strategy on a store without atomic primitives", async () => {
    const plain = wrapStore(new MemoryStore(), { capabilities: NO_ATOMIC_PRIMITIVES });
    await expect(Table.create(plain, rows([1]))).rejects.toThrow(/pass commitStrategy: "unsafe"/);
  });

  it("reads need no commit strategy; the first write on such a store is refused before it writes anything", async () => {
    const inner = new MemoryStore();
    await Table.create(inner, rows([1]), { env: env() });
    const plain = wrapStore(inner, { capabilities: NO_ATOMIC_PRIMITIVES });
    const reader = await Table.open(plain, { env: env() });
    expect(await reader.countRows()).toBe(1);
    const before = (await listAll(inner, "")).length;
    await expect(reader.append(rows([2]))).rejects.toThrow(/offers neither atomic put-if-absent/);
    expect((await listAll(inner, "")).length).toBe(before);
  });
});

describe("a claim whose response was lost", () => {
  it("is recognised as ours when the retry finds the version taken: committed once, not twice", async () => {
    const inner = new MemoryStore();
    await Table.create(inner, rows([1]), { env: env() });
    // The first manifest put applies, but the caller sees a timeout; the SDK-style retry then gets "exists".
    let dropped = false;
    const flaky = wrapStore(inner, {
      put: async (path: string, bytes: Uint8Array, options?: PutOptions) => {
        const result = await inner.put(path, bytes, options);
        if (!dropped && path.startsWith("_versions/")) {
          dropped = true;
          throw new AlreadyExists(path); // what a retried If-None-Match put answers
        }
        return result;
      },
    });
    const writer = await Table.open(flaky, { env: env() });
    const result = await writer.append(rows([2]));
    expect(result.manifest.version).toBe(2);
    expect(await writer.listVersions()).toEqual([1, 2]);
    expect(await (await Table.open(inner)).countRows()).toBe(2);
  });
});
