import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JwtTokens } from '../../src/auth/tokens.js';
import type * as LambdaModule from '../../src/lambda.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { startManagementApiStub, type ManagementApiStub } from '../helpers/management-api-stub.js';
import { webSocketEvent } from '../helpers/websocket-events.js';
import { emfDocuments, metricsIn, stdoutLines } from '../helpers/emf.js';

const SECRET = 'lambda-entry-test-signing-key-of-at-least-32-bytes';

/**
 * `index.websocketHandler` and `index.streamHandler` as the functions' CMDs name them: src/lambda.ts
 * loaded with a function's environment, its subscription code imported on first use.
 */
describe('Lambda entry points of the subscription functions (src/lambda.ts)', () => {
  let dynamo: EmbeddedDynamo;
  let stub: ManagementApiStub;
  let lambda: typeof LambdaModule;
  const saved = { ...process.env };

  beforeAll(async () => {
    [dynamo, stub] = await Promise.all([startEmbeddedDynamo(), startManagementApiStub('dev')]);
    await ensureTables(createDynamoClient({ region: 'eu-west-1', endpoint: dynamo.endpoint }), {
      users: 'entry-users',
      items: 'entry-items',
      connections: 'entry-connections',
    });
    Object.assign(process.env, {
      REGION: 'eu-west-1',
      USERS_TABLE: 'entry-users',
      ITEMS_TABLE: 'entry-items',
      CONNECTIONS_TABLE: 'entry-connections',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      JWT_SECRET: SECRET,
      WEBSOCKET_MANAGEMENT_ENDPOINT: stub.endpoint,
      LOG_LEVEL: 'silent',
      METRICS_NAMESPACE: 'basic-item-crud',
      // The management API client signs with the default provider chain, as in Lambda.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    vi.resetModules();
    lambda = await import('../../src/lambda.js');
  });
  afterAll(async () => {
    process.env = saved;
    await stub?.close();
    await dynamo?.close();
  });

  // First in this file: the function's first event is the process's first.
  it('writes the metrics of each WebSocket event: the first carries the cold start', async () => {
    // Act
    const { lines } = await stdoutLines(() =>
      lambda.websocketHandler(webSocketEvent('connect', { connectionId: 'MetricsConn1=' })),
    );

    // Assess
    const [document, ...others] = emfDocuments(lines);
    expect(others).toEqual([]);
    expect(metricsIn(document!)).toMatchObject({ ColdStarts: { value: 1 } });
  });

  it('runs a connection through websocketHandler and a change through streamHandler to its subscriber', async () => {
    // Prepare
    const userId = randomUUID();
    const connectionId = 'EntryConn1=';
    const token = new JwtTokens({
      signingKey: SECRET,
      issuer: 'basic-item-crud',
      audience: 'basic-item-crud',
      ttlMinutes: 15,
    }).issue(userId).accessToken;
    const handshake = await lambda.websocketHandler(webSocketEvent('connect', { connectionId }));
    await lambda.websocketHandler(
      webSocketEvent('message', {
        connectionId,
        body: { type: 'connection_init', payload: { Authorization: `Bearer ${token}` } },
      }),
    );
    await lambda.websocketHandler(
      webSocketEvent('message', {
        connectionId,
        body: {
          type: 'subscribe',
          id: '1',
          payload: { query: 'subscription { itemChanged { kind itemId version } }' },
        },
      }),
    );
    const item = {
      id: 'entry-item',
      owner_id: userId,
      name: 'n',
      description: '',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      version: 1,
    };

    // Act
    const result = await lambda.streamHandler({
      Records: [
        {
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          eventSourceARN:
            'arn:aws:dynamodb:eu-west-1:123456789012:table/entry-items/stream/2026-01-01T00:00:00.000',
          dynamodb: {
            Keys: marshall({ id: item.id }) as never,
            NewImage: marshall(item) as never,
            SequenceNumber: '100',
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        },
      ],
    });

    // Assess
    expect(handshake).toEqual({
      statusCode: 200,
      headers: { 'Sec-WebSocket-Protocol': 'graphql-transport-ws' },
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(stub.messagesTo(connectionId)).toEqual([
      { type: 'connection_ack' },
      {
        id: '1',
        type: 'next',
        payload: { data: { itemChanged: { kind: 'CREATED', itemId: 'entry-item', version: 1 } } },
      },
    ]);
  });
});
