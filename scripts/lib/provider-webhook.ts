import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { readBrokerConfig, readSetting, type BrokerConfig } from './broker-config';
import { brokerRequest, explainBrokerAnswer } from './broker-http';
import { screenedContext, type StepContext } from './broker-step';
import { projectConsumers } from './project';
import { PROVIDER } from '../../src/shared/provider';
import { refuseCredentialsIn, WITHHELD } from './secrets';
import { checkCliValue, ConfigError, count, dryRunRequested, loadEnv, parseFlags, type Env } from './script';

// The provider hears about a changed contract: a broker webhook per consumer, on the event that asks a provider
// build to verify a pact no deployed or main-branch provider version has verified yet. It calls a URL of the
// provider team's choosing (their CI) with the pact's URL and the provider version to verify.

export const WEBHOOK_EVENT = 'contract_requiring_verification_published';
export const WEBHOOK_VARIABLES = { url: ['PROVIDER_WEBHOOK_URL'], token: ['PROVIDER_WEBHOOK_TOKEN'] } as const;

const USAGE = 'npm run webhook:provider [-- --dry-run]';
const q = encodeURIComponent;

/** The webhook's own id: the same consumer and provider always get the same webhook, so running again updates it. */
export const webhookUuid = (consumer: string, provider: string) =>
  `contract-changed-${createHash('sha256').update(`${consumer}\n${provider}`).digest('hex').slice(0, 24)}`;

/**
 * The body the broker sends: GitHub's repository_dispatch shape (event_type, client_payload), which any other CI
 * can read as plain JSON. The broker fills in the ${pactbroker.*} variables when it fires.
 */
export const webhookBody = () => ({
  event_type: WEBHOOK_EVENT,
  client_payload: {
    pact_url: '${pactbroker.pactUrl}',
    provider_version: '${pactbroker.providerVersionNumber}',
    provider_version_branch: '${pactbroker.providerVersionBranch}',
    consumer: '${pactbroker.consumerName}',
    consumer_version: '${pactbroker.consumerVersionNumber}',
    consumer_version_branch: '${pactbroker.consumerVersionBranch}',
  },
});

interface Target {
  url: string;
  /** Origin and path only: a query may carry a CI's trigger token. */
  shown: string;
  token?: string;
}

/** PROVIDER_WEBHOOK_URL (https; http only to this machine) and the optional PROVIDER_WEBHOOK_TOKEN, checked. */
function readTarget(env: Env): Target {
  const setting = readSetting(env, WEBHOOK_VARIABLES.url);
  if (!setting)
    throw new ConfigError(
      `PROVIDER_WEBHOOK_URL is not set: set it to the URL the broker should call when a changed pact needs verifying, e.g. https://api.github.com/repos/<owner>/<provider-repo>/dispatches (docs/branches-and-webhooks.md).`,
    );
  checkCliValue(setting.value, { name: setting.variable, showValue: false });
  const url = URL.parse(setting.value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new ConfigError(`${setting.variable} is not an http(s) URL: give the full address the broker should call.`);
  if (url.username || url.password)
    throw new ConfigError(
      `${setting.variable} contains credentials (user:password@): put a token in PROVIDER_WEBHOOK_TOKEN instead.`,
    );
  // A token in clear text across a network is a token given away; the local broker's receivers are on loopback.
  if (url.protocol === 'http:' && url.hostname !== '127.0.0.1')
    throw new ConfigError(`${setting.variable} must be an https:// URL (http only to 127.0.0.1, for a local test).`);
  const token = readSetting(env, WEBHOOK_VARIABLES.token);
  if (token) checkCliValue(token.value, { name: token.variable, showValue: false });
  return { url: setting.value, shown: `${url.origin}${url.pathname}`, token: token?.value };
}

/** The webhook as the broker stores it for `consumer`. */
export function webhookFor(consumer: string, provider: string, target: Target) {
  return {
    description: `Verify a changed pact of ${consumer} with ${provider} (npm run webhook:provider)`,
    consumer: { name: consumer },
    provider: { name: provider },
    events: [{ name: WEBHOOK_EVENT }],
    enabled: true,
    request: {
      method: 'POST',
      url: target.url,
      headers: {
        'Content-Type': 'application/json',
        // GitHub's API asks for it; other receivers ignore it.
        Accept: 'application/vnd.github+json',
        ...(target.token && { Authorization: `Bearer ${target.token}` }),
      },
      body: webhookBody(),
    },
  };
}

type Webhook = ReturnType<typeof webhookFor>;
type HeldWebhook = Partial<Omit<Webhook, 'request'>> & { request?: Partial<Webhook['request']> };

/** Creates or updates one consumer's webhook; its line, or why it failed. */
async function upsertOne(
  broker: BrokerConfig,
  consumer: string,
  target: Target,
  deadline: number,
): Promise<{ line: string } | { failure: string }> {
  const uuid = webhookUuid(consumer, PROVIDER);
  const wanted = webhookFor(consumer, PROVIDER, target);
  const answer = await brokerRequest(broker, 'PUT', `/webhooks/${q(uuid)}`, deadline, wanted);
  if (!('status' in answer) || (answer.status !== 200 && answer.status !== 201)) {
    return { failure: `${consumer}: ${explainBrokerAnswer(answer, broker, 'webhook:provider', deadline)}` };
  }
  // The broker's evidence, read again: its webhook has our event, pacticipants, URL and body (it masks the token).
  const held = await brokerRequest(broker, 'GET', `/webhooks/${q(uuid)}`, deadline);
  const webhook = ('status' in held && held.status === 200 ? held.body : undefined) as HeldWebhook | undefined;
  const headers = Object.fromEntries(
    Object.entries(webhook?.request?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const same =
    webhook !== undefined &&
    isDeepStrictEqual(webhook.events, wanted.events) &&
    webhook.consumer?.name === consumer &&
    webhook.provider?.name === PROVIDER &&
    webhook.enabled === true &&
    webhook.request?.method === 'POST' &&
    webhook.request.url === target.url &&
    isDeepStrictEqual(webhook.request.body, wanted.request.body) &&
    (target.token === undefined) === (headers.authorization === undefined);
  if (!same)
    return {
      failure: `${consumer}: the broker answered ${answer.status}, but its webhook ${uuid}, read back, is not the one sent. Not counted.`,
    };
  return { line: `✓ ${consumer}: webhook ${uuid} ${answer.status === 201 ? 'created' : 'updated'}` };
}

/** `npm run webhook:provider <argv>` in the project folder `root`: one webhook per consumer, created or updated. */
export async function providerWebhookMain(
  argv: string[],
  root: string,
  processEnv: NodeJS.ProcessEnv,
  context: Pick<StepContext, 'log' | 'error'>,
): Promise<number> {
  const flags = parseFlags(argv, { 'dry-run': { type: 'boolean' } }, USAGE, processEnv);
  const dryRun = dryRunRequested(flags['dry-run'], processEnv);
  const env = loadEnv(processEnv, root, context.error);
  const broker = readBrokerConfig(env, { dryRun });
  const target = readTarget(env);
  // The broker's answers are quoted (a reason, a Location): a line holding a credential is withheld whole.
  const deps = screenedContext(context, broker);
  refuseCredentialsIn([{ name: 'PROVIDER_WEBHOOK_URL', value: target.url }], broker);
  const consumers = projectConsumers(root).map((consumer) => consumer.pacticipant);
  deps.log(
    `Webhook on ${broker.baseUrl} for ${count(consumers.length, 'consumer')}: on ${WEBHOOK_EVENT}, POST ${target.shown}${target.token ? ' with the bearer token in PROVIDER_WEBHOOK_TOKEN' : ''}`,
  );
  if (dryRun) {
    for (const consumer of consumers)
      deps.log(`  would create or update webhook ${webhookUuid(consumer, PROVIDER)} (${consumer})`);
    deps.log('Dry run: nothing was sent to the broker.');
    return 0;
  }
  const deadline = Date.now() + broker.timeoutSeconds * 1000;
  const results = await Promise.all(consumers.map((consumer) => upsertOne(broker, consumer, target, deadline)));
  // The broker's reasons are quoted: none may carry the token.
  const shown = (line: string) => (target.token && line.includes(target.token) ? WITHHELD : line);
  for (const result of results) deps.log(shown(`  ${'line' in result ? result.line : `✗ ${result.failure}`}`));
  const failed = results.filter((result) => 'failure' in result).length;
  if (failed > 0) {
    deps.error(`✗ The webhook could not be set for ${count(failed, 'consumer')}.`);
    return 1;
  }
  deps.log(`The broker will call ${target.shown} when a changed pact of these consumers needs verifying.`);
  return 0;
}
