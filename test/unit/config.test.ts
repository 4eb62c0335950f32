import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = 'x'.repeat(32);

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

describe('Function: loadConfig', () => {
  describe('with no variables at all (a local run)', () => {
    it('uses the documented defaults', () => {
      const config = loadConfig({});

      expect(config).toEqual({
        production: false,
        region: 'us-east-1',
        usersTable: 'basic-item-crud-users',
        itemsTable: 'basic-item-crud-items',
        dynamodbEndpoint: undefined,
        jwtSecret: undefined,
        jwtSecretArn: undefined,
        jwtIssuer: 'basic-item-crud',
        jwtAudience: 'basic-item-crud',
        allowedOrigins: [],
        tokenTtlMinutes: 15,
        refreshTokenTtlDays: 30,
        bcryptCost: 10,
        port: 3000,
        dataDir: '.data',
        logLevel: 'info',
        graphqlIntrospection: true,
        metricsNamespace: undefined,
        serviceName: 'basic-item-crud',
        tracing: 'off',
        connectionsTable: 'basic-item-crud-connections',
        websocketUrl: undefined,
        websocketManagementEndpoint: undefined,
      });
    });
  });

  describe('with good values', () => {
    it('parses every variable of the contract', () => {
      const config = loadConfig({
        REGION: 'eu-west-1',
        USERS_TABLE: 'app-dev-users',
        ITEMS_TABLE: 'app-dev-items',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        JWT_SECRET: SECRET,
        ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173',
        TOKEN_TTL_MINUTES: '60',
        BCRYPT_COST: '12',
        PORT: '8080',
        DATA_DIR: '/tmp/data',
        LOG_LEVEL: 'warn',
        GRAPHQL_INTROSPECTION: 'false',
        METRICS_NAMESPACE: 'basic-item-crud',
        POWERTOOLS_SERVICE_NAME: 'basic-item-crud-prod',
        TRACING: 'full',
        AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
        CONNECTIONS_TABLE: 'app-dev-connections',
        WEBSOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/dev',
        WEBSOCKET_MANAGEMENT_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
      });

      expect(config).toMatchObject({
        region: 'eu-west-1',
        usersTable: 'app-dev-users',
        itemsTable: 'app-dev-items',
        dynamodbEndpoint: 'http://127.0.0.1:8000',
        jwtSecret: SECRET,
        allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
        tokenTtlMinutes: 60,
        bcryptCost: 12,
        port: 8080,
        dataDir: '/tmp/data',
        logLevel: 'warn',
        graphqlIntrospection: false,
        metricsNamespace: 'basic-item-crud',
        serviceName: 'basic-item-crud-prod',
        tracing: 'full',
        connectionsTable: 'app-dev-connections',
        websocketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/dev',
        websocketManagementEndpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
      });
    });

    it('accepts "*" as any origin', () => {
      expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
    });

    it('falls back to the Lambda runtime region when REGION is unset', () => {
      expect(loadConfig({ AWS_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    });

    it('accepts the X-Ray daemon address as separate UDP and TCP endpoints, in either order', () => {
      for (const address of [
        'udp:127.0.0.1:2000 tcp:127.0.0.1:2001',
        'tcp:10.0.0.1:2001 udp:10.0.0.1:2000',
      ]) {
        expect(() => loadConfig({ AWS_XRAY_DAEMON_ADDRESS: address })).not.toThrow();
      }
    });

    it('treats an empty variable as unset', () => {
      expect(loadConfig({ PORT: '' }).port).toBe(3000);
    });

    it('is in production mode inside Lambda, where a secret ARN suffices', () => {
      const config = loadConfig({
        AWS_LAMBDA_FUNCTION_NAME: 'fn',
        JWT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwt-AbCdEf',
      });

      expect(config.production).toBe(true);
    });
  });

  describe('with a bad value', () => {
    it.each([
      [{ PORT: 'eighty' }, 'PORT must be an integer between 0 and 65535 (got "eighty")'],
      [{ PORT: '70000' }, 'PORT must be at most 65535 (got "70000")'],
      [{ BCRYPT_COST: '3' }, 'BCRYPT_COST must be at least 4 (got "3")'],
      [{ TOKEN_TTL_MINUTES: '0' }, 'TOKEN_TTL_MINUTES must be at least 1 (got "0")'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error, silent (got "loud")'],
      [
        { DYNAMODB_ENDPOINT: 'localhost:8000' },
        'DYNAMODB_ENDPOINT must be an http(s) URL (got "localhost:8000")',
      ],
      [
        { ALLOWED_ORIGINS: 'https://a.example.com/path' },
        'ALLOWED_ORIGINS "https://a.example.com/path" is not an origin',
      ],
      [{ GRAPHQL_INTROSPECTION: 'maybe' }, 'GRAPHQL_INTROSPECTION must be true or false (got "maybe")'],
      [{ JWT_SECRET_ARN: 'my-secret' }, 'JWT_SECRET_ARN must be a Secrets Manager ARN'],
      [{ USERS_TABLE: '   ' }, 'USERS_TABLE must not be empty'],
      [{ METRICS_NAMESPACE: 'AWS/Lambda' }, 'METRICS_NAMESPACE must not start with AWS/'],
      [{ METRICS_NAMESPACE: 'items{prod}' }, 'METRICS_NAMESPACE must be 1-255 of'],
      [{ TRACING: 'on' }, 'TRACING must be one of off, active, full (got "on")'],
      [{ AWS_XRAY_DAEMON_ADDRESS: 'localhost' }, 'AWS_XRAY_DAEMON_ADDRESS must be host:port'],
      [{ AWS_XRAY_DAEMON_ADDRESS: 'udp:a:2000 udp:b:2000' }, 'AWS_XRAY_DAEMON_ADDRESS must be host:port'],
    ])('%o stops start-up naming the variable', (env, message) => {
      expect(configError(env)).toContain(message);
    });

    it('never echoes a weak JWT_SECRET', () => {
      const message = configError({ JWT_SECRET: 'short-secret' });

      expect(message).toBe('JWT_SECRET must be at least 32 bytes');
    });

    it('refuses to run in production without a signing key', () => {
      expect(configError({ NODE_ENV: 'production' })).toBe(
        'JWT_SECRET or JWT_SECRET_ARN must be set in production',
      );
    });

    it('refuses a bcrypt cost below OWASP minimum in production', () => {
      expect(configError({ NODE_ENV: 'production', JWT_SECRET: SECRET, BCRYPT_COST: '4' })).toBe(
        'BCRYPT_COST must be at least 10 in production (got "4")',
      );
    });
  });
});
