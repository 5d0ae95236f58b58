/** The README's library example runs as written and prints what the README says it prints. */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

const root = join(import.meta.dirname, "../..");
const generated = join(import.meta.dirname, "example.generated.ts");

afterAll(async () => {
  await rm(generated, { force: true });
});

describe("README", () => {
  it("the library example runs and prints the line the README promises", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const example = readme.match(/```ts\n([\s\S]*?)```/)?.[1];
    if (example === undefined) throw new Error("README has no ```ts example");
    const promised = example.match(/\/\/ prints: (.*)/)?.[1];
    expect(promised).toBeDefined();
    await writeFile(generated, example);
    const logged: string[] = [];
    const spy = vi
      .spyOn(console, "log")
      .mockImplementation((line: string) => void logged.push(line));
    try {
      await import(generated);
    } finally {
      spy.mockRestore();
    }
    expect(logged).toEqual([promised]);
  });

  it("the set-up commands it gives are the ones .ci/run and package.json use", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const ci = await readFile(join(root, ".ci/run"), "utf8");
    expect(readme).toContain("npm ci && npx lancet run all");
    expect(readme).toContain("npm test");
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test/m);
  });
});
