import { HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { handlers } from '@as-integrations/aws-lambda';
import type { ApiEvent, ApiResult } from '../http/api-gateway.js';
import { bodyText } from '../http/body.js';
import type { HttpRequest, RequestOutcome } from '../http/request.js';
import type { Logger } from '../logger.js';
import type { RequestContextFactory } from '../request-context.js';
import { createApolloServer } from './apollo-server.js';
import { redactSecretFields } from '../log-redaction.js';
import { MalformedGraphQLRequestError } from './error-boundary.js';

export interface OperationRunnerDependencies {
  readonly contexts: RequestContextFactory;
  readonly logger: Logger;
  readonly introspection: boolean;
}

export type OperationRunner = (request: HttpRequest, outcome: RequestOutcome) => Promise<ApiResult>;

// The integration types Apollo from its CommonJS build, we import the ESM build: one class at
// run time, two declarations to TypeScript.
type IntegrationEventParser = Parameters<typeof handlers.createRequestHandler<ApiEvent, ApiResult>>[0];
type IntegrationResponse = Parameters<
  ReturnType<typeof handlers.createAPIGatewayProxyEventRequestHandler>['toSuccessResult']
>[0];

/**
 * Apollo Server through `@as-integrations/aws-lambda`'s request-handler adapter (`fromEvent`
 * → `executeHTTPGraphQLRequest` → `toSuccessResult`, as its `lambdaHandler.ts` runs it).
 * Apollo sees only GraphQL requests; whatever it cannot take (and anything thrown here) is
 * answered by the transport's error boundary.
 */
export function createOperationRunner(deps: OperationRunnerDependencies): OperationRunner {
  const server = createApolloServer(deps);
  server.startInBackgroundHandlingStartupErrorsByLoggingAndFailingAllRequests();
  const adapter = handlers.createRequestHandler<ApiEvent, ApiResult>(
    readGraphQLRequest as unknown as IntegrationEventParser,
    {
      success: handlers.createAPIGatewayProxyEventRequestHandler().toSuccessResult,
      // Never called: failures propagate to the transport's error boundary instead.
      error: (error) => {
        throw error;
      },
    },
  );

  return async (request, outcome) => {
    const httpGraphQLRequest = adapter.fromEvent(request.event) as unknown as HTTPGraphQLRequest;
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => deps.contexts(request, outcome),
    });
    return adapter.toSuccessResult(response as unknown as IntegrationResponse);
  };
}

/**
 * The integration's own API Gateway parser decodes query parameters a second time (API
 * Gateway already has): `?query=...%...` would fail. This one reads them as delivered, and
 * turns a body that is not JSON into a GraphQL-shaped 400.
 */
function readGraphQLRequest(event: ApiEvent): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(event.headers ?? {})) headers.set(name, value ?? '');
  const search = new URLSearchParams();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values ?? []) search.append(name, value);
  }
  return {
    method: event.httpMethod.toUpperCase(),
    headers,
    search: search.toString(),
    body: bodyOf(event, headers),
  };
}

function bodyOf(event: ApiEvent, headers: HeaderMap): unknown {
  const body = parsedBody(event, headers);
  // Before anything can fail and be logged: see log-redaction.ts (the variables' uses are added
  // once the operation is known, by secretVariablesPlugin).
  redactSecretFields(body);
  return body;
}

function parsedBody(event: ApiEvent, headers: HeaderMap): unknown {
  const text = bodyText(event);
  if (text === undefined)
    throw new MalformedGraphQLRequestError('The request body is not valid UTF-8', 'INVALID_JSON');
  if (text === '') return '';
  const mediaType = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const why = error instanceof SyntaxError ? `: ${error.message}` : '';
      throw new MalformedGraphQLRequestError(`The request body is not valid JSON${why}`, 'INVALID_JSON');
    }
  }
  return mediaType === 'text/plain' ? text : '';
}
