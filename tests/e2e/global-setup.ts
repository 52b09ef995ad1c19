import { ensureBrokerBundle } from '../../broker/server';

/** Jest globalSetup of the e2e suite: the broker's gems, installed once before the tests (no test timeout applies here). */
export default async function installBrokerGems(): Promise<void> {
  await ensureBrokerBundle(process.env, (line) => console.log(line));
}
