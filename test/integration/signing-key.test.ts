import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSigningKey } from '../../src/auth/signing-key.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { apiGatewayEvent, lambdaContext } from '../helpers/api-gateway-events.js';
import { startSecretsManagerStub, type SecretsManagerStub } from '../helpers/secrets-manager-stub.js';
import { startTestServer } from '../helpers/test-server.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:basic-item-crud-dev-jwt-AbCdEf';
const STRONG_KEY = 'k'.repeat(64);

describe('Function: loadSigningKey', () => {
  let stub: SecretsManagerStub;
  let secrets: SecretsManagerClient;
  beforeAll(async () => {
    stub = await startSecretsManagerStub();
    secrets = new SecretsManagerClient({
      region: 'eu-west-1',
      endpoint: stub.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(() => stub.close());

  it('prefers JWT_SECRET and asks Secrets Manager nothing', async () => {
    const before = stub.calls.length;

    const key = await loadSigningKey(
      { jwtSecret: STRONG_KEY, jwtSecretArn: SECRET_ARN, region: 'eu-west-1' },
      secrets,
    );

    expect(key).toBe(STRONG_KEY);
    expect(stub.calls.length).toBe(before);
  });

  it('reads the secret named by JWT_SECRET_ARN', async () => {
    stub.answer({ secretString: STRONG_KEY });

    const key = await loadSigningKey(
      { jwtSecret: undefined, jwtSecretArn: SECRET_ARN, region: 'eu-west-1' },
      secrets,
    );

    expect(key).toBe(STRONG_KEY);
    expect(stub.calls.at(-1)).toBe(SECRET_ARN);
  });

  it('refuses a secret too weak to sign tokens', async () => {
    stub.answer({ secretString: 'short' });

    await expect(
      loadSigningKey({ jwtSecret: undefined, jwtSecretArn: SECRET_ARN, region: 'eu-west-1' }, secrets),
    ).rejects.toThrow('the secret at JWT_SECRET_ARN must be a string of at least 32 bytes');
  });
});

describe('Module: src/lambda.ts reads the signing key once per cold start', () => {
  let stub: SecretsManagerStub;
  let dynamo: EmbeddedDynamo;
  beforeAll(async () => {
    stub = await startSecretsManagerStub();
    dynamo = await startEmbeddedDynamo();
    await ensureTables(createDynamoClient({ region: 'eu-west-1', endpoint: dynamo.endpoint }), {
      users: 'basic-item-crud-users',
      items: 'basic-item-crud-items',
    });
  });
  afterEach(() => vi.unstubAllEnvs());
  afterAll(async () => {
    await stub.close();
    await dynamo.close();
  });

  /** A fresh import of the entry point, as a new Lambda container would load it. */
  async function coldStart() {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('JWT_SECRET', '');
    vi.stubEnv('JWT_SECRET_ARN', SECRET_ARN);
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', stub.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('REGION', 'eu-west-1');
    vi.stubEnv('DYNAMODB_ENDPOINT', dynamo.endpoint);
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.resetModules();
    return (await import('../../src/lambda.js')).handler;
  }

  it('asks Secrets Manager once, however many requests the container serves', async () => {
    stub.answer({ secretString: STRONG_KEY });
    const before = stub.calls.length;
    const handler = await coldStart();

    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await handler(apiGatewayEvent({ path: '/health' }), lambdaContext())).statusCode);

    expect(statuses).toEqual([200, 200, 200]);
    expect(stub.calls.length - before).toBe(1);
  });

  it('fails the invocation while the secret is unreadable, and reads it again on the next one', async () => {
    stub.answer({ errorType: 'AccessDeniedException', status: 400 });
    const before = stub.calls.length;
    const handler = await coldStart();

    await expect(handler(apiGatewayEvent({ path: '/health' }), lambdaContext())).rejects.toThrow();
    stub.answer({ secretString: STRONG_KEY });
    const result = await handler(apiGatewayEvent({ path: '/health' }), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(stub.calls.length - before).toBe(2);
  });
});

describe('Local server: a configured JWT_SECRET_ARN is used as in Lambda', () => {
  it('signs tokens with the secret, not a development key', async () => {
    const stub = await startSecretsManagerStub();
    stub.answer({ secretString: STRONG_KEY });
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', stub.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const server = await startTestServer({ JWT_SECRET_ARN: SECRET_ARN });
    try {
      const response = await fetch(`${server.url}/user/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'arn-user', password: 'long enough' }),
      });
      const { access_token } = (await response.json()) as { access_token: string };

      expect(response.status).toBe(201);
      expect(() => jwt.verify(access_token, STRONG_KEY, { algorithms: ['HS256'] })).not.toThrow();
      expect(stub.calls).toEqual([SECRET_ARN]);
    } finally {
      await server.stop();
      await stub.close();
      vi.unstubAllEnvs();
    }
  });
});
