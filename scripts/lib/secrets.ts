import type { BrokerConfig } from './broker-config';
import { ConfigError } from './script';

/**
 * Where a credential could show only if it leaked: the Basic value, `user:password`, and a password or token of 8+
 * characters that is not a plain word (masking every "pact" would reveal more than it hides).
 */
export function distinctiveSecrets({ auth }: BrokerConfig): string[] {
  if (!auth) return [];
  const candidates =
    auth.kind === 'basic'
      ? [
          Buffer.from(`${auth.username}:${auth.password}`).toString('base64'),
          `${auth.username}:${auth.password}`,
          auth.password,
        ]
      : [auth.token];
  return candidates
    .filter((secret) => secret.length >= 8 && !/^[A-Za-z]+$/.test(secret))
    .flatMap((secret) => [secret, encodeURIComponent(secret)]);
}

/** A line fit to print, or undefined when it holds a credential (withheld whole, never partly masked). */
export const screened = (line: string, config: BrokerConfig) =>
  distinctiveSecrets(config).some((secret) => line.includes(secret)) ? undefined : line;
export const WITHHELD = '(withheld: it contained a broker credential)';

/** Refuses a value bound for the command line and the broker that holds a credential; names the variables, never the value. */
export function refuseCredentialsIn(values: { name: string; value: string | undefined }[], config: BrokerConfig): void {
  const variable = config.auth?.kind === 'basic' ? config.auth.passwordVariable : config.auth?.tokenVariable;
  for (const { name, value } of values) {
    if (value !== undefined && screened(value, config) === undefined) {
      throw new ConfigError(
        `${name} holds the value of ${variable}: it would go on the pact CLI's command line and into the broker. Give ${name} the name it should have.`,
      );
    }
  }
}
