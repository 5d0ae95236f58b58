/**
 * Reader leases: how a reader tells cleanup "I am reading version V, keep its files".
 *
 * Lance has no such thing: its cleanup is age-based, and a reader still reading a version older
 * than the cutoff can lose its files. A lease is one small object, `_leases/{id}.json`, holding
 * the version and an expiry on the reader's clock; a reader takes it *before* it reads the
 * version's manifest, and cleanup that respects leases reads them twice (see cleanup.ts for why
 * that closes the race). Expired leases are ignored, so a crashed reader holds nothing forever.
 */
import { getIfPresent, listAll, type ObjectStore } from "../stores/store.js";
import type { Env } from "./env.js";
import { CorruptFile } from "./errors.js";
import { MANIFEST_FORMAT_VERSION } from "./manifest.js";

/** Where leases live. */
export const LEASES_DIR = "_leases/";

/** A reader's claim on one version's files, until `expiresAtMs`. */
export interface Lease {
  readonly formatVersion: number;
  readonly id: string;
  readonly version: number;
  /** On the clock of the reader that took it. */
  readonly expiresAtMs: number;
}

/** The path of a lease. */
export function leasePath(id: string): string {
  return `${LEASES_DIR}${id}.json`;
}

/** Take a lease on `version` for `durationMs`. */
export async function acquireLease(
  store: ObjectStore,
  env: Env,
  version: number,
  durationMs: number,
): Promise<Lease> {
  const lease: Lease = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    id: `lease-${env.ids.next()}`,
    version,
    expiresAtMs: env.clock.now() + durationMs,
  };
  await store.put(leasePath(lease.id), Buffer.from(JSON.stringify(lease), "utf8"), {
    mode: "overwrite",
  });
  return lease;
}

/** Give a lease up (absent already is fine). */
export async function releaseLease(store: ObjectStore, lease: Lease): Promise<void> {
  await store.delete(leasePath(lease.id));
}

/**
 * Leases not expired at `nowMs`. A lease that cannot be decoded raises `CorruptFile`: cleanup
 * stops rather than guess which version it protects.
 */
export async function activeLeases(store: ObjectStore, nowMs: number): Promise<Lease[]> {
  const out: Lease[] = [];
  for (const { path } of await listAll(store, LEASES_DIR)) {
    const bytes = await getIfPresent(store, path);
    // Released between the listing and the read: it protects nothing any more.
    if (bytes === undefined) continue;
    const lease = decodeLease(path, bytes);
    if (lease.expiresAtMs >= nowMs) out.push(lease);
  }
  return out;
}

function decodeLease(path: string, bytes: Uint8Array): Lease {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (cause) {
    throw new CorruptFile(path, "not valid JSON", { cause });
  }
  const lease = value as Partial<Lease> | null;
  if (
    typeof lease !== "object" ||
    lease === null ||
    typeof lease.id !== "string" ||
    !Number.isSafeInteger(lease.version) ||
    typeof lease.expiresAtMs !== "number"
  ) {
    throw new CorruptFile(path, "not a lease (needs 'id', integer 'version', 'expiresAtMs')");
  }
  return lease as Lease;
}
