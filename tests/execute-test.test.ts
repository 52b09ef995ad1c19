import * as v4Http from '@pact-foundation/pact/src/v4/http';
import { pactsWithFailures, recordingFailures, settlingMatches } from './support/execute-test';

// What support/execute-test.ts adds to pact-js's executeTest, against a fake
// pact-js: the real race needs a loaded machine to show, so the fake makes it happen every time.

type ExecuteTest = typeof v4Http.executeTest;
type ConsumerPact = Parameters<ExecuteTest>[0];

/** A mock server that records its match `delayMs` after answering, as the real one may under load. */
function lateRecordingPact(delayMs: number | 'never') {
  let answeredAt: number | undefined;
  const pact = {
    mockServerMatchedSuccessfully: () => delayMs !== 'never' && answeredAt !== undefined && Date.now() - answeredAt >= delayMs,
  } as unknown as ConsumerPact;
  return { pact, answer: () => (answeredAt = Date.now()) };
}

/** pact-js's executeTest, reduced to what matters: run the test, then read the server's verdict at once. */
const checkImmediately =
  (verdicts: boolean[]): ExecuteTest =>
  async (pact, _opts, testFn) => {
    const result = await testFn({ port: 1234, url: 'http://127.0.0.1:1234', id: 'fake' });
    verdicts.push(pact.mockServerMatchedSuccessfully(1234));
    return result;
  };

const opts = { consumer: 'consumer_a', provider: 'aggregator' };

describe('settlingMatches', () => {
  it('without it, the verdict is read before the late match is recorded (the race)', async () => {
    const { pact, answer } = lateRecordingPact(30);
    const verdicts: boolean[] = [];

    await checkImmediately(verdicts)(pact, opts, () => Promise.resolve(answer()), () => undefined);

    expect(verdicts).toEqual([false]);
  });

  it('lets the test return only once the match is recorded', async () => {
    const { pact, answer } = lateRecordingPact(30);
    const verdicts: boolean[] = [];

    const result = await settlingMatches(checkImmediately(verdicts))(pact, opts, () => Promise.resolve(answer()), () => undefined);

    expect(verdicts).toEqual([true]);
    expect(typeof result).toBe('number');
  });

  it('still lets a genuine mismatch through after the wait, unchanged', async () => {
    const { pact, answer } = lateRecordingPact('never');
    const verdicts: boolean[] = [];
    const started = Date.now();

    await settlingMatches(checkImmediately(verdicts), 50)(pact, opts, () => Promise.resolve(answer()), () => undefined);

    expect(verdicts).toEqual([false]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

});

describe('recordingFailures', () => {
  it('marks the pact file of a failed interaction, and passes the failure on', async () => {
    const failing: ExecuteTest = () => Promise.reject(new Error('Mock server failed'));
    const { pact } = lateRecordingPact(0);

    await expect(recordingFailures(failing)(pact, { ...opts, dir: '/tmp/somewhere' }, () => Promise.resolve(1), () => undefined)).rejects.toThrow('Mock server failed');

    expect(pactsWithFailures).toContain('/tmp/somewhere/consumer_a-aggregator.json');
  });

  it('leaves the pact of a passing interaction alone', async () => {
    const passing: ExecuteTest = (_pact, _opts, testFn) => testFn({ port: 1, url: 'http://127.0.0.1:1', id: 'fake' });
    const { pact } = lateRecordingPact(0);

    await recordingFailures(passing)(pact, { ...opts, consumer: 'consumer_b', dir: '/tmp/elsewhere' }, () => Promise.resolve(1), () => undefined);

    expect(pactsWithFailures).not.toContain('/tmp/elsewhere/consumer_b-aggregator.json');
  });
});

it('is applied to the executeTest that pact-js interactions call', async () => {
  await import('./support/pact');

  expect(Object.getOwnPropertySymbols(v4Http).map(String)).toContain('Symbol(aggregator-contracts.executeTest)');
});
