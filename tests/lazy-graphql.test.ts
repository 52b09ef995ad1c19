import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { MatchersV3, PactV4 } from './support/pact-js';

// jest.config.js maps `graphql` to jest/lazy-graphql.js and `lodash` to jest/lazy-lodash.js, which load the real
// package on first use. pact-js requires both at load for GraphQL interactions only; these tests hold the
// stand-ins to two promises: a plain HTTP contract loads neither, and GraphQL interactions (and each package's
// API) work through them. The tests run in order: the first ones need the real modules not to have been touched.

// Not `import * as graphql`: its interop helper lists the module's exports, which loads it at import.
// requireActual bypasses mocks, not moduleNameMapper: this is the module pact-js gets for `graphql`.
const graphql = jest.requireActual<typeof import('graphql')>('graphql');
const LOADED = Symbol.for('aggregator-contracts.lazy-graphql.loaded');
const isLoaded = () => (graphql as unknown as Record<symbol, boolean>)[LOADED];
const lodash = jest.requireActual<Record<PropertyKey, unknown>>('lodash');
const isLodashLoaded = () => lodash[Symbol.for('aggregator-contracts.lazy-lodash.loaded')];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lazy-graphql-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const contract = () => new PactV4({ consumer: 'lazy_graphql_check', provider: 'aggregator', dir, logLevel: 'error' });

describe('graphql and lodash through their lazy stand-ins', () => {
  it('are what `graphql` and `lodash` resolve to in our specs', () => {
    expect(require.resolve('graphql')).toBe(path.resolve(__dirname, '../jest/lazy-graphql.js'));
    expect(require.resolve('lodash')).toBe(path.resolve(__dirname, '../jest/lazy-lodash.js'));
  });

  it('are not loaded by a plain HTTP contract', async () => {
    await contract()
      .addInteraction()
      .uponReceiving('a plain request')
      .withRequest('GET', '/countries')
      .willRespondWith(200, (response) => response.jsonBody(MatchersV3.eachLike({ code: 'IND' }, 1)))
      .executeTest(async (server) => {
        expect((await fetch(`${server.url}/countries`)).status).toBe(200);
      });

    expect(isLoaded()).toBe(false);
    expect(isLodashLoaded()).toBe(false);
  });

  it('serve a GraphQL interaction, and are loaded by it', async () => {
    const query = 'query CountryQuery {\n  country(code: "IND") {\n    name\n  }\n}';
    await contract()
      .addGraphQLInteraction()
      .uponReceiving('a GraphQL query for a country')
      .withOperation('CountryQuery')
      .withVariables({})
      .withRequest('POST', '/graphql')
      .withQuery(query)
      .willRespondWith(200, (response) => response.jsonBody({ data: { country: { name: 'India' } } }))
      .executeTest(async (server) => {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ operationName: 'CountryQuery', query, variables: {} }),
        });
        expect(await response.json()).toEqual({ data: { country: { name: 'India' } } });
      });

    expect(isLoaded()).toBe(true);
    expect(isLodashLoaded()).toBe(true);
  });

  it('lets pact-js print a parsed query and refuse an invalid one', () => {
    const interaction = () => contract().addGraphQLInteraction().uponReceiving('q').withOperation('Q').withRequest('POST', '/graphql');
    expect(() => interaction().withQuery(graphql.parse('query Q { country { name } }'))).not.toThrow();
    expect(() => interaction().withQuery('query Q { country { name ')).toThrow(/GraphQL query is invalid: Syntax Error/i);
  });

  it("is graphql's own API", () => {
    // By a path the mapping does not match: the real package.
    const real = jest.requireActual<typeof graphql>('graphql/index.js');
    expect(Object.keys(graphql).sort()).toEqual(Object.keys(real).sort());
    expect(graphql.parse).toBe(real.parse);
    expect(graphql.print(graphql.parse('{ a }'))).toBe('{\n  a\n}');
    expect('Kind' in graphql).toBe(true);
  });

  it("is lodash's own API", () => {
    const real = jest.requireActual<Record<string, unknown>>('lodash/lodash.js');
    expect(Object.keys(lodash).sort()).toEqual(Object.keys(real).sort());
    expect(lodash.isUndefined).toBe(real.isUndefined);
    expect(Reflect.set(lodash, 'isUndefined', () => false)).toBe(false);
  });

  // A frozen stand-in could not report the real module's keys any more: freezing is refused instead.
  it('refuses to be frozen, and goes on listing lodash\'s keys', () => {
    expect(Reflect.preventExtensions(lodash)).toBe(false);
    expect(Object.keys(lodash)).toContain('isUndefined');
  });
});
