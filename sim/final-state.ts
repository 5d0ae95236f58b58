/**
 * The table as it stands after a run, read straight from the underlying store (outside the
 * scheduler): every manifest, decoded, and whether the files each one references exist.
 */
import { CorruptFile } from "../protocol/errors.js";
import { parseManifestPath, VERSIONS_DIR } from "../protocol/layout.js";
import { decodeManifest } from "../protocol/manifest.js";
import { listAll, type ObjectStore } from "../stores/store.js";

/** One version as it ended up in the store. */
export interface FinalVersion {
  readonly version: number;
  readonly path: string;
  readonly transactionId: string;
  readonly operation: string;
  readonly readVersion: number;
  /** Fragment ids with live row counts, in manifest order. */
  readonly fragments: readonly (readonly [id: number, liveRows: number])[];
  /** Data files of its fragments, in manifest order. */
  readonly dataFiles: readonly string[];
  /** Referenced data and deletion files absent from the store. */
  readonly missingFiles: readonly string[];
}

/** Everything the checkers need to know about the store after a run. */
export interface FinalState {
  /** Decodable manifests, ascending by version. */
  readonly versions: readonly FinalVersion[];
  /** Manifests that could not be decoded, with the reason. */
  readonly corrupt: readonly { readonly path: string; readonly reason: string }[];
}

/** Read the final state of the table in `store`. */
export async function readFinalState(store: ObjectStore): Promise<FinalState> {
  const objects = await listAll(store, "");
  const present = new Set(objects.map((o) => o.path));
  const versions: FinalVersion[] = [];
  const corrupt: { path: string; reason: string }[] = [];
  for (const { path } of objects) {
    if (!path.startsWith(VERSIONS_DIR)) continue;
    const parsed = parseManifestPath(path);
    if (parsed === undefined) continue;
    try {
      const manifest = decodeManifest(path, (await store.get(path)).bytes);
      if (manifest.version !== parsed.version) {
        throw new CorruptFile(
          path,
          `its name says version ${parsed.version} but it holds version ${manifest.version}`,
        );
      }
      const referenced = manifest.fragments.flatMap((f) =>
        f.deletion ? [f.path, f.deletion.path] : [f.path],
      );
      versions.push({
        version: manifest.version,
        path,
        transactionId: manifest.transaction.id,
        operation: manifest.transaction.kind,
        readVersion: manifest.transaction.readVersion,
        fragments: manifest.fragments.map(
          (f) => [f.id, f.physicalRows - (f.deletion?.deletedRows ?? 0)] as const,
        ),
        dataFiles: manifest.fragments.map((f) => f.path),
        missingFiles: referenced.filter((p) => !present.has(p)),
      });
    } catch (error) {
      if (!(error instanceof CorruptFile)) throw error;
      corrupt.push({ path, reason: error.message });
    }
  }
  versions.sort((a, b) => a.version - b.version);
  return { versions, corrupt };
}
