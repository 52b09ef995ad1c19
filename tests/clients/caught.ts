/**
 * What `act` throws, to assert on with toBeInstanceOf and toMatchObject; the test fails if nothing is thrown.
 * Not Jest's toThrow: it reads the error's stack, which Jest maps through our TypeScript's source maps
 * (~0.7 ms an assertion, a refusal being most of what our unit tests assert).
 */
export function caughtFrom(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but nothing was thrown');
}
