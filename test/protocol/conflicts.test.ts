import { tableFromArrays } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { CommitConflict } from "../../protocol/errors.js";
import type { Operation } from "../../protocol/manifest.js";
import { checkConflict } from "../../protocol/operations.js";
import { Table } from "../../protocol/table.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { MemoryStore } from "../../stores/memory.js";

const fragment = { path: "data/x.arrow", physicalRows: 1, sizeBytes: 1 };
const ops: Record<string, Operation> = {
  create: { kind: "create", schema: [], fragments: [fragment] },
  append: { kind: "append", fragments: [fragment] },
  overwrite: { kind: "overwrite", schema: [], fragments: [fragment] },
  deleteA: {
    kind: "delete",
    predicate: { column: "id", op: "=", value: 1 },
    updated: [],
    removedFragmentIds: [0],
  },
  deleteB: {
    kind: "delete",
    predicate: { column: "id", op: "=", value: 2 },
    updated: [],
    removedFragmentIds: [1],
  },
};

/** Expected outcome of mine (row) against theirs (column): ok, conflict, or retryable. */
const matrix: Record<string, Record<string, "ok" | "conflict" | "retryable">> = {
  create: { create: "conflict", append: "conflict", overwrite: "conflict", deleteA: "conflict" },
  append: { create: "conflict", append: "ok", overwrite: "conflict", deleteA: "ok" },
  overwrite: { create: "ok", append: "ok", overwrite: "ok", deleteA: "ok" },
  deleteA: {
    create: "conflict",
    append: "ok",
    overwrite: "conflict",
    deleteA: "retryable",
    deleteB: "ok",
  },
};

describe("conflict matrix", () => {
  for (const [mine, row] of Object.entries(matrix)) {
    for (const [theirs, expected] of Object.entries(row)) {
      it(`${mine} after a concurrent ${theirs}: ${expected}`, () => {
        const run = () => checkConflict(ops[mine] as Operation, ops[theirs] as Operation, 5);
        if (expected === "ok") return expect(run).not.toThrow();
        const error = (() => {
          try {
            run();
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(CommitConflict);
        expect((error as CommitConflict).retryable).toBe(expected === "retryable");
        expect((error as CommitConflict).conflictingVersion).toBe(5);
      });
    }
  }
});

describe("conflicts end to end", () => {
  const rows = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) });
  async function twoHandles() {
    const store = new MemoryStore();
    const setup = await Table.create(store, rows([1, 2]), { env: createEnvAt(0, "s") });
    await setup.append(rows([3, 4]));
    const a = await Table.open(store, { env: createEnvAt(0, "a") });
    const b = await Table.open(store, { env: createEnvAt(0, "b") });
    return { a, b };
  }

  it("an append after a concurrent overwrite fails with a non-retryable CommitConflict", async () => {
    const { a, b } = await twoHandles();
    await a.overwrite(rows([9]));
    const error = await b.append(rows([5])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitConflict);
    expect(error).toMatchObject({ mine: "append", theirs: "overwrite", retryable: false });
  });

  it("deletes of the same fragment conflict as retryable; of different fragments they rebase", async () => {
    const same = await twoHandles();
    await same.a.delete({ column: "id", op: "=", value: 1 });
    await expect(same.b.delete({ column: "id", op: "=", value: 2 })).rejects.toMatchObject({
      retryable: true,
    });

    const different = await twoHandles();
    await different.a.delete({ column: "id", op: "=", value: 1 });
    const result = await different.b.delete({ column: "id", op: "=", value: 3 });
    expect(result.attempts).toBe(2);
    expect(await different.b.countRows()).toBe(2);
  });
});
