import type { ApolloServerPlugin } from '@apollo/server';

/**
 * `GET /graphql` from a browser answers with our self-hosted GraphiQL page instead of Apollo's
 * default landing page, which loads from Apollo's CDN. Install it together with
 * `ApolloServerPluginLandingPageDisabled()` so the default is never even loaded.
 */
export function ideLandingPage(loadHtml: () => Promise<string>): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          // Read on first use (and then cached by the loader), so start-up reads no file.
          return { html: loadHtml };
        },
      };
    },
  };
}
