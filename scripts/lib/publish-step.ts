import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BROKER_VARIABLES, type BrokerConfig } from './broker-config';
import { brokerRequest, explainBrokerAnswer } from './broker-http';
import { prepareBrokerStep, screenedContext, type BrokerStep, type StepContext } from './broker-step';
import { mainBranchPlan, recordMainBranch } from './branches';
import { onInterrupt } from './child-process';
import type { ConsumerVersion } from './consumer-version';
import { cliJson, explainCliRun, runPactCli } from './pact-cli';
import type { PactFile } from './pact-files';
import { refuseCredentialsIn, screened } from './secrets';
import { checkCliValue, cliOptions, ConfigError, count, dryRunRequested, EXIT, parseFlags } from './script';

/** `--tag` values: one word each, since the CLI takes a comma-separated list. */
export function checkTags(tags: string[]): string[] {
  for (const tag of tags) {
    checkCliValue(tag, { name: '--tag', showValue: true });
    if (!/^[^,\s]+$/.test(tag))
      throw new ConfigError(
        `--tag ${JSON.stringify(tag)} is not a usable tag: give one word per --tag, without commas or spaces.`,
      );
  }
  return tags;
}

export function publishArgs(file: string, brokerUrl: string, version: ConsumerVersion, tags: string[]): string[] {
  const options = {
    'broker-base-url': brokerUrl,
    'consumer-app-version': version.number,
    branch: version.branch,
    tag: tags.join(','),
  };
  return ['broker', 'publish', file, ...cliOptions({ ...options, 'build-url': version.buildUrl, output: 'json' })];
}

type PactContent = {
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: unknown[];
  messages?: unknown[];
};

/** Whether `held` has everything of `sent`: the CLI re-serialises the pact and adds its model's defaults, and the broker adds ids. */
function covers(held: unknown, sent: unknown): boolean {
  if (Array.isArray(sent))
    return Array.isArray(held) && held.length === sent.length && sent.every((item, index) => covers(held[index], item));
  if (typeof sent !== 'object' || sent === null) return isDeepStrictEqual(held, sent);
  return (
    typeof held === 'object' &&
    held !== null &&
    Object.entries(sent).every(([key, value]) => covers((held as Record<string, unknown>)[key], value))
  );
}

type Link = { name?: unknown; href?: unknown };
type VersionResource = {
  number?: unknown;
  _embedded?: { branchVersions?: { name?: unknown }[]; tags?: { name?: unknown }[] };
  _links?: { 'pb:pacticipant'?: Link };
};

/**
 * The broker's evidence that it holds `pact` for this version: its copy, read back from the version's own URL, has the
 * same names and interactions and says it is this version's; the version, read back, has the branch and tags sent.
 */
async function missingEvidence(
  pact: PactFile,
  version: ConsumerVersion,
  tags: string[],
  broker: BrokerConfig,
  deadline: number,
): Promise<string | undefined> {
  const consumer = encodeURIComponent(pact.consumer);
  const where = `/pacts/provider/${encodeURIComponent(pact.provider)}/consumer/${consumer}/version/${encodeURIComponent(version.number)}`;
  const answer = await brokerRequest(broker, 'GET', where, deadline);
  if (!('status' in answer) || answer.status !== 200)
    return `reading it back failed: ${explainBrokerAnswer(answer, broker, 'publish', deadline)}`;
  const held = (answer.body ?? {}) as PactContent & { _links?: { 'pb:consumer-version'?: Link } };
  const sent = JSON.parse(pact.content.toString('utf8')) as PactContent;
  const same =
    held.consumer?.name === pact.consumer &&
    held.provider?.name === pact.provider &&
    covers(held.interactions ?? [], sent.interactions ?? []) &&
    covers(held.messages ?? [], sent.messages ?? []);
  if (!same)
    return `its answer at ${where} is not the pact that was sent (${count((held.interactions ?? []).length, 'interaction')} there, ${count(pact.interactions, 'interaction')} sent)`;
  const heldVersion = held._links?.['pb:consumer-version']?.name;
  if (heldVersion !== version.number)
    return `its answer at ${where} is the pact of ${typeof heldVersion === 'string' ? `version ${heldVersion}` : 'no version it names'}, not of ${version.number}`;
  const versionPath = `/pacticipants/${consumer}/versions/${encodeURIComponent(version.number)}`;
  const read = await brokerRequest(broker, 'GET', versionPath, deadline);
  if (!('status' in read) || read.status !== 200)
    return `reading the version back failed: ${explainBrokerAnswer(read, broker, 'publish', deadline)}`;
  const held2 = (read.body ?? {}) as VersionResource;
  const names = (list: { name?: unknown }[] | undefined) => (Array.isArray(list) ? list.map((each) => each.name) : []);
  const missing = [
    held2.number !== version.number && `the version number (${String(held2.number)})`,
    held2._links?.['pb:pacticipant']?.name !== pact.consumer && 'the pacticipant',
    version.branch !== undefined &&
      !names(held2._embedded?.branchVersions).includes(version.branch) &&
      `the branch ${version.branch}`,
    ...tags.map((tag) => !names(held2._embedded?.tags).includes(tag) && `the tag ${tag}`),
  ].filter((each): each is string => typeof each === 'string');
  return missing.length > 0 ? `its version at ${versionPath} lacks ${missing.join(', ')}` : undefined;
}

/** Publishes each pact in turn under one deadline, until the first failure; a pact counts only when the broker's copy matches. */
export async function publishStep(
  step: BrokerStep,
  tags: string[],
  dryRun: boolean,
  context: StepContext,
): Promise<number> {
  const { broker, version } = step;
  const deps = screenedContext(context, broker);
  const pacts = step.consumers.map(({ pact }) => pact);
  const branchName = version.branchSource === 'git' ? 'the git branch' : (version.branchSource ?? 'the branch');
  refuseCredentialsIn(
    [
      { name: branchName, value: version.branch },
      { name: 'the build URL', value: version.buildUrl },
      ...tags.map((tag) => ({ name: '--tag', value: tag })),
      // The CLI's command line also carries the broker's URL and each pact's file name (its consumer and provider).
      { name: BROKER_VARIABLES.url[0], value: broker.baseUrl },
      ...pacts.map((pact) => ({ name: "a pact's consumer or provider name", value: path.basename(pact.path) })),
    ],
    broker,
  );
  const details = [
    `from ${version.numberSource}`,
    version.branch ? `branch ${version.branch}` : 'no branch (set GIT_BRANCH)',
    ...(tags.length > 0 ? [`tags ${tags.join(', ')}`] : []),
  ];
  deps.log(
    `Publishing ${count(pacts.length, 'pact')} to ${broker.baseUrl} as consumer version ${version.number} (${details.join(', ')})`,
  );
  if (version.buildUrl) deps.log(`  build ${version.buildUrl}`);
  const plan = mainBranchPlan(step); // checked before anything is sent
  if (dryRun) {
    for (const pact of pacts)
      deps.log(
        `  would publish ${pact.consumer} → ${pact.provider} (${count(pact.interactions, 'interaction')}): pact ${publishArgs(path.basename(pact.path), broker.baseUrl, version, tags).join(' ')}`,
      );
    if (plan) deps.log(plan);
    deps.log('Dry run: nothing was sent to the broker.');
    const [refusal] = step.refusals;
    if (refusal === undefined) return EXIT.ok;
    deps.error(`✗ A real run would be refused: ${refusal}`);
    return EXIT.badInput;
  }
  const deadline = Date.now() + broker.timeoutSeconds * 1000;
  // The CLI reads its file later, maybe while a contract run rewrites the pact: it gets a private copy, removed
  // however the step ends (a signal included).
  const privateDir = mkdtempSync(path.join(os.tmpdir(), 'publish-pact-'));
  const removeCopy = () => rmSync(privateDir, { recursive: true, force: true });
  const release = onInterrupt(removeCopy);
  try {
    for (const [index, pact] of pacts.entries()) {
      const copy = path.join(privateDir, path.basename(pact.path));
      writeFileSync(copy, pact.content, { mode: 0o600 });
      const result = await (deps.run ?? runPactCli)(publishArgs(copy, broker.baseUrl, version, tags), broker, deadline);
      const failure =
        result.code !== 0 || result.timedOut
          ? await explainCliRun(result, broker, 'publish', deadline)
          : await missingEvidence(pact, version, tags, broker, deadline).then(
              (missing) =>
                missing &&
                `the pact CLI exited 0, but the broker shows no such pact: ${missing}. Not counted as published.`,
            );
      if (failure) {
        deps.log(`  ✗ ${pact.consumer} → ${pact.provider}: ${failure}`);
        const unsent = pacts.slice(index + 1).map((rest) => `${rest.consumer} → ${rest.provider}`);
        if (unsent.length > 0) deps.log(`  not sent: ${unsent.join(', ')}`);
        deps.error(`✗ Publishing failed: ${index} of ${count(pacts.length, 'pact')} published.`);
        return 1;
      }
      deps.log(
        `  ✓ ${pact.consumer} → ${pact.provider} (${count(pact.interactions, 'interaction')}, read back from the broker)`,
      );
      // The broker's own notices in the CLI's JSON answer (success, warnings).
      const notices = (cliJson(result) as { notices?: { type?: string; text?: string }[] } | undefined)?.notices ?? [];
      for (const notice of notices.filter(({ type }) => /^(success|warning|info)$/.test(type ?? ''))) {
        const line = screened(String(notice.text).replace(/\s+/g, ' ').trim(), broker);
        if (line) deps.log(`      ${line}`);
      }
    }
  } finally {
    removeCopy();
    release();
  }
  // From the main branch, the broker also learns which branch that is (branches.ts).
  if (!(await recordMainBranch(step, deadline, deps))) return 1;
  deps.log(`Published ${pacts.length} of ${count(pacts.length, 'pact')} as ${version.number}.`);
  return 0;
}

const USAGE = 'npm run publish:pact [-- --dry-run] [--tag <tag>]...';

/** `npm run publish:pact <argv>` in the project folder `root`: the script's whole body, so tests run exactly it. */
export async function publishMain(
  argv: string[],
  root: string,
  processEnv: NodeJS.ProcessEnv,
  deps: StepContext,
): Promise<number> {
  const flags = parseFlags(
    argv,
    { 'dry-run': { type: 'boolean' }, tag: { type: 'string', multiple: true } },
    USAGE,
    processEnv,
  );
  const tags = checkTags(flags.tag ?? []);
  const dryRun = dryRunRequested(flags['dry-run'], processEnv);
  // Everything is checked before the first request: bad input publishes nothing.
  return publishStep(
    prepareBrokerStep(root, processEnv, { dryRun, notify: deps.error, publishes: 'publish:pact' }),
    tags,
    dryRun,
    deps,
  );
}
