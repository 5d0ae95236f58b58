/**
 * Store specs: the strings users write to name a store (`memory`, `local:DIR`, `file:///DIR`,
 * `s3://bucket/prefix?endpoint=...`).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidStoreSpec } from "./errors.js";
import { LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import { S3Store } from "./s3.js";
import { parseS3Url, type S3Location } from "./s3-url.js";
import type { ObjectStore } from "./store.js";

/** A parsed store spec. */
export type StoreSpec =
  | { readonly kind: "memory" }
  | { readonly kind: "local"; readonly dir: string }
  | { readonly kind: "s3"; readonly location: S3Location };

const ACCEPTED =
  "accepted forms: 'memory', 'local:DIR', 'file:///ABSOLUTE/DIR', 's3://BUCKET/PREFIX?endpoint=URL'";

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
  if (spec.startsWith("s3://")) return { kind: "s3", location: parseS3Url(spec) };
  throw new InvalidStoreSpec(spec, `unknown store; ${ACCEPTED}`);
}

/** Open the store a spec names. */
export async function openStore(spec: string): Promise<ObjectStore> {
  const parsed = parseStoreSpec(spec);
  switch (parsed.kind) {
    case "memory":
      return new MemoryStore();
    case "local":
      return new LocalStore(parsed.dir);
    case "s3":
      return new S3Store(parsed.location);
  }
}
