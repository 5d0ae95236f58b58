/**
 * Typed store errors. Every backend maps its native failures onto these kinds so that the
 * protocol can react to *what happened* (the object exists, the precondition failed) without
 * knowing which store it talks to.
 */

/** Base class of every error an {@link ObjectStore} raises on purpose. */
export class StoreError extends Error {
  /** Machine-readable kind, stable across versions. */
  readonly kind: string = "StoreError";
  /** The object path the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(message: string, path?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.path = path;
  }
}

/** The object does not exist. */
export class NotFound extends StoreError {
  override readonly kind = "NotFound";
  constructor(path: string, options?: { cause?: unknown }) {
    super(`object not found: ${path}`, path, options);
  }
}

/** A put with mode `create` found an object already at the path; nothing was written. */
export class AlreadyExists extends StoreError {
  override readonly kind = "AlreadyExists";
  constructor(path: string, options?: { cause?: unknown }) {
    super(`object already exists: ${path}`, path, options);
  }
}

/** A put with mode `{ ifMatch }` found a different (or no) object; nothing was written. */
export class PreconditionFailed extends StoreError {
  override readonly kind = "PreconditionFailed";
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super(`precondition failed for ${path}: ${detail}`, path, options);
  }
}

/** The store does not implement a requested mode or operation. */
export class NotSupported extends StoreError {
  override readonly kind = "NotSupported";
  constructor(what: string, path?: string) {
    super(`not supported by this store: ${what}`, path);
  }
}

/** A path that no store accepts (empty, absolute, `..` segments, ...). */
export class InvalidPath extends StoreError {
  override readonly kind = "InvalidPath";
  constructor(path: string, why: string) {
    super(`invalid object path ${JSON.stringify(path)}: ${why}`, path);
  }
}

/** A failure that may succeed if tried again (5xx, throttling, a simulated fault). */
export class TransientStoreError extends StoreError {
  override readonly kind = "TransientStoreError";
}

/**
 * The call's outcome is unknown: the request may or may not have taken effect (a timeout or a
 * lost response). Callers must find out by reading, never by assuming either way.
 */
export class AmbiguousStoreError extends StoreError {
  override readonly kind = "AmbiguousStoreError";
}

/** A store URL or spec that cannot be parsed or names an unknown backend. */
export class InvalidStoreSpec extends StoreError {
  override readonly kind = "InvalidStoreSpec";
  constructor(spec: string, why: string) {
    super(`invalid store spec ${JSON.stringify(spec)}: ${why}`);
  }
}
