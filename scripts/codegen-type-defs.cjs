// GraphQL Code Generator plugin: emits the merged SDL of schema/*.graphql as a TypeScript
// string, so the server and the esbuild bundle carry the schema without reading files at run time.
const { printSchemaWithDirectives } = require('@graphql-tools/utils');

module.exports = {
  plugin(schema) {
    return `export const typeDefs = ${JSON.stringify(printSchemaWithDirectives(schema))};\n`;
  },
};
