/**
 * What each operation does to a manifest, and which pairs of operations conflict.
 *
 * The conflict matrix (mine, vs one transaction committed after my read version):
 *
 * | mine      | incompatible with   | retryable when                                 |
 * |-----------|---------------------|------------------------------------------------|
 * | create    | anything            | never (the table exists: `TableAlreadyExists`) |
 * | append    | overwrite, create   | never                                          |
 * | delete    | overwrite, create   | theirs deleted rows of a fragment I touch      |
 * | overwrite | (nothing)           | never                                          |
 *
 * Compatible pairs rebase: my operation is re-applied on the newest manifest.
 */
import { CommitConflict } from "./errors.js";
import type { VersionNaming } from "./layout.js";
import type { Fragment, Manifest, Operation, OperationKind, TransactionRef } from "./manifest.js";
import { MANIFEST_FORMAT_VERSION } from "./manifest.js";

/** Build version `version` by applying `op` on `base` (undefined only for a create). */
export function applyOperation(
  op: Operation,
  base: Manifest | undefined,
  version: number,
  naming: VersionNaming,
  transaction: TransactionRef,
  timestampMs: number,
): Manifest {
  const common = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    version,
    naming,
    transaction,
    timestampMs,
  };
  switch (op.kind) {
    case "create":
    case "overwrite": {
      const fragments = op.fragments.map((f, id) => ({ ...f, id }));
      return { ...common, schema: op.schema, fragments, nextFragmentId: fragments.length };
    }
    case "append": {
      const b = requireBase(base, op.kind);
      const added = op.fragments.map((f, i) => ({ ...f, id: b.nextFragmentId + i }));
      return {
        ...common,
        schema: b.schema,
        fragments: [...b.fragments, ...added],
        nextFragmentId: b.nextFragmentId + added.length,
      };
    }
    case "delete": {
      const b = requireBase(base, op.kind);
      const removed = new Set(op.removedFragmentIds);
      const updates = new Map(op.updated.map((u) => [u.fragmentId, u.deletion]));
      const fragments: Fragment[] = [];
      for (const fragment of b.fragments) {
        if (removed.has(fragment.id)) continue;
        const deletion = updates.get(fragment.id);
        fragments.push(deletion === undefined ? fragment : { ...fragment, deletion });
      }
      return { ...common, schema: b.schema, fragments, nextFragmentId: b.nextFragmentId };
    }
  }
}

/** Fragment ids an operation changes in place (deletes); appends touch none. */
export function touchedFragmentIds(op: Operation): number[] {
  if (op.kind !== "delete") return [];
  return [...op.updated.map((u) => u.fragmentId), ...op.removedFragmentIds];
}

/**
 * Whether deciding `mine` against a transaction of kind `theirs` needs that transaction's
 * details (which fragments it touched), or its kind alone decides. Only two deletes need them,
 * so the commit loop reads the winner's transaction file only then.
 */
export function needsTransactionDetail(mine: OperationKind, theirs: OperationKind): boolean {
  return mine === "delete" && theirs === "delete";
}

/**
 * Throw `CommitConflict` unless `mine` can be rebased over `theirs`, which was committed as
 * `theirsVersion` after my read version. `theirs` may be just its kind when
 * {@link needsTransactionDetail} says the kind decides.
 */
export function checkConflict(
  mine: Operation,
  theirs: Operation | { readonly kind: OperationKind },
  theirsVersion: number,
): void {
  const fail = (retryable: boolean) => {
    throw new CommitConflict(mine.kind, theirs.kind, theirsVersion, retryable);
  };
  if (mine.kind === "overwrite") return;
  if (mine.kind === "create") fail(false);
  if (theirs.kind === "overwrite" || theirs.kind === "create") fail(false);
  if (mine.kind === "delete" && theirs.kind === "delete") {
    if (!("updated" in theirs))
      throw new Error("internal: a delete against a delete needs the other's transaction");
    const theirsTouched = new Set(touchedFragmentIds(theirs));
    if (touchedFragmentIds(mine).some((id) => theirsTouched.has(id))) fail(true);
  }
}

function requireBase(base: Manifest | undefined, kind: string): Manifest {
  if (base === undefined) throw new Error(`internal: ${kind} needs a base manifest`);
  return base;
}
