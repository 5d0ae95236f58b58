import { tableFromArrays } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { externalStore } from "../../protocol/external-store.js";
import { Table } from "../../protocol/table.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { MemoryCommitStore } from "../../stores/commit-store.js";
import { MemoryStore } from "../../stores/memory.js";
import { listAll, type ObjectStore, type PutOptions } from "../../stores/store.js";
import { NO_ATOMIC_PRIMITIVES, wrapStore } from "../support/wrap-store.js";

const rows = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) });

/** Plain S3 before conditional writes: every put overwrites. */
const plainPuts = (inner: ObjectStore) =>
  wrapStore(inner, {
    capabilities: NO_ATOMIC_PRIMITIVES,
    put: (path: string, bytes: Uint8Array, _options?: PutOptions) =>
      inner.put(path, bytes, { mode: "overwrite" }),
  });

async function setup() {
  const inner = new MemoryStore();
  const store = plainPuts(inner);
  const commits = new MemoryCommitStore();
  const strategy = externalStore(commits, "t");
  await Table.create(store, rows([1]), { env: createEnvAt(0, "s"), commitStrategy: strategy });
  return { inner, store, commits, strategy };
}

describe("externalStore strategy", () => {
  it("serialises writers on a store with no conditional writes: the loser rebases, nothing is lost", async () => {
    const { store, strategy } = await setup();
    const a = await Table.open(store, { env: createEnvAt(0, "a"), commitStrategy: strategy });
    const b = await Table.open(store, { env: createEnvAt(0, "b"), commitStrategy: strategy });
    await a.append(rows([2]));
    const result = await b.append(rows([3]));
    expect(result.manifest.version).toBe(3);
    expect(result.attempts).toBe(2);
    expect(await (await Table.open(store)).countRows()).toBe(3);
    // The loser's staged copy was deleted; only final manifests remain.
    expect(
      (await listAll(store, "_versions/")).map((m) => m.path).every((p) => p.endsWith(".manifest")),
    ).toBe(true);
  });

  it("a writer that stops between claim and copy: the next writer finishes its commit, then commits on top", async () => {
    const { inner, store, commits, strategy } = await setup();
    // The copy to the final name never happens: the writer dies right after its claim.
    const dying = wrapStore(store, {
      put: async (path, bytes, options) => {
        if (path.endsWith(".manifest")) throw new Error("process killed");
        return store.put(path, bytes, options);
      },
    });
    const a = await Table.open(dying, { env: createEnvAt(0, "a"), commitStrategy: strategy });
    await expect(a.append(rows([2]))).rejects.toThrow("process killed");
    expect((await commits.get("t", 2))?.finalized).toBe(false);
    expect(
      (await listAll(inner, "_versions/")).filter((m) => m.path.endsWith(".manifest")),
    ).toHaveLength(1);

    const b = await Table.open(store, { env: createEnvAt(0, "b"), commitStrategy: strategy });
    expect(b.version).toBe(2); // opening completed the claimed version
    const result = await b.append(rows([3]));
    expect(result.manifest.version).toBe(3);
    expect(await b.countRows()).toBe(3);
    expect((await commits.get("t", 2))?.finalized).toBe(true);
  });

  it("a reader that consults the commit store completes an unfinished version; one that does not lags behind", async () => {
    const { store, commits, strategy } = await setup();
    const dying = wrapStore(store, {
      put: async (path, bytes, options) => {
        if (path.endsWith(".manifest")) throw new Error("process killed");
        return store.put(path, bytes, options);
      },
    });
    await (await Table.open(dying, { env: createEnvAt(0, "a"), commitStrategy: strategy }))
      .append(rows([2]))
      .catch(() => undefined);
    expect((await Table.open(store)).version).toBe(1);
    expect((await Table.open(store, { commitStrategy: strategy })).version).toBe(2);
    expect((await commits.latest("t"))?.finalized).toBe(true);
  });

  it("needs a commit store: naming it alone is a clear error", async () => {
    await expect(
      Table.create(new MemoryStore(), rows([1]), { commitStrategy: "externalStore" }),
    ).rejects.toThrow(/externalStore needs a commit store/);
  });
});
