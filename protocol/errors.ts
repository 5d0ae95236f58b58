/**
 * Typed protocol errors. Each names the table version or path it is about and says what the
 * caller can do about it.
 */

/** Base class of every error the protocol raises on purpose. */
export class ProtocolError extends Error {
  /** Machine-readable kind, stable across versions. */
  readonly kind: string = "ProtocolError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * My transaction cannot be applied on top of a transaction committed since my read version.
 * When `retryable` is true, re-running the operation against the latest version may succeed.
 */
export class CommitConflict extends ProtocolError {
  override readonly kind = "CommitConflict";
  constructor(
    readonly mine: string,
    readonly theirs: string,
    readonly conflictingVersion: number,
    readonly retryable: boolean,
  ) {
    super(
      `commit conflict: my ${mine} is ${retryable ? "not rebasable (retryable: re-run it on the latest version)" : "incompatible"} with the ${theirs} committed as version ${conflictingVersion}`,
    );
  }
}

/**
 * A claim failed in a way that may or may not have applied, and reading the version back
 * failed too: the commit may have happened. Do not assume either way; look at the table (the
 * transaction id says whether a version is yours) before writing the same data again.
 */
export class CommitOutcomeUnknown extends ProtocolError {
  override readonly kind = "CommitOutcomeUnknown";
  constructor(
    readonly version: number,
    readonly transactionId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the claim of version ${version} (transaction ${transactionId}) failed ambiguously and the version could not be read back: it may or may not be committed`,
      options,
    );
  }
}

/** The commit kept losing races and gave up after its retry bound. */
export class TooMuchWriteContention extends ProtocolError {
  override readonly kind = "TooMuchWriteContention";
  constructor(
    readonly attempts: number,
    readonly lastVersionTried: number,
  ) {
    super(
      `gave up after ${attempts} commit attempts (last tried version ${lastVersionTried}); too many concurrent writers, raise maxAttempts or reduce contention`,
    );
  }
}

/** A manifest, transaction or deletion file that cannot be decoded. Nothing was changed. */
export class CorruptFile extends ProtocolError {
  override readonly kind = "CorruptFile";
  constructor(
    readonly path: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(`corrupt file ${path}: ${why}`, options);
  }
}

/** The requested version does not exist (never committed, or cleaned up). */
export class VersionNotFound extends ProtocolError {
  override readonly kind = "VersionNotFound";
  constructor(
    readonly version: number,
    readonly latest: number | undefined,
  ) {
    super(
      latest === undefined
        ? `version ${version} not found: the table has no versions`
        : `version ${version} not found (latest is ${latest})`,
    );
  }
}

/** There is no table at the location (no manifest at all). */
export class TableNotFound extends ProtocolError {
  override readonly kind = "TableNotFound";
  constructor(readonly location: string) {
    super(`no table at ${location}: _versions/ has no manifest (create it first)`);
  }
}

/** Creating a table where one already exists. */
export class TableAlreadyExists extends ProtocolError {
  override readonly kind = "TableAlreadyExists";
  constructor(readonly location: string) {
    super(`a table already exists at ${location}`);
  }
}

/** Data whose schema differs from the table's. */
export class SchemaMismatch extends ProtocolError {
  override readonly kind = "SchemaMismatch";
  constructor(expected: string, actual: string) {
    super(`schema mismatch: table has ${expected}, data has ${actual}`);
  }
}

/** A manifest references a data or deletion file that is not in the store. */
export class MissingDataFile extends ProtocolError {
  override readonly kind = "MissingDataFile";
  constructor(
    readonly path: string,
    readonly version: number,
    options?: { cause?: unknown },
  ) {
    super(`version ${version} references ${path}, which is missing from the store`, options);
  }
}

/** An argument that makes no sense (negative version, unknown predicate operator, ...). */
export class InvalidArgument extends ProtocolError {
  override readonly kind = "InvalidArgument";
}
