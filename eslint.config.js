// @ts-check
import js from '@eslint/js';
import graphql from '@graphql-eslint/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdk.out/',
      '.data/',
      'coverage/',
      'build/',
      'src/graphql/__generated__/',
    ],
  },
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The SDL against the conventions it names: Relay's connection and page-info shapes, a
    // description on everything, consistent naming. Field order is the authors' (no alphabetize).
    files: ['schema/**/*.graphql'],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: 'schema/*.graphql' } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      // Pages are read forwards only (`first`/`after`), as PageInfo.hasPreviousPage documents.
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
      // `itemsByIds` answers a plain list by design: a batch fetch in the order asked, not a page.
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false }],
      // Objects that are not entities (payloads, connections, edges, subscription events) have no
      // id of their own.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            types: ['AuthPayload', 'Health', 'ItemChange', 'PageInfo'],
            suffixes: ['Connection', 'Edge'],
          },
        },
      ],
      // One-line descriptions are written inline, longer ones as blocks.
      '@graphql-eslint/description-style': 'off',
      // `User.username` is a published field name that clients use.
      '@graphql-eslint/no-typename-prefix': 'off',
      '@graphql-eslint/alphabetize': 'off',
      // Every type, field and argument says what it is: the IDE's docs are the API's manual.
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
