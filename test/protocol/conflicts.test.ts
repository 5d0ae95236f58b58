import { describe, expect, it } from "vitest";
import { CommitConflict } from "../../protocol/errors.js";
import type { Operation } from "../../protocol/manifest.js";
import { checkConflict, needsTransactionDetail } from "../../protocol/operations.js";
import { rows, twoHandles } from "../support/tables.js";

const fragment = { path: "data/x.arrow", physicalRows: 1, sizeBytes: 1 };
const predicate = { column: "id", op: "=", value: 1 } as const;
/** Each kind, in two variants where fragments matter: A touches fragment 0, B fragment 1. */
const ops: Record<string, Operation> = {
  create: { kind: "create", schema: [], fragments: [fragment] },
  append: { kind: "append", fragments: [fragment] },
  overwrite: { kind: "overwrite", schema: [], fragments: [fragment] },
  restore: {
    kind: "restore",
    restoredVersion: 1,
    schema: [],
    fragments: [{ ...fragment, id: 0 }],
    nextFragmentId: 1,
  },
  deleteA: { kind: "delete", predicate, updated: [], removedFragmentIds: [0] },
  deleteB: { kind: "delete", predicate, updated: [], removedFragmentIds: [1] },
  updateA: {
    kind: "update",
    predicate,
    set: { id: 7 },
    updated: [{ fragmentId: 0, deletion: { path: "_deletions/0.json", deletedRows: 1 } }],
    removedFragmentIds: [],
    fragments: [fragment],
  },
  updateB: {
    kind: "update",
    predicate,
    set: { id: 7 },
    updated: [],
    removedFragmentIds: [1],
    fragments: [fragment],
  },
  rewriteA: { kind: "rewrite", groups: [{ oldFragmentIds: [0, 2], newFragment: fragment }] },
  rewriteB: { kind: "rewrite", groups: [{ oldFragmentIds: [1, 3], newFragment: fragment }] },
};

type Expected = "ok" | "conflict" | "retryable";
const KINDS = ["create", "append", "overwrite", "delete", "update", "rewrite", "restore"] as const;
const FRAGMENT_LEVEL = new Set(["delete", "update", "rewrite"]);

/**
 * The documented matrix (protocol/operations.ts), one row per kind of mine. `overlap` means
 * retryable when both touch a fragment (the A variants) and ok when they do not (A vs B).
 */
const MATRIX: Record<string, Record<string, Expected | "overlap">> = {
  create: {
    create: "conflict",
    append: "conflict",
    overwrite: "conflict",
    delete: "conflict",
    update: "conflict",
    rewrite: "conflict",
    restore: "conflict",
  },
  append: {
    create: "conflict",
    append: "ok",
    overwrite: "conflict",
    delete: "ok",
    update: "ok",
    rewrite: "ok",
    restore: "conflict",
  },
  overwrite: {
    create: "ok",
    append: "ok",
    overwrite: "ok",
    delete: "ok",
    update: "ok",
    rewrite: "ok",
    restore: "ok",
  },
  delete: {
    create: "conflict",
    append: "ok",
    overwrite: "conflict",
    delete: "overlap",
    update: "overlap",
    rewrite: "overlap",
    restore: "conflict",
  },
  update: {
    create: "conflict",
    append: "ok",
    overwrite: "conflict",
    delete: "overlap",
    update: "overlap",
    rewrite: "overlap",
    restore: "conflict",
  },
  rewrite: {
    create: "conflict",
    append: "ok",
    overwrite: "conflict",
    delete: "overlap",
    update: "overlap",
    rewrite: "overlap",
    restore: "conflict",
  },
  restore: {
    create: "ok",
    append: "ok",
    overwrite: "ok",
    delete: "ok",
    update: "ok",
    rewrite: "ok",
    restore: "ok",
  },
};

function outcome(mine: Operation, theirs: Operation): Expected {
  try {
    checkConflict(mine, theirs, 5);
    return "ok";
  } catch (error) {
    expect(error).toBeInstanceOf(CommitConflict);
    expect((error as CommitConflict).conflictingVersion).toBe(5);
    return (error as CommitConflict).retryable ? "retryable" : "conflict";
  }
}

const variant = (kind: string, which: "A" | "B") =>
  ops[FRAGMENT_LEVEL.has(kind) ? `${kind}${which}` : kind] as Operation;

describe("conflict matrix, every ordered pair of the 7 kinds", () => {
  for (const mine of KINDS) {
    for (const theirs of KINDS) {
      const expected = MATRIX[mine]?.[theirs];
      if (expected === "overlap") {
        it(`${mine} after a concurrent ${theirs}: retryable on a shared fragment, ok otherwise`, () => {
          expect(outcome(variant(mine, "A"), variant(theirs, "A"))).toBe("retryable");
          expect(outcome(variant(mine, "A"), variant(theirs, "B"))).toBe("ok");
        });
      } else {
        it(`${mine} after a concurrent ${theirs}: ${expected}`, () => {
          expect(outcome(variant(mine, "A"), variant(theirs, "A"))).toBe(expected);
          expect(outcome(variant(mine, "A"), variant(theirs, "B"))).toBe(expected);
        });
      }
    }
  }

  it("the commit loop reads a winner's transaction exactly for the fragment-level pairs", () => {
    for (const mine of KINDS)
      for (const theirs of KINDS)
        expect(needsTransactionDetail(mine, theirs)).toBe(MATRIX[mine]?.[theirs] === "overlap");
  });
});

describe("conflicts end to end", () => {
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
