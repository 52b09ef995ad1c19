/**
 * npm run webhook:provider [-- --dry-run]
 * Creates or updates, per consumer, the broker webhook that calls PROVIDER_WEBHOOK_URL when a changed pact needs the
 * provider to verify it (contract_requiring_verification_published), with the pact's URL and the provider version.
 */
import { providerWebhookMain } from './lib/provider-webhook';
import { consoleOutput, runScript } from './lib/script';

runScript((argv) => providerWebhookMain(argv, process.cwd(), process.env, consoleOutput));
