import { MethodNotAllowedError, RouteNotFoundError } from '../http/errors.js';
import { canonicalPath } from '../http/paths.js';
import { RequestValidationError } from './error-boundary.js';
import { restRoutes, type RestRoute } from './routes.js';
import { pathParameters } from './schemas.js';

export interface RouteMatch {
  readonly route: RestRoute;
  /** The path's parameters, each checked against its documented rule. */
  readonly params: Readonly<Record<string, string>>;
}

interface CompiledRoute {
  readonly route: RestRoute;
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
}

const compiled: readonly CompiledRoute[] = restRoutes
  .map((route) => {
    const paramNames: string[] = [];
    const source = canonicalPath(route.path)
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        paramNames.push(param[1] as string);
        return '([^/]+)';
      })
      .join('/');
    return { route, regex: new RegExp(`^${source}$`), paramNames };
  })
  // Literal paths win over parameters: `/item/read` is the legacy list, not an item called "read".
  .sort((a, b) => a.paramNames.length - b.paramNames.length);

/**
 * The route for a method and a path (any spelling: `/api` prefix, trailing slash). HEAD is
 * GET without the body (RFC 9110). `RouteNotFoundError` when no route has the path,
 * `MethodNotAllowedError` (with `Allow`) when the path is known but the method is not.
 */
export function matchRoute(method: string, path: string): RouteMatch {
  const canonical = canonicalPath(path);
  const wanted = method === 'HEAD' ? 'GET' : method;
  const onPath: { compiled: CompiledRoute; values: RegExpExecArray }[] = [];
  for (const candidate of compiled) {
    const values = candidate.regex.exec(canonical);
    if (!values) continue;
    if (candidate.route.method === wanted)
      return { route: candidate.route, params: checkedParams(candidate, values) };
    onPath.push({ compiled: candidate, values });
  }
  if (onPath.length === 0) throw new RouteNotFoundError();
  const methods = onPath.map((m) => m.compiled.route.method);
  const allow = [...new Set([...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].join(
    ', ',
  );
  throw new MethodNotAllowedError(`Method ${method} not allowed; this path allows ${allow}`, allow);
}

function checkedParams(route: CompiledRoute, values: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {};
  route.paramNames.forEach((name, i) => {
    const value = values[i + 1] as string;
    const rule = pathParameters[name];
    const checked = rule?.safeParse(value);
    if (checked && !checked.success) {
      throw new RequestValidationError([
        {
          loc: ['path', name],
          msg: checked.error.issues[0]?.message ?? 'Invalid value',
          type: 'string_pattern_mismatch',
        },
      ]);
    }
    params[name] = value;
  });
  return params;
}
