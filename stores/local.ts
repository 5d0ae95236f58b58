/**
 * The local file-system store (node:fs), rooted at a directory.
 *
 * Every final write is atomic: bytes go to a temp file in the same directory, are fsynced, and
 * only then become visible under the final name — by `rename` for an overwrite, and by `link`
 * for put-if-absent (link fails with EEXIST instead of replacing, which `rename` never does).
 * Temp files are never listed. Conditional updates (If-Match) are not offered: a file system
 * has no atomic compare-and-swap on content.
 */
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { AlreadyExists, NotFound, NotSupported, StoreError } from "./errors.js";
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

const TEMP_MARKER = ".lancet-tmp-";

const CAPABILITIES: StoreCapabilities = {
  conditionalCreate: true,
  conditionalUpdate: false,
  renameIfAbsent: true,
  listAfterWrite: true,
  sortedList: true,
};

/** A store in a local directory. */
export class LocalStore implements ObjectStore {
  readonly capabilities = CAPABILITIES;
  readonly description: string;

  constructor(readonly root: string) {
    this.description = `local:${root}`;
  }

  async get(path: string, options?: GetOptions): Promise<GetResult> {
    const file = this.file(path);
    const meta = await this.head(path);
    const data = await fsCall(path, () => readFile(file));
    const range = options?.range;
    const bytes =
      range === undefined ? data : data.subarray(range.start, Math.min(range.end, data.length));
    return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), meta };
  }

  async head(path: string): Promise<ObjectMeta> {
    const info = await fsCall(path, () => stat(this.file(path), { bigint: true }));
    if (!info.isFile()) throw new NotFound(path);
    return {
      path,
      sizeBytes: Number(info.size),
      etag: `${info.mtimeNs.toString(36)}-${info.size.toString(36)}-${info.ino.toString(36)}`,
    };
  }

  async put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<PutResult> {
    const mode = options?.mode ?? "overwrite";
    if (typeof mode === "object")
      throw new NotSupported("conditional update (ifMatch) on a local file system", path);
    const file = this.file(path);
    const temp = await this.writeTemp(file, path, bytes);
    try {
      if (mode === "create") {
        await fsCall(path, () => link(temp, file));
      } else {
        await fsCall(path, () => rename(temp, file));
      }
    } finally {
      // After link the temp name is a second name of the same file; after rename it is gone.
      await unlink(temp).catch(() => undefined);
    }
    await syncDirectory(dirname(file));
    return { etag: (await this.head(path)).etag };
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const paths: string[] = [];
    await this.walk(base === "" ? this.root : join(this.root, ...base.split("/")), paths);
    const startAfter = options?.startAfter;
    const selected = paths.filter(
      (p) => p.startsWith(prefix) && (startAfter === undefined || p > startAfter),
    );
    selected.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const path of selected) {
      try {
        yield await this.head(path);
      } catch (error) {
        // Deleted between the directory walk and the stat: it is simply no longer listed.
        if (!(error instanceof NotFound)) throw error;
      }
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await fsCall(path, () => unlink(this.file(path)));
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
  }

  async renameIfAbsent(from: string, to: string): Promise<void> {
    const source = this.file(from);
    const target = this.file(to);
    await fsCall(to, () => mkdir(dirname(target), { recursive: true }));
    await fsCall(to, () => link(source, target), from);
    await fsCall(from, () => unlink(source));
    await syncDirectory(dirname(target));
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  private file(path: string): string {
    assertValidPath(path);
    return join(this.root, ...path.split("/"));
  }

  private async writeTemp(file: string, path: string, bytes: Uint8Array): Promise<string> {
    await fsCall(path, () => mkdir(dirname(file), { recursive: true }));
    const temp = join(dirname(file), `${TEMP_MARKER}${randomUUID()}`);
    const handle = await fsCall(path, () =>
      open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644),
    );
    try {
      await fsCall(path, () => handle.writeFile(bytes));
      await fsCall(path, () => handle.sync());
    } finally {
      await handle.close();
    }
    return temp;
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === "ENOENT" ||
        (error as NodeJS.ErrnoException).code === "ENOTDIR"
      )
        return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, out);
      else if (entry.isFile() && !entry.name.startsWith(TEMP_MARKER))
        out.push(relative(this.root, full).split(sep).join("/"));
    }
  }
}

/** Run a file-system call, mapping its errno onto the typed store errors. */
async function fsCall<T>(path: string, call: () => Promise<T>, sourcePath?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new NotFound(sourcePath ?? path, { cause: error });
    if (code === "EEXIST") throw new AlreadyExists(path, { cause: error });
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new StoreError(
        `disk full while writing ${path}; nothing was committed, free space and retry`,
        path,
        { cause: error },
      );
    }
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new StoreError(
        `permission denied for ${path} (${code}); check the directory's owner and mode`,
        path,
        { cause: error },
      );
    }
    throw error;
  }
}

/** fsync a directory so that a new name in it survives a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
