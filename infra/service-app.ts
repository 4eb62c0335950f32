import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fileURLToPath } from 'node:url';
import { readSettings } from './settings.js';
import { ServiceStack } from './stack.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The CDK app: one stack per appName/environment, checked by cdk-nag's AwsSolutions pack on
 * every synth (an unacknowledged finding fails it).
 */
export function createServiceApp(app: App = new App()): { app: App; stack: ServiceStack } {
  const settings = readSettings(app.node);
  const stack = new ServiceStack(app, `${settings.appName}-${settings.environment}`, {
    settings,
    imageContext: REPO_ROOT,
    description: `${settings.appName} (${settings.environment}): API Gateway, Lambda (container image), DynamoDB`,
    // Unset offline (CI synth): the template stays environment-agnostic.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
