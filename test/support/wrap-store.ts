/**
 * A store that forwards every call to another, except the ones given: the way tests plant a
 * misbehaving store (a lost response, a dropped condition, missing capabilities) on top of a
 * real one.
 */
import type { ObjectStore } from "../../stores/store.js";

/** `inner` with some members replaced. */
export function wrapStore(inner: ObjectStore, overrides: Partial<ObjectStore>): ObjectStore {
  return {
    description: overrides.description ?? inner.description,
    capabilities: overrides.capabilities ?? inner.capabilities,
    get: overrides.get ?? ((path, options) => inner.get(path, options)),
    head: overrides.head ?? ((path) => inner.head(path)),
    put: overrides.put ?? ((path, bytes, options) => inner.put(path, bytes, options)),
    list: overrides.list ?? ((prefix, options) => inner.list(prefix, options)),
    delete: overrides.delete ?? ((path) => inner.delete(path)),
    renameIfAbsent: overrides.renameIfAbsent ?? ((from, to) => inner.renameIfAbsent(from, to)),
    close: overrides.close ?? (() => inner.close()),
  };
}

/** Capabilities of a store with no atomic primitive at all (plain S3 before conditional writes). */
export const NO_ATOMIC_PRIMITIVES = {
  conditionalCreate: false,
  conditionalUpdate: false,
  renameIfAbsent: false,
  listAfterWrite: true,
  sortedList: true,
} as const;
