import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { physicalNames } from './naming.js';
import { fileURLToPath } from 'node:url';
import { readSettings } from './settings.js';
import { ServiceStack } from './stack.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The CDK app: one stack per appName/environment, named like its resources
 * (`<appName>-<environment>-v2`), checked by cdk-nag's AwsSolutions and Serverless packs on
 * every synth (an unacknowledged error fails it; the tests refuse warnings too).
 */
export function createServiceApp(app: App = new App()): { app: App; stack: ServiceStack } {
  const settings = readSettings(app.node);
  const stack = new ServiceStack(app, physicalNames(settings.appName, settings.environment).prefix, {
    settings,
    imageContext: REPO_ROOT,
    description: `${settings.appName} (${settings.environment}): API Gateway REST and WebSocket, Lambda (container image), DynamoDB`,
    // Unset offline (CI synth): the template stays environment-agnostic.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
