/**
 * CloudWatch Embedded Metric Format, as the specification states it ("Specification: Embedded
 * metric format", Amazon CloudWatch User Guide): what a test needs to read the lines the service
 * prints and to check them.
 */

export interface MetricDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string; readonly Unit?: string }[];
}

export interface EmfDocument {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly MetricDirective[] };
  readonly [member: string]: unknown;
}

/** The units CloudWatch accepts (PutMetricData's StandardUnit). */
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

/**
 * Everything `document` does against the specification (empty when it conforms): the `_aws`
 * metadata (a millisecond Timestamp, CloudWatchMetrics directives), each directive's Namespace,
 * dimension sets (at most 30 keys, each a string member of at most 1024 characters) and metric
 * definitions (at most 100, a known Unit, each Name a number or an array of at most 100 numbers).
 */
export function emfViolations(document: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(document)) return ['the document is not a JSON object'];
  const aws = document._aws;
  if (!isObject(aws)) return ['no _aws metadata object'];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12)
    problems.push(`_aws.Timestamp is not epoch milliseconds: ${String(aws.Timestamp)}`);
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0)
    return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];

  aws.CloudWatchMetrics.forEach((directive: unknown, i) => {
    const at = `CloudWatchMetrics[${i}]`;
    if (!isObject(directive)) return problems.push(`${at} is not an object`);
    const { Namespace: namespace, Dimensions: dimensions, Metrics: metrics } = directive;
    if (typeof namespace !== 'string' || namespace.length < 1 || namespace.length > 255)
      problems.push(`${at}.Namespace is not a string of 1-255 characters`);
    if (!Array.isArray(dimensions)) problems.push(`${at}.Dimensions is not an array`);
    else
      dimensions.forEach((set: unknown, j) => {
        if (!Array.isArray(set)) return problems.push(`${at}.Dimensions[${j}] is not an array`);
        if (set.length > 30) problems.push(`${at}.Dimensions[${j}] has more than 30 keys`);
        for (const key of set) {
          const value = typeof key === 'string' ? document[key] : undefined;
          if (typeof value !== 'string' || value.length === 0 || value.length > 1024)
            problems.push(`dimension ${String(key)} has no string member of 1-1024 characters`);
        }
      });
    if (!Array.isArray(metrics) || metrics.length > 100)
      return problems.push(`${at}.Metrics is not an array of at most 100`);
    for (const metric of metrics as unknown[]) {
      if (!isObject(metric) || typeof metric.Name !== 'string' || metric.Name.length === 0) {
        problems.push(`${at}.Metrics has a definition without a Name`);
        continue;
      }
      if (metric.Unit !== undefined && !UNITS.has(String(metric.Unit)))
        problems.push(`metric ${metric.Name} has an unknown Unit ${String(metric.Unit)}`);
      const value = document[metric.Name];
      const numeric = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
      const ok = numeric(value) || (Array.isArray(value) && value.length <= 100 && value.every(numeric));
      if (!ok) problems.push(`metric ${metric.Name} has no numeric member: ${JSON.stringify(value)}`);
    }
  });
  return problems;
}

/** The EMF documents among `lines`: JSON objects with an `_aws` member. */
export function emfDocuments(lines: readonly string[]): EmfDocument[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    const parsed = JSON.parse(line) as unknown;
    return isObject(parsed) && '_aws' in parsed ? [parsed as unknown as EmfDocument] : [];
  });
}

/** Each metric of `document` with the unit and the (one) dimension set its directive gives it. */
export function metricsIn(
  document: EmfDocument,
): Record<string, { unit: string | undefined; dimensions: readonly (readonly string[])[]; value: unknown }> {
  const found: Record<string, { unit: string | undefined; dimensions: readonly string[][]; value: unknown }> =
    {};
  for (const directive of document._aws.CloudWatchMetrics) {
    for (const metric of directive.Metrics) {
      found[metric.Name] = {
        unit: metric.Unit,
        dimensions: directive.Dimensions.map((set) => [...set]),
        value: document[metric.Name],
      };
    }
  }
  return found;
}

/**
 * The lines written to process.stdout while `act` runs (they are kept from the terminal): where
 * the service prints its metrics, as Lambda's runtime reads them.
 */
export async function stdoutLines<T>(act: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const original = process.stdout.write;
  let written = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await act();
    return { result, lines: written.split('\n').filter((line) => line !== '') };
  } finally {
    process.stdout.write = original;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
