/**
 * A store that records every call of a real process into its history file, as the simulator
 * records applied calls: method, path, mode, outcome, and a digest of each manifest written.
 * A call is stamped with the time it was *made*, so that merged histories keep causal order:
 * a version another process created is always made before the calls that saw it.
 */
import { VERSIONS_DIR } from "../protocol/layout.js";
import { digestBytes, errorKind } from "../sim/history.js";
import {
  type GetOptions,
  type ListOptions,
  listAll,
  type ObjectMeta,
  type ObjectStore,
  type PutOptions,
} from "../stores/store.js";
import type { HistoryWriter } from "./history-file.js";

/** `inner`, with every call recorded by `history` as made by `actor`. */
export class RecordingStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly history: HistoryWriter,
    private readonly actor: string,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  get(path: string, options?: GetOptions) {
    return this.record("get", path, undefined, undefined, () => this.inner.get(path, options));
  }

  head(path: string) {
    return this.record("head", path, undefined, undefined, () => this.inner.head(path));
  }

  put(path: string, bytes: Uint8Array, options?: PutOptions) {
    const mode = options?.mode ?? "overwrite";
    const label = typeof mode === "string" ? mode : "ifMatch";
    const digest = path.startsWith(VERSIONS_DIR) ? digestBytes(bytes) : undefined;
    return this.record("put", path, label, digest, () => this.inner.put(path, bytes, options));
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const listed = this.record("list", prefix, undefined, undefined, () =>
      listAll(this.inner, prefix, options),
    );
    return {
      async *[Symbol.asyncIterator]() {
        yield* await listed;
      },
    };
  }

  delete(path: string) {
    return this.record("delete", path, undefined, undefined, () => this.inner.delete(path));
  }

  renameIfAbsent(from: string, to: string) {
    return this.record("rename", to, from, undefined, () => this.inner.renameIfAbsent(from, to));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async record<T>(
    method: string,
    path: string,
    mode: string | undefined,
    digest: string | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    const mono = process.hrtime.bigint();
    let outcome = "ok";
    try {
      return await call();
    } catch (error) {
      outcome = errorKind(error);
      throw error;
    } finally {
      this.history.write(
        {
          type: "call",
          actor: this.actor,
          method,
          path,
          ...(mode === undefined ? {} : { mode }),
          ...(digest === undefined ? {} : { digest }),
          outcome,
        },
        mono,
      );
    }
  }
}
