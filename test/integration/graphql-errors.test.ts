import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsError, injectFault } from '../helpers/dynamodb-recorder.js';
import {
  errorCodes,
  graphqlThroughHandler,
  signUp,
  type GraphQLClient,
  type SignedUpUser,
} from '../helpers/graphql.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

describe("GraphQL errors: database faults injected on the handler's real client", () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let user: SignedUpUser;
  let removeFault: (() => void) | undefined;

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    user = await signUp(graphql);
  });
  afterEach(() => {
    removeFault?.();
    removeFault = undefined;
  });
  afterAll(() => app.stop());

  it('answers SERVICE_UNAVAILABLE with Retry-After when DynamoDB throttles past the retries', async () => {
    removeFault = injectFault(app.client, ({ operation }) =>
      operation === 'Query' ? awsError('ProvisionedThroughputExceededException') : undefined,
    );

    const response = await graphql('{ items { edges { cursor } } }', { token: user.token });

    expect(response.status).toBe(200);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(response.body.errors?.[0]?.extensions?.retryAfterSeconds).toBe(1);
    expect(response.headers['retry-after']).toBe('1');
    expect(JSON.stringify(response.body)).not.toMatch(/ProvisionedThroughput|injected/);
  });

  it('masks an unexpected error, quotes the request id, and logs it with its stack', async () => {
    const secret =
      'User: arn:aws:sts::123456789012:assumed-role/api is not authorized to perform: dynamodb:Query';
    removeFault = injectFault(app.client, ({ operation }) =>
      operation === 'Query'
        ? Object.assign(awsError('AccessDeniedException'), { message: secret })
        : undefined,
    );

    const response = await graphql('{ items { edges { cursor } } }', {
      token: user.token,
      headers: { 'x-request-id': 'masking-test-1' },
    });

    expect(response.body.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['items'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'masking-test-1' },
      },
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/arn:aws|AccessDenied|stack/);
    const logged = app.logs.find((line) => line.level === 'error' && line.requestId === 'masking-test-1');
    expect(logged).toMatchObject({
      message: 'unexpected GraphQL error',
      path: 'items',
      error: { name: 'AccessDeniedException', message: secret },
    });
    expect((logged?.error as { stack?: string }).stack).toContain('AccessDeniedException');
  });

  it('keeps the other fields of a response when one field fails', async () => {
    // A read of the items table, alone (GetItem) or batched (BatchGetItem)
    const readsItems = (input: Record<string, unknown>) =>
      input.TableName === 'basic-item-crud-items' ||
      Object.keys((input.RequestItems ?? {}) as object).includes('basic-item-crud-items');
    removeFault = injectFault(app.client, ({ operation, input }) =>
      (operation === 'GetItem' || operation === 'BatchGetItem') && readsItems(input)
        ? awsError('AccessDeniedException')
        : undefined,
    );

    const response = await graphql<{ me: { id: string }; item: null }>(
      '{ me { id } item(id: "any-item") { id } }',
      {
        token: user.token,
      },
    );

    expect(response.body.data).toEqual({ me: { id: user.id }, item: null });
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
  });
});
