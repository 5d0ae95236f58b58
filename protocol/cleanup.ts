/**
 * Cleanup of old versions: delete manifests that are old enough, then the files that only they
 * referenced.
 *
 * Lance's default is age-based: a version whose manifest is older than a cutoff goes, except
 * the latest. That is safe for readers only under a timing assumption (nobody reads a version
 * for longer than the cutoff); a reader pinned to an old version loses its files. With
 * `respectLeases`, cleanup keeps every version a live lease names, and is safe without that
 * assumption:
 *
 * 1. read the leases (L1), choose the versions to drop (old enough, not the newest
 *    `minRetainedVersions`, not in L1) and read their manifests;
 * 2. delete those manifests;
 * 3. read the leases again (L2); delete the files referenced only by dropped versions that are
 *    not in L2.
 *
 * Why this suffices: a reader takes its lease before it reads the manifest. If its read of
 * dropped version V's manifest succeeded, that read came before step 2 deleted it, so its lease
 * was written before step 2 too, hence before step 3 lists leases: V is in L2 and its files
 * stay. If the read came after the deletion, the reader gets `VersionNotFound`, a clean
 * failure, and never a version with missing files.
 *
 * Orphan files (written by a writer that crashed before committing) are left alone: without
 * modification times there is no telling them from the files of a commit in flight.
 */
import type { ObjectStore } from "../stores/store.js";
import { type Env, realEnv } from "./env.js";
import { InvalidArgument } from "./errors.js";
import { manifestPath } from "./layout.js";
import { activeLeases } from "./leases.js";
import type { Manifest } from "./manifest.js";
import { listVersions, readManifestIfPresent } from "./versions.js";

/** What to keep. */
export interface CleanupOptions {
  /** Clock, randomness and ids; defaults to the real ones. */
  readonly env?: Env;
  /** Versions whose manifest is at least this old (on the env clock) may go. */
  readonly olderThanMs: number;
  /** Always keep the newest N versions (default 1: the latest). */
  readonly minRetainedVersions?: number;
  /** Keep every version a live reader lease names (default false: Lance's behaviour). */
  readonly respectLeases?: boolean;
}

/** What a cleanup did. */
export interface CleanupReport {
  /** Versions whose manifest was deleted, ascending. */
  readonly versionsDeleted: readonly number[];
  /** Data, deletion and transaction files deleted. */
  readonly filesDeleted: readonly string[];
  /** Dropped versions whose files were kept because a reader leased them meanwhile. */
  readonly versionsLeased: readonly number[];
}

/** Delete old versions and the files only they referenced. */
export async function cleanupOldVersions(
  store: ObjectStore,
  options: CleanupOptions,
): Promise<CleanupReport> {
  const env = options.env ?? realEnv();
  const keepNewest = options.minRetainedVersions ?? 1;
  if (!(keepNewest >= 1)) throw new InvalidArgument("minRetainedVersions must be at least 1");
  if (!(options.olderThanMs >= 0)) throw new InvalidArgument("olderThanMs must be >= 0");
  const cutoffMs = env.clock.now() - options.olderThanMs;
  const leasedBefore = await leasedVersions(store, env, options.respectLeases);

  const entries = await listVersions(store);
  const newestKept = new Set(entries.slice(-keepNewest).map((e) => e.version));
  const kept: Manifest[] = [];
  const dropped: Manifest[] = [];
  for (const entry of entries) {
    const manifest = await readManifestIfPresent(store, entry.version, entry.naming);
    // Another cleaner got there first.
    if (manifest === undefined) continue;
    const old = manifest.timestampMs <= cutoffMs;
    const mayGo = old && !newestKept.has(entry.version) && !leasedBefore.has(entry.version);
    (mayGo ? dropped : kept).push(manifest);
  }
  for (const manifest of dropped)
    await store.delete(manifestPath(manifest.version, manifest.naming));

  const leasedAfter = await leasedVersions(store, env, options.respectLeases);
  const protectedFiles = new Set(kept.flatMap(filesOf));
  const leased = dropped.filter((m) => leasedAfter.has(m.version));
  for (const manifest of leased) for (const path of filesOf(manifest)) protectedFiles.add(path);
  const filesDeleted: string[] = [];
  for (const path of new Set(dropped.flatMap(filesOf))) {
    if (protectedFiles.has(path)) continue;
    await store.delete(path);
    filesDeleted.push(path);
  }
  return {
    versionsDeleted: dropped.map((m) => m.version),
    filesDeleted,
    versionsLeased: leased.map((m) => m.version),
  };
}

/** Every file a version references: data, deletion, and its transaction. */
export function filesOf(manifest: Manifest): string[] {
  const files = [manifest.transaction.path];
  for (const f of manifest.fragments) {
    files.push(f.path);
    if (f.deletion !== undefined) files.push(f.deletion.path);
  }
  return files;
}

async function leasedVersions(
  store: ObjectStore,
  env: Env,
  respect: boolean | undefined,
): Promise<Set<number>> {
  if (respect !== true) return new Set();
  return new Set((await activeLeases(store, env.clock.now())).map((l) => l.version));
}
