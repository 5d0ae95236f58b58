/**
 * S3 store URLs: `s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&pathStyle=true`.
 *
 * Query parameters: `endpoint` (S3-compatible servers), `region` (default `AWS_REGION` or
 * `us-east-1`), `pathStyle` (default true when an endpoint is given: MinIO and Ceph want it),
 * `profile` (a profile of the shared AWS config), `conditionalWrites=false` (declare a store
 * that has no conditional writes). Credentials are never accepted in the URL.
 */
import { InvalidStoreSpec } from "./errors.js";

/** Where an S3 store lives and how to talk to it. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint?: string;
  readonly region: string;
  readonly pathStyle: boolean;
  readonly profile?: string;
  /** Whether the store claims If-None-Match / If-Match support. */
  readonly conditionalWrites: boolean;
}

const KNOWN = new Set(["endpoint", "region", "pathStyle", "profile", "conditionalWrites"]);
const FORM =
  "expected s3://BUCKET[/PREFIX][?endpoint=URL&region=R&pathStyle=true&profile=P&conditionalWrites=false]";

/** Parse an `s3://` URL; `InvalidStoreSpec` names what is wrong. */
export function parseS3Url(spec: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new InvalidStoreSpec(spec, `not a URL; ${FORM}`);
  }
  if (url.protocol !== "s3:") throw new InvalidStoreSpec(spec, `not an s3:// URL; ${FORM}`);
  if (url.username !== "" || url.password !== "") {
    throw new InvalidStoreSpec(
      redact(spec),
      "credentials do not belong in a store URL: use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or profile=",
    );
  }
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new InvalidStoreSpec(spec, `'${bucket}' is not a valid bucket name; ${FORM}`);
  for (const key of url.searchParams.keys()) {
    if (!KNOWN.has(key)) throw new InvalidStoreSpec(spec, `unknown parameter '${key}'; ${FORM}`);
  }
  const endpoint = url.searchParams.get("endpoint") ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint))
    throw new InvalidStoreSpec(spec, `endpoint must be http(s)://host[:port]`);
  const flag = (name: string, fallback: boolean) => {
    const value = url.searchParams.get(name);
    if (value === null) return fallback;
    if (value === "true" || value === "false") return value === "true";
    throw new InvalidStoreSpec(spec, `${name} must be true or false`);
  };
  const profile = url.searchParams.get("profile") ?? undefined;
  return {
    bucket,
    prefix: decodeURIComponent(url.pathname.replace(/^\/+/, "")),
    ...(endpoint === undefined ? {} : { endpoint }),
    region:
      url.searchParams.get("region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    pathStyle: flag("pathStyle", endpoint !== undefined),
    ...(profile === undefined ? {} : { profile }),
    conditionalWrites: flag("conditionalWrites", true),
  };
}

function redact(spec: string): string {
  return spec.replace(/\/\/[^@/]*@/, "//***@");
}
