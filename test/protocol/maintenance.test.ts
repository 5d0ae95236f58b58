/**
 * Update, compaction, restore and cleanup, end to end on the memory store: what each does to
 * the rows, how each meets a concurrent writer, and that cleanup keeps every file a retained
 * version (or a leased one) needs.
 */
import { describe, expect, it } from "vitest";
import { CLEANUP_JOURNAL_DIR, cleanupOldVersions } from "../../protocol/cleanup.js";
import { CommitConflict, MissingDataFile, VersionNotFound } from "../../protocol/errors.js";
import { LEASES_DIR } from "../../protocol/leases.js";
import { Table } from "../../protocol/table.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { MemoryStore } from "../../stores/memory.js";
import { listAll } from "../../stores/store.js";
import { rows, twoHandles } from "../support/tables.js";
import { wrapStore } from "../support/wrap-store.js";

const ids = async (table: Table) =>
  [...(await table.toArrow()).getChild("id")!.toArray()].map(Number).sort((a, b) => a - b);

/** A clock the test moves by hand. */
function manualEnv(label: string) {
  const clock = { nowMs: 0 };
  const env = createEnvAt(0, label);
  return { clock, env: { ...env, clock: { now: () => clock.nowMs, sleep: env.clock.sleep } } };
}

describe("update, compact, restore", () => {
  it("update rewrites the matching rows with new values and keeps the rest", async () => {
    const { a } = await twoHandles();
    await a.update({ column: "id", op: ">=", value: 3 }, { id: 30 });
    expect(await ids(a)).toEqual([1, 2, 30, 30]);
    expect(a.manifest.transaction.kind).toBe("update");
  });

  it("compaction merges fragments with the same live rows; a later append rebases over it", async () => {
    const { a, b } = await twoHandles();
    await a.delete({ column: "id", op: "=", value: 2 });
    const compacted = await a.compact();
    expect(compacted?.manifest.fragments).toHaveLength(1);
    expect(await ids(a)).toEqual([1, 3, 4]);
    const appended = await b.append(rows([5]));
    expect(appended.attempts).toBe(2);
    expect(await ids(b)).toEqual([1, 3, 4, 5]);
    expect(await a.compact({ targetRowsPerFragment: 1 })).toBeUndefined();
  });

  it("a delete of a fragment a concurrent compaction rewrote is a retryable conflict", async () => {
    const { a, b } = await twoHandles();
    await a.compact();
    await expect(b.delete({ column: "id", op: "=", value: 1 })).rejects.toMatchObject({
      kind: "CommitConflict",
      mine: "delete",
      theirs: "rewrite",
      retryable: true,
    });
    // Re-run on the latest version, as the error says: it succeeds.
    await b.checkoutLatest();
    await b.delete({ column: "id", op: "=", value: 1 });
    expect(await ids(b)).toEqual([2, 3, 4]);
  });

  it("an update and a concurrent append both land", async () => {
    const { a, b } = await twoHandles();
    await a.append(rows([5]));
    await b.update({ column: "id", op: "=", value: 1 }, { id: 10 });
    expect(await ids(b)).toEqual([2, 3, 4, 5, 10]);
  });

  it("restore brings an old version back as a new one; a concurrent append fails for good", async () => {
    const { a, b } = await twoHandles();
    await a.overwrite(rows([9]));
    const restored = await a.restore(2);
    expect(restored.manifest.version).toBe(4);
    expect(await ids(a)).toEqual([1, 2, 3, 4]);
    const error = await b.append(rows([5])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitConflict);
    expect((error as CommitConflict).retryable).toBe(false);
    // Fragment ids stay unique after a restore.
    const next = await a.append(rows([6]));
    const fragmentIds = next.manifest.fragments.map((f) => f.id);
    expect(new Set(fragmentIds).size).toBe(fragmentIds.length);
  });
});

describe("cleanup", () => {
  async function history() {
    const store = new MemoryStore();
    const { clock, env } = manualEnv("w");
    const table = await Table.create(store, rows([1]), { env });
    for (let v = 2; v <= 5; v++) {
      clock.nowMs = v * 100;
      await table.append(rows([v]));
    }
    await table.delete({ column: "id", op: "=", value: 1 });
    clock.nowMs = 1000;
    return { store, table, clock, env };
  }

  it("age-based: drops old versions and only their files; every retained version still reads whole", async () => {
    const { store, env } = await history();
    const report = await cleanupOldVersions(store, { env, olderThanMs: 650 });
    expect(report.versionsDeleted).toEqual([1, 2, 3]);
    const latest = await Table.open(store, { env });
    expect(await latest.listVersions()).toEqual([4, 5, 6]);
    for (const version of [4, 5, 6]) {
      const old = await Table.open(store, { env, version });
      await expect(old.toArrow()).resolves.toBeDefined();
    }
    expect(await ids(latest)).toEqual([2, 3, 4, 5]);
    // Data files of fragments still live are kept even though the versions that added them went.
    expect(report.filesDeleted.every((p) => !p.startsWith("data/"))).toBe(true);
  });

  it("never deletes the latest version, and keeps minRetainedVersions", async () => {
    const { store, env } = await history();
    expect((await cleanupOldVersions(store, { env, olderThanMs: 0 })).versionsDeleted).toEqual([
      1, 2, 3, 4, 5,
    ]);
    const again = await history();
    const kept = await cleanupOldVersions(again.store, {
      env: again.env,
      olderThanMs: 0,
      minRetainedVersions: 3,
    });
    expect(kept.versionsDeleted).toEqual([1, 2, 3]);
  });

  it("drops the data files that only dropped versions referenced", async () => {
    const { store, table, env } = await history();
    await table.overwrite(rows([7]));
    const report = await cleanupOldVersions(store, { env, olderThanMs: 0 });
    expect(report.filesDeleted.filter((p) => p.startsWith("data/"))).toHaveLength(5);
    expect(await ids(await Table.open(store, { env }))).toEqual([7]);
  });

  it("a reader pinned to an old version loses its files to age-based cleanup, but not with a lease", async () => {
    const unleased = await history();
    const pinned = await Table.open(unleased.store, { env: unleased.env, version: 2 });
    await cleanupOldVersions(unleased.store, { env: unleased.env, olderThanMs: 0 });
    await expect(pinned.toArrow()).rejects.toBeInstanceOf(MissingDataFile);

    const leased = await history();
    const reader = await Table.open(leased.store, { env: leased.env, version: 2, leaseMs: 5000 });
    const report = await cleanupOldVersions(leased.store, {
      env: leased.env,
      olderThanMs: 0,
      respectLeases: true,
    });
    expect(report.versionsDeleted).not.toContain(2);
    expect(await ids(reader)).toEqual([1, 2]);
    // Released, the version goes at the next cleanup.
    await reader.releaseLease();
    expect(await listAll(leased.store, LEASES_DIR)).toEqual([]);
    const after = await cleanupOldVersions(leased.store, {
      env: leased.env,
      olderThanMs: 0,
      respectLeases: true,
    });
    expect(after.versionsDeleted).toContain(2);
  });

  it("expired leases protect nothing", async () => {
    const { store, env, clock } = await history();
    await Table.open(store, { env, version: 2, leaseMs: 10 });
    clock.nowMs += 11;
    const report = await cleanupOldVersions(store, { env, olderThanMs: 0, respectLeases: true });
    expect(report.versionsDeleted).toContain(2);
  });

  it("a lease taken on a version already cleaned up is a clean VersionNotFound", async () => {
    const { store, env } = await history();
    await cleanupOldVersions(store, { env, olderThanMs: 0 });
    await expect(Table.open(store, { env, version: 2, leaseMs: 100 })).rejects.toBeInstanceOf(
      VersionNotFound,
    );
    expect(await listAll(store, LEASES_DIR)).toEqual([]);
  });

  it("a reader that leases while cleanup runs keeps its files, at this cleanup and the next", async () => {
    const { store, env } = await history();
    let reader: Table | undefined;
    // The moment the cleaner deletes its first manifest, a reader has just leased and read version 2.
    const racing = wrapStore(store, {
      delete: async (path) => {
        if (reader === undefined && path.startsWith("_versions/"))
          reader = await Table.open(store, { env, version: 2, leaseMs: 60_000 });
        return store.delete(path);
      },
    });
    // This cleanup keeps versions 4-6; the next drops 4 and 5, the last others to name version 2's files.
    await cleanupOldVersions(racing, {
      env,
      olderThanMs: 0,
      respectLeases: true,
      minRetainedVersions: 3,
    });
    expect(reader).toBeDefined();
    await cleanupOldVersions(store, { env, olderThanMs: 0, respectLeases: true });
    expect(await ids(reader as Table)).toEqual([1, 2]);
  });

  it("a cleaner that dies after deleting manifests is finished by the next one, without losing a leased version", async () => {
    const { store, env } = await history();
    let reader: Table | undefined;
    let manifestsDeleted = 0;
    // A reader leases and reads version 3 as the cleaner starts deleting; the cleaner dies after
    // deleting versions 1-3, before it reads the leases again.
    const dying = wrapStore(store, {
      delete: async (path) => {
        if (!path.startsWith("_versions/")) return store.delete(path);
        if (reader === undefined)
          reader = await Table.open(store, { env, version: 3, leaseMs: 60_000 });
        if (++manifestsDeleted > 3) throw new Error("killed");
        return store.delete(path);
      },
    });
    await expect(
      cleanupOldVersions(dying, { env, olderThanMs: 0, respectLeases: true }),
    ).rejects.toThrow("killed");
    expect(await listAll(store, CLEANUP_JOURNAL_DIR)).toHaveLength(1);
    // The next cleanup drops versions 4 and 5, the last others to name the setup's data file.
    const report = await cleanupOldVersions(store, { env, olderThanMs: 0, respectLeases: true });
    expect(report.versionsLeased).toContain(3);
    expect(await listAll(store, CLEANUP_JOURNAL_DIR)).toEqual([]);
    expect(await ids(reader as Table)).toEqual([1, 2, 3]);
  });
});
