import * as pactRoot from '@pact-foundation/pact';
import { MatchersV3, PACT_JS_DEEP_PATHS, PactV4 } from './support/pact-js';

// support/pact-js.ts imports pact-js from deep paths to keep the verifier out of every spec file. Nothing in
// pact-js promises those paths, so this test is the alarm for an upgrade that moves them.

const MOVED = 'pact-js moved an internal module that tests/support/pact-js.ts imports';

describe('the pact-js deep imports', () => {
  it.each(PACT_JS_DEEP_PATHS)('%s still resolves', (deepPath) => {
    expect(() => require.resolve(deepPath)).not.toThrow();
  });

  it('give the same PactV4 class as the package root', () => {
    if (PactV4 !== pactRoot.PactV4) throw new Error(`${MOVED}: PactV4 is not the root's PactV4 any more.`);
    expect(PactV4).toBe(pactRoot.PactV4);
  });

  it('give the same matchers as the package root', () => {
    const ours = Object.keys(MatchersV3).sort();
    const root = Object.keys(pactRoot.MatchersV3).sort();
    if (ours.join() !== root.join()) throw new Error(`${MOVED}: its V3 matchers differ from the root's MatchersV3.`);
    expect(MatchersV3.regex).toBe(pactRoot.MatchersV3.regex);
  });
});
