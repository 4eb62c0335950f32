import type { TableName } from '../src/storage/tables.js';

/**
 * Every physical name the stack sets, in one place. The prefix `<appName>-<environment>-v2`
 * keeps them apart from the old Terraform stack's `<appName>-<environment>-…` (README, "Moving
 * from the Terraform deployment"), so both stacks run side by side in one account during the
 * cutover, whatever appName and environment are.
 */
export const NAME_SUFFIX = 'v2';

export interface PhysicalNames {
  /** `<appName>-<environment>-v2`: also the stack's name and the dashboard's. */
  readonly prefix: string;
  readonly tables: Readonly<Record<TableName, string>>;
  readonly functions: { readonly api: string; readonly websocket: string; readonly publisher: string };
  readonly restApi: string;
  readonly webSocketApi: string;
  readonly restAccessLogs: string;
  readonly webSocketAccessLogs: string;
  readonly publisherFailures: string;
  readonly alarmTopic: string;
  readonly alarmKeyAlias: string;
  readonly dashboard: string;
  readonly webAcl: string;
  /** WAF writes only to log groups whose name starts with `aws-waf-logs-`. */
  readonly wafLogs: string;
  alarm(what: string): string;
}

export function physicalNames(appName: string, environment: string): PhysicalNames {
  const prefix = `${appName}-${environment}-${NAME_SUFFIX}`;
  return {
    prefix,
    tables: { users: `${prefix}-users`, items: `${prefix}-items`, connections: `${prefix}-connections` },
    functions: { api: prefix, websocket: `${prefix}-websocket`, publisher: `${prefix}-publisher` },
    restApi: `${prefix}-api`,
    webSocketApi: `${prefix}-ws`,
    restAccessLogs: `/aws/apigateway/${prefix}/access`,
    webSocketAccessLogs: `/aws/apigateway/${prefix}-ws/access`,
    publisherFailures: `${prefix}-publisher-failures`,
    alarmTopic: `${prefix}-alarms`,
    alarmKeyAlias: `alias/${prefix}-alarms`,
    dashboard: prefix,
    webAcl: `${prefix}-edge`,
    wafLogs: `aws-waf-logs-${prefix}`,
    alarm: (what) => `${prefix}-${what}`,
  };
}
