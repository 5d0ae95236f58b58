/**
 * Manifests and transactions: the plain, versioned JSON documents of a table.
 *
 * A manifest describes one whole version (schema and fragments). A transaction records what
 * one commit attempted, relative to the version it read; a writer that loses a race reads the
 * winners' transactions to decide whether it can rebase. Both are decoded defensively: a
 * corrupt file raises {@link CorruptFile} with its path, never a bare `SyntaxError`.
 */
import { CorruptFile } from "./errors.js";
import type { VersionNaming } from "./layout.js";

/** The manifest and transaction format written by this build. */
export const MANIFEST_FORMAT_VERSION = 1;

/** One column of the table schema. */
export interface SchemaField {
  readonly name: string;
  /** Arrow type as text, e.g. `Int32`, `Utf8`. */
  readonly type: string;
}

/** A deletion file attached to a fragment. */
export interface DeletionRef {
  readonly path: string;
  /** How many rows of the fragment it deletes (all deletions so far, not just the latest). */
  readonly deletedRows: number;
}

/** A data file as written, before the commit gives it a fragment id. */
export interface NewFragment {
  readonly path: string;
  readonly physicalRows: number;
  readonly sizeBytes: number;
}

/** A data file that belongs to a version. */
export interface Fragment extends NewFragment {
  readonly id: number;
  readonly deletion?: DeletionRef;
}

/** Rows deleted from one fragment by a Delete. */
export interface FragmentDeletion {
  readonly fragmentId: number;
  /** The fragment's deletion file after this delete (all its deleted rows). */
  readonly deletion: DeletionRef;
}

/** A comparison on one column, the predicate of a Delete. */
export interface Predicate {
  readonly column: string;
  readonly op: "=" | "!=" | "<" | "<=" | ">" | ">=";
  readonly value: number | string | boolean;
}

/** What one commit does, relative to the version it read. */
export type Operation =
  /** Make version 1; fails if the table exists. */
  | {
      readonly kind: "create";
      readonly schema: readonly SchemaField[];
      readonly fragments: readonly NewFragment[];
    }
  /** Add fragments. */
  | { readonly kind: "append"; readonly fragments: readonly NewFragment[] }
  /** Replace all fragments (and possibly the schema). */
  | {
      readonly kind: "overwrite";
      readonly schema: readonly SchemaField[];
      readonly fragments: readonly NewFragment[];
    }
  /** Delete rows matching a predicate: new deletion files, and fragments removed whole. */
  | {
      readonly kind: "delete";
      readonly predicate: Predicate;
      readonly updated: readonly FragmentDeletion[];
      readonly removedFragmentIds: readonly number[];
    }
  /**
   * Change column values of the rows matching a predicate: those rows are deleted where they
   * are (as a delete does) and written again, changed, as new fragments.
   */
  | {
      readonly kind: "update";
      readonly predicate: Predicate;
      readonly set: Readonly<Record<string, CellValue>>;
      readonly updated: readonly FragmentDeletion[];
      readonly removedFragmentIds: readonly number[];
      readonly fragments: readonly NewFragment[];
    }
  /** Compaction: the live rows of some fragments rewritten as one new fragment per group. */
  | { readonly kind: "rewrite"; readonly groups: readonly RewriteGroup[] }
  /** Make an old version current again: its schema and fragments, as a new version. */
  | {
      readonly kind: "restore";
      readonly restoredVersion: number;
      readonly schema: readonly SchemaField[];
      readonly fragments: readonly Fragment[];
      readonly nextFragmentId: number;
    };

/** A value an update writes into a cell. */
export type CellValue = number | string | boolean;

/** Fragments a rewrite replaces, and the one fragment that replaces them. */
export interface RewriteGroup {
  readonly oldFragmentIds: readonly number[];
  readonly newFragment: NewFragment;
}

/** Every operation kind, for validation. */
export const OPERATION_KINDS: readonly OperationKind[] = [
  "create",
  "append",
  "overwrite",
  "delete",
  "update",
  "rewrite",
  "restore",
];

/** The kind of an operation. */
export type OperationKind = Operation["kind"];

/** The `_transactions/` file of one commit. */
export interface Transaction {
  readonly formatVersion: number;
  readonly id: string;
  readonly readVersion: number;
  readonly operation: Operation;
}

/** The transaction a manifest was made by. */
export interface TransactionRef {
  readonly id: string;
  readonly path: string;
  readonly kind: OperationKind;
  readonly readVersion: number;
}

/** One version of the table. */
export interface Manifest {
  readonly formatVersion: number;
  readonly version: number;
  readonly naming: VersionNaming;
  readonly schema: readonly SchemaField[];
  readonly fragments: readonly Fragment[];
  /** The next fresh fragment id; ids are unique and increasing within a manifest. */
  readonly nextFragmentId: number;
  readonly transaction: TransactionRef;
  /** When the writer built it, on the writer's clock. */
  readonly timestampMs: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Serialise a manifest or transaction to bytes. */
export function encodeJson(document: Manifest | Transaction): Uint8Array {
  // Buffer.from is several times faster than TextEncoder for short strings, and a Buffer is a Uint8Array.
  return Buffer.from(JSON.stringify(document), "utf8");
}

/** Decode and validate a manifest read from `path`. */
export function decodeManifest(path: string, bytes: Uint8Array): Manifest {
  const value = parseJson(path, bytes);
  const at = (why: string) => new CorruptFile(path, why);
  if (!isRecord(value)) throw at("not a JSON object");
  checkFormatVersion(path, value.formatVersion);
  if (!isPositiveInt(value.version)) throw at("missing or invalid 'version'");
  if (value.naming !== "v1" && value.naming !== "v2") throw at("missing or invalid 'naming'");
  if (!Array.isArray(value.schema)) throw at("missing 'schema'");
  if (!Array.isArray(value.fragments)) throw at("missing 'fragments'");
  for (const fragment of value.fragments) {
    if (
      !isRecord(fragment) ||
      !isNonNegativeInt(fragment.id) ||
      typeof fragment.path !== "string"
    ) {
      throw at("a fragment lacks an integer 'id' or a 'path'");
    }
    if (!isNonNegativeInt(fragment.physicalRows))
      throw at(`fragment ${fragment.id} lacks 'physicalRows'`);
  }
  if (!isNonNegativeInt(value.nextFragmentId)) throw at("missing 'nextFragmentId'");
  const txn = value.transaction;
  if (!isRecord(txn) || typeof txn.id !== "string" || typeof txn.path !== "string") {
    throw at("missing 'transaction' reference");
  }
  return value as unknown as Manifest;
}

/** Decode and validate a transaction read from `path`. */
export function decodeTransaction(path: string, bytes: Uint8Array): Transaction {
  const value = parseJson(path, bytes);
  const at = (why: string) => new CorruptFile(path, why);
  if (!isRecord(value)) throw at("not a JSON object");
  checkFormatVersion(path, value.formatVersion);
  if (typeof value.id !== "string") throw at("missing 'id'");
  if (!isNonNegativeInt(value.readVersion)) throw at("missing 'readVersion'");
  const op = value.operation;
  if (!isRecord(op) || !OPERATION_KINDS.includes(op.kind as OperationKind)) {
    throw at("missing or unknown 'operation.kind'");
  }
  return value as unknown as Transaction;
}

function parseJson(path: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (cause) {
    throw new CorruptFile(path, "not valid UTF-8", { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CorruptFile(path, `not valid JSON (${(cause as Error).message})`, { cause });
  }
}

function checkFormatVersion(path: string, formatVersion: unknown): void {
  if (formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw new CorruptFile(
      path,
      `unsupported formatVersion ${JSON.stringify(formatVersion)} (this build reads ${MANIFEST_FORMAT_VERSION})`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPositiveInt(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

function isNonNegativeInt(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
