import { ConfigError, PACTS_DIR, readBrokerConfig, type BrokerConfig } from '../../src/contract-config';
import { resolveConsumerVersion, type ConsumerVersion } from './consumer-version';
import { loadEnv } from './env';

/** What every broker step (publish, can-i-deploy, record-deployment) needs, checked before anything is sent. */
export interface BrokerStep {
  broker: BrokerConfig;
  version: ConsumerVersion;
}

export function prepareBrokerStep(): BrokerStep {
  const env = loadEnv();
  const broker = readBrokerConfig(env);
  return { broker, version: resolveConsumerVersion(env, PACTS_DIR) };
}

/** A required flag naming a broker environment, e.g. `--to-environment production`. */
export function environmentFlag(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value.trim() === '') throw new ConfigError(`${flag} is missing: name the environment, e.g. ${flag} production. Usage: ${usage}`);
  if (!/^[\w.-]+$/.test(value)) throw new ConfigError(`${flag} "${value}" is not an environment name: use letters, digits, ".", "_" or "-".`);
  return value;
}

/** An optional whole-number flag within [min, max]. */
export function wholeNumberFlag(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  }
  return Number(value);
}
