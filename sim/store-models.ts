/**
 * Simulated store behaviours beyond the honest one, applied on top of a real store.
 */
import type { StoreModel } from "../scenarios/scenario.js";
import type { ObjectStore, PutOptions } from "../stores/store.js";

/** `store` as the model says it behaves. */
export function applyStoreModel(store: ObjectStore, model: StoreModel | undefined): ObjectStore {
  if (model === "ignoresConditions") return ignoringConditions(store);
  if (model === "laggingList") return admittingLaggingLists(store);
  return store;
}

/**
 * The same store, saying that its listings may lag writes, so that the protocol does not
 * trust a listing to show the newest version (the `staleList` fault makes them lag).
 */
export function admittingLaggingLists(inner: ObjectStore): ObjectStore {
  return {
    description: `${inner.description} (listings may lag)`,
    capabilities: { ...inner.capabilities, listAfterWrite: false },
    get: (path, options) => inner.get(path, options),
    head: (path) => inner.head(path),
    put: (path, bytes, options) => inner.put(path, bytes, options),
    list: (prefix, options) => inner.list(prefix, options),
    delete: (path) => inner.delete(path),
    renameIfAbsent: (from, to) => inner.renameIfAbsent(from, to),
    close: () => inner.close(),
  };
}

/**
 * A store that claims conditional writes but performs every put as a plain overwrite, as
 * s3rver does and as some S3-compatible gateways did.
 */
export function ignoringConditions(inner: ObjectStore): ObjectStore {
  return {
    description: `${inner.description} (ignoring put conditions)`,
    capabilities: inner.capabilities,
    get: (path, options) => inner.get(path, options),
    head: (path) => inner.head(path),
    put: (path: string, bytes: Uint8Array, _options?: PutOptions) =>
      inner.put(path, bytes, { mode: "overwrite" }),
    list: (prefix, options) => inner.list(prefix, options),
    delete: (path) => inner.delete(path),
    renameIfAbsent: (from, to) => inner.renameIfAbsent(from, to),
    close: () => inner.close(),
  };
}
