/**
 * The one module that imports pact-js for the consumer specs, and from two deep paths rather than the
 * package root. The root also loads the provider verifier, message pacts and their dependencies (express,
 * http-proxy, …): measured on Node 24, requiring the root takes ~450 ms against ~260 ms for these two, and
 * every contract spec file pays it. pact-js has no `exports` map, so deep paths are not a public contract:
 * tests/pact-js-paths.test.ts fails with a clear message if an upgrade moves them. When pact-js offers a
 * light entry point (or an `exports` map), import from it here and delete that test.
 */
export { PactV4 } from '@pact-foundation/pact/src/v4';
export * as MatchersV3 from '@pact-foundation/pact/src/v3/matchers';
export type { Matcher } from '@pact-foundation/pact/src/v3/types';

/** The deep paths above, for the test that guards them. */
export const PACT_JS_DEEP_PATHS = ['@pact-foundation/pact/src/v4', '@pact-foundation/pact/src/v3/matchers'] as const;
