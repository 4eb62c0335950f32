import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig, type Config } from '../../src/config.js';
import type { ApiEvent, ApiHandler, ApiResult } from '../../src/http/api-gateway.js';
import { createDocumentClient } from '../../src/storage/dynamodb-client.js';
import { apiGatewayEvent, lambdaContext, type EventOptions } from '../../test/helpers/api-gateway-events.js';
import { createTestHandler } from '../../test/helpers/test-handler.js';
import { WireTap } from './wire-tap.js';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: unknown;
}

/**
 * The Lambda handler as `src/lambda.ts` builds it (the tests' `createTestHandler`), in this
 * process, on a fresh in-memory emulator, with a wire tap on its own DynamoDB client.
 */
export interface InProcessApp {
  readonly handler: ApiHandler;
  readonly config: Config;
  readonly client: DynamoDBClient;
  /** A document client over the same client (and so the same wire tap), for seeding. */
  readonly doc: DynamoDBDocumentClient;
  readonly wire: WireTap;
  /** A REST or GraphQL request as API Gateway would deliver it, answered by the handler. */
  send(options: EventOptions & { token?: string }): Promise<Reply>;
  graphql(query: string, variables?: Record<string, unknown>, token?: string): Promise<Reply>;
  /** Drops the access-log lines collected so far (the test handler keeps them all). */
  clearLogs(): void;
  close(): Promise<void>;
}

/** `env`: more of the handler's variables (METRICS_NAMESPACE, TRACING, ...), as the test handler takes them. */
export async function startInProcessApp(env: Record<string, string> = {}): Promise<InProcessApp> {
  const app = await createTestHandler(env);
  // The same variables the test handler reads: its table names.
  const config = loadConfig({ ...env, DYNAMODB_ENDPOINT: app.dynamo.endpoint, BCRYPT_COST: '4' });
  const wire = WireTap.attach(app.client);
  const context = lambdaContext();

  const send = async ({ token, ...options }: EventOptions & { token?: string }): Promise<Reply> => {
    const headers = { ...options.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
    return toReply(await app.handler(apiGatewayEvent({ ...options, headers }), context));
  };
  return {
    handler: app.handler,
    config,
    client: app.client,
    doc: createDocumentClient(app.client),
    wire,
    send,
    graphql: (query, variables, token) =>
      send({ method: 'POST', path: '/graphql', body: { query, variables }, ...(token ? { token } : {}) }),
    clearLogs: () => void app.logs.splice(0),
    close: () => app.stop(),
  };
}

/** A copy of `event` that the handler sees as a new request (request state is keyed by the event object). */
export function freshEvent(event: ApiEvent): ApiEvent {
  return { ...event };
}

function toReply(result: ApiResult): Reply {
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString() : result.body;
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: keep the text, the caller reports it.
  }
  return { status: result.statusCode, headers, json };
}
