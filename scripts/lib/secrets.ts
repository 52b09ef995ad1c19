import type { BrokerConfig } from './broker-config';
import { ConfigError } from './script';

/**
 * The shortest password or token the steps accept: every line they print and every value they send is screened for
 * the secret by value, and a shorter one would match ordinary words ("main", "pact") and withhold half the output.
 */
const MIN_SECRET_LENGTH = 8;

/** Refuses a secret too short to be kept out of the output by value; names the variable, never the value. */
export function checkSecretLength(value: string, variable: string): void {
  if (value.length < MIN_SECRET_LENGTH)
    throw new ConfigError(
      `${variable} is shorter than ${MIN_SECRET_LENGTH} characters: the steps keep it out of everything they print and send by its value, which a word that short cannot be. Give the broker user a longer password (or use a token).`,
    );
}

/** Every form in which a credential could show if it leaked: the password or token as it is and URL-encoded, `user:password` and its Basic value. */
export function secretForms({ auth }: BrokerConfig): string[] {
  if (!auth) return [];
  const secrets =
    auth.kind === 'basic'
      ? [
          auth.password,
          `${auth.username}:${auth.password}`,
          Buffer.from(`${auth.username}:${auth.password}`).toString('base64'),
        ]
      : [auth.token];
  return [...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]))].filter(Boolean);
}

/**
 * `line` as it reads with its percent-escapes decoded, also with "+" read as a space: a credential inside a URL (a
 * Location, a link) shows encoded in whatever way the URL's part encodes it, not only as encodeURIComponent does.
 */
const urlDecoded = (line: string) =>
  [line, line.replace(/\+/g, ' ')].map((text) =>
    text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
      try {
        return decodeURIComponent(escapes);
      } catch {
        return escapes;
      }
    }),
  );

/** A line fit to print, or undefined when it holds a credential in any form, whatever the credential looks like (withheld whole, never partly masked). */
export function screened(line: string, config: BrokerConfig): string | undefined {
  const texts = [line, ...urlDecoded(line)];
  return secretForms(config).some((secret) => texts.some((text) => text.includes(secret))) ? undefined : line;
}
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
