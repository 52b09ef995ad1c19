import type { BrokerConfig } from './broker-config';
import { brokerLink, brokerRequest, explainBrokerAnswer, noEnvironment } from './broker-http';
import { screenedContext, type BrokerStep, type StepContext } from './broker-step';
import { refuseCredentialsIn } from './secrets';
import { count } from './script';

type Link = { name?: string; href?: string };
type DeployedVersion = {
  currentlyDeployed?: boolean;
  applicationInstance?: string | null;
  _embedded?: { pacticipant?: { name?: string }; version?: { number?: string }; environment?: { name?: string } };
  _links?: { self?: Link };
};

/**
 * Records one version as deployed through the HAL API as the pact CLI does (the version's `pb:record-deployment` link, then a
 * POST); it counts only when the broker, read back, shows it currently deployed there. Returns what was missing, if anything.
 */
async function recordOne(
  broker: BrokerConfig,
  consumer: string,
  version: string,
  environment: string,
  instance: string | undefined,
  deadline: number,
): Promise<string | undefined> {
  const versionPath = `/pacticipants/${encodeURIComponent(consumer)}/versions/${encodeURIComponent(version)}`;
  const found = await brokerRequest(broker, 'GET', versionPath, deadline);
  if ('status' in found && found.status === 404)
    return `the broker does not know ${consumer} version ${version} (404): publish its pacts first (npm run publish:pact), or check PACT_BROKER_URL's path prefix.`;
  if (!('status' in found) || found.status !== 200)
    return explainBrokerAnswer(found, broker, 'record-deployment', deadline);
  const links = (found.body as { _links?: Record<string, Link | Link[] | undefined> } | undefined)?._links;
  if (!links)
    return `the broker's answer for ${consumer} version ${version} is not a Pact Broker version (no _links): is PACT_BROKER_URL a Pact Broker?`;
  const link = [links['pb:record-deployment'] ?? []].flat().find((each) => each.name === environment);
  if (!link?.href) return noEnvironment(environment);
  // Only a link under PACT_BROKER_URL is followed: the credentials never go anywhere else.
  const target = brokerLink(broker, link.href);
  if ('refused' in target)
    return `the broker's version resource for ${consumer} ${version} is not used: ${target.refused}.`;
  const posted = await brokerRequest(
    broker,
    'POST',
    target.path,
    deadline,
    instance ? { applicationInstance: instance, target: instance } : {},
  );
  if (!('status' in posted) || posted.status < 200 || posted.status > 299)
    return explainBrokerAnswer(posted, broker, 'record-deployment', deadline);
  // The broker's evidence: the deployed version it created, read again from its own link, in this environment.
  const self = (posted.body as DeployedVersion | undefined)?._links?.self?.href;
  const selfPath = self === undefined ? undefined : brokerLink(broker, self);
  if (selfPath && 'refused' in selfPath)
    return `the broker answered ${posted.status}, but its record of the deployment is not read: ${selfPath.refused}. Not counted as recorded.`;
  const readBack = selfPath ? await brokerRequest(broker, 'GET', selfPath.path, deadline) : undefined;
  if (readBack && !('status' in readBack && readBack.status === 200))
    return `the broker answered ${posted.status}, but reading its record back failed: ${explainBrokerAnswer(readBack, broker, 'record-deployment', deadline)}`;
  const deployed = readBack?.body as DeployedVersion | undefined;
  const recorded =
    deployed?.currentlyDeployed === true &&
    deployed._embedded?.pacticipant?.name === consumer &&
    deployed._embedded.version?.number === version &&
    deployed._embedded.environment?.name === environment &&
    (deployed.applicationInstance ?? undefined) === instance;
  const heldIn = deployed?._embedded?.environment?.name;
  const why = !self
    ? 'no record in its answer'
    : heldIn !== environment
      ? `its record is of ${typeof heldIn === 'string' ? `the environment ${JSON.stringify(heldIn)}` : 'no environment'}`
      : 'its record does not say so';
  return recorded
    ? undefined
    : `the broker answered ${posted.status}, but shows no deployment of ${consumer} version ${version} to ${environment}${instance ? ` (${instance})` : ''} recorded (${why}). Not counted as recorded.`;
}

/** Records every consumer's version, all at once under one deadline (each deployment happened); exit 0 only if each shows recorded. */
export async function recordDeploymentStep(
  step: BrokerStep,
  environment: string,
  instance: string | undefined,
  dryRun: boolean,
  context: StepContext,
): Promise<number> {
  const { broker, version } = step;
  const deps = screenedContext(context, broker);
  const consumers = step.consumers.map((each) => each.consumer.pacticipant);
  const where = `${environment}${instance ? ` (${instance})` : ''}`;
  refuseCredentialsIn(
    [
      { name: '--environment', value: environment },
      { name: '--application-instance', value: instance },
    ],
    broker,
  );
  deps.log(`Recording consumer version ${version.number} as deployed to ${where} in ${broker.baseUrl}`);
  if (dryRun) {
    for (const consumer of consumers) deps.log(`  would record ${consumer} ${version.number} as deployed to ${where}`);
    deps.log('Dry run: nothing was sent to the broker.');
    return 0;
  }
  const deadline = Date.now() + broker.timeoutSeconds * 1000;
  const missing = await Promise.all(
    consumers.map((consumer) =>
      recordOne(broker, consumer, version.number, environment, instance, deadline).catch(
        (error: Error) => `unexpected failure: ${error.message}`,
      ),
    ),
  );
  const failed = consumers.filter((consumer, index) => {
    deps.log(
      missing[index]
        ? `  ✗ ${consumer}: ${missing[index]}`
        : `  ✓ ${consumer} ${version.number} recorded as deployed to ${environment}`,
    );
    return missing[index] !== undefined;
  });
  if (failed.length > 0) {
    deps.error(`✗ Recording failed for ${failed.join(', ')}.`);
    return 1;
  }
  deps.log(`Recorded ${count(consumers.length, 'deployment')} to ${environment}.`);
  return 0;
}
