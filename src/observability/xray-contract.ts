/** What tracing.ts and the X-Ray side it loads on demand (xray-tracing.ts) agree on. */

/** An AWS SDK v3 client (DynamoDB, Secrets Manager, API Gateway Management, ...). */
export interface AwsClient {
  readonly middlewareStack: { readonly remove: unknown; readonly use: unknown };
  readonly config: unknown;
}

/** What a request's trace says about it once it is answered. */
export interface RequestAnnotations {
  readonly requestId: string;
  /** The method and route template (`GET /item/{id}`). */
  readonly route: string;
  readonly userId: string | undefined;
  /** Undefined when the work threw. */
  readonly statusCode: number | undefined;
}

/** The X-Ray SDK side (xray-tracing.ts), loaded only when TRACING=full. */
export interface XRayTracing {
  capture<C extends AwsClient>(client: C): C;
  traceRequest<T>(
    work: () => Promise<T>,
    annotations: (result: T | undefined) => RequestAnnotations,
  ): Promise<T>;
}
