/** consumer-a's name in its pact and in the Pact Broker: the one place it is declared. */
export const PACTICIPANT = 'consumer_a';
