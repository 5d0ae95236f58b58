/**
 * Where a table keeps its files, and the two manifest namings.
 *
 * V1 names a manifest `_versions/{version}.manifest`: finding the latest version means listing
 * every manifest. V2 names it by `u64::MAX - version`, zero-padded to 20 digits, so that a
 * lexically sorted listing returns the newest version first and the latest version costs one
 * list request that reads one key.
 */
import { InvalidArgument } from "./errors.js";

/** Which manifest naming a table uses. */
export type VersionNaming = "v1" | "v2";

export const VERSIONS_DIR = "_versions/";
export const TRANSACTIONS_DIR = "_transactions/";
export const DATA_DIR = "data/";
export const DELETIONS_DIR = "_deletions/";
const MANIFEST_SUFFIX = ".manifest";
const U64_MAX = 18446744073709551615n;
const V2_DIGITS = 20;

/** The highest version either naming can express exactly as a JS number. */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;

/** Path of the manifest of `version` under `naming`. */
export function manifestPath(version: number, naming: VersionNaming): string {
  assertVersion(version);
  if (naming === "v1") return `${VERSIONS_DIR}${version}${MANIFEST_SUFFIX}`;
  const inverted = (U64_MAX - BigInt(version)).toString().padStart(V2_DIGITS, "0");
  return `${VERSIONS_DIR}${inverted}${MANIFEST_SUFFIX}`;
}

/** A manifest path's version and naming; `undefined` for anything else in `_versions/`. */
export function parseManifestPath(
  path: string,
): { version: number; naming: VersionNaming } | undefined {
  if (!path.startsWith(VERSIONS_DIR) || !path.endsWith(MANIFEST_SUFFIX)) return undefined;
  const stem = path.slice(VERSIONS_DIR.length, path.length - MANIFEST_SUFFIX.length);
  if (!/^\d+$/.test(stem)) return undefined;
  if (stem.length === V2_DIGITS) {
    const version = U64_MAX - BigInt(stem);
    if (version < 1n || version > BigInt(MAX_VERSION)) return undefined;
    return { version: Number(version), naming: "v2" };
  }
  if (stem.length > 1 && stem.startsWith("0")) return undefined;
  const version = Number(stem);
  if (version < 1 || version > MAX_VERSION) return undefined;
  return { version, naming: "v1" };
}

/** Path of a transaction file: `_transactions/{readVersion}-{id}.txn`. */
export function transactionPath(readVersion: number, id: string): string {
  return `${TRANSACTIONS_DIR}${readVersion}-${id}.txn`;
}

/** Path of a new data file. */
export function dataPath(id: string): string {
  return `${DATA_DIR}${id}.arrow`;
}

/** Path of a new deletion file for one fragment. */
export function deletionPath(fragmentId: number, readVersion: number, id: string): string {
  return `${DELETIONS_DIR}${fragmentId}-${readVersion}-${id}.json`;
}

/** Throw unless `version` is a positive safe integer. */
export function assertVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InvalidArgument(`version must be a positive integer, got ${version}`);
  }
}
