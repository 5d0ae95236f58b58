import { describe, expect, it } from "vitest";
import { manifestPath, parseManifestPath } from "../../protocol/layout.js";

describe("manifest naming", () => {
  it("V1 names are the plain version number", () => {
    expect(manifestPath(1, "v1")).toBe("_versions/1.manifest");
    expect(manifestPath(42, "v1")).toBe("_versions/42.manifest");
  });

  it("V2 names are u64::MAX - version, zero-padded to 20 digits", () => {
    expect(manifestPath(1, "v2")).toBe("_versions/18446744073709551614.manifest");
    expect(manifestPath(Number.MAX_SAFE_INTEGER, "v2")).toBe(
      "_versions/18437736874454810624.manifest",
    );
  });

  it("V2 names sort newest first lexically", () => {
    const versions = [1, 2, 9, 10, 11, 99, 100, 1000, 123456];
    const names = versions.map((v) => manifestPath(v, "v2")).sort();
    expect(names.map((n) => parseManifestPath(n)?.version)).toEqual(
      [...versions].sort((a, b) => b - a),
    );
  });

  it("parses both namings back", () => {
    for (const version of [1, 7, 10, 12345, Number.MAX_SAFE_INTEGER]) {
      expect(parseManifestPath(manifestPath(version, "v1"))).toEqual({ version, naming: "v1" });
      expect(parseManifestPath(manifestPath(version, "v2"))).toEqual({ version, naming: "v2" });
    }
  });

  it("ignores everything that is not a manifest name", () => {
    for (const path of [
      "_versions/1.manifest-w0-3",
      "_versions/01.manifest",
      "_versions/0.manifest",
      "_versions/x.manifest",
      "_versions/1.txn",
      "data/1.manifest",
      "_versions/18446744073709551615.manifest",
    ]) {
      expect(parseManifestPath(path), path).toBeUndefined();
    }
  });

  it("rejects versions that are not positive integers", () => {
    expect(() => manifestPath(0, "v1")).toThrow(/positive integer/);
    expect(() => manifestPath(1.5, "v2")).toThrow(/positive integer/);
  });
});
