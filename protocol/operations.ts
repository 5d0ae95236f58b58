/**
 * What each operation does to a manifest, and which pairs of operations conflict.
 *
 * The conflict matrix: my operation (row) against one transaction committed after my read
 * version (column). `ok` = compatible, my operation is re-applied on the newest manifest
 * (rebase); `fail` = incompatible, `CommitConflict` (not retryable); `overlap` = compatible
 * unless the two touched a common fragment, in which case a retryable `CommitConflict` (re-run
 * the operation on the latest version). "Touched" = the fragments a delete or update changed or
 * removed, or that a rewrite replaced; appends touch none.
 *
 * | mine \ theirs | create | append | overwrite | delete  | update  | rewrite | restore |
 * |---------------|--------|--------|-----------|---------|---------|---------|---------|
 * | create        | fail   | fail   | fail      | fail    | fail    | fail    | fail    |
 * | append        | fail   | ok     | fail      | ok      | ok      | ok      | fail    |
 * | overwrite     | ok     | ok     | ok        | ok      | ok      | ok      | ok      |
 * | delete        | fail   | ok     | fail      | overlap | overlap | overlap | fail    |
 * | update        | fail   | ok     | fail      | overlap | overlap | overlap | fail    |
 * | rewrite       | fail   | ok     | fail      | overlap | overlap | overlap | fail    |
 * | restore       | ok     | ok     | ok        | ok      | ok      | ok      | ok      |
 *
 * Choices made explicit: overwrite and restore replace the whole table, so nothing committed
 * before them can invalidate them (last one wins, as in Lance); a create conflicts with
 * everything (`TableAlreadyExists`). An append is compatible with a rewrite because its new
 * fragment is not among the rewritten ones; a delete after a rewrite of its fragment is
 * retryable because its deletion file names rows of a fragment that no longer exists.
 */
import { CommitConflict } from "./errors.js";
import type { VersionNaming } from "./layout.js";
import type {
  Fragment,
  FragmentDeletion,
  Manifest,
  NewFragment,
  Operation,
  OperationKind,
  TransactionRef,
} from "./manifest.js";
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
      const { fragments, nextFragmentId } = withAdded(b.fragments, b.nextFragmentId, op.fragments);
      return { ...common, schema: b.schema, fragments, nextFragmentId };
    }
    case "delete": {
      const b = requireBase(base, op.kind);
      const fragments = withDeletions(b.fragments, op.updated, op.removedFragmentIds);
      return { ...common, schema: b.schema, fragments, nextFragmentId: b.nextFragmentId };
    }
    case "update": {
      const b = requireBase(base, op.kind);
      const kept = withDeletions(b.fragments, op.updated, op.removedFragmentIds);
      const { fragments, nextFragmentId } = withAdded(kept, b.nextFragmentId, op.fragments);
      return { ...common, schema: b.schema, fragments, nextFragmentId };
    }
    case "rewrite": {
      const b = requireBase(base, op.kind);
      const replaced = new Set(op.groups.flatMap((g) => g.oldFragmentIds));
      for (const id of replaced) {
        if (!b.fragments.some((f) => f.id === id))
          throw new Error(`internal: rewrite of fragment ${id}, which version ${b.version} lacks`);
      }
      const kept = b.fragments.filter((f) => !replaced.has(f.id));
      const added = op.groups.map((g) => g.newFragment);
      const { fragments, nextFragmentId } = withAdded(kept, b.nextFragmentId, added);
      return { ...common, schema: b.schema, fragments, nextFragmentId };
    }
    case "restore": {
      // Fragment ids stay unique: the restored ones are old, new ones continue after both.
      const nextFragmentId = Math.max(base?.nextFragmentId ?? 0, op.nextFragmentId);
      return { ...common, schema: op.schema, fragments: op.fragments, nextFragmentId };
    }
  }
}

function withAdded(
  fragments: readonly Fragment[],
  nextFragmentId: number,
  added: readonly NewFragment[],
): { fragments: Fragment[]; nextFragmentId: number } {
  return {
    fragments: [...fragments, ...added.map((f, i) => ({ ...f, id: nextFragmentId + i }))],
    nextFragmentId: nextFragmentId + added.length,
  };
}

function withDeletions(
  fragments: readonly Fragment[],
  updated: readonly FragmentDeletion[],
  removedFragmentIds: readonly number[],
): Fragment[] {
  const removed = new Set(removedFragmentIds);
  const updates = new Map(updated.map((u) => [u.fragmentId, u.deletion]));
  const out: Fragment[] = [];
  for (const fragment of fragments) {
    if (removed.has(fragment.id)) continue;
    const deletion = updates.get(fragment.id);
    out.push(deletion === undefined ? fragment : { ...fragment, deletion });
  }
  return out;
}

/** Fragment ids an operation changes in place or replaces (deletes, updates, rewrites). */
export function touchedFragmentIds(op: Operation): number[] {
  switch (op.kind) {
    case "delete":
    case "update":
      return [...op.updated.map((u) => u.fragmentId), ...op.removedFragmentIds];
    case "rewrite":
      return op.groups.flatMap((g) => g.oldFragmentIds);
    default:
      return [];
  }
}

/** Operations whose conflicts depend on the fragments touched, not on the kinds alone. */
const FRAGMENT_LEVEL: ReadonlySet<OperationKind> = new Set(["delete", "update", "rewrite"]);
/** Operations that replace the whole table. */
const WHOLE_TABLE: ReadonlySet<OperationKind> = new Set(["create", "overwrite", "restore"]);

/**
 * Whether deciding `mine` against a transaction of kind `theirs` needs that transaction's
 * details (which fragments it touched), or its kind alone decides. Only pairs of deletes,
 * updates and rewrites need them, so the commit loop reads the winner's transaction file only
 * then.
 */
export function needsTransactionDetail(mine: OperationKind, theirs: OperationKind): boolean {
  return FRAGMENT_LEVEL.has(mine) && FRAGMENT_LEVEL.has(theirs);
}

/**
 * Throw `CommitConflict` unless `mine` can be rebased over `theirs`, which was committed as
 * `theirsVersion` after my read version (the matrix above). `theirs` may be just its kind when
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
  if (mine.kind === "overwrite" || mine.kind === "restore") return;
  if (mine.kind === "create") fail(false);
  if (WHOLE_TABLE.has(theirs.kind)) fail(false);
  if (needsTransactionDetail(mine.kind, theirs.kind)) {
    if (!("updated" in theirs) && !("groups" in theirs))
      throw new Error(
        `internal: ${mine.kind} against ${theirs.kind} needs the other's transaction`,
      );
    const theirsTouched = new Set(touchedFragmentIds(theirs as Operation));
    if (touchedFragmentIds(mine).some((id) => theirsTouched.has(id))) fail(true);
  }
}

function requireBase(base: Manifest | undefined, kind: string): Manifest {
  if (base === undefined) throw new Error(`internal: ${kind} needs a base manifest`);
  return base;
}
