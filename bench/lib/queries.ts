/** The GraphQL documents the benchmarks send, to our API and to the graphql-js baseline alike. */

export const ITEM_QUERY = /* GraphQL */ `
  query Item($id: ID!) {
    item(id: $id) {
      id
      name
      description
      version
      createdAt
      updatedAt
    }
  }
`;

export const ITEMS_WITH_OWNERS_QUERY = /* GraphQL */ `
  query Items($first: Int) {
    items(first: $first) {
      edges {
        cursor
        node {
          id
          name
          version
          createdAt
          owner {
            id
            username
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const ME_QUERY = /* GraphQL */ `
  query Me {
    me {
      id
      username
      createdAt
    }
  }
`;

export const ITEMS_BY_IDS_QUERY = /* GraphQL */ `
  query ItemsByIds($ids: [ID!]!) {
    itemsByIds(ids: $ids) {
      id
      version
    }
  }
`;

/** 250 loads in one request: three aliased fields the loader must batch together. */
export const ITEMS_BY_IDS_250_QUERY = /* GraphQL */ `
  query ItemsByIds250($a: [ID!]!, $b: [ID!]!, $c: [ID!]!) {
    a: itemsByIds(ids: $a) {
      id
    }
    b: itemsByIds(ids: $b) {
      id
    }
    c: itemsByIds(ids: $c) {
      id
    }
  }
`;

export const REGISTER_MUTATION = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      user {
        id
      }
    }
  }
`;

export const LOGIN_MUTATION = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
    }
  }
`;

export const CREATE_ITEM_MUTATION = /* GraphQL */ `
  mutation CreateItem($input: CreateItemInput!) {
    createItem(input: $input) {
      id
      version
    }
  }
`;

export const UPDATE_ITEM_MUTATION = /* GraphQL */ `
  mutation UpdateItem($id: ID!, $input: UpdateItemInput!) {
    updateItem(id: $id, input: $input) {
      id
      version
    }
  }
`;

export const DELETE_ITEM_MUTATION = /* GraphQL */ `
  mutation DeleteItem($id: ID!) {
    deleteItem(id: $id)
  }
`;
