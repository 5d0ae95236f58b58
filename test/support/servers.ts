/**
 * The real S3-compatible servers the S3 tests talk to.
 *
 * - s3rver (npm) is started here, in-process, on a free loopback port. It ignores
 *   `If-None-Match` and `If-Match`: it is the "store that lies" that qualification must catch.
 * - The store under test for the full conformance suite comes from the environment:
 *   `LANCET_TEST_S3_URL` (e.g. `s3://lancet-test?endpoint=http://127.0.0.1:7480`) with the usual
 *   `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. `.ci/run` starts Ceph radosgw and sets them;
 *   point them at MinIO or AWS to run the same suite there.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** s3rver's fixed test credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A running s3rver with one bucket. */
export interface RunningS3rver {
  readonly url: string;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Start s3rver on 127.0.0.1 with bucket `bucket`. */
export async function startS3rver(bucket: string): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), "lancet-s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    url: `s3://${bucket}?endpoint=${endpoint}`,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The S3 URL of the honest server under test, or undefined when none is configured. */
export function s3UnderTest(): string | undefined {
  return process.env.LANCET_TEST_S3_URL || undefined;
}

/** dynalite's credentials are not checked; any will do. */
export const DYNALITE_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** A running dynalite (DynamoDB-compatible, in memory) on 127.0.0.1. */
export interface RunningDynalite {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Start dynalite on a free loopback port. */
export async function startDynalite(): Promise<RunningDynalite> {
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("dynalite did not bind a port");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
