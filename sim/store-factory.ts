/**
 * Fresh stores for simulated runs, from a store spec: every run gets an empty store
 * (`memory`: a new map; `local:DIR`: a new directory `DIR/<scenario>/seed-<n>`; `s3://...`: a
 * new prefix under the URL's).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { LocalStore } from "../stores/local.js";
import { MemoryStore } from "../stores/memory.js";
import { S3Store } from "../stores/s3.js";
import { parseStoreSpec } from "../stores/spec.js";
import type { StoreFactory } from "./run.js";

/** A factory of empty stores for `spec`; throws `InvalidStoreSpec` for a bad spec. */
export function runStoreFactory(spec: string): StoreFactory {
  // The spec is checked before any run starts, so a typo fails at once.
  const parsed = parseStoreSpec(spec);
  switch (parsed.kind) {
    case "memory":
      return async () => new MemoryStore();
    case "local":
      return async (runLabel) => {
        const dir = join(parsed.dir, runLabel);
        await rm(dir, { recursive: true, force: true });
        return new LocalStore(dir);
      };
    case "s3":
      // Each run gets its own prefix; a prefix left by an earlier run is cleared first.
      return async (runLabel) => {
        const location = {
          ...parsed.location,
          prefix: [parsed.location.prefix, runLabel].filter((p) => p !== "").join("/"),
        };
        const store = new S3Store(location);
        for await (const meta of store.list("")) await store.delete(meta.path);
        return store;
      };
  }
}
