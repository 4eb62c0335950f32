import type { Server } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createRequestContextFactory, createTokens } from '../composition-root.js';
import type { Config } from '../config.js';
import { createExecutableSchema } from '../graphql/executable-schema.js';
import { errorFields, type Logger } from '../logger.js';
import { LocalChangeFeed } from '../realtime/local-change-feed.js';
import { serveLocalSubscriptions, type LocalSubscriptions } from '../realtime/local-subscriptions.js';
import { subscriberContexts } from '../realtime/subscriber-context.js';
import { subscriptionDocuments } from '../realtime/subscription-document.js';
import { tables } from '../storage/tables.js';
import type { WriteTapOptions } from './emulator-write-tap.js';
import { followTableStream, type StreamFollower } from './stream-follower.js';

/**
 * Where the local server's subscriptions get their changes: the embedded emulator's own writes
 * (a tap on its requests), or, on DYNAMODB_ENDPOINT, that server's stream of the items table.
 */
export class LocalChangeSource {
  readonly feed = new LocalChangeFeed();
  private follower: StreamFollower | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  /** For the embedded emulator: every successful write to the items table, from any client. */
  tapOptions(): Omit<WriteTapOptions, 'reader'> {
    return {
      tableName: this.config.itemsTable,
      keyNames: [tables.items.partitionKey.name],
      onRecords: (records) => this.publish(records),
      onProblem: (problem, error) => this.logger.warn(`subscriptions: ${problem}`, errorFields(error)),
      // With no subscription open, a write costs what it did before subscriptions existed.
      watching: () => this.feed.listeners > 0,
    };
  }

  /** For DYNAMODB_ENDPOINT: its stream of the items table when it has one (DynamoDB Local). */
  async follow(endpoint: string): Promise<void> {
    this.follower = await followTableStream({
      endpoint,
      region: this.config.region,
      tableName: this.config.itemsTable,
      onRecords: (records) => this.publish(records),
      onProblem: (problem, error) => this.logger.warn(`subscriptions: ${problem}`, errorFields(error)),
    }).catch((error: unknown) => {
      this.logger.warn('subscriptions: could not read the items stream', errorFields(error));
      return undefined;
    });
    if (!this.follower) {
      this.logger.warn(
        'subscriptions: the items table at DYNAMODB_ENDPOINT has no stream (DynamoDB Local has one; ' +
          'dynalite has none): subscribers will receive no changes',
        { table: this.config.itemsTable, endpoint },
      );
    }
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  private publish(records: DynamoDBRecord[]): void {
    try {
      this.feed.publish(records);
    } catch (error) {
      this.logger.error('subscriptions: could not publish a change', errorFields(error));
    }
  }
}

export interface LocalRealtimeDependencies {
  readonly server: Server;
  readonly config: Config;
  readonly logger: Logger;
  readonly dynamo: DynamoDBDocumentClient;
  readonly signingKey: string;
  readonly feed: LocalChangeFeed;
}

/** GraphQL subscriptions over WebSocket on the local server's port (see local-subscriptions.ts). */
export function serveSubscriptions(deps: LocalRealtimeDependencies): LocalSubscriptions {
  const { config, logger } = deps;
  const schema = createExecutableSchema();
  return serveLocalSubscriptions({
    server: deps.server,
    schema,
    prepare: subscriptionDocuments(schema, { hideFieldSuggestions: !config.graphqlIntrospection }),
    feed: deps.feed,
    contexts: subscriberContexts(createRequestContextFactory(deps)),
    tokens: createTokens(config, deps.signingKey),
    logger,
  });
}
