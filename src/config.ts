import { z } from 'zod';

/**
 * The environment, read and validated once. A bad value stops start-up with one line
 * naming the variable; a local run needs no variable at all.
 */
export interface Config {
  /** Lambda (or NODE_ENV=production): secrets are mandatory and nothing is defaulted for dev. */
  readonly production: boolean;
  readonly region: string;
  readonly usersTable: string;
  readonly itemsTable: string;
  /** WebSocket connections and their GraphQL subscriptions (the API Gateway WebSocket API's state). */
  readonly connectionsTable: string;
  /** The WebSocket API's `wss://…/<stage>` URL, for the IDE; unset: the page's own origin (local server). */
  readonly websocketUrl: string | undefined;
  /** Where PostToConnection goes (`https://…/<stage>`); unset: each WebSocket event's own domain and stage. */
  readonly websocketManagementEndpoint: string | undefined;
  /** An emulator (dynalite, DynamoDB Local). Unset: AWS in Lambda, the embedded emulator locally. */
  readonly dynamodbEndpoint: string | undefined;
  readonly jwtSecret: string | undefined;
  readonly jwtSecretArn: string | undefined;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** `'*'` allows any origin (no credentials are ever allowed); an empty list allows none. */
  readonly allowedOrigins: readonly string[] | '*';
  readonly tokenTtlMinutes: number;
  /** How long a refresh token works; every rotation issues one for this long. */
  readonly refreshTokenTtlDays: number;
  readonly bcryptCost: number;
  readonly port: number;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly graphqlIntrospection: boolean;
  /** CloudWatch namespace of the service's EMF metrics (the stack's appName). Unset: no metrics. */
  readonly metricsNamespace: string | undefined;
  /** The `service` dimension of every metric, and the name of the X-Ray segments made here. */
  readonly serviceName: string;
  /**
   * `full`: the X-Ray SDK (loaded on first use) records AWS calls and annotates each request.
   * `active` and `off` load nothing: the difference is the function's own X-Ray setting (infra).
   */
  readonly tracing: TracingMode;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const TRACING_MODES = ['off', 'active', 'full'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const MIN_SECRET_BYTES = 32;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const url = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s) URL');

const websocketUrl = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^wss?:$/.test(new URL(v).protocol), 'must be a ws(s) URL');

const origins = z
  .string()
  .trim()
  .transform((v, ctx): readonly string[] | '*' => {
    if (v === '*') return '*';
    const list = v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    for (const origin of list) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        ctx.addIssue({
          code: 'custom',
          message: `"${origin}" is not an origin like https://app.example.com`,
        });
        return z.NEVER;
      }
    }
    return list;
  });

const secret = z
  .string()
  .refine(
    (v) => Buffer.byteLength(v, 'utf8') >= MIN_SECRET_BYTES,
    `must be at least ${MIN_SECRET_BYTES} bytes`,
  );

// CloudWatch's rule for a namespace; `AWS/` is reserved for AWS's own.
const metricsNamespace = z
  .string()
  .trim()
  .regex(/^[\w.\-/#: ]{1,255}$/, 'must be 1-255 of A-Z a-z 0-9 . - _ / # : and spaces')
  .refine((v) => !v.startsWith('AWS/'), 'must not start with AWS/ (reserved for AWS)');

// The X-Ray SDK's two forms: `host:port`, or `udp:host:port tcp:host:port` in either order.
const daemonAddress = z
  .string()
  .trim()
  .refine(
    (v) =>
      /^[^\s:]+:\d{1,5}$/.test(v) || /^(udp|tcp):[^\s:]+:\d{1,5} (?!\1)(udp|tcp):[^\s:]+:\d{1,5}$/.test(v),
    'must be host:port, or udp:host:port tcp:host:port',
  );

/** Each variable on its own so that an error names exactly one of them. */
const variables = {
  REGION: nonEmpty.optional(),
  AWS_REGION: nonEmpty.optional(),
  USERS_TABLE: nonEmpty.optional(),
  ITEMS_TABLE: nonEmpty.optional(),
  CONNECTIONS_TABLE: nonEmpty.optional(),
  WEBSOCKET_URL: websocketUrl.optional(),
  WEBSOCKET_MANAGEMENT_ENDPOINT: url.optional(),
  DYNAMODB_ENDPOINT: url.optional(),
  JWT_SECRET: secret.optional(),
  JWT_SECRET_ARN: z
    .string()
    .trim()
    .regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a Secrets Manager ARN')
    .optional(),
  JWT_ISSUER: nonEmpty.optional(),
  JWT_AUDIENCE: nonEmpty.optional(),
  ALLOWED_ORIGINS: origins.optional(),
  TOKEN_TTL_MINUTES: integer(1, 1440).optional(),
  REFRESH_TOKEN_TTL_DAYS: integer(1, 365).optional(),
  BCRYPT_COST: integer(4, 15).optional(),
  PORT: integer(0, 65535).optional(),
  DATA_DIR: nonEmpty.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  GRAPHQL_INTROSPECTION: booleanFlag.optional(),
  NODE_ENV: z.string().optional(),
  AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
  METRICS_NAMESPACE: metricsNamespace.optional(),
  POWERTOOLS_SERVICE_NAME: nonEmpty.optional(),
  TRACING: z.enum(TRACING_MODES, { error: `must be one of ${TRACING_MODES.join(', ')}` }).optional(),
  // Read by the X-Ray SDK itself when it loads (TRACING=full); checked here to fail at start.
  AWS_XRAY_DAEMON_ADDRESS: daemonAddress.optional(),
} as const;

type Variables = { [K in keyof typeof variables]: z.output<(typeof variables)[K]> };

function parseVariables(
  env: NodeJS.ProcessEnv,
  names: readonly (keyof typeof variables)[] = Object.keys(variables) as (keyof typeof variables)[],
): Variables {
  const parsed: Record<string, unknown> = {};
  for (const name of names) {
    const schema = variables[name];
    // An empty variable means "unset", as in most shells' `FOO= cmd`.
    const raw = env[name] === '' ? undefined : env[name];
    const result = schema.safeParse(raw);
    if (!result.success) {
      const shown = name.startsWith('JWT_SECRET') ? '' : ` (got "${raw}")`;
      throw new ConfigError(`${name} ${result.error.issues[0]?.message ?? 'is invalid'}${shown}`);
    }
    parsed[name] = result.data;
  }
  return parsed as Variables;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const v = parseVariables(env);
  const production = Boolean(v.AWS_LAMBDA_FUNCTION_NAME) || v.NODE_ENV === 'production';

  if (production && !v.JWT_SECRET && !v.JWT_SECRET_ARN) {
    throw new ConfigError('JWT_SECRET or JWT_SECRET_ARN must be set in production');
  }
  const bcryptCost = v.BCRYPT_COST ?? 10;
  if (production && bcryptCost < 10) {
    throw new ConfigError(`BCRYPT_COST must be at least 10 in production (got "${bcryptCost}")`);
  }

  return {
    production,
    ...storageConfigOf(v),
    connectionsTable: v.CONNECTIONS_TABLE ?? 'basic-item-crud-connections',
    websocketUrl: v.WEBSOCKET_URL,
    websocketManagementEndpoint: v.WEBSOCKET_MANAGEMENT_ENDPOINT,
    jwtSecret: v.JWT_SECRET,
    jwtSecretArn: v.JWT_SECRET_ARN,
    jwtIssuer: v.JWT_ISSUER ?? 'basic-item-crud',
    jwtAudience: v.JWT_AUDIENCE ?? 'basic-item-crud',
    allowedOrigins: v.ALLOWED_ORIGINS ?? [],
    // Short, now that a refresh token renews it: sign-out cannot revoke an access token.
    tokenTtlMinutes: v.TOKEN_TTL_MINUTES ?? 15,
    refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS ?? 30,
    bcryptCost,
    port: v.PORT ?? 3000,
    dataDir: v.DATA_DIR ?? '.data',
    logLevel: v.LOG_LEVEL ?? 'info',
    graphqlIntrospection: v.GRAPHQL_INTROSPECTION ?? true,
    metricsNamespace: v.METRICS_NAMESPACE,
    serviceName: v.POWERTOOLS_SERVICE_NAME ?? 'basic-item-crud',
    tracing: v.TRACING ?? 'off',
  };
}

/** Where the tables are: what a tool over the storage alone (`npm run migrate`) needs. */
export type StorageConfig = Pick<Config, 'region' | 'usersTable' | 'itemsTable' | 'dynamodbEndpoint'>;

/** Validates only the storage variables, with `loadConfig`'s rules and defaults: no signing key asked for. */
export function loadStorageConfig(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  return storageConfigOf(
    parseVariables(env, ['REGION', 'AWS_REGION', 'USERS_TABLE', 'ITEMS_TABLE', 'DYNAMODB_ENDPOINT']),
  );
}

function storageConfigOf(
  v: Pick<Variables, 'REGION' | 'AWS_REGION' | 'USERS_TABLE' | 'ITEMS_TABLE' | 'DYNAMODB_ENDPOINT'>,
): StorageConfig {
  return {
    region: v.REGION ?? v.AWS_REGION ?? 'us-east-1',
    usersTable: v.USERS_TABLE ?? 'basic-item-crud-users',
    itemsTable: v.ITEMS_TABLE ?? 'basic-item-crud-items',
    dynamodbEndpoint: v.DYNAMODB_ENDPOINT,
  };
}
