/**
 * Store specs: the strings users write to name a store (`memory`, `local:DIR`, `file:///DIR`).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidStoreSpec } from "./errors.js";
import { LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import type { ObjectStore } from "./store.js";

/** A parsed store spec. */
export type StoreSpec =
  | { readonly kind: "memory" }
  | { readonly kind: "local"; readonly dir: string };

const ACCEPTED = "accepted forms: 'memory', 'local:DIR', 'file:///ABSOLUTE/DIR'";

/** Parse a store spec; `InvalidStoreSpec` says what is wrong and what is accepted. */
export function parseStoreSpec(spec: string): StoreSpec {
  if (spec === "memory") return { kind: "memory" };
  if (spec.startsWith("local:")) {
    const dir = spec.slice("local:".length);
    if (dir === "") throw new InvalidStoreSpec(spec, `'local:' needs a directory; ${ACCEPTED}`);
    return { kind: "local", dir: resolve(dir) };
  }
  if (spec.startsWith("file://")) {
    try {
      return { kind: "local", dir: fileURLToPath(spec) };
    } catch (error) {
      throw new InvalidStoreSpec(spec, `${(error as Error).message}; ${ACCEPTED}`);
    }
  }
  if (/^s3(\+ddb)?:\/\//.test(spec)) {
    throw new InvalidStoreSpec(spec, `S3 stores are not yet supported in this build; ${ACCEPTED}`);
  }
  throw new InvalidStoreSpec(spec, `unknown store; ${ACCEPTED}`);
}

/** Open the store a spec names. */
export async function openStore(spec: string): Promise<ObjectStore> {
  const parsed = parseStoreSpec(spec);
  return parsed.kind === "memory" ? new MemoryStore() : new LocalStore(parsed.dir);
}
