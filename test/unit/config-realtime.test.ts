import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

describe('Function: loadConfig › subscriptions (issue 12)', () => {
  it('defaults the connections table and leaves the WebSocket URLs unset', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config).toMatchObject({
      connectionsTable: 'basic-item-crud-connections',
      websocketUrl: undefined,
      websocketManagementEndpoint: undefined,
    });
  });

  it('reads CONNECTIONS_TABLE, WEBSOCKET_URL and WEBSOCKET_MANAGEMENT_ENDPOINT', () => {
    // Act
    const config = loadConfig({
      CONNECTIONS_TABLE: 'app-dev-v2-connections',
      WEBSOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/dev',
      WEBSOCKET_MANAGEMENT_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
    });

    // Assess
    expect(config).toMatchObject({
      connectionsTable: 'app-dev-v2-connections',
      websocketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/dev',
      websocketManagementEndpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
    });
  });

  it.each([
    [
      { WEBSOCKET_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev' },
      /^WEBSOCKET_URL must be a ws\(s\) URL/,
    ],
    [{ WEBSOCKET_URL: 'not a url' }, /^WEBSOCKET_URL must be a ws\(s\) URL \(got "not a url"\)$/],
    [
      { WEBSOCKET_MANAGEMENT_ENDPOINT: 'wss://x/dev' },
      /^WEBSOCKET_MANAGEMENT_ENDPOINT must be an http\(s\) URL/,
    ],
    [{ CONNECTIONS_TABLE: '   ' }, /^CONNECTIONS_TABLE must not be empty/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    // Act
    const error = configError(env);

    // Assess
    expect(error).toMatch(message);
  });
});
