import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createServiceApp } from '../../infra/service-app.js';
import type { ServiceStack } from '../../infra/stack.js';

export type Json = Record<string, unknown>;

export interface Synthesized {
  readonly stack: ServiceStack;
  readonly template: Template;
  readonly json: Json;
  readonly text: string;
}

/**
 * The stack for a context as a user passes it (`-c key=value` arrives as strings). cdk-nag runs
 * on every synth: an unacknowledged finding makes this throw.
 */
export function synth(context: Record<string, unknown> = {}): Synthesized {
  const { stack } = createServiceApp(new App({ context }));
  const template = Template.fromStack(stack);
  const json = template.toJSON() as Json;
  return { stack, template, json, text: JSON.stringify(json) };
}

/** Every cdk-nag violation (errors and warnings) of a full app synth. */
export function nagViolations(context: Record<string, unknown> = {}): unknown[] {
  const { app } = createServiceApp(new App({ context }));
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations?: unknown[] }[];
  };
  return report.pluginReports.flatMap((r) => r.violations ?? []);
}

export const getAtt = (logicalIdPrefix: string, attribute = 'Arn') => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(`^${logicalIdPrefix}`), attribute],
});

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}

export function propertiesOf(resource: Json): Json {
  return resource.Properties as Json;
}

/** The one resource of `type` whose `property` equals `value` (a function by name, say). */
export function resourceWith(template: Template, type: string, property: string, value: unknown): Json {
  const found = resourcesOf(template, type).filter(([, r]) => propertiesOf(r)[property] === value);
  if (found.length !== 1)
    throw new Error(`expected one ${type} with ${property}=${String(value)}, got ${found.length}`);
  return (found[0] as [string, Json])[1];
}

/** The statements of every IAM policy attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): Json[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(propertiesOf(policy).Roles).includes(`"Ref":"${rolePrefix}`))
    .flatMap(([, policy]) => (propertiesOf(policy).PolicyDocument as { Statement: Json[] }).Statement);
}

/** The actions a role may perform on resources whose template text matches `resource`. */
export function actionsOn(statements: Json[], resource: RegExp): string[] {
  return statements
    .filter((s) => resource.test(JSON.stringify(s.Resource)))
    .flatMap((s) => (Array.isArray(s.Action) ? (s.Action as string[]) : [s.Action as string]))
    .sort();
}
