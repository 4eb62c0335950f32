import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { AwsCredentialIdentity } from '@smithy/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { traced } from '../observability/tracing.js';

export type PostOutcome = 'sent' | 'gone';

/** Messages to WebSocket clients through API Gateway's `@connections` API. */
export interface ConnectionMessenger {
  /** `gone` when the client has disconnected (410 GoneException); other failures throw. */
  post(connectionId: string, message: string): Promise<PostOutcome>;
  /** Closes the connection (API Gateway chooses the close code: 1000). Gone is fine. */
  disconnect(connectionId: string): Promise<void>;
}

export interface ManagementApiOptions {
  readonly region: string;
  /** Unset: the function's role (the default provider chain). */
  readonly credentials?: AwsCredentialIdentity;
}

/**
 * One management API client per endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`),
 * made on first use and kept for the warm container. Short timeouts and bounded retries, as for
 * DynamoDB: a slow post must not hold a whole stream batch.
 */
export function managementApis(options: ManagementApiOptions): (endpoint: string) => ConnectionMessenger {
  const messengers = new Map<string, ConnectionMessenger>();
  return (endpoint) => {
    let messenger = messengers.get(endpoint);
    if (!messenger) {
      // Traced like the DynamoDB client: with TRACING=full each post is a subsegment.
      messenger = managementApi(
        traced(
          new ApiGatewayManagementApiClient({
            endpoint,
            region: options.region,
            ...(options.credentials ? { credentials: options.credentials } : {}),
            maxAttempts: 3,
            requestHandler: new NodeHttpHandler({
              connectionTimeout: 1_000,
              requestTimeout: 3_000,
              throwOnRequestTimeout: true,
            }),
          }),
        ),
      );
      messengers.set(endpoint, messenger);
    }
    return messenger;
  };
}

function managementApi(client: ApiGatewayManagementApiClient): ConnectionMessenger {
  return {
    async post(connectionId, message) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: message }));
        return 'sent';
      } catch (error) {
        if (isGone(error)) return 'gone';
        throw error;
      }
    },
    async disconnect(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    },
  };
}

/** By name: the SDK names the error from the `x-amzn-errortype` header API Gateway sends with its 410. */
function isGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'GoneException';
}
