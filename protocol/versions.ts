/**
 * Finding versions in `_versions/`: the latest one, one by number, and those after a version.
 *
 * With V2 naming on a store whose listings are sorted, the first manifest listed is the newest,
 * so the latest version costs one list request that reads one key. Everything else (V1 naming,
 * or a store that does not sort listings — lance #5521) falls back to reading the whole listing.
 */

import { NotFound } from "../stores/errors.js";
import { getIfPresent, type ObjectStore } from "../stores/store.js";
import { CorruptFile, MissingDataFile, TableNotFound, VersionNotFound } from "./errors.js";
import { manifestPath, parseManifestPath, VERSIONS_DIR, type VersionNaming } from "./layout.js";
import { decodeManifest, type Manifest } from "./manifest.js";

/** A version found in a listing. */
export interface VersionEntry {
  readonly version: number;
  readonly naming: VersionNaming;
  readonly path: string;
}

/** The newest manifest in the store, or `undefined` if there is none. */
export async function findLatest(store: ObjectStore): Promise<VersionEntry | undefined> {
  let best: VersionEntry | undefined;
  for await (const meta of store.list(VERSIONS_DIR)) {
    const parsed = parseManifestPath(meta.path);
    if (parsed === undefined) continue;
    // Sorted V2 listings put the newest version first: one key is enough.
    if (parsed.naming === "v2" && store.capabilities.sortedList) {
      return { ...parsed, path: meta.path };
    }
    if (best === undefined || parsed.version > best.version) best = { ...parsed, path: meta.path };
  }
  return best;
}

/** Every version newer than `after`, oldest first. */
export async function listVersionsAfter(
  store: ObjectStore,
  after: number,
  naming: VersionNaming,
): Promise<VersionEntry[]> {
  const found: VersionEntry[] = [];
  const newestFirst = naming === "v2" && store.capabilities.sortedList;
  for await (const meta of store.list(VERSIONS_DIR)) {
    const parsed = parseManifestPath(meta.path);
    if (parsed === undefined) continue;
    if (parsed.version > after) found.push({ ...parsed, path: meta.path });
    else if (newestFirst) break;
  }
  return found.sort((a, b) => a.version - b.version);
}

/** Every version in the store, oldest first. */
export async function listVersions(store: ObjectStore): Promise<VersionEntry[]> {
  return listVersionsAfter(store, 0, "v1");
}

/** Read and decode the manifest of `version`. */
export async function readManifest(
  store: ObjectStore,
  version: number,
  naming: VersionNaming,
): Promise<Manifest> {
  const manifest = await readManifestIfPresent(store, version, naming);
  if (manifest === undefined) throw new VersionNotFound(version, undefined);
  return manifest;
}

/** Read and decode the manifest of `version`; `undefined` when there is none. */
export async function readManifestIfPresent(
  store: ObjectStore,
  version: number,
  naming: VersionNaming,
): Promise<Manifest | undefined> {
  const path = manifestPath(version, naming);
  const bytes = await getIfPresent(store, path);
  if (bytes === undefined) return undefined;
  return checkManifest(decodeManifest(path, bytes), version, path);
}

/**
 * Read the latest manifest (found by `findLatest` unless given); throws `TableNotFound` when
 * there is none.
 */
export async function readLatestManifest(
  store: ObjectStore,
  latest?: VersionEntry,
): Promise<Manifest> {
  const entry = latest ?? (await findLatest(store));
  if (entry === undefined) throw new TableNotFound(store.description);
  const { bytes } = await store.get(entry.path);
  return checkManifest(decodeManifest(entry.path, bytes), entry.version, entry.path);
}

/**
 * Throw `MissingDataFile` unless every file `manifest` references exists. Paths in `known` are
 * taken as verified (immutable files never reappear once checked) and new ones are added to it.
 */
export async function verifyFilesExist(
  store: ObjectStore,
  manifest: Manifest,
  known: Set<string> = new Set(),
): Promise<void> {
  for (const fragment of manifest.fragments) {
    for (const path of [fragment.path, fragment.deletion?.path]) {
      if (path === undefined || known.has(path)) continue;
      try {
        await store.head(path);
      } catch (error) {
        if (error instanceof NotFound)
          throw new MissingDataFile(path, manifest.version, { cause: error });
        throw error;
      }
      known.add(path);
    }
  }
}

function checkManifest(manifest: Manifest, version: number, path: string): Manifest {
  if (manifest.version !== version) {
    throw new CorruptFile(
      path,
      `its name says version ${version} but it holds version ${manifest.version}`,
    );
  }
  return manifest;
}
