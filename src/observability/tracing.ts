import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { errorFields } from '../logger.js';
import type { AwsClient, RequestAnnotations, XRayTracing } from './xray-contract.js';

/**
 * The X-Ray SDK costs 12-18 ms of cold `require`, so it stays out of the
 * cold path: nothing of it loads unless TRACING=full, and then only on first use (the first
 * invocation), from a file of its own (dist/xray-tracing.js). With TRACING=active Lambda and API
 * Gateway still trace every sampled request; only the subsegments made here are missing.
 *
 * Process-wide, as the SDK is: its context and the clients it instruments are the process's.
 */
let settings: { readonly serviceName: string; readonly logger: Logger } | undefined;
let loading: Promise<XRayTracing | undefined> | undefined;
let loaded: XRayTracing | undefined;
const waiting = new Set<AwsClient>();

/** Called once at start, before any client is made, with the validated configuration. */
export function configureTracing(config: Pick<Config, 'tracing' | 'serviceName'>, logger: Logger): void {
  settings = config.tracing === 'full' ? { serviceName: config.serviceName, logger } : undefined;
}

/**
 * The one way to have an AWS client's calls recorded as X-Ray subsegments (service, operation,
 * table): `const client = traced(new SomeClient({...}))`. The same client back; instrumented
 * now if the SDK is loaded, else when it loads (before its first traced request).
 */
export function traced<C extends AwsClient>(client: C): C {
  if (!settings) return client;
  if (loaded) return loaded.capture(client);
  waiting.add(client);
  return client;
}

/** Resolves once the SDK is loaded (at once unless TRACING=full): before calls made outside a request. */
export async function tracingReady(): Promise<void> {
  if (settings) await load();
}

/**
 * Runs one request in a subsegment of its own, annotated with its request id, route and user id
 * when it ends. Without TRACING=full, just runs it.
 */
export function traceRequest<T>(
  work: () => Promise<T>,
  annotations: (result: T | undefined) => RequestAnnotations,
): Promise<T> {
  if (!settings) return work();
  if (loaded) return loaded.traceRequest(work, annotations);
  return load().then((xray) => (xray ? xray.traceRequest(work, annotations) : work()));
}

function load(): Promise<XRayTracing | undefined> {
  const current = settings;
  if (!current) return Promise.resolve(undefined);
  loading ??= import('./xray-tracing.js').then(
    ({ startXRayTracing }) => {
      loaded = startXRayTracing(current);
      for (const client of waiting) loaded.capture(client);
      waiting.clear();
      return loaded;
    },
    (error: unknown) => {
      // A trace is never worth a failed request: the service goes on untraced, and says so.
      current.logger.error('X-Ray tracing is off: its SDK did not load', errorFields(error));
      settings = undefined;
      waiting.clear();
      return undefined;
    },
  );
  return loading;
}
