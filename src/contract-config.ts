import path from 'node:path';

/**
 * The one place that names the pacticipants and where their pacts live.
 * Pact Broker names are case-sensitive: the provider's own build must verify pacts for exactly `PROVIDER`.
 */
export const PROVIDER = 'aggregator';

export const CONSUMERS = {
  countryDirectory: 'consumer_a',
  perCapitaRanking: 'consumer_b',
} as const;

export type ConsumerName = (typeof CONSUMERS)[keyof typeof CONSUMERS];

export const ALL_CONSUMERS: readonly ConsumerName[] = Object.values(CONSUMERS);

/** Where the specs write pacts and `publish:pact` reads them; `PACT_DIR` moves it (tests use a temp folder). */
export const PACTS_DIR = process.env.PACT_DIR ? path.resolve(process.env.PACT_DIR) : path.resolve(__dirname, '..', 'pacts');

/** PactV4 names the file `<consumer>-<provider>.json` from the names exactly as given. */
export function pactFileName(consumer: string, provider: string = PROVIDER): string {
  return `${consumer}-${provider}.json`;
}

export function pactFilePath(consumer: ConsumerName, dir: string = PACTS_DIR): string {
  return path.join(dir, pactFileName(consumer));
}
