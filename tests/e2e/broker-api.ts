/**
 * Reading what a real Pact Broker holds, through its own HAL API, as the read-only user: the e2e tests check
 * every pipeline step against this, not only against the scripts' exit codes.
 */
import type { RealBroker } from './real-broker';

export interface BrokerAnswer<T> {
  status: number;
  body: T;
}

interface Link {
  href: string;
  name?: string;
  title?: string;
}

export interface VersionResource {
  number: string;
  buildUrl?: string;
  _embedded: { branchVersions: { name: string }[]; tags: { name: string }[] };
  _links: { 'pb:record-deployment': Link[] };
}

export interface PactResource {
  consumer: { name: string };
  provider: { name: string };
  interactions: Record<string, unknown>[];
}

/** The interactions as the consumer wrote them: the broker adds an `_id` to each interaction it serves. */
export function withoutBrokerIds(interactions: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return interactions.map((interaction) =>
    Object.fromEntries(Object.entries(interaction).filter(([key]) => key !== '_id')),
  );
}

export interface MatrixResource {
  summary: { deployable: boolean | null; reason: string };
  matrix: {
    consumer: { name: string; version: { number: string } };
    provider: { name: string; version: { number: string } | null };
    verificationResult: { success: boolean; _links: { self: Link } } | null;
  }[];
}

export interface VerificationResultResource {
  success: boolean;
  providerApplicationVersion: string;
}

interface EnvironmentResource {
  uuid: string;
  name: string;
  production: boolean;
}

interface DeployedVersionsResource {
  _embedded: {
    deployedVersions: {
      applicationInstance?: string | null;
      _embedded: { pacticipant: { name: string }; version: { number: string } };
    }[];
  };
}

export interface Deployment {
  pacticipant: string;
  version: string;
  applicationInstance: string | null;
}

export interface BrokerApi {
  get<T>(path: string): Promise<BrokerAnswer<T>>;
  /** GET that must answer 200. */
  read<T>(path: string): Promise<T>;
  /** A write as the read/write user (for what the provider team does: environments). */
  post<T>(path: string, body: unknown): Promise<BrokerAnswer<T>>;
  version(pacticipant: string, number: string): Promise<BrokerAnswer<VersionResource>>;
  pact(consumer: string, provider: string, version: string): Promise<BrokerAnswer<PactResource>>;
  /** The matrix of a consumer version against what is deployed in `environment`, as can-i-deploy reads it. */
  matrix(consumer: string, version: string, environment: string): Promise<MatrixResource>;
  /** The matrix of a consumer version against one provider version, wherever that is deployed. */
  matrixWith(consumer: string, version: string, provider: string, providerVersion: string): Promise<MatrixResource>;
  environments(): Promise<EnvironmentResource[]>;
  /** What is currently deployed to the environment (empty if it does not exist). */
  deployments(environment: string): Promise<Deployment[]>;
  /**
   * Everything the pipeline steps could change, in one comparable value: every pacticipant with its versions
   * (branches, tags, build URL), each version's pact interactions, the environments and their deployments,
   * and the latest verification result of each consumer version.
   */
  snapshot(): Promise<unknown>;
}

const q = encodeURIComponent;

export function brokerApi(broker: Pick<RealBroker, 'url' | 'readWrite' | 'readOnly'>): BrokerApi {
  const authorization = (user: { username: string; password: string }) =>
    `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<BrokerAnswer<T>> {
    const user = method === 'GET' ? broker.readOnly : broker.readWrite;
    const response = await fetch(`${broker.url}${path}`, {
      method,
      headers: {
        Accept: 'application/hal+json, application/json',
        Authorization: authorization(user),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  const get = <T>(path: string) => request<T>('GET', path);
  const read = async <T>(path: string) => {
    const answer = await get<T>(path);
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  const environments = async () =>
    (await read<{ _embedded: { environments: EnvironmentResource[] } }>('/environments'))._embedded.environments;

  const api: BrokerApi = {
    get,
    read,
    post: (path, body) => request('POST', path, body),
    version: (pacticipant, number) => get(`/pacticipants/${q(pacticipant)}/versions/${q(number)}`),
    pact: (consumer, provider, version) =>
      get(`/pacts/provider/${q(provider)}/consumer/${q(consumer)}/version/${q(version)}`),
    matrix: (consumer, version, environment) =>
      read(
        `/matrix?q[][pacticipant]=${q(consumer)}&q[][version]=${q(version)}&latestby=cvpv&environment=${q(environment)}`,
      ),
    matrixWith: (consumer, version, provider, providerVersion) =>
      read(
        `/matrix?q[][pacticipant]=${q(consumer)}&q[][version]=${q(version)}&q[][pacticipant]=${q(provider)}&q[][version]=${q(providerVersion)}&latestby=cvpv`,
      ),
    environments,
    deployments: async (environment) => {
      const found = (await environments()).find((each) => each.name === environment);
      if (!found) return [];
      const deployed = await read<DeployedVersionsResource>(
        `/environments/${found.uuid}/deployed-versions/currently-deployed`,
      );
      return deployed._embedded.deployedVersions
        .map((each) => ({
          pacticipant: each._embedded.pacticipant.name,
          version: each._embedded.version.number,
          applicationInstance: each.applicationInstance ?? null,
        }))
        .sort((a, b) =>
          `${a.pacticipant} ${a.applicationInstance}`.localeCompare(`${b.pacticipant} ${b.applicationInstance}`),
        );
    },
    snapshot: async () => {
      const names = (
        await read<{ _embedded: { pacticipants: { name: string }[] } }>('/pacticipants')
      )._embedded.pacticipants
        .map((each) => each.name)
        .sort();
      const pacticipants = [];
      for (const name of names) {
        const listed = await read<{ _embedded?: { versions: { number: string }[] } }>(
          `/pacticipants/${q(name)}/versions`,
        );
        const versions = [];
        for (const { number } of listed._embedded?.versions ?? []) {
          const version = await read<VersionResource>(`/pacticipants/${q(name)}/versions/${q(number)}`);
          const pacts = [];
          for (const provider of names) {
            const pact = await api.pact(name, provider, number);
            if (pact.status === 200) pacts.push({ provider, interactions: pact.body.interactions });
          }
          const latest = await get<VerificationResultResource>(
            `/verification-results/consumer/${q(name)}/version/${q(number)}/latest`,
          );
          versions.push({
            number,
            buildUrl: version.buildUrl,
            branches: version._embedded.branchVersions.map((branch) => branch.name),
            tags: version._embedded.tags.map((tag) => tag.name),
            pacts,
            latestVerification:
              latest.status === 200
                ? { success: latest.body.success, provider: latest.body.providerApplicationVersion }
                : latest.status,
          });
        }
        pacticipants.push({ name, versions });
      }
      const deployments = [];
      for (const environment of await environments())
        deployments.push({ environment: environment.name, deployed: await api.deployments(environment.name) });
      return { pacticipants, deployments };
    },
  };
  return api;
}
