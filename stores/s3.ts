/**
 * The S3 store, over `@aws-sdk/client-s3`: AWS S3, MinIO, Ceph RGW, R2 and other S3-compatible
 * servers.
 *
 * Put-if-absent is `If-None-Match: *` and compare-and-swap is `If-Match`; 412 maps to
 * `AlreadyExists` / `PreconditionFailed`. ETags are kept without quotes (Ceph 16 only matches
 * unquoted ones). The store *claims* conditional writes because the S3 API has them; whether a
 * given server honours them is for qualification to measure (s3rver and some gateways ignore
 * them silently). Credentials come from the AWS SDK's usual chain (environment variables, shared
 * config and credentials files, `profile=`), never from the URL, and never appear in errors.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import {
  AlreadyExists,
  NotFound,
  NotSupported,
  PreconditionFailed,
  StoreError,
  TransientStoreError,
} from "./errors.js";
import { assertValidPath } from "./path.js";
import type { S3Location } from "./s3-url.js";
import type {
  GetOptions,
  GetResult,
  ListOptions,
  ObjectMeta,
  ObjectStore,
  PutOptions,
  PutResult,
  StoreCapabilities,
} from "./store.js";

/** A store in an S3 bucket, under a prefix. */
export class S3Store implements ObjectStore {
  readonly description: string;
  readonly capabilities: StoreCapabilities;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string;

  /** `credentials` override the SDK's chain (tests, embedding); otherwise env, files and profiles apply. */
  constructor(
    location: S3Location,
    credentials?: { accessKeyId: string; secretAccessKey: string },
  ) {
    this.bucket = location.bucket;
    this.root = location.prefix === "" ? "" : `${location.prefix.replace(/\/+$/, "")}/`;
    this.description = `s3://${location.bucket}/${this.root}${location.endpoint ? ` at ${location.endpoint}` : ""}`;
    this.capabilities = {
      conditionalCreate: location.conditionalWrites,
      conditionalUpdate: location.conditionalWrites,
      renameIfAbsent: false,
      listAfterWrite: true,
      sortedList: true,
    };
    this.client = new S3Client({
      region: location.region,
      forcePathStyle: location.pathStyle,
      ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
      ...(location.profile === undefined ? {} : { profile: location.profile }),
      ...(credentials === undefined ? {} : { credentials }),
      // Checksums the way S3-compatible servers older than 2025 understand them.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async get(path: string, options?: GetOptions): Promise<GetResult> {
    const range = options?.range;
    if (range !== undefined && range.end <= range.start) {
      return { bytes: new Uint8Array(), meta: await this.head(path) };
    }
    const response = await this.call(path, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key(path),
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end - 1}` }),
        }),
      ),
    );
    const bytes = await this.readBody(path, response.Body);
    const size =
      range === undefined
        ? bytes.byteLength
        : (totalSize(response.ContentRange) ?? bytes.byteLength);
    return { bytes, meta: { path, sizeBytes: size, etag: normalizeEtag(response.ETag) } };
  }

  /**
   * The body of a GET. A body cut short (the connection closed mid-response, as s3rver does
   * when the object is overwritten while being read) is a transient failure of this read.
   */
  private async readBody(
    path: string,
    body: { transformToByteArray(): Promise<Uint8Array> } | undefined,
  ): Promise<Uint8Array> {
    if (body === undefined) return new Uint8Array();
    try {
      return await body.transformToByteArray();
    } catch (cause) {
      throw new TransientStoreError(
        `reading ${path} failed mid-response (${(cause as Error).message}); the object may have been replaced while it was read`,
        path,
        { cause },
      );
    }
  }

  async head(path: string): Promise<ObjectMeta> {
    const response = await this.call(path, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) })),
    );
    return { path, sizeBytes: response.ContentLength ?? 0, etag: normalizeEtag(response.ETag) };
  }

  async put(path: string, bytes: Uint8Array, options?: PutOptions): Promise<PutResult> {
    const mode = options?.mode ?? "overwrite";
    const condition =
      mode === "create"
        ? { IfNoneMatch: "*" }
        : typeof mode === "object"
          ? { IfMatch: normalizeEtag(mode.ifMatch) }
          : {};
    const response = await this.call(
      path,
      () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key(path),
            Body: bytes,
            ...condition,
          }),
        ),
      mode,
    );
    return { etag: normalizeEtag(response.ETag) };
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const response = await this.call(prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${this.root}${prefix}`,
            ...(options?.startAfter === undefined
              ? {}
              : { StartAfter: `${this.root}${options.startAfter}` }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of response.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          path: object.Key.slice(this.root.length),
          sizeBytes: object.Size ?? 0,
          etag: normalizeEtag(object.ETag),
        };
      }
      continuationToken = response.IsTruncated ? response.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async delete(path: string): Promise<void> {
    await this.call(path, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) })),
    );
  }

  async renameIfAbsent(_from: string, to: string): Promise<void> {
    throw new NotSupported("rename-if-absent on S3 (copy + delete is not atomic)", to);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Create the bucket if it does not exist (for tests and first-time set-up). */
  async createBucketIfMissing(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") return;
      throw mapS3Error(error, "", this.description);
    }
  }

  private key(path: string): string {
    assertValidPath(path);
    return `${this.root}${path}`;
  }

  /** Run one request, mapping S3's failures onto typed store errors. */
  private async call<T>(
    path: string,
    request: () => Promise<T>,
    mode?: PutOptions["mode"],
  ): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw mapS3Error(error, path, this.description, mode);
    }
  }
}

/** An S3 failure as a typed store error (never carrying credentials). */
export function mapS3Error(
  error: unknown,
  path: string,
  store: string,
  mode?: PutOptions["mode"],
): Error {
  if (error instanceof StoreError) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (error as { name?: string }).name ?? "Error";
  const options = { cause: error };
  if (status === 412 || name === "PreconditionFailed") {
    if (mode === "create") return new AlreadyExists(path, options);
    return new PreconditionFailed(
      path,
      "the object's ETag does not match (or it is absent)",
      options,
    );
  }
  if (status === 404 || name === "NoSuchKey" || name === "NotFound") {
    if (name === "NoSuchBucket")
      return new StoreError(`bucket not found for ${store}; create it first`, path, options);
    if (typeof mode === "object")
      return new PreconditionFailed(path, "no object to match", options);
    return new NotFound(path, options);
  }
  if (status === 409) {
    // ConditionalRequestConflict: another conditional write to the key is in flight. Retryable.
    return new TransientStoreError(
      `conflicting concurrent conditional write to ${path}; retry`,
      path,
      options,
    );
  }
  if (
    status === 403 ||
    name === "AccessDenied" ||
    name === "InvalidAccessKeyId" ||
    name === "SignatureDoesNotMatch"
  ) {
    return new StoreError(
      `access denied to ${path} on ${store} (${name}): check the credentials and the bucket policy`,
      path,
      options,
    );
  }
  if (status === 501 || status === 400) {
    const what =
      mode === "create" ? "If-None-Match" : typeof mode === "object" ? "If-Match" : "the request";
    return new StoreError(
      `${store} refused ${what} for ${path} (${status} ${name})`,
      path,
      options,
    );
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new TransientStoreError(
      `${store} answered ${status} (${name}) for ${path}; retry`,
      path,
      options,
    );
  }
  if (error instanceof S3ServiceException) {
    return new StoreError(`${store} failed for ${path}: ${name}: ${error.message}`, path, options);
  }
  const code = (error as { code?: string }).code;
  if (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "ECONNRESET" ||
    name === "TimeoutError"
  ) {
    return new TransientStoreError(`cannot reach ${store} (${code ?? name})`, path, options);
  }
  return new StoreError(
    `${store} failed for ${path}: ${(error as Error).message ?? String(error)}`,
    path,
    options,
  );
}

/** An ETag without quotes or weak marker, the form every server accepts back. */
export function normalizeEtag(etag: string | undefined): string {
  if (etag === undefined) return "";
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

function totalSize(contentRange: string | undefined): number | undefined {
  const total = contentRange?.split("/")[1];
  return total === undefined || total === "*" ? undefined : Number(total);
}
