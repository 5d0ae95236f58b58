/**
 * The one storage contract of lancet, modelled on arrow-rs `object_store`.
 *
 * Paths are `/`-separated keys relative to the store's root (`_versions/1.manifest`), never
 * starting with `/` and never containing empty, `.` or `..` segments. Objects are immutable
 * byte strings replaced whole: a reader sees the whole old or the whole new object.
 *
 * The protocol relies on exactly three atomic primitives, chosen per call with a {@link PutMode}:
 * `overwrite` (last writer wins), `create` (put-if-absent) and `{ ifMatch }` (compare-and-swap
 * on the ETag). A store states which of them it *claims* in {@link StoreCapabilities};
 * qualification measures whether it keeps the claim.
 */

import { NotFound } from "./errors.js";

/** How a put treats an object that may already be at the path. */
export type PutMode =
  /** Replace whatever is there (plain S3 PUT). */
  | "overwrite"
  /** Write only if nothing is there, atomically; otherwise fail with `AlreadyExists`. */
  | "create"
  /** Write only if the current object has this ETag; otherwise fail with `PreconditionFailed`. */
  | { readonly ifMatch: string };

/** Options of {@link ObjectStore.put}. */
export interface PutOptions {
  readonly mode?: PutMode;
}

/** Result of a successful put. */
export interface PutResult {
  /** ETag of the object now at the path. */
  readonly etag: string;
}

/** Metadata of one object. */
export interface ObjectMeta {
  readonly path: string;
  readonly sizeBytes: number;
  /** Opaque version tag; changes whenever the bytes at the path change. */
  readonly etag: string;
}

/** A byte range `[start, end)` of an object. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Options of {@link ObjectStore.get}. */
export interface GetOptions {
  /** Read only these bytes; `end` is clamped to the object's size. */
  readonly range?: ByteRange;
}

/** Result of a get: the bytes read and the metadata of the object they came from. */
export interface GetResult {
  readonly bytes: Uint8Array;
  readonly meta: ObjectMeta;
}

/** Options of {@link ObjectStore.list}. */
export interface ListOptions {
  /** Return only paths that sort strictly after this one. */
  readonly startAfter?: string;
}

/** What a store claims to offer. Qualification checks claims instead of trusting them. */
export interface StoreCapabilities {
  /** `put` with mode `create` is atomic: of N racers exactly one succeeds. */
  readonly conditionalCreate: boolean;
  /** `put` with mode `{ ifMatch }` is an atomic compare-and-swap. */
  readonly conditionalUpdate: boolean;
  /** {@link ObjectStore.renameIfAbsent} exists and is atomic (local file systems). */
  readonly renameIfAbsent: boolean;
  /** A list started after a put completed includes the new path. */
  readonly listAfterWrite: boolean;
  /** `list` returns paths in ascending lexical (UTF-8 byte) order. */
  readonly sortedList: boolean;
}

/** The storage interface every backend implements and the protocol is written against. */
export interface ObjectStore {
  /** Short name of the backend and location, for reports (never contains credentials). */
  readonly description: string;
  readonly capabilities: StoreCapabilities;
  /** Read an object (or a range of it). Throws `NotFound` if absent. */
  get(path: string, options?: GetOptions): Promise<GetResult>;
  /** Metadata of an object. Throws `NotFound` if absent. */
  head(path: string): Promise<ObjectMeta>;
  /** Write a whole object according to `options.mode` (default `overwrite`). */
  put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<PutResult>;
  /**
   * Objects whose path starts with `prefix` (a plain string prefix, not a directory), in
   * ascending lexical order when `capabilities.sortedList`.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta>;
  /** Remove an object. Removing an absent object is not an error. */
  delete(path: string): Promise<void>;
  /**
   * Atomically move `from` to `to` unless `to` exists (then `AlreadyExists`, `from` kept).
   * Only stores with `capabilities.renameIfAbsent` implement it; others throw `NotSupported`.
   */
  renameIfAbsent(from: string, to: string): Promise<void>;
  /** Release connections and handles. The store must not be used afterwards. */
  close(): Promise<void>;
}

/** Collect a whole listing into an array (small listings only: tests, tools, checkers). */
export async function listAll(
  store: ObjectStore,
  prefix: string,
  options?: ListOptions,
): Promise<ObjectMeta[]> {
  const out: ObjectMeta[] = [];
  for await (const meta of store.list(prefix, options)) out.push(meta);
  return out;
}

/** The bytes of the object at `path`, or undefined when there is none. */
export async function getIfPresent(
  store: ObjectStore,
  path: string,
): Promise<Uint8Array | undefined> {
  try {
    return (await store.get(path)).bytes;
  } catch (error) {
    if (error instanceof NotFound) return undefined;
    throw error;
  }
}
