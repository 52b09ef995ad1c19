import { PACTS_DIR, readBrokerConfig, type BrokerConfig } from '../../src/contract-config';
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
