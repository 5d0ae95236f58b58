/**
 * The in-memory store: a memfs volume per instance, the embedded default of lancet.
 *
 * Every call runs synchronously inside its promise, so each is atomic. ETags are a per-store
 * generation counter, deterministic so that simulated runs replay bit for bit.
 */
import { Volume } from "memfs";
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

/** A store held in memory (memfs). */
export class MemoryStore implements ObjectStore {
  readonly description = "memory";
  readonly capabilities = CAPABILITIES;
  private readonly volume = new Volume();
  private readonly etags = new Map<string, string>();
  private generation = 0;

  async get(path: string, options?: GetOptions): Promise<GetResult> {
    const meta = this.meta(path);
    const data = this.volume.readFileSync(`/${path}`) as Buffer;
    const range = options?.range;
    const bytes =
      range === undefined ? data : data.subarray(range.start, Math.min(range.end, data.length));
    return { bytes: new Uint8Array(bytes), meta };
  }

  async head(path: string): Promise<ObjectMeta> {
    return this.meta(path);
  }

  async put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<PutResult> {
    assertValidPath(path);
    const mode = options?.mode ?? "overwrite";
    const current = this.etags.get(path);
    if (mode === "create" && current !== undefined) throw new AlreadyExists(path);
    if (typeof mode === "object" && current !== mode.ifMatch) {
      throw new PreconditionFailed(
        path,
        current === undefined ? "no object" : `etag is ${current}, not ${mode.ifMatch}`,
      );
    }
    const file = `/${path}`;
    this.volume.mkdirSync(file.slice(0, file.lastIndexOf("/")) || "/", { recursive: true });
    this.volume.writeFileSync(file, bytes);
    const etag = `g${++this.generation}`;
    this.etags.set(path, etag);
    return { etag };
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const startAfter = options?.startAfter;
    const paths = [...this.etags.keys()].filter(
      (p) => p.startsWith(prefix) && (startAfter === undefined || p > startAfter),
    );
    paths.sort(compareUtf8);
    for (const path of paths) {
      const meta = this.etags.has(path) ? this.meta(path) : undefined;
      if (meta !== undefined) yield meta;
    }
  }

  async delete(path: string): Promise<void> {
    assertValidPath(path);
    if (!this.etags.delete(path)) return;
    this.volume.unlinkSync(`/${path}`);
  }

  async renameIfAbsent(from: string, to: string): Promise<void> {
    assertValidPath(to);
    const etag = this.etags.get(from);
    if (etag === undefined) throw new NotFound(from);
    if (this.etags.has(to)) throw new AlreadyExists(to);
    const file = `/${to}`;
    this.volume.mkdirSync(file.slice(0, file.lastIndexOf("/")) || "/", { recursive: true });
    this.volume.renameSync(`/${from}`, file);
    this.etags.delete(from);
    this.etags.set(to, etag);
  }

  async close(): Promise<void> {
    this.etags.clear();
  }

  private meta(path: string): ObjectMeta {
    assertValidPath(path);
    const etag = this.etags.get(path);
    if (etag === undefined) throw new NotFound(path);
    return { path, sizeBytes: this.volume.statSync(`/${path}`).size, etag };
  }
}

/** Order by UTF-8 bytes, as S3 lists. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
