import { parseArgs } from 'node:util';

export interface MigrateOptions {
  readonly fromUsers: string;
  readonly fromItems: string;
  /** Unset: the service's configured USERS_TABLE / ITEMS_TABLE. */
  readonly toUsers: string | undefined;
  readonly toItems: string | undefined;
  readonly dryRun: boolean;
  /** All DynamoDB requests per second, both tables and every worker together; unset: unlimited. */
  readonly maxRps: number | undefined;
  readonly segments: number;
  readonly json: boolean;
  readonly help: boolean;
}

/** A bad command line: exit status 2 with this one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_SEGMENTS = 4;
const MAX_SEGMENTS = 64;

export const USAGE = `Usage: npm run migrate -- --from-users <table> --from-items <table> [options]

Copies the old FastAPI deployment's users and items into this service's tables. Never writes to
the old tables; safe to run again (it copies only what is new or changed there).

  --from-users <table>  the old users table (e.g. basic-item-crud-dev-users)
  --from-items <table>  the old items table (e.g. basic-item-crud-dev-items)
  --to-users <table>    target users table (default: USERS_TABLE)
  --to-items <table>    target items table (default: ITEMS_TABLE)
  --dry-run             read everything, write nothing, report what a run would do
  --max-rps <n>         at most n DynamoDB requests per second in all (default: unlimited)
  --segments <n>        parallel scan segments, 1-${MAX_SEGMENTS} (default: ${DEFAULT_SEGMENTS})
  --json                print the report as one JSON document on stdout
  --help                this text

Environment: REGION (or AWS_REGION), USERS_TABLE, ITEMS_TABLE, DYNAMODB_ENDPOINT (an emulator);
AWS credentials from the default chain, as the AWS CLI finds them (AWS_PROFILE, SSO, ...).
Exit status: 0 all copied; 1 rows skipped (listed in the report); 2 bad usage or configuration;
3 stopped by an error (run the same command again: it resumes).
`;

export function parseOptions(argv: readonly string[]): MigrateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'from-users': { type: 'string' },
        'from-items': { type: 'string' },
        'to-users': { type: 'string' },
        'to-items': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'max-rps': { type: 'string' },
        segments: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const help = v.help === true;
  const options: MigrateOptions = {
    fromUsers: tableName('--from-users', v['from-users'], !help),
    fromItems: tableName('--from-items', v['from-items'], !help),
    toUsers: v['to-users'] === undefined ? undefined : tableName('--to-users', v['to-users'], true),
    toItems: v['to-items'] === undefined ? undefined : tableName('--to-items', v['to-items'], true),
    dryRun: v['dry-run'] === true,
    maxRps: v['max-rps'] === undefined ? undefined : positiveNumber('--max-rps', v['max-rps']),
    segments: v.segments === undefined ? DEFAULT_SEGMENTS : segmentCount(v.segments),
    json: v.json === true,
    help,
  };
  return options;
}

/** DynamoDB's own rule for table names: 3-255 of letters, digits, `_`, `-`, `.`. */
function tableName(flag: string, value: string | undefined, required: boolean): string {
  if (value === undefined) {
    if (required) throw new UsageError(`${flag} <table> is required (see --help)`);
    return '';
  }
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(value)) {
    throw new UsageError(`${flag} "${value}" is not a DynamoDB table name (3-255 of letters, digits, _ - .)`);
  }
  return value;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) {
    throw new UsageError(`${flag} must be a positive number of requests per second (got "${value}")`);
  }
  return n;
}

function segmentCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_SEGMENTS) {
    throw new UsageError(`--segments must be an integer from 1 to ${MAX_SEGMENTS} (got "${value}")`);
  }
  return n;
}
