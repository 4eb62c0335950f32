import {
  execute,
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { UnauthenticatedError } from '../domain/errors.js';
import type { ItemChange } from '../domain/item-change.js';
import type { GraphQLContext } from '../graphql/context.js';
import { ErrorCode, formatError } from '../graphql/error-boundary.js';
import { errorFields, type Logger } from '../logger.js';
import type { PreparedSubscription } from './subscription-document.js';

/**
 * One event of a subscription: its selection executed with the change as the root value, as
 * graphql-js's own `subscribe` maps each source event, through the resolvers queries use.
 * The local server and the AWS publisher both deliver through here.
 */
export async function executeChange(
  schema: GraphQLSchema,
  subscription: PreparedSubscription,
  change: ItemChange,
  context: GraphQLContext,
): Promise<ExecutionResult> {
  return execute({
    schema,
    document: subscription.document,
    operationName: subscription.operationName,
    variableValues: subscription.variables,
    rootValue: change,
    contextValue: context,
  });
}

export const TOKEN_EXPIRED = 'Token has expired';

/** Why delivery stopped: the connection's token expired. */
export function tokenExpiredError(): GraphQLError {
  return new GraphQLError(TOKEN_EXPIRED, { originalError: new UnauthenticatedError(TOKEN_EXPIRED) });
}

/** The last event of a subscription whose token expired, before it completes. */
export function tokenExpiredResult(): ExecutionResult {
  return { errors: [tokenExpiredError()] };
}

/**
 * Every error as the HTTP API words it (error-boundary.ts): domain errors with their code,
 * errors about the document as `BAD_USER_INPUT`, anything else logged and masked with the id
 * of the event, which the client also gets.
 */
export function formatEventErrors(
  errors: readonly GraphQLError[],
  report: { readonly logger: Logger; readonly requestId: string },
): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = formatError(error.toJSON(), error.originalError ?? error);
    if (formatted.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
    report.logger.error('unexpected GraphQL subscription error', {
      requestId: report.requestId,
      path: error.path?.join('.'),
      ...errorFields(error.originalError ?? error),
    });
    return { ...formatted, extensions: { ...formatted.extensions, requestId: report.requestId } };
  });
}

export function formatEventResult(
  result: ExecutionResult,
  report: { readonly logger: Logger; readonly requestId: string },
): FormattedExecutionResult {
  const { errors, data } = result;
  return {
    ...(data === undefined ? {} : { data }),
    ...(errors && errors.length > 0 ? { errors: formatEventErrors(errors, report) } : {}),
  };
}
