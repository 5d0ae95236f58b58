/**
 * An instrumentation wrapper that counts the requests made to a store (and the listing
 * entries actually consumed), to measure what an operation costs in store round trips.
 */
import type { GetOptions, ListOptions, ObjectMeta, ObjectStore, PutOptions } from "./store.js";

/** Request counts by method. */
export interface RequestCounts {
  get: number;
  head: number;
  put: number;
  list: number;
  /** Listing entries the caller pulled from list iterators. */
  listEntries: number;
  delete: number;
  rename: number;
}

/** Counts every request made through it, then forwards it unchanged. */
export class CountingStore implements ObjectStore {
  readonly counts: RequestCounts = {
    get: 0,
    head: 0,
    put: 0,
    list: 0,
    listEntries: 0,
    delete: 0,
    rename: 0,
  };

  constructor(private readonly inner: ObjectStore) {}

  get description(): string {
    return this.inner.description;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  /** Requests of every kind since the last reset (listing entries not included). */
  get total(): number {
    const c = this.counts;
    return c.get + c.head + c.put + c.list + c.delete + c.rename;
  }

  /** Zero every count. */
  reset(): void {
    for (const key of Object.keys(this.counts) as (keyof RequestCounts)[]) this.counts[key] = 0;
  }

  get(path: string, options?: GetOptions) {
    this.counts.get++;
    return this.inner.get(path, options);
  }

  head(path: string) {
    this.counts.head++;
    return this.inner.head(path);
  }

  put(path: string, bytes: Uint8Array, options?: PutOptions) {
    this.counts.put++;
    return this.inner.put(path, bytes, options);
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    this.counts.list++;
    for await (const meta of this.inner.list(prefix, options)) {
      this.counts.listEntries++;
      yield meta;
    }
  }

  delete(path: string) {
    this.counts.delete++;
    return this.inner.delete(path);
  }

  renameIfAbsent(from: string, to: string) {
    this.counts.rename++;
    return this.inner.renameIfAbsent(from, to);
  }

  close() {
    return this.inner.close();
  }
}
