import AWSXRay from 'aws-xray-sdk-core';
import type { Logger } from '../logger.js';
import type { AwsClient, RequestAnnotations, XRayTracing } from './xray-contract.js';

type Segment = InstanceType<typeof AWSXRay.Segment>;
type Subsegment = InstanceType<typeof AWSXRay.Subsegment>;

/**
 * X-Ray through the SDK that Powertools' Tracer wraps, used directly: the Tracer refuses to
 * record anything unless AWS_EXECUTION_ENV is set (notes: research D2), so it could never trace
 * the local server, while the SDK records the same subsegments anywhere. Loaded by tracing.ts
 * only when TRACING=full; bundled apart (dist/xray-tracing.js) so that it costs nothing otherwise.
 *
 * In Lambda (LAMBDA_TASK_ROOT) the SDK keeps a facade of the function's own segment, which
 * Lambda sends: each request is a subsegment of it, sent when it closes. Elsewhere (the local
 * server, tests) each request is a segment of its own, sent whole when it closes, to the daemon
 * at AWS_XRAY_DAEMON_ADDRESS (default 127.0.0.1:2000, UDP).
 */
export function startXRayTracing(options: { serviceName: string; logger: Logger }): XRayTracing {
  const { serviceName, logger } = options;
  AWSXRay.setLogger({
    error: (message: string) => logger.error(`X-Ray SDK: ${message}`),
    warn: (message: string) => logger.warn(`X-Ray SDK: ${message}`),
    info: () => undefined,
    debug: () => undefined,
  });
  // An AWS call outside any request (a start-up call off Lambda) is simply not traced.
  if (!process.env.AWS_XRAY_CONTEXT_MISSING) AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  const inLambda = Boolean(process.env.LAMBDA_TASK_ROOT);
  const namespace = AWSXRay.getNamespace();
  let coldStart = true;

  return {
    capture: <C extends AwsClient>(client: C): C => AWSXRay.captureAWSv3Client(client),

    async traceRequest(work, annotations) {
      // In Lambda, the facade carries this invocation's trace id (or says it is not sampled).
      const parent: Segment | Subsegment | undefined = inLambda
        ? AWSXRay.getSegment()
        : new AWSXRay.Segment(serviceName);
      if (!parent) return work();
      const request = parent.addNewSubsegment('## request');
      let result: Awaited<ReturnType<typeof work>> | undefined;
      try {
        // A context of its own, so that concurrent requests (the local server) keep theirs.
        result = await namespace.runAndReturn(() => {
          AWSXRay.setSegment(request);
          return work();
        });
        return result;
      } catch (error) {
        request.addError(error instanceof Error ? error : String(error));
        throw error;
      } finally {
        const answered = annotations(result);
        annotate(request, answered, coldStart);
        coldStart = false;
        request.close();
        // Lambda flags its own segment from the invocation; off Lambda the request's segment is ours.
        if (!inLambda) {
          flag(parent, answered.statusCode);
          parent.close();
        }
      }
    },
  };
}

/** Annotations are indexed: `annotation.request_id = "…"` finds the request in the X-Ray console. */
function annotate(request: Subsegment, annotations: RequestAnnotations, coldStart: boolean): void {
  request.name = `## ${annotations.route}`;
  request.addAnnotation('request_id', annotations.requestId);
  request.addAnnotation('route', annotations.route);
  if (annotations.userId) request.addAnnotation('user_id', annotations.userId);
  request.addAnnotation('cold_start', coldStart);
  if (annotations.statusCode !== undefined) request.addAnnotation('status', annotations.statusCode);
  flag(request, annotations.statusCode);
}

/** X-Ray's fault (5xx), error (4xx) and throttle (429) flags, which its console filters on. */
function flag(segment: Segment | Subsegment, status: number | undefined): void {
  if (status === undefined) return;
  if (status === 429) segment.addThrottleFlag();
  if (status >= 500) segment.addFaultFlag();
  else if (status >= 400) segment.addErrorFlag();
}
