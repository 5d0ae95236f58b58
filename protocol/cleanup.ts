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
 * 3. read the leases again (L2); put back, byte for byte, the manifests of dropped versions now
 *    in L2; delete the files referenced only by dropped versions that are not in L2.
 *
 * Why this suffices: a reader takes its lease before it reads the manifest. If its read of
 * dropped version V's manifest succeeded, that read came before step 2 deleted it, so its lease
 * was written before step 2 too, hence before step 3 lists leases: V is in L2 and its files
 * stay. If the read came after the deletion, the reader gets `VersionNotFound`, a clean
 * failure, and never a version with missing files. The manifest is put back (the same bytes,
 * so a version's contents still never change) because the next cleanup learns a version's
 * files only from its manifest: without it, the lease would protect nothing the next time
 * (the simulator found exactly that, scenario cleanup-with-leases).
 *
 * Before step 2 deletes anything, the cleanup writes a journal (`_cleanup/{id}.json`) holding
 * the manifests it is about to delete, and after step 3's lease reading, before any file goes,
 * it records in the journal which versions it keeps. A cleanup that crashes half way leaves the
 * journal; the next cleanup finishes it: a journal without that record has lost no file yet,
 * so the next cleanup decides its versions with its own lease reading; a journal with it is
 * finished exactly as recorded. The simulator found both failure modes this guards against: a
 * crash between steps 2 and 3 losing the only record of a leased version's files, and a
 * finishing cleanup putting back a version whose files were already gone because a reader had
 * leased it (too late, and failed to release the lease) after the crashed cleanup's decision.
 *
 * Orphan files (written by a writer that crashed before committing) are left alone: without
 * modification times there is no telling them from the files of a commit in flight.
 */
import { AlreadyExists } from "../stores/errors.js";
import { getIfPresent, listAll, type ObjectStore } from "../stores/store.js";
import { type Env, realEnv } from "./env.js";
import { CorruptFile, InvalidArgument } from "./errors.js";
import { activeLeases } from "./leases.js";
import { decodeManifest, MANIFEST_FORMAT_VERSION, type Manifest } from "./manifest.js";
import { listVersions } from "./versions.js";

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

/** A manifest a cleanup deletes, kept in its journal until the cleanup has finished. */
interface Dropped {
  readonly manifest: Manifest;
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Where cleanups keep their journals. */
export const CLEANUP_JOURNAL_DIR = "_cleanup/";

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
  // Journals of cleanups that stopped half way: their manifests are (partly) deleted already.
  const journals = await readJournals(store);
  // Unfinished cleanups that had not read leases a second time: no file of theirs is gone yet,
  // so this cleanup decides their versions as its own. Those that had: their decision stands.
  const undecided = journals.filter((j) => j.leased === undefined);
  const decided = journals.filter((j) => j.leased !== undefined);
  const leasedBefore = await leasedVersions(store, env, options.respectLeases);

  const entries = await listVersions(store);
  const newestKept = new Set(entries.slice(-keepNewest).map((e) => e.version));
  const kept: Manifest[] = [];
  const dropped: Dropped[] = [];
  for (const entry of entries) {
    const bytes = await getIfPresent(store, entry.path);
    // Another cleaner got there first.
    if (bytes === undefined) continue;
    const manifest = decodeManifest(entry.path, bytes);
    const old = manifest.timestampMs <= cutoffMs;
    const mayGo = old && !newestKept.has(entry.version) && !leasedBefore.has(entry.version);
    if (mayGo) dropped.push({ manifest, path: entry.path, bytes });
    else kept.push(manifest);
  }
  // Write down what is about to go before anything goes, so that a crash loses no knowledge.
  const journalPath = `${CLEANUP_JOURNAL_DIR}${env.ids.next()}.json`;
  if (dropped.length > 0) await writeJournal(store, journalPath, dropped, undefined);
  for (const { path } of dropped) await store.delete(path);

  const leasedAfter = await leasedVersions(store, env, options.respectLeases);
  const mine = [...undecided.flatMap((j) => j.dropped), ...dropped];
  const leasedMine = mine.filter((d) => leasedAfter.has(d.manifest.version));
  // The decision, recorded before any file goes: a later cleanup finishing this one must put
  // back exactly these, never a version leased only after its manifest (and then its files) went.
  if (mine.length > 0) {
    await writeJournal(
      store,
      journalPath,
      mine,
      leasedMine.map((d) => d.manifest.version),
    );
    for (const j of undecided) await store.delete(j.path);
  }
  const putBacks = [
    ...leasedMine,
    ...decided.flatMap((j) => j.dropped.filter((d) => j.leased?.includes(d.manifest.version))),
  ];
  const protectedFiles = new Set(kept.flatMap(filesOf));
  for (const { manifest, path, bytes } of putBacks) {
    await putBack(store, path, bytes);
    for (const file of filesOf(manifest)) protectedFiles.add(file);
  }
  const filesDeleted: string[] = [];
  const everything = [...mine, ...decided.flatMap((j) => j.dropped)];
  for (const path of new Set(everything.flatMap((d) => filesOf(d.manifest)))) {
    if (protectedFiles.has(path)) continue;
    await store.delete(path);
    filesDeleted.push(path);
  }
  for (const path of [...decided.map((j) => j.path), ...(mine.length > 0 ? [journalPath] : [])])
    await store.delete(path);
  return {
    versionsDeleted: dropped
      .filter((d) => !leasedAfter.has(d.manifest.version))
      .map((d) => d.manifest.version),
    filesDeleted,
    versionsLeased: putBacks.map((d) => d.manifest.version),
  };
}

/** A cleanup's journal: what it deletes and, once it has read leases again, what it keeps. */
interface Journal {
  readonly path: string;
  readonly dropped: Dropped[];
  /** Versions put back (leased at the second reading); absent until then. */
  readonly leased: number[] | undefined;
}

async function writeJournal(
  store: ObjectStore,
  path: string,
  dropped: readonly Dropped[],
  leased: readonly number[] | undefined,
): Promise<void> {
  const document = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    manifests: dropped.map((d) => ({
      path: d.path,
      bytes: Buffer.from(d.bytes).toString("base64"),
    })),
    ...(leased === undefined ? {} : { leased }),
  };
  await store.put(path, Buffer.from(JSON.stringify(document), "utf8"), { mode: "overwrite" });
}

async function readJournals(store: ObjectStore): Promise<Journal[]> {
  const out: Journal[] = [];
  for (const { path } of await listAll(store, CLEANUP_JOURNAL_DIR)) {
    const bytes = await getIfPresent(store, path);
    // Finished by a concurrent cleanup meanwhile.
    if (bytes === undefined) continue;
    let document: { manifests?: unknown; leased?: unknown };
    try {
      document = JSON.parse(Buffer.from(bytes).toString("utf8"));
      if (!Array.isArray(document.manifests)) throw new Error("no 'manifests' array");
      if (document.leased !== undefined && !Array.isArray(document.leased))
        throw new Error("'leased' is not an array");
    } catch (cause) {
      throw new CorruptFile(path, `not a cleanup journal (${(cause as Error).message})`, { cause });
    }
    const dropped = (document.manifests as { path: string; bytes: string }[]).map((e) => {
      const raw = Buffer.from(e.bytes, "base64");
      return { path: e.path, bytes: raw, manifest: decodeManifest(e.path, raw) };
    });
    out.push({ path, dropped, leased: document.leased as number[] | undefined });
  }
  return out;
}

/** Put a deleted manifest back with its original bytes (nothing to do if it is there). */
async function putBack(store: ObjectStore, path: string, bytes: Uint8Array): Promise<void> {
  try {
    await store.put(path, bytes, { mode: "create" });
  } catch (error) {
    if (!(error instanceof AlreadyExists)) throw error;
  }
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
