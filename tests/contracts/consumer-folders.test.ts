import { discoverConsumers } from '../../scripts/lib/project';

// npm test refuses, by name and in one line, any src/consumer-* folder the pipeline steps would refuse:
// a name that is not all lower case, a missing pacticipant.ts, or no contract spec (whose pact npm test
// would then never write). A consumer is its folder plus its spec; nothing else lists them.
it('every src/consumer-* folder is a consumer with its broker name and its contract spec', () => {
  const consumers = discoverConsumers();

  expect(consumers.length).toBeGreaterThan(0);
  for (const consumer of consumers) expect(consumer.spec).toBe(`tests/contracts/${consumer.folder}.pact.test.ts`);
});
