import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlThroughHandler, signUp, type GraphQLClient, type SignedUpUser } from '../helpers/graphql.js';
import { restThroughHandler, type HandlerRequest } from '../helpers/rest-through-handler.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

/**
 * Issue 15.7: `CreateItemInput.description` is nullable and documented as "left out or `null`:
 * empty"; the REST document says the same of `ItemCreateRequest.description`.
 */
describe('A new item with a null description', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let rest: HandlerRequest;
  let user: SignedUpUser;

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    rest = restThroughHandler(app.handler);
    user = await signUp(graphql);
  });
  afterAll(() => app.stop());

  it('is created with an empty description by GraphQL createItem', async () => {
    // Act
    const { body } = await graphql<{ createItem: { id: string; name: string; description: string } }>(
      'mutation { createItem(input: { name: "x", description: null }) { id name description } }',
      { token: user.token },
    );

    // Assess
    expect(body.errors).toBeUndefined();
    expect(body.data?.createItem).toMatchObject({ name: 'x', description: '' });
  });

  it('is created with an empty description by createItem with the null in a variable', async () => {
    // Act
    const { body } = await graphql<{ createItem: { description: string } }>(
      'mutation Create($input: CreateItemInput!) { createItem(input: $input) { description } }',
      { token: user.token, variables: { input: { name: 'y', description: null } } },
    );

    // Assess
    expect(body).toEqual({ data: { createItem: { description: '' } } });
  });

  it.each([
    ['POST /item/', '/item/', 201],
    ['the legacy POST /item/create/', '/item/create/', 200],
  ])('is created with an empty description by %s', async (_route, path, status) => {
    // Act
    const response = await rest('POST', path, { token: user.token, json: { name: 'z', description: null } });

    // Assess
    expect(response.status, response.text).toBe(status);
    expect(response.body).toMatchObject({ name: 'z', description: '' });
  });
});
