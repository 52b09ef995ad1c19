import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { BrokerConfig } from './broker-config';
import { brokerRequest } from './broker-http';
import { prepareBrokerStep, type BrokerStep, type PactFile } from './broker-step';
import type { ConsumerVersion } from './consumer-version';
import { ConfigError } from './errors';
import { cliJson, describeCliFailure, describeFailure, refuseCredentialsIn, runPactCli, screened, type CliRun } from './pact-cli';
import { sha256Of } from './provenance';
import { checkCliValue, cliOption, count, dryRunRequested, parseFlags } from './script';

export const PUBLISH_USAGE = 'npm run publish:pact [-- --dry-run] [--tag <tag>]...';

export type CliRunner = (args: string[], config: BrokerConfig, deadline: number) => Promise<CliRun>;

export interface StepDeps {
  log: (line: string) => void;
  error: (line: string) => void;
  /** The pact CLI (tests hand in a recorder). */
  run?: CliRunner;
}

/** `--tag` values: one word each, since the CLI takes a comma-separated list. */
export function checkTags(tags: string[]): string[] {
  for (const tag of tags) {
    checkCliValue(tag, { name: '--tag', showValue: true });
    if (!/^[^,\s]+$/.test(tag)) throw new ConfigError(`--tag ${JSON.stringify(tag)} is not a usable tag: give one word per --tag, without commas or spaces.`);
  }
  return tags;
}

/** The CLI's arguments for one pact file; every value was checked, each passed as `--name=value`. */
export function publishArgs(file: string, brokerUrl: string, version: ConsumerVersion, tags: string[]): string[] {
  return [
    'broker', 'publish', file,
    cliOption('broker-base-url', brokerUrl),
    cliOption('consumer-app-version', version.number),
    ...(version.branch ? [cliOption('branch', version.branch)] : []),
    ...(tags.length > 0 ? [cliOption('tag', tags.join(','))] : []),
    ...(version.buildUrl ? [cliOption('build-url', version.buildUrl)] : []),
    cliOption('output', 'json'),
  ];
}

type PactContent = { consumer?: { name?: string }; provider?: { name?: string }; interactions?: unknown[]; messages?: unknown[] };

/** Whether `held` has everything of `sent`: the CLI re-serialises the pact and adds its model's defaults, and the broker adds ids. */
function covers(held: unknown, sent: unknown): boolean {
  if (Array.isArray(sent)) return Array.isArray(held) && held.length === sent.length && sent.every((item, index) => covers(held[index], item));
  if (typeof sent === 'object' && sent !== null) return typeof held === 'object' && held !== null && Object.entries(sent).every(([key, value]) => covers((held as Record<string, unknown>)[key], value));
  return isDeepStrictEqual(held, sent);
}

/**
 * The broker's evidence that it holds `sent` for this version: its copy of the pact, read back, has the same
 * names and interactions. Undefined when it does; otherwise what was missing.
 */
async function missingEvidence(pact: PactFile, sent: Buffer, version: string, broker: BrokerConfig, deadline: number): Promise<string | undefined> {
  const where = `/pacts/provider/${encodeURIComponent(pact.provider)}/consumer/${encodeURIComponent(pact.consumer)}/version/${encodeURIComponent(version)}`;
  const answer = await brokerRequest(broker, 'GET', where, deadline);
  if (!('status' in answer) || answer.status !== 200) return `reading it back failed: ${describeFailure(answer, broker, 'publish', deadline)}`;
  const held = (answer.body ?? {}) as PactContent;
  const wanted = JSON.parse(sent.toString('utf8')) as PactContent;
  const same = held.consumer?.name === pact.consumer && held.provider?.name === pact.provider && covers(held.interactions ?? [], wanted.interactions ?? []) && covers(held.messages ?? [], wanted.messages ?? []);
  return same ? undefined : `its answer at ${where} is not the pact that was sent (${count((held.interactions ?? []).length, 'interaction')} there, ${count(pact.interactions, 'interaction')} sent)`;
}

/** The broker's own notices in the CLI's JSON answer (success, warnings), screened. */
function notices(run: CliRun, broker: BrokerConfig): string[] {
  const answer = cliJson(run) as { notices?: { type?: string; text?: string }[] } | undefined;
  return (answer?.notices ?? []).filter((notice) => /^(success|warning|info)$/.test(notice.type ?? '')).flatMap((notice) => screened(String(notice.text).replace(/\s+/g, ' ').trim(), broker) ?? []);
}

/**
 * Publishes each pact in turn under one deadline, each from a private copy of the bytes the provenance check
 * vouched for; a pact counts as published only when the broker's copy, read back, matches. Stops at the first failure.
 */
export async function publishPacts(step: BrokerStep, tags: string[], dryRun: boolean, deps: StepDeps): Promise<number> {
  const { broker, version } = step;
  const pacts = step.consumers.map(({ pact }) => pact);
  const branchName = version.branchSource === 'git' ? 'the git branch' : (version.branchSource ?? 'the branch');
  refuseCredentialsIn([{ name: branchName, value: version.branch }, { name: 'the build URL', value: version.buildUrl }, ...tags.map((tag) => ({ name: '--tag', value: tag }))], broker);
  const details = [`from ${version.numberSource}`, version.branch ? `branch ${version.branch}` : 'no branch (set GIT_BRANCH)', ...(tags.length > 0 ? [`tags ${tags.join(', ')}`] : [])];
  deps.log(`Publishing ${count(pacts.length, 'pact')} to ${broker.baseUrl} as consumer version ${version.number} (${details.join(', ')})`);
  if (version.buildUrl) deps.log(`  build ${version.buildUrl}`);
  if (dryRun) {
    for (const pact of pacts) deps.log(`  would publish ${pact.consumer} → ${pact.provider} (${count(pact.interactions, 'interaction')}): pact ${publishArgs(path.basename(pact.path), broker.baseUrl, version, tags).join(' ')}`);
    deps.log('Dry run: nothing was sent to the broker.');
    return 0;
  }
  const deadline = Date.now() + broker.timeoutSeconds * 1000;
  const run = deps.run ?? runPactCli;
  // The CLI reads its file later, maybe while a contract run rewrites the pact: it gets a private copy, checked again.
  const privateDir = mkdtempSync(path.join(os.tmpdir(), 'publish-pact-'));
  try {
    for (const [index, pact] of pacts.entries()) {
      const copy = path.join(privateDir, path.basename(pact.path));
      writeFileSync(copy, pact.content, { mode: 0o600 });
      const sent = readFileSync(copy);
      if (sha256Of(sent) !== sha256Of(pact.content)) throw new Error(`the private copy of ${path.basename(pact.path)} changed as it was written`);
      const result = await run(publishArgs(copy, broker.baseUrl, version, tags), broker, deadline);
      const failure =
        result.code !== 0 || result.timedOut
          ? await describeCliFailure(result, broker, 'publish', deadline)
          : await missingEvidence(pact, sent, version.number, broker, deadline).then((missing) => missing && `the pact CLI exited 0, but the broker shows no such pact: ${missing}. Not counted as published.`);
      if (failure) {
        deps.log(`  ✗ ${pact.consumer} → ${pact.provider}: ${failure}`);
        const unsent = pacts.slice(index + 1).map((rest) => `${rest.consumer} → ${rest.provider}`);
        if (unsent.length > 0) deps.log(`  not sent: ${unsent.join(', ')}`);
        deps.error(`✗ Publishing failed: ${index} of ${count(pacts.length, 'pact')} published.`);
        return 1;
      }
      deps.log(`  ✓ ${pact.consumer} → ${pact.provider} (${count(pact.interactions, 'interaction')}, read back from the broker)`);
      for (const line of notices(result, broker)) deps.log(`      ${line}`);
    }
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
  deps.log(`Published ${pacts.length} of ${count(pacts.length, 'pact')} as ${version.number}.`);
  return 0;
}

/** `npm run publish:pact <argv>` in the project folder `root`: the script's whole body, so tests run exactly it. */
export async function publishMain(argv: string[], root: string, processEnv: NodeJS.ProcessEnv, deps: StepDeps): Promise<number> {
  const flags = parseFlags(argv, { 'dry-run': { type: 'boolean' }, tag: { type: 'string', multiple: true } }, PUBLISH_USAGE, processEnv);
  const tags = checkTags(flags.tag ?? []);
  const dryRun = dryRunRequested(flags['dry-run'], processEnv);
  // Everything is checked before the first request: bad input publishes nothing.
  return publishPacts(prepareBrokerStep(root, processEnv, { dryRun, notify: deps.error }), tags, dryRun, deps);
}
