/**
 * Starts a throwaway broker and prints `READY <pid> <url>`, then stays alive until killed: the e2e test
 * kills this process with SIGKILL to check the broker does not outlive its launcher.
 */
import { startRealBroker } from './real-broker';

void startRealBroker().then((broker) => {
  console.log(`READY ${broker.pid} ${broker.url}`);
  setInterval(() => undefined, 60_000);
});
