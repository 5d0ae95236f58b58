/**
 * The conformance suite as vitest tests: every backend's test file calls
 * {@link describeStoreConformance} and gets every check, skipped where the store does not claim
 * the capability.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { conformanceChecks } from "../../stores/conformance.js";
import type { ObjectStore } from "../../stores/store.js";

/** Register the whole conformance suite for the store `makeStore` opens. */
export function describeStoreConformance(
  name: string,
  makeStore: () => Promise<ObjectStore>,
  cleanup?: () => Promise<void>,
): void {
  describe(`${name} store conformance`, () => {
    let store: ObjectStore;
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store.close();
      await cleanup?.();
    });
    for (const check of conformanceChecks) {
      it(check.name, async (context) => {
        if (check.requires !== undefined && !check.requires(store.capabilities)) context.skip();
        await check.run(store);
      });
    }
  });
}
