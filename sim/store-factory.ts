/**
 * Fresh stores for simulated runs, from a store spec: every run gets an empty store
 * (`memory`: a new volume; `local:DIR`: a new directory `DIR/<scenario>/seed-<n>`).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { LocalStore } from "../stores/local.js";
import { MemoryStore } from "../stores/memory.js";
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
  }
}
