/**
 * The commit loop: write the transaction, build manifest N+1, claim it through the strategy;
 * on a lost race read the winners' transactions, fail on a conflict, rebase otherwise, back off
 * and try again — a bounded number of times.
 *
 * Conflicts are decided by the winners' transaction kinds, recorded in their manifests; a
 * winner's transaction file is read only when its kind is not enough (two deletes).
 *
 * The first attempt is optimistic (it claims `readVersion + 1` without listing), so an
 * uncontended commit costs one transaction put and one claim. After a lost race the loop reads
 * the versions after the one it knows by probing upward (`N+1`, `N+2`, ... until absent), which
 * needs no listing and so cannot be fooled by a listing that lags.
 */
import { AmbiguousStoreError, NotFound, TransientStoreError } from "../stores/errors.js";
import type { ObjectStore } from "../stores/store.js";
import { type Env, randomInt } from "./env.js";
import { CommitOutcomeUnknown, MissingDataFile, TooMuchWriteContention } from "./errors.js";
import { manifestPath, transactionPath, type VersionNaming } from "./layout.js";
import {
  decodeTransaction,
  encodeJson,
  MANIFEST_FORMAT_VERSION,
  type Manifest,
  type Operation,
  type Transaction,
  type TransactionRef,
} from "./manifest.js";
import { applyOperation, checkConflict, needsTransactionDetail } from "./operations.js";
import { type CommitStrategy, VersionTaken } from "./strategy.js";
import { readManifestIfPresent } from "./versions.js";

/** Bounds and pacing of the retry loop. */
export interface RetryOptions {
  /** Claims to attempt before `TooMuchWriteContention` (default 20). */
  readonly maxAttempts?: number;
  /** Backoff unit: after the k-th lost race sleep a random number of units in [0, 2^(k+1)) (default 50). */
  readonly backoffUnitMs?: number;
  /** Give up once this much clock time has passed since the first attempt (default 30 000). */
  readonly maxRetryDurationMs?: number;
}

/** Everything a commit needs. */
export interface CommitContext {
  readonly store: ObjectStore;
  readonly env: Env;
  readonly strategy: CommitStrategy;
  readonly naming: VersionNaming;
  readonly retry?: RetryOptions;
}

/** A successful commit. */
export interface CommitResult {
  /** The manifest now at `manifest.version`. */
  readonly manifest: Manifest;
  readonly transaction: Transaction;
  /** Claims it took (1 when uncontended). */
  readonly attempts: number;
}

const DEFAULT_MAX_ATTEMPTS = 20;
const DEFAULT_BACKOFF_UNIT_MS = 50;
const DEFAULT_MAX_RETRY_DURATION_MS = 30_000;
const MAX_BACKOFF_EXPONENT = 10;

/** Commit `operation`, read at `base` (undefined only when creating the table). */
export async function commitOperation(
  ctx: CommitContext,
  base: Manifest | undefined,
  operation: Operation,
): Promise<CommitResult> {
  const { store, env, naming } = ctx;
  const maxAttempts = ctx.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const unitMs = ctx.retry?.backoffUnitMs ?? DEFAULT_BACKOFF_UNIT_MS;
  const maxDurationMs = ctx.retry?.maxRetryDurationMs ?? DEFAULT_MAX_RETRY_DURATION_MS;

  const readVersion = base?.version ?? 0;
  const id = env.ids.next();
  const transaction: Transaction = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    id,
    readVersion,
    operation,
  };
  const ref: TransactionRef = {
    id,
    path: transactionPath(readVersion, id),
    kind: operation.kind,
    readVersion,
  };
  await store.put(ref.path, encodeJson(transaction), { mode: "overwrite" });

  const startedMs = env.clock.now();
  let latest = base;
  for (let attempt = 1; ; attempt++) {
    const version = (latest?.version ?? 0) + 1;
    const manifest = applyOperation(operation, latest, version, naming, ref, env.clock.now());
    // "absent" (the claim demonstrably did not apply) goes round the loop like a lost race:
    // catching up finds the version still free and the next attempt claims it again.
    if ((await tryClaim(ctx, manifest)) === "ours")
      return { manifest, transaction, attempts: attempt };

    if (attempt >= maxAttempts || env.clock.now() - startedMs >= maxDurationMs) {
      throw new TooMuchWriteContention(attempt, version);
    }
    const exponent = Math.min(attempt + 1, MAX_BACKOFF_EXPONENT);
    await env.clock.sleep(randomInt(env.random, 2 ** exponent) * unitMs);
    const caughtUp = await catchUp(ctx, latest, operation, ref);
    // A claim whose response was lost and was retried (by us or the SDK) comes back as "taken":
    // the version holding our own transaction means the commit happened, exactly once.
    if (caughtUp.ours !== undefined)
      return { manifest: caughtUp.ours, transaction, attempts: attempt };
    latest = caughtUp.latest;
  }
}

/** Whose a claimed version turned out to be. */
type ClaimOutcome = "ours" | "foreign" | "absent";

/**
 * Claim the manifest's version. A transient or ambiguous error (a 5xx, a timeout, a lost
 * response) may have applied or not, so read the version back, as newer Lance does: ours ⇒
 * success (never claim it again: that would be a duplicate); foreign ⇒ a lost race; absent ⇒
 * not applied, try again; unreadable ⇒ {@link CommitOutcomeUnknown}, never a guess. Any other
 * error (denied, not supported) means nothing was written and is raised as is.
 */
async function tryClaim(ctx: CommitContext, manifest: Manifest): Promise<ClaimOutcome> {
  const { version } = manifest;
  const path = manifestPath(version, ctx.naming);
  try {
    await ctx.strategy.claim(ctx.store, ctx.env, path, encodeJson(manifest));
    return "ours";
  } catch (error) {
    if (error instanceof VersionTaken) return "foreign";
    if (!(error instanceof TransientStoreError || error instanceof AmbiguousStoreError))
      throw error;
    let current: Manifest | undefined;
    try {
      current = await readManifestIfPresent(ctx.store, version, ctx.naming);
      // A strategy that commits outside the store may hold the claim without the manifest copied yet.
      if (current === undefined && (await ctx.strategy.complete?.(ctx.store, version, path)))
        current = await readManifestIfPresent(ctx.store, version, ctx.naming);
    } catch (readError) {
      throw new CommitOutcomeUnknown(version, manifest.transaction.id, {
        cause: new AggregateError([error, readError]),
      });
    }
    if (current === undefined) return "absent";
    return current.transaction.id === manifest.transaction.id ? "ours" : "foreign";
  }
}

/**
 * Read every version after `latest`, checking mine against each. Returns the newest version
 * known, or the version that turns out to hold my own transaction. Probing stops at the first
 * absent version.
 */
async function catchUp(
  ctx: CommitContext,
  latest: Manifest | undefined,
  mine: Operation,
  ref: TransactionRef,
): Promise<{ latest: Manifest | undefined; ours?: Manifest }> {
  const { store, naming, strategy } = ctx;
  let current = latest;
  for (let version = (latest?.version ?? 0) + 1; ; version++) {
    let next = await readManifestIfPresent(store, version, naming);
    // A version claimed outside the store whose writer has not copied it yet: finish it.
    if (
      next === undefined &&
      (await strategy.complete?.(store, version, manifestPath(version, naming)))
    ) {
      next = await readManifestIfPresent(store, version, naming);
    }
    if (next === undefined) return { latest: current };
    if (next.transaction.id === ref.id) return { latest: next, ours: next };
    const theirs = needsTransactionDetail(mine.kind, next.transaction.kind)
      ? (await readTransaction(store, next.transaction.path, version)).operation
      : next.transaction;
    checkConflict(mine, theirs, version);
    current = next;
  }
}

async function readTransaction(
  store: ObjectStore,
  path: string,
  version: number,
): Promise<Transaction> {
  try {
    return decodeTransaction(path, (await store.get(path)).bytes);
  } catch (error) {
    if (error instanceof NotFound) throw new MissingDataFile(path, version, { cause: error });
    throw error;
  }
}
