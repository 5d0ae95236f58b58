/**
 * A view of a store under a key prefix: every path is prefixed on the way in and stripped on
 * the way out. Qualification uses it to probe a live store in a scratch area of its own.
 */
import type { GetOptions, ListOptions, ObjectMeta, ObjectStore, PutOptions } from "./store.js";

/** `inner`, seen from under `prefix` (which must end with `/`). */
export class PrefixStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly prefix: string,
  ) {
    if (!prefix.endsWith("/")) throw new Error(`internal: prefix '${prefix}' must end with '/'`);
  }

  get description(): string {
    return `${this.inner.description} under ${this.prefix}`;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  async get(path: string, options?: GetOptions) {
    const result = await this.inner.get(this.prefix + path, options);
    return { bytes: result.bytes, meta: { ...result.meta, path } };
  }

  async head(path: string) {
    return { ...(await this.inner.head(this.prefix + path)), path };
  }

  put(path: string, bytes: Uint8Array, options?: PutOptions) {
    return this.inner.put(this.prefix + path, bytes, options);
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const startAfter =
      options?.startAfter === undefined ? {} : { startAfter: this.prefix + options.startAfter };
    for await (const meta of this.inner.list(this.prefix + prefix, startAfter)) {
      yield { ...meta, path: meta.path.slice(this.prefix.length) };
    }
  }

  delete(path: string) {
    return this.inner.delete(this.prefix + path);
  }

  renameIfAbsent(from: string, to: string) {
    return this.inner.renameIfAbsent(this.prefix + from, this.prefix + to);
  }

  close() {
    return this.inner.close();
  }
}
