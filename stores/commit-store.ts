/**
 * External commit stores: a service that serialises versions when the object store cannot
 * (LanceDB's DynamoDB-backed commit handler). One record per (table, version) says where that
 * version's manifest is: first at a staged path, then, once copied, at its final path.
 *
 * The claim is the commit point: at most one claim of a version ever succeeds.
 */

/** One claimed version. */
export interface CommitRecord {
  readonly table: string;
  readonly version: number;
  /** Where the manifest is: the staged copy until finalized, then the final path. */
  readonly path: string;
  readonly finalized: boolean;
}

/** Serialises the versions of tables. */
export interface CommitStore {
  /** Short name for reports (never contains credentials). */
  readonly description: string;
  /**
   * Claim `version` of `table` for the manifest staged at `stagedPath`. Throws
   * {@link VersionClaimed} when the version is already claimed; nothing is changed then.
   */
  claim(table: string, version: number, stagedPath: string): Promise<void>;
  /** The record of `version`, or undefined when it was never claimed. */
  get(table: string, version: number): Promise<CommitRecord | undefined>;
  /** The newest record of `table`, or undefined. */
  latest(table: string): Promise<CommitRecord | undefined>;
  /** Record that `version`'s manifest now is at `finalPath` (idempotent). */
  finalize(table: string, version: number, finalPath: string): Promise<void>;
  close(): Promise<void>;
}

/** The version was claimed by someone else first. */
export class VersionClaimed extends Error {
  readonly kind = "VersionClaimed";
  constructor(
    readonly table: string,
    readonly version: number,
  ) {
    super(`version ${version} of ${table} is already claimed in the commit store`);
    this.name = "VersionClaimed";
  }
}

/** A commit store in memory: for the simulator, tests and single-process use. */
export class MemoryCommitStore implements CommitStore {
  readonly description = "memory commit store";
  private readonly records = new Map<string, Map<number, CommitRecord>>();

  async claim(table: string, version: number, stagedPath: string): Promise<void> {
    const versions = this.versionsOf(table);
    if (versions.has(version)) throw new VersionClaimed(table, version);
    versions.set(version, { table, version, path: stagedPath, finalized: false });
  }

  async get(table: string, version: number): Promise<CommitRecord | undefined> {
    return this.records.get(table)?.get(version);
  }

  async latest(table: string): Promise<CommitRecord | undefined> {
    let newest: CommitRecord | undefined;
    for (const record of this.records.get(table)?.values() ?? []) {
      if (newest === undefined || record.version > newest.version) newest = record;
    }
    return newest;
  }

  async finalize(table: string, version: number, finalPath: string): Promise<void> {
    const versions = this.versionsOf(table);
    const record = versions.get(version);
    if (record === undefined)
      throw new Error(`internal: finalize of unclaimed version ${version} of ${table}`);
    versions.set(version, { ...record, path: finalPath, finalized: true });
  }

  async close(): Promise<void> {
    // Nothing to release.
  }

  private versionsOf(table: string): Map<number, CommitRecord> {
    let versions = this.records.get(table);
    if (versions === undefined) {
      versions = new Map();
      this.records.set(table, versions);
    }
    return versions;
  }
}
