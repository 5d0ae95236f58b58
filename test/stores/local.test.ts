import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidStoreSpec, NotSupported } from "../../stores/errors.js";
import { LocalStore } from "../../stores/local.js";
import { parseStoreSpec } from "../../stores/spec.js";
import { listAll } from "../../stores/store.js";
import { describeStoreConformance } from "./conformance-suite.js";

const roots: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "lancet-local-"));
  roots.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of roots) await rm(dir, { recursive: true, force: true });
});

describeStoreConformance("local", async () => new LocalStore(await freshDir()));

describe("local store", () => {
  it("put-if-absent leaves no temp files behind, and never lists them", async () => {
    const dir = await freshDir();
    const store = new LocalStore(dir);
    await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        store.put("v/1.manifest", new Uint8Array([i]), { mode: "create" }),
      ),
    );
    expect(await readdir(join(dir, "v"))).toEqual(["1.manifest"]);
    expect((await listAll(store, "")).map((m) => m.path)).toEqual(["v/1.manifest"]);
  });

  it("refuses If-Match with NotSupported rather than pretending", async () => {
    const store = new LocalStore(await freshDir());
    const { etag } = await store.put("a", new Uint8Array([1]));
    await expect(
      store.put("a", new Uint8Array([2]), { mode: { ifMatch: etag } }),
    ).rejects.toBeInstanceOf(NotSupported);
  });

  it("a store rooted at a missing directory lists nothing and creates it on first put", async () => {
    const store = new LocalStore(join(await freshDir(), "not", "yet"));
    expect(await listAll(store, "")).toEqual([]);
    await store.put("x/y", new Uint8Array([1]));
    expect((await listAll(store, "")).map((m) => m.path)).toEqual(["x/y"]);
  });
});

describe("store specs", () => {
  it("parses memory, local:DIR and file:// URLs", () => {
    expect(parseStoreSpec("memory")).toEqual({ kind: "memory" });
    expect(parseStoreSpec("local:/tmp/x")).toEqual({ kind: "local", dir: "/tmp/x" });
    expect(parseStoreSpec("file:///tmp/y")).toEqual({ kind: "local", dir: "/tmp/y" });
    expect(parseStoreSpec("s3://bucket/t?endpoint=http://127.0.0.1:7480")).toMatchObject({
      kind: "s3",
      location: { bucket: "bucket", prefix: "t" },
    });
  });

  it("refuses bad specs with InvalidStoreSpec listing the accepted forms", () => {
    for (const bad of ["", "mem", "local:", "ftp://x", "s3+ddb://bucket/prefix"]) {
      expect(() => parseStoreSpec(bad), bad).toThrow(InvalidStoreSpec);
      expect(() => parseStoreSpec(bad), bad).toThrow(/accepted forms/);
    }
  });
});
