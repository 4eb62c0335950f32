import type { Node } from 'constructs';

/**
 * What one deployment is configured with: CDK context (`-c key=value`, or cdk.json), the
 * parameters of the old terraform.tfvars plus the knobs the hardened stack adds.
 */
export interface DeploymentSettings {
  readonly appName: string;
  /** Also the API Gateway stage name, as the old stack had it. */
  readonly environment: string;
  readonly lambdaMemorySize: number;
  /** Seconds. API Gateway gives up after 29 s, so more only helps work that outlives a request. */
  readonly lambdaTimeout: number;
  /** Browser origins allowed by CORS; empty allows none (API clients without a browser need none). */
  readonly allowedOrigins: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly logLevel: string;
  readonly logRetentionDays: number;
  /** DynamoDB deletion protection on both tables (they are also retained by CloudFormation). */
  readonly deletionProtection: boolean;
  /** Requests per second, steady state and burst, for the whole stage. */
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  /** Account-wide ECR setting: scan images on push in the CDK asset repositories. Opt-in. */
  readonly registryScanOnPush: boolean;
  /**
   * X-Ray: `active` (Lambda and API Gateway trace; the service's tracer stays off the cold
   * path), `full` (the service also records DynamoDB and other AWS calls as subsegments), `off`.
   */
  readonly tracing: TracingMode;
  /** Reserved concurrency of the REST function: caps its bill and its load on DynamoDB. Unset: none. */
  readonly reservedConcurrency: number | undefined;
  /** An address subscribed (by e-mail, after its confirmation) to the alarm topic. */
  readonly alarmEmail: string | undefined;
  /** Threshold of the API p99 latency alarm, in milliseconds. */
  readonly latencyP99Ms: number;
  /** Threshold of the failed-logins alarm, per minute. */
  readonly failedLoginsPerMinute: number;
  /** AWS WAF on the REST stage. Opt-in: it is billed per web ACL, rule and request. */
  readonly waf: boolean;
  /** WAF rate limits, requests per 5 minutes: per client IP, and per Authorization header value. */
  readonly wafRateLimitPerIp: number;
  readonly wafRateLimitPerToken: number;
}

export const TRACING_MODES = ['off', 'active', 'full'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];

export const DEFAULT_SETTINGS: DeploymentSettings = {
  appName: 'basic-item-crud',
  environment: 'dev',
  lambdaMemorySize: 512,
  lambdaTimeout: 29,
  allowedOrigins: [],
  tags: {},
  logLevel: 'info',
  logRetentionDays: 14,
  deletionProtection: true,
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  registryScanOnPush: false,
  // The contract's tracing: every function and the REST stage, DynamoDB calls as subsegments.
  tracing: 'full',
  reservedConcurrency: undefined,
  alarmEmail: undefined,
  latencyP99Ms: 1000,
  failedLoginsPerMinute: 50,
  waf: false,
  wafRateLimitPerIp: 1000,
  wafRateLimitPerToken: 300,
};

/**
 * Longest `<appName>-<environment>`: the longest physical name derived from it,
 * `<appName>-<environment>-v2-websocket`, must fit Lambda's 64 characters.
 */
export const MAX_NAME_LENGTH = 50;
/** AWS WAF's bounds for a rate-based rule's limit. */
const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 };

/** The retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Reads and checks the context once. `-c` values arrive as strings, cdk.json values as JSON,
 * so both are accepted; a bad value stops synth with one line naming the key.
 */
export function readSettings(node: Node): DeploymentSettings {
  const raw = (key: keyof DeploymentSettings): unknown => {
    const value: unknown = node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : value;
  };
  const name = (key: keyof DeploymentSettings, pattern: RegExp, rule: string) => {
    const value = raw(key) ?? DEFAULT_SETTINGS[key];
    if (typeof value !== 'string' || !pattern.test(value)) fail(key, rule, value);
    return value;
  };
  const checkedInteger = (key: keyof DeploymentSettings, value: unknown, min: number, max: number) => {
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      fail(key, `must be an integer from ${min} to ${max}`, value);
    }
    return number;
  };
  const integer = (key: keyof DeploymentSettings, min: number, max: number) => {
    const value = raw(key) ?? DEFAULT_SETTINGS[key];
    return checkedInteger(key, value, min, max);
  };
  const optionalInteger = (key: keyof DeploymentSettings, min: number, max: number) => {
    const value = raw(key);
    return value === undefined ? undefined : checkedInteger(key, value, min, max);
  };
  const flag = (key: keyof DeploymentSettings) => {
    const value = raw(key) ?? DEFAULT_SETTINGS[key];
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return fail(key, 'must be true or false', value);
  };

  const logRetentionDays = integer('logRetentionDays', 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    fail('logRetentionDays', `must be one of ${RETENTION_DAYS.join(', ')}`, logRetentionDays);
  }
  const throttlingRateLimit = integer('throttlingRateLimit', 1, 10_000);
  const throttlingBurstLimit = integer('throttlingBurstLimit', 1, 5_000);
  // Lower-case so that the derived table, function and stack names are valid everywhere.
  const appName = name('appName', /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, 'must be 3-40 of a-z, 0-9 and -');
  const environment = name('environment', /^[a-z][a-z0-9-]{0,14}$/, 'must be 1-15 of a-z, 0-9 and -');
  if (appName.length + 1 + environment.length > MAX_NAME_LENGTH) {
    fail(
      'environment',
      `with appName must make "<appName>-<environment>" at most ${MAX_NAME_LENGTH} characters`,
      `${appName}-${environment}`,
    );
  }

  return {
    appName,
    environment,
    lambdaMemorySize: integer('lambdaMemorySize', 128, 10_240),
    lambdaTimeout: integer('lambdaTimeout', 1, 900),
    allowedOrigins: origins(raw('allowedOrigins') ?? DEFAULT_SETTINGS.allowedOrigins),
    tags: tags(raw('tags') ?? DEFAULT_SETTINGS.tags),
    logLevel: name(
      'logLevel',
      new RegExp(`^(?:${LOG_LEVELS.join('|')})$`),
      `must be one of ${LOG_LEVELS.join(', ')}`,
    ),
    logRetentionDays,
    deletionProtection: flag('deletionProtection'),
    throttlingRateLimit,
    throttlingBurstLimit,
    registryScanOnPush: flag('registryScanOnPush'),
    tracing: name(
      'tracing',
      new RegExp(`^(?:${TRACING_MODES.join('|')})$`),
      `must be one of ${TRACING_MODES.join(', ')}`,
    ) as TracingMode,
    // Lambda keeps 100 of the account's concurrency unreserved: a value above the account's
    // limit minus 100 fails at deploy time, which synth cannot know.
    reservedConcurrency: optionalInteger('reservedConcurrency', 1, 10_000),
    alarmEmail: email(raw('alarmEmail')),
    latencyP99Ms: integer('latencyP99Ms', 10, 29_000),
    failedLoginsPerMinute: integer('failedLoginsPerMinute', 1, 1_000_000),
    waf: flag('waf'),
    wafRateLimitPerIp: integer('wafRateLimitPerIp', WAF_RATE_LIMIT.min, WAF_RATE_LIMIT.max),
    wafRateLimitPerToken: integer('wafRateLimitPerToken', WAF_RATE_LIMIT.min, WAF_RATE_LIMIT.max),
  };
}

/** One plain address (what SNS e-mail subscriptions take), or unset. */
function email(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const valid =
    typeof value === 'string' &&
    value.length <= 254 &&
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(
      value,
    );
  if (!valid) return fail('alarmEmail', 'must be one e-mail address like ops@example.com', value);
  return value;
}

/** A comma-separated string (`-c allowedOrigins=https://a.example,https://b.example`) or a list. */
function origins(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list)) return fail('allowedOrigins', 'must be a list of origins', value);
  const trimmed = list.map((origin: unknown) => (typeof origin === 'string' ? origin.trim() : origin));
  for (const origin of trimmed) {
    if (origin === '*') continue;
    if (typeof origin !== 'string' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      fail('allowedOrigins', 'must hold origins like https://app.example.com, or *', origin);
    }
  }
  const result = (trimmed as string[]).filter(Boolean);
  if (result.includes('*') && result.length > 1)
    fail('allowedOrigins', 'may be * alone, not * among origins', value);
  return result;
}

/** A JSON object of strings (`-c tags='{"team":"web"}'`) or, in cdk.json, the object itself. */
function tags(value: unknown): Record<string, string> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      return fail('tags', 'must be a JSON object of strings', value);
    }
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string');
  if (!valid) return fail('tags', 'must be a JSON object of strings', value);
  return parsed as Record<string, string>;
}

function fail(key: string, rule: string, value: unknown): never {
  throw new SettingsError(`context ${key} ${rule} (got ${JSON.stringify(value)})`);
}
