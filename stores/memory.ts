/**
 * The in-memory store, the embedded default of lancet: a map from path to immutable bytes.
 *
 * Every call completes synchronously inside its promise, so each is atomic. ETags are a
 * per-store generation counter — deterministic, so simulated runs replay bit for bit. Listings
 * come from a sorted key index, rebuilt only after the set of keys changes.
 *
 * (An earlier version kept the bytes in a memfs volume. memfs asks the OS for the uid and gid
 * on every file operation, which made the whole simulator about five times slower, and an
 * object store needs none of a file system's structure.)
 */
import { AlreadyExists, NotFound, PreconditionFailed } from "./errors.js";
import { assertValidPath } from "./path.js";
import type {
  GetOptions,
  GetResult,
  ListOptions,
  ObjectMeta,
  ObjectStore,
  PutOptions,
  PutResult,
  StoreCapabilities,
} from "./store.js";

const CAPABILITIES: StoreCapabilities = {
  conditionalCreate: true,
  conditionalUpdate: true,
  renameIfAbsent: true,
  listAfterWrite: true,
  sortedList: true,
};

interface StoredObject {
  readonly bytes: Uint8Array;
  readonly etag: string;
}

/** A store held in memory. */
export class MemoryStore implements ObjectStore {
  readonly description = "memory";
  readonly capabilities = CAPABILITIES;
  private readonly objects = new Map<string, StoredObject>();
  private sortedKeys: string[] | undefined = [];
  private generation = 0;

  async get(path: string, options?: GetOptions): Promise<GetResult> {
    const object = this.lookup(path);
    const range = options?.range;
    const bytes =
      range === undefined
        ? object.bytes.slice()
        : object.bytes.slice(range.start, Math.min(range.end, object.bytes.length));
    return { bytes, meta: metaOf(path, object) };
  }

  async head(path: string): Promise<ObjectMeta> {
    return metaOf(path, this.lookup(path));
  }

  async put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<PutResult> {
    assertValidPath(path);
    const mode = options?.mode ?? "overwrite";
    const current = this.objects.get(path);
    if (mode === "create" && current !== undefined) throw new AlreadyExists(path);
    if (typeof mode === "object" && current?.etag !== mode.ifMatch) {
      const detail =
        current === undefined ? "no object" : `etag is ${current.etag}, not ${mode.ifMatch}`;
      throw new PreconditionFailed(path, detail);
    }
    const etag = `g${++this.generation}`;
    if (current === undefined) this.sortedKeys = undefined;
    this.objects.set(path, { bytes: bytes.slice(), etag });
    return { etag };
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const keys = this.keys();
    const startAfter = options?.startAfter;
    const from =
      startAfter !== undefined && compareUtf8(startAfter, prefix) > 0 ? startAfter : prefix;
    let index = lowerBound(keys, from);
    if (keys[index] === startAfter) index++;
    const selected: ObjectMeta[] = [];
    for (; index < keys.length; index++) {
      const key = keys[index] as string;
      if (!key.startsWith(prefix)) break;
      const object = this.objects.get(key);
      if (object !== undefined) selected.push(metaOf(key, object));
    }
    // The listing is taken whole at the call, as one list request would be.
    yield* selected;
  }

  async delete(path: string): Promise<void> {
    assertValidPath(path);
    if (this.objects.delete(path)) this.sortedKeys = undefined;
  }

  async renameIfAbsent(from: string, to: string): Promise<void> {
    assertValidPath(to);
    const object = this.lookup(from);
    if (this.objects.has(to)) throw new AlreadyExists(to);
    this.objects.set(to, object);
    this.objects.delete(from);
    this.sortedKeys = undefined;
  }

  async close(): Promise<void> {
    // Nothing to release; the objects live as long as this instance.
  }

  private lookup(path: string): StoredObject {
    assertValidPath(path);
    const object = this.objects.get(path);
    if (object === undefined) throw new NotFound(path);
    return object;
  }

  private keys(): string[] {
    if (this.sortedKeys === undefined) this.sortedKeys = [...this.objects.keys()].sort(compareUtf8);
    return this.sortedKeys;
  }
}

function metaOf(path: string, object: StoredObject): ObjectMeta {
  return { path, sizeBytes: object.bytes.byteLength, etag: object.etag };
}

/** Index of the first key >= `target` in sorted `keys`. */
function lowerBound(keys: readonly string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareUtf8(keys[mid] as string, target) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Order by UTF-8 bytes, as S3 lists. UTF-16 code-unit order agrees with it except where a
 * surrogate (U+D800..U+DFFF) meets a code unit above it, so only then compare encoded bytes.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800)
      return Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i)));
    return x - y;
  }
  return a.length - b.length;
}
