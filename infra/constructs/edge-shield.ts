import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface EdgeShieldProps {
  readonly webAclName: string;
  /** Must start with `aws-waf-logs-`. */
  readonly logGroupName: string;
  readonly stage: Stage;
  /** Requests per 5 minutes from one client IP. */
  readonly rateLimitPerIp: number;
  /** Requests per 5 minutes carrying one `Authorization` value (one user's token). */
  readonly rateLimitPerToken: number;
  readonly logRetention: RetentionDays;
}

/** WAF's rate-based rules count over this window; the limits are per this many seconds. */
export const RATE_WINDOW_SECONDS = 300;

/**
 * Opt-in AWS WAF on the REST stage (`-c waf=true`): the AWS managed common and known-bad-inputs
 * rule groups, and rate limits per client IP and per bearer token, so one user's token is slowed
 * down at the edge without a DynamoDB call in the service. Rate-limited requests get 429.
 */
export class EdgeShield extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: EdgeShieldProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const tooManyRequests: CfnWebACL.RuleActionProperty = {
      block: { customResponse: { responseCode: 429 } },
    };

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.webAclName,
      description: 'Managed rule groups and per-IP / per-token rate limits in front of the REST API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.webAclName),
      rules: [
        // Rate limits first: a flood is counted and blocked before the managed groups inspect it.
        {
          name: 'rate-per-ip',
          priority: 0,
          action: tooManyRequests,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.rateLimitPerIp,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility('rate-per-ip'),
        },
        {
          // Requests without the header are not counted here (the per-IP rule still applies).
          name: 'rate-per-token',
          priority: 1,
          action: tooManyRequests,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [
                { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
              ],
              limit: props.rateLimitPerToken,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility('rate-per-token'),
        },
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, visibility('common-rule-set'), [
          // Bodies up to 64 KiB are the API's own limit (413 beyond it); WAF sees only the
          // first 8 KiB and this rule would block every larger, legitimate body.
          'SizeRestrictions_BODY',
        ]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3, visibility('known-bad-inputs'), []),
      ],
    });

    const association = new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    // The stage ARN is built from names: without this, the association may come first and fail.
    association.node.addDependency(props.stage);

    this.logs = new LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the `:*` CloudFormation's Arn attribute ends with.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: props.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // The bearer token never reaches a log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
      // Only what WAF blocked or counted: the access log already has every request.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(this.logs);
  }
}

function managedRuleGroup(
  name: string,
  priority: number,
  visibilityConfig: CfnWebACL.VisibilityConfigProperty,
  countOnly: readonly string[],
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(countOnly.length
          ? { ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
          : {}),
      },
    },
    visibilityConfig,
  };
}

/** Without `-c waf=true`, cdk-nag's WAF rule is acknowledged on the stage, with the reason. */
export function acknowledgeNoEdgeShield(stage: Stage): void {
  Validations.of(stage).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason:
      'WAF is opt-in (-c waf=true): it is billed per web ACL, rule and request (docs/deploy.md, "Edge shield"), ' +
      'and stage throttling already bounds the request rate. The deployment chose not to enable it.',
  });
}
