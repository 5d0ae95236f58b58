// Starts s3rver (an S3 server that ignores conditional writes) on 127.0.0.1:PORT with a bucket
// "lies", storing under DIR, until killed. Usage: node scripts/start-s3rver.mjs DIR PORT
import { mkdirSync } from "node:fs";
import S3rver from "s3rver";

const [directory = "/tmp/lancet-s3rver", port = "4599"] = process.argv.slice(2);
mkdirSync(directory, { recursive: true });
const server = new S3rver({
  port: Number(port),
  address: "127.0.0.1",
  silent: true,
  directory,
  configureBuckets: [{ name: "lies" }],
});
await server.run();
console.log(`s3rver on http://127.0.0.1:${port}, bucket lies`);
