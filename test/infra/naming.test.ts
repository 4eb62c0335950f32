import { describe, expect, it } from 'vitest';
import { physicalNames } from '../../infra/naming.js';
import { propertiesOf, synth, type Json } from './synth.js';

/**
 * Every physical name the old Terraform stack (Baricodes/Basic_Item_Crud_APP,
 * infra/terraform/tf-backend) gives its resources, from `var.app_name` and `var.environment`.
 * Its outputs are Terraform outputs, not CloudFormation exports, so no export name can clash.
 */
function oldTerraformNames(app: string, env: string): string[] {
  const prefix = `${app}-${env}`;
  return [
    `${prefix}-users`, // aws_dynamodb_table.users
    `${prefix}-items`, // aws_dynamodb_table.items
    prefix, // aws_lambda_function.main and aws_ecr_repository.main
    `/aws/lambda/${prefix}`, // aws_cloudwatch_log_group.lambda_logs
    `${prefix}-api`, // aws_api_gateway_rest_api.main
    `/aws/apigateway/${prefix}`, // aws_cloudwatch_log_group.api_gateway_logs
    `/aws/apigateway/${prefix}-access`, // aws_cloudwatch_log_group.api_gateway_access_logs
    `${prefix}-lambda-role`, // aws_iam_role.lambda_role
    `${prefix}-api-gateway-role`, // aws_iam_role.api_gateway_role
    `${prefix}-lambda-dynamodb-policy`, // aws_iam_policy.lambda_dynamodb_policy
    `${prefix}-lambda-basic-execution-policy`, // aws_iam_policy.lambda_basic_execution_policy
    `${prefix}-api-gateway-lambda-policy`, // aws_iam_policy.api_gateway_lambda_policy
  ];
}

/** The name-like properties CloudFormation resources take, one per resource type that has one. */
const NAME_PROPERTIES = [
  'TableName',
  'FunctionName',
  'LogGroupName',
  'Name',
  'QueueName',
  'TopicName',
  'AliasName',
  'DashboardName',
  'AlarmName',
  'RoleName',
  'PolicyName',
  'RepositoryName',
  'StageName',
];

/** Every literal physical name in the template (names derived from generated ids are unique anyway). */
function physicalNamesIn(json: Json): string[] {
  const resources = Object.values(json.Resources as Record<string, Json>);
  return resources.flatMap((resource) =>
    NAME_PROPERTIES.map((key) => propertiesOf(resource)[key]).filter(
      (value): value is string => typeof value === 'string',
    ),
  );
}

describe('Naming: side by side with the old Terraform stack', () => {
  it.each([
    ["the defaults (basic-item-crud, dev: the old stack's own defaults)", {}, 'basic-item-crud', 'dev'],
    ['-c appName=X -c environment=Y', { appName: 'shop', environment: 'prod' }, 'shop', 'prod'],
  ])('gives no resource a name of the old stack, for %s', (_case, context, app, env) => {
    // Prepare
    const old = new Set(oldTerraformNames(app, env));

    // Act
    const { json, stack } = synth(context);
    const ours = [...physicalNamesIn(json), stack.stackName];

    // Assess
    expect(ours.length).toBeGreaterThan(20);
    expect(ours.filter((name) => old.has(name))).toEqual([]);
    const names = physicalNames(app, env);
    expect(ours).toEqual(
      expect.arrayContaining([
        names.tables.users,
        names.tables.items,
        names.tables.connections,
        names.functions.api,
        names.functions.websocket,
        names.functions.publisher,
        names.restApi,
        names.webSocketApi,
      ]),
    );
  });

  it('prefixes every name with <appName>-<environment>-v2', () => {
    const names = physicalNames('basic-item-crud', 'dev');
    expect(names.tables).toEqual({
      users: 'basic-item-crud-dev-v2-users',
      items: 'basic-item-crud-dev-v2-items',
      connections: 'basic-item-crud-dev-v2-connections',
    });
    expect(names.functions).toEqual({
      api: 'basic-item-crud-dev-v2',
      websocket: 'basic-item-crud-dev-v2-websocket',
      publisher: 'basic-item-crud-dev-v2-publisher',
    });
    expect(names.restApi).toBe('basic-item-crud-dev-v2-api');
    expect(names.webSocketApi).toBe('basic-item-crud-dev-v2-ws');
    expect(names.restAccessLogs).toBe('/aws/apigateway/basic-item-crud-dev-v2/access');
    expect(names.wafLogs).toBe('aws-waf-logs-basic-item-crud-dev-v2');
  });

  it('names the stack like its resources', () => {
    expect(synth({ appName: 'shop', environment: 'prod' }).stack.stackName).toBe('shop-prod-v2');
  });

  it("keeps the longest function name within Lambda's 64 characters at the longest names allowed", () => {
    // 40 + 1 + 9 = 50 characters: the most settings accept.
    const { template } = synth({ appName: 'a'.repeat(40), environment: 'e'.repeat(9) });
    const functionNames = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (fn) => propertiesOf(fn as Json).FunctionName as string,
    );
    expect(Math.max(...functionNames.map((name) => name.length))).toBe(63);
  });
});
