/// <reference lib="dom" />
// Starts Swagger UI on the `/docs` page. A separate file rather than an inline script, so the
// page can be served with a Content-Security-Policy that allows scripts from 'self' only.

/** The part of swagger-ui-dist's global bundle this page uses (the package ships no types). */
interface SwaggerUIBundleGlobal {
  (options: Record<string, unknown>): unknown;
  presets: { apis: unknown };
}

declare global {
  interface Window {
    SwaggerUIBundle?: SwaggerUIBundleGlobal;
  }
}

// The document sits next to this page: `/dev/docs` → `/dev/openapi.json`, under any API Gateway
// stage or custom-domain base path, with or without a trailing slash.
const specUrl = `${window.location.pathname.replace(/\/docs\/?$/, '')}/openapi.json`;

const SwaggerUIBundle = window.SwaggerUIBundle;
if (!SwaggerUIBundle) throw new Error('docs: swagger-ui-bundle.js did not load');

SwaggerUIBundle({
  url: specUrl,
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  // Keeps the bearer token entered in "Authorize" across reloads of the page.
  persistAuthorization: true,
  displayRequestDuration: true,
  // The default validator badge loads an image from validator.swagger.io.
  validatorUrl: null,
});

export {};
