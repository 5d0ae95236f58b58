/**
 * The conformance suite can fail: a store that silently ignores put-if-absent (as s3rver and
 * Alibaba OSS did) and one that ignores If-Match are caught by the checks that probe them.
 */
import { describe, expect, it } from "vitest";
import { ConformanceFailure, conformanceChecks, runConformance } from "../../stores/conformance.js";
import { MemoryStore } from "../../stores/memory.js";
import type { ObjectStore, PutOptions } from "../../stores/store.js";
import { wrapStore } from "../support/wrap-store.js";

/** A store that claims conditional writes but drops the condition, like a lying gateway. */
const ignoringConditions = (inner: ObjectStore) =>
  wrapStore(inner, {
    description: `${inner.description} (ignoring conditions)`,
    put: (path: string, bytes: Uint8Array, _options?: PutOptions) =>
      inner.put(path, bytes, { mode: "overwrite" }),
  });

const checkNamed = (name: string) => {
  const found = conformanceChecks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no check ${name}`);
  return found;
};

describe("the conformance suite catches a store that ignores conditions", () => {
  for (const name of [
    "put-if-absent",
    "put-if-absent-32-racers",
    "if-match",
    "if-match-counter-race",
  ]) {
    it(`${name} fails on it`, async () => {
      await expect(
        checkNamed(name).run(ignoringConditions(new MemoryStore())),
      ).rejects.toBeInstanceOf(ConformanceFailure);
    });
  }

  it("runConformance reports exactly those checks as failing, and the honest store as passing", async () => {
    const lying = await runConformance(ignoringConditions(new MemoryStore()));
    expect(lying.passed).toBe(false);
    expect(
      lying.outcomes
        .filter((o) => o.status === "fail")
        .map((o) => o.name)
        .sort(),
    ).toEqual(
      ["if-match", "if-match-counter-race", "put-if-absent", "put-if-absent-32-racers"].sort(),
    );
    const honest = await runConformance(new MemoryStore());
    expect(honest.outcomes.filter((o) => o.status === "fail")).toEqual([]);
  });
});
