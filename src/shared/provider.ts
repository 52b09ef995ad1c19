/**
 * The aggregator's name in every pact and in the Pact Broker. Broker names are case-sensitive: the
 * provider's own build must verify pacts for exactly this name (README: "The contracts").
 */
export const PROVIDER = 'aggregator';
