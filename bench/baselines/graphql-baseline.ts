import { readFileSync, readdirSync } from 'node:fs';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { makeExecutableSchema } from '@graphql-tools/schema';
import DataLoader from 'dataloader';
import { execute, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { OWNER_ID_INDEX } from '../../src/storage/tables.js';

interface Row {
  readonly id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly description: string;
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly username?: string;
}

interface BaselineContext {
  readonly users: DataLoader<string, Row | null>;
}

export interface BaselineGraphQLOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly itemsTable: string;
  readonly usersTable: string;
  /** Whose items `items` lists: the baseline does no authentication. */
  readonly ownerId: string;
}

/**
 * Raw graphql-js `execute` over the project's own SDL, with the fewest DynamoDB calls the
 * queries allow (GetItem for `item`, one Query for `items`, owners batched by a per-request
 * DataLoader) and no auth, limits, error masking, logging or Apollo. A parsed and validated
 * document is cached by its text, as Apollo's document cache does, so the baseline is
 * execution alone.
 */
export function graphqlBaseline(options: BaselineGraphQLOptions) {
  const { doc, itemsTable, usersTable, ownerId } = options;
  const schemaDir = new URL('../../schema/', import.meta.url);
  const typeDefs = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => readFileSync(new URL(f, schemaDir), 'utf8'));

  const itemOf = (row: Row) => ({ ...row, createdAt: row.created_at, updatedAt: row.updated_at });
  const schema = makeExecutableSchema<BaselineContext>({
    typeDefs,
    resolvers: {
      Query: {
        item: async (_: unknown, { id }: { id: string }) => {
          const out = await doc.send(new GetCommand({ TableName: itemsTable, Key: { id } }));
          const row = out.Item as Row | undefined;
          return row && row.owner_id === ownerId ? itemOf(row) : null;
        },
        items: async (_: unknown, { first, after }: { first: number; after?: string }) => {
          const out = await doc.send(
            new QueryCommand({
              TableName: itemsTable,
              IndexName: OWNER_ID_INDEX,
              KeyConditionExpression: 'owner_id = :owner',
              ExpressionAttributeValues: { ':owner': ownerId },
              ScanIndexForward: false,
              Limit: first,
              ...(after ? { ExclusiveStartKey: JSON.parse(Buffer.from(after, 'base64url').toString()) } : {}),
            }),
          );
          const edges = ((out.Items ?? []) as Row[]).map((row) => ({
            cursor: cursorOf(row),
            node: itemOf(row),
          }));
          return {
            edges,
            pageInfo: { hasNextPage: Boolean(out.LastEvaluatedKey), endCursor: edges.at(-1)?.cursor ?? null },
          };
        },
      },
      Item: {
        owner: async (item: Row, _: unknown, context: BaselineContext) => {
          const user = await context.users.load(item.owner_id);
          return user && { id: user.id, username: user.username, createdAt: user.created_at };
        },
      },
    },
  });

  const loadUsers = async (ids: readonly string[]): Promise<(Row | null)[]> => {
    const out = await doc.send(
      new BatchGetCommand({ RequestItems: { [usersTable]: { Keys: ids.map((id) => ({ id })) } } }),
    );
    const byId = new Map(((out.Responses?.[usersTable] ?? []) as Row[]).map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  };

  const documents = new Map<string, DocumentNode>();
  return async (query: string, variables: Record<string, unknown> | undefined): Promise<ExecutionResult> => {
    let document = documents.get(query);
    if (!document) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length > 0) return { errors };
      documents.set(query, document);
    }
    return execute({
      schema,
      document,
      variableValues: variables ?? null,
      contextValue: { users: new DataLoader(loadUsers, { maxBatchSize: 100 }) },
    });
  };
}

function cursorOf(row: Row): string {
  return Buffer.from(
    JSON.stringify({ id: row.id, owner_id: row.owner_id, created_at: row.created_at }),
  ).toString('base64url');
}
