/**
 * Data files: Arrow IPC (file format) fragments, deletion files, and reading a version back as
 * one Arrow table with its deleted rows removed.
 */
import {
  Table as ArrowTable,
  tableFromIPC,
  tableToIPC,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { NotFound } from "../stores/errors.js";
import type { ObjectStore } from "../stores/store.js";
import { CorruptFile, InvalidArgument, MissingDataFile, SchemaMismatch } from "./errors.js";
import type { CellValue, Fragment, Manifest, Predicate, SchemaField } from "./manifest.js";
import { MANIFEST_FORMAT_VERSION } from "./manifest.js";

/** Rows ready to be written as one data file: Arrow IPC bytes and what they hold. */
export interface EncodedBatch {
  readonly bytes: Uint8Array;
  readonly rowCount: number;
  readonly schema: readonly SchemaField[];
}

/** Data as the table API accepts it: an Arrow table, or a batch encoded earlier. */
export type DataInput = ArrowTable | EncodedBatch;

/** Encode an Arrow table as one data file. Encode once and reuse when writing the same rows often. */
export function encodeBatch(table: ArrowTable): EncodedBatch {
  return { bytes: tableToIPC(table, "file"), rowCount: table.numRows, schema: schemaOf(table) };
}

/** The input as an encoded batch. */
export function toEncodedBatch(data: DataInput): EncodedBatch {
  return "bytes" in data && data.bytes instanceof Uint8Array
    ? (data as EncodedBatch)
    : encodeBatch(data as ArrowTable);
}

/** The lancet schema of an Arrow table. */
export function schemaOf(table: ArrowTable): SchemaField[] {
  return table.schema.fields.map((field) => ({ name: field.name, type: String(field.type) }));
}

/** Throw `SchemaMismatch` unless the two schemas are equal. */
export function assertSameSchema(
  expected: readonly SchemaField[],
  actual: readonly SchemaField[],
): void {
  const show = (schema: readonly SchemaField[]) =>
    `(${schema.map((f) => `${f.name}: ${f.type}`).join(", ")})`;
  if (show(expected) !== show(actual)) throw new SchemaMismatch(show(expected), show(actual));
}

/** Read and decode one fragment's data file. */
export async function readFragment(
  store: ObjectStore,
  fragment: Fragment,
  version: number,
): Promise<ArrowTable> {
  const bytes = await getReferenced(store, fragment.path, version);
  let table: ArrowTable;
  try {
    table = tableFromIPC(bytes);
  } catch (cause) {
    throw new CorruptFile(fragment.path, `not an Arrow IPC file (${(cause as Error).message})`, {
      cause,
    });
  }
  if (table.numRows !== fragment.physicalRows) {
    throw new CorruptFile(
      fragment.path,
      `holds ${table.numRows} rows, the manifest says ${fragment.physicalRows}`,
    );
  }
  return table;
}

/** The deleted row offsets of a fragment (empty when it has no deletion file). */
export async function readDeletedRows(
  store: ObjectStore,
  fragment: Fragment,
  version: number,
): Promise<Set<number>> {
  if (fragment.deletion === undefined) return new Set();
  const path = fragment.deletion.path;
  const bytes = await getReferenced(store, path, version);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new CorruptFile(path, "not valid JSON", { cause });
  }
  const rows = (value as { deletedRows?: unknown }).deletedRows;
  if (!Array.isArray(rows) || !rows.every((r) => Number.isSafeInteger(r))) {
    throw new CorruptFile(path, "missing integer 'deletedRows'");
  }
  return new Set(rows as number[]);
}

/** Bytes of a deletion file listing every deleted row of a fragment. */
export function encodeDeletionFile(fragmentId: number, deletedRows: Iterable<number>): Uint8Array {
  const rows = [...deletedRows].sort((a, b) => a - b);
  return Buffer.from(
    JSON.stringify({ formatVersion: MANIFEST_FORMAT_VERSION, fragmentId, deletedRows: rows }),
    "utf8",
  );
}

/** Row offsets of `table` where `predicate` holds. */
export function matchingRows(table: ArrowTable, predicate: Predicate): number[] {
  const column = table.getChild(predicate.column);
  if (column === null)
    throw new InvalidArgument(`delete predicate names unknown column '${predicate.column}'`);
  const out: number[] = [];
  for (let row = 0; row < table.numRows; row++) {
    if (compare(column.get(row), predicate)) out.push(row);
  }
  return out;
}

/** The live rows of one fragment (its deleted rows removed), as Arrow tables. */
export async function readLiveRows(
  store: ObjectStore,
  fragment: Fragment,
  version: number,
): Promise<ArrowTable[]> {
  const table = await readFragment(store, fragment, version);
  return liveSlices(table, await readDeletedRows(store, fragment, version));
}

/**
 * Rows `rows` of `table`, with the columns in `set` replaced by the values given (converted to
 * the column's type: a number into a 64-bit integer column becomes a bigint).
 */
export function changedRows(
  table: ArrowTable,
  rows: readonly number[],
  set: Readonly<Record<string, CellValue>>,
): ArrowTable {
  for (const name of Object.keys(set)) {
    if (table.getChild(name) === null)
      throw new InvalidArgument(`update sets unknown column '${name}'`);
  }
  const columns: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const column = table.getChild(field.name);
    const value = set[field.name];
    const sample = column?.get(0);
    const cell = typeof sample === "bigint" && typeof value === "number" ? BigInt(value) : value;
    const values = rows.map((row) => (value === undefined ? column?.get(row) : cell));
    columns[field.name] = vectorFromArray(values, field.type);
  }
  return new ArrowTable(columns);
}

/** Every live row of `manifest`, as one Arrow table. */
export async function scanVersion(
  store: ObjectStore,
  manifest: Manifest,
): Promise<ArrowTable | undefined> {
  const parts: ArrowTable[] = [];
  for (const fragment of manifest.fragments) {
    const table = await readFragment(store, fragment, manifest.version);
    const deleted = await readDeletedRows(store, fragment, manifest.version);
    parts.push(...liveSlices(table, deleted));
  }
  const [first, ...rest] = parts;
  return first === undefined ? undefined : first.concat(...rest);
}

/** Live rows of a fragment as contiguous slices between deleted rows. */
function liveSlices(table: ArrowTable, deleted: Set<number>): ArrowTable[] {
  if (deleted.size === 0) return [table];
  const slices: ArrowTable[] = [];
  let start = 0;
  for (let row = 0; row <= table.numRows; row++) {
    if (row === table.numRows || deleted.has(row)) {
      if (row > start) slices.push(table.slice(start, row));
      start = row + 1;
    }
  }
  return slices;
}

async function getReferenced(
  store: ObjectStore,
  path: string,
  version: number,
): Promise<Uint8Array> {
  try {
    return (await store.get(path)).bytes;
  } catch (error) {
    if (error instanceof NotFound) throw new MissingDataFile(path, version, { cause: error });
    throw error;
  }
}

function compare(cell: unknown, { op, value }: Predicate): boolean {
  const left = typeof cell === "bigint" ? Number(cell) : cell;
  switch (op) {
    case "=":
      return left === value;
    case "!=":
      return left !== value;
    case "<":
      return (left as number) < (value as number);
    case "<=":
      return (left as number) <= (value as number);
    case ">":
      return (left as number) > (value as number);
    case ">=":
      return (left as number) >= (value as number);
  }
}
