import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RATE_WINDOW_SECONDS } from '../../infra/constructs/edge-shield.js';
import { propertiesOf, resourcesOf, synth, type Json } from './synth.js';

const WAF_TYPES = [
  'AWS::WAFv2::WebACL',
  'AWS::WAFv2::WebACLAssociation',
  'AWS::WAFv2::LoggingConfiguration',
] as const;

function rulesOf(template: Template): Json[] {
  const [[, acl]] = resourcesOf(template, 'AWS::WAFv2::WebACL') as [[string, Json]];
  return propertiesOf(acl).Rules as Json[];
}

describe('Edge shield (WAF): opt-in', () => {
  it.each([
    ['by default', {}],
    ['with -c waf=false', { waf: 'false' }],
  ])('creates no web ACL, association or WAF logging %s', (_case, context) => {
    const { template } = synth(context);
    for (const type of WAF_TYPES) template.resourceCountIs(type, 0);
  });
});

describe('Edge shield (WAF): -c waf=true', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synth({ waf: 'true' }));
  });

  it('is one regional web ACL that allows by default, with metrics and sampled requests visible', () => {
    for (const type of WAF_TYPES) template.resourceCountIs(type, 1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'basic-item-crud-dev-v2-edge',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: true,
        MetricName: 'basic-item-crud-dev-v2-edge',
      },
    });
    for (const rule of rulesOf(template)) {
      expect(rule.VisibilityConfig).toMatchObject({
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: true,
      });
    }
  });

  it('is associated with the REST stage, once the stage exists', () => {
    template.hasResource('AWS::WAFv2::WebACLAssociation', {
      Properties: {
        WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeShieldWebAcl'), 'Arn'] },
        ResourceArn: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':apigateway:',
              { Ref: 'AWS::Region' },
              '::/restapis/',
              { Ref: Match.stringLikeRegexp('^ApiRestApi') },
              '/stages/',
              { Ref: Match.stringLikeRegexp('^ApiRestApiDeploymentStagedev') },
            ],
          ],
        },
      },
      DependsOn: [Match.stringLikeRegexp('^ApiRestApiDeploymentStagedev')],
    });
  });

  it("applies the AWS common and known-bad-inputs rule groups, letting bodies up to the API's own limit through", () => {
    const managed = rulesOf(template)
      .map((rule) => (rule.Statement as Json).ManagedRuleGroupStatement as Json | undefined)
      .filter((statement): statement is Json => statement !== undefined);
    expect(managed).toEqual([
      {
        VendorName: 'AWS',
        Name: 'AWSManagedRulesCommonRuleSet',
        RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
      },
      { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' },
    ]);
  });

  it('rate-limits per client IP and per Authorization value over 5 minutes, answering 429', () => {
    const [perIp, perToken] = rulesOf(template);
    expect(perIp).toMatchObject({
      Name: 'rate-per-ip',
      Priority: 0,
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: {
        RateBasedStatement: { AggregateKeyType: 'IP', Limit: 1000, EvaluationWindowSec: RATE_WINDOW_SECONDS },
      },
    });
    expect(perToken).toMatchObject({
      Name: 'rate-per-token',
      Priority: 1,
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'CUSTOM_KEYS',
          CustomKeys: [
            { Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
          ],
          Limit: 300,
          EvaluationWindowSec: RATE_WINDOW_SECONDS,
        },
      },
    });
  });

  it('takes both limits from context', () => {
    const custom = synth({ waf: 'true', wafRateLimitPerIp: '2000', wafRateLimitPerToken: '120' }).template;
    const [perIp, perToken] = rulesOf(custom);
    expect((perIp?.Statement as { RateBasedStatement: Json }).RateBasedStatement.Limit).toBe(2000);
    expect((perToken?.Statement as { RateBasedStatement: Json }).RateBasedStatement.Limit).toBe(120);
  });

  it('logs what it blocked or counted, without the Authorization header, to aws-waf-logs-<prefix> with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-basic-item-crud-dev-v2',
      RetentionInDays: 14,
    });
    template.hasResource('AWS::WAFv2::LoggingConfiguration', {
      Properties: {
        ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeShieldWebAcl'), 'Arn'] },
        LogDestinationConfigs: [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':logs:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':log-group:aws-waf-logs-basic-item-crud-dev-v2',
              ],
            ],
          },
        ],
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
        LoggingFilter: {
          DefaultBehavior: 'DROP',
          Filters: [
            {
              Behavior: 'KEEP',
              Requirement: 'MEETS_ANY',
              Conditions: [
                { ActionCondition: { Action: 'BLOCK' } },
                { ActionCondition: { Action: 'COUNT' } },
              ],
            },
          ],
        },
      },
      DependsOn: [Match.stringLikeRegexp('^EdgeShieldLogs')],
    });
  });
});
