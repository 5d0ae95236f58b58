import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../stores/memory.js";
import { describeStoreConformance } from "./conformance-suite.js";

describeStoreConformance("memory", async () => new MemoryStore());

describe("memory store", () => {
  it("etags are deterministic: two stores given the same calls agree", async () => {
    const etags = async () => {
      const store = new MemoryStore();
      return [
        (await store.put("a", new Uint8Array([1]))).etag,
        (await store.put("b", new Uint8Array([2]))).etag,
      ];
    };
    expect(await etags()).toEqual(await etags());
  });

  it("returned bytes are a copy: mutating them does not change the object", async () => {
    const store = new MemoryStore();
    await store.put("a", new Uint8Array([1, 2, 3]));
    const { bytes } = await store.get("a");
    bytes[0] = 9;
    expect([...(await store.get("a")).bytes]).toEqual([1, 2, 3]);
  });
});
