/**
 * The DynamoDB commit store (`@aws-sdk/client-dynamodb`), the layout LanceDB's DynamoDB commit
 * handler uses: one item per version, hash key `base_uri` (the table), range key `version`,
 * `path` pointing at the staged manifest until finalized, then at the final one.
 *
 * The claim is a conditional PutItem (`attribute_not_exists`): DynamoDB lets exactly one
 * succeed. Reads are strongly consistent. Works with DynamoDB and with compatible servers
 * (dynalite, DynamoDB Local) through `endpoint`.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { type CommitRecord, type CommitStore, VersionClaimed } from "./commit-store.js";
import { StoreError, TransientStoreError } from "./errors.js";

/** Where the commit table is. */
export interface DynamoCommitStoreOptions {
  readonly tableName: string;
  readonly region?: string;
  readonly endpoint?: string;
  /** Override the SDK's credential chain (tests, embedding). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

type Item = Record<string, { S?: string; N?: string; BOOL?: boolean }>;

/** A commit store in a DynamoDB table. */
export class DynamoCommitStore implements CommitStore {
  readonly description: string;
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoCommitStoreOptions) {
    this.tableName = options.tableName;
    this.description = `dynamodb table ${options.tableName}${options.endpoint ? ` at ${options.endpoint}` : ""}`;
    this.client = new DynamoDBClient({
      region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    });
  }

  async claim(table: string, version: number, stagedPath: string): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            base_uri: { S: table },
            version: { N: String(version) },
            path: { S: stagedPath },
            finalized: { BOOL: false },
          },
          ConditionExpression: "attribute_not_exists(base_uri) AND attribute_not_exists(version)",
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionClaimed(table, version);
      throw this.mapError(error, `claim version ${version} of ${table}`);
    }
  }

  async get(table: string, version: number): Promise<CommitRecord | undefined> {
    try {
      const response = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { base_uri: { S: table }, version: { N: String(version) } },
          ConsistentRead: true,
        }),
      );
      return response.Item === undefined ? undefined : recordOf(response.Item as Item);
    } catch (error) {
      throw this.mapError(error, `read version ${version} of ${table}`);
    }
  }

  async latest(table: string): Promise<CommitRecord | undefined> {
    try {
      const response = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "base_uri = :table",
          ExpressionAttributeValues: { ":table": { S: table } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      const item = response.Items?.[0];
      return item === undefined ? undefined : recordOf(item as Item);
    } catch (error) {
      throw this.mapError(error, `find the latest version of ${table}`);
    }
  }

  async finalize(table: string, version: number, finalPath: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { base_uri: { S: table }, version: { N: String(version) } },
          UpdateExpression: "SET #path = :path, finalized = :true",
          ConditionExpression: "attribute_exists(base_uri)",
          ExpressionAttributeNames: { "#path": "path" },
          ExpressionAttributeValues: { ":path": { S: finalPath }, ":true": { BOOL: true } },
        }),
      );
    } catch (error) {
      throw this.mapError(error, `finalize version ${version} of ${table}`);
    }
  }

  /** Create the commit table (pay per request) unless it exists, and wait until it is active. */
  async createTableIfMissing(): Promise<void> {
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          AttributeDefinitions: [
            { AttributeName: "base_uri", AttributeType: "S" },
            { AttributeName: "version", AttributeType: "N" },
          ],
          KeySchema: [
            { AttributeName: "base_uri", KeyType: "HASH" },
            { AttributeName: "version", KeyType: "RANGE" },
          ],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== "ResourceInUseException")
        throw this.mapError(error, "create the commit table");
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await this.client.send(
        new DescribeTableCommand({ TableName: this.tableName }),
      );
      if (Table?.TableStatus === "ACTIVE") return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new StoreError(`commit table ${this.tableName} did not become active`);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private mapError(error: unknown, what: string): Error {
    const name = (error as { name?: string }).name ?? "Error";
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const options = { cause: error };
    if (name === "ResourceNotFoundException") {
      return new StoreError(
        `cannot ${what}: commit table ${this.tableName} does not exist (create it first)`,
        undefined,
        options,
      );
    }
    if (
      name === "ProvisionedThroughputExceededException" ||
      name === "ThrottlingException" ||
      (status !== undefined && status >= 500)
    ) {
      return new TransientStoreError(
        `cannot ${what} on ${this.description} now (${name}); retry`,
        undefined,
        options,
      );
    }
    if (name === "UnrecognizedClientException" || name === "AccessDeniedException") {
      return new StoreError(
        `cannot ${what}: access denied by ${this.description} (${name}); check the credentials`,
        undefined,
        options,
      );
    }
    const code = (error as { code?: string }).code;
    if (code === "ECONNREFUSED" || name === "TimeoutError") {
      return new TransientStoreError(
        `cannot reach ${this.description} (${code ?? name})`,
        undefined,
        options,
      );
    }
    return new StoreError(
      `cannot ${what} on ${this.description}: ${name}: ${(error as Error).message}`,
      undefined,
      options,
    );
  }
}

function recordOf(item: Item): CommitRecord {
  return {
    table: item.base_uri?.S ?? "",
    version: Number(item.version?.N),
    path: item.path?.S ?? "",
    finalized: item.finalized?.BOOL === true,
  };
}
