/// <reference lib="dom" />
// The GraphiQL IDE served at `GET /graphql`. Bundled by scripts/build-assets.ts; runs in the
// browser, never on the server. Its styles are the separate entry graphiql.css.
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { subscriptionsOverSocket, socketUrlOf } from './graphiql-subscriptions.js';

type Fetcher = GraphiQLProps['fetcher'];

// The page is served by the endpoint itself, so its own path is the endpoint under any API
// Gateway stage (`/dev/graphql`) or custom-domain base path.
const endpoint = window.location.pathname;

// Subscriptions go over graphql-transport-ws: to the service's WebSocket API (on AWS, read from
// the config beside this page), else to this page's own URL (the local server).
const subscriptions = subscriptionsOverSocket(socketUrlOf(endpoint));

const fetcher: Fetcher = async (params, options) => {
  const overSocket = subscriptions(params, options);
  if (overSocket) return overSocket;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  for (const [name, value] of Object.entries(options?.headers ?? {})) headers[name] = String(value);
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
  const text = await response.text();
  try {
    return JSON.parse(text) as Awaited<ReturnType<Fetcher>>;
  } catch {
    // A non-GraphQL answer (a gateway error, a plain-text 400): show what the server said.
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
};

const defaultQuery = `# Welcome to the basic-item-crud GraphQL API.
#
# Signed-in operations need a token: run the \`login\` or \`register\` mutation,
# then put {"Authorization": "Bearer <access token>"} in the Headers tab below.
# Subscriptions run over WebSocket with that same token, e.g.
#   subscription { itemChanged { kind itemId version item { name } } }
# The Docs button (top left) lists every type and field.

{
  health {
    status
  }
}
`;

const root = document.getElementById('graphiql');
if (!root) throw new Error('graphiql: the page has no #graphiql element');

createRoot(root).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
    // Tokens stay out of localStorage unless the user asks for it in the settings.
    shouldPersistHeaders: false,
  }),
);
