import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { PROJECT_ROOT } from '../pact-files/run-specs';

// No container engine runs on our build machines, so the broker's deployment files are checked as data:
// they parse, every reference resolves inside the folder, and no password is written in plain text.

const K8S_DIR = path.join(PROJECT_ROOT, 'deploy', 'k8s');
const EXAMPLE_SECRET = 'secret.example.yaml';
const SECRET_NAME = /PASSWORD|TOKEN|SECRET/;
/** The pinned broker image tag (docs/deploying.md, "Why this tag"); both deploy files use it. */
const BROKER_IMAGE = 'pactfoundation/pact-broker:2.143.0-pactbroker2.121.0';

it('pins an image whose pact_broker is 2.121 or later (the SQL injection fix)', () => {
  const [major, minor] = (/-pactbroker(\d+)\.(\d+)\./.exec(BROKER_IMAGE) ?? []).slice(1).map(Number);
  expect((major ?? 0) * 1000 + (minor ?? 0)).toBeGreaterThanOrEqual(2121);
});

it('names the pinned tag where the docs say what compose and Kubernetes run, and no other image', () => {
  const tag = BROKER_IMAGE.split(':')[1] as string;
  const docs = readdirSync(path.join(PROJECT_ROOT, 'docs')).map((file) => path.join('docs', file));
  const text = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  for (const doc of ['deploying.md', 'telemetry.md', 'broker.md']) expect(text(`docs/${doc}`)).toContain(tag);
  const images = [...docs, 'README.md'].flatMap((file) =>
    [...text(file).matchAll(/pactfoundation\/pact-broker:[\w.-]+/g)].map((match) => `${file}: ${match[0]}`),
  );
  expect(images.filter((image) => !image.endsWith(BROKER_IMAGE))).toEqual([]);
});

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    enableServiceLinks?: boolean;
    containers: Container[];
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
}

const manifests: Manifest[] = readdirSync(K8S_DIR)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(K8S_DIR, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
      return { ...(document.toJSON() as Omit<Manifest, 'file'>), file };
    }),
  );

const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const deployments = byKind('Deployment');
const template = (deployment: Manifest) => (deployment.spec as { template: PodTemplate }).template;
const containers = deployments.flatMap((deployment) => template(deployment).spec.containers);
const envVars = containers.flatMap((container) => container.env ?? []);
const envValue = (container: Container, name: string) => container.env?.find((variable) => variable.name === name);

describe('deploy/k8s', () => {
  it('holds well-formed manifests with unique names per kind', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(6);
    for (const manifest of manifests) {
      expect(manifest).toMatchObject({
        apiVersion: expect.any(String) as string,
        kind: expect.any(String) as string,
        metadata: { name: expect.any(String) as string },
      });
    }
    const keys = manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('runs the broker behind a NodePort Service on 30111 that selects its pods', () => {
    const service = byKind('Service').find((manifest) => manifest.metadata.name === 'pact-broker');
    const spec = service?.spec as {
      type: string;
      selector: Record<string, string>;
      ports: { port: number; targetPort: string; nodePort: number }[];
    };
    const broker = deployments.find((deployment) => deployment.metadata.name === 'pact-broker');

    expect(spec.type).toBe('NodePort');
    expect(spec.ports[0]).toMatchObject({ port: 9292, nodePort: 30111 });
    expect(template(broker as Manifest).metadata.labels).toMatchObject(spec.selector);
    expect(template(broker as Manifest).spec.containers[0]?.image).toMatch(/^pactfoundation\/pact-broker:\S+$/);
  });

  it('runs the pinned broker image with its base URL set, no usage reporting and no Service-link variables', () => {
    const broker = deployments.find((deployment) => deployment.metadata.name === 'pact-broker') as Manifest;
    const env = Object.fromEntries(
      (template(broker).spec.containers[0]?.env ?? []).map((variable) => [variable.name, variable.value]),
    );

    expect(template(broker).spec.containers[0]?.image).toBe(BROKER_IMAGE);
    expect(env.PACT_BROKER_BASE_URL).toMatch(/^https?:\/\/\S+$/);
    expect(env.PACT_DO_NOT_TRACK).toBe('true');
    // A Service named pact-broker makes Kubernetes inject PACT_BROKER_PORT=tcp://… into the pod otherwise.
    expect(template(broker).spec.enableServiceLinks).toBe(false);
  });

  it('selects existing pods with every Service, and targets a named container port', () => {
    for (const service of byKind('Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
      const target = deployments.find((deployment) =>
        Object.entries(spec.selector).every(([key, value]) => template(deployment).metadata.labels[key] === value),
      );
      expect(target).toBeDefined();
      const portNames = template(target as Manifest).spec.containers.flatMap(
        (container) => container.ports?.map((port) => port.name) ?? [],
      );
      for (const port of spec.ports) expect(portNames).toContain(port.targetPort);
    }
  });

  it('refers only to Secrets, keys, Services and claims defined in the folder', () => {
    const secrets = new Map(
      byKind('Secret').map((secret) => [secret.metadata.name, Object.keys({ ...secret.stringData, ...secret.data })]),
    );
    const services = byKind('Service').map((service) => service.metadata.name);
    const claims = byKind('PersistentVolumeClaim').map((claim) => claim.metadata.name);

    for (const variable of envVars) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) expect(secrets.get(ref.name)).toContain(ref.key);
      if (variable.name.endsWith('_HOST')) expect(services).toContain(variable.value);
    }
    for (const deployment of deployments) {
      for (const volume of template(deployment).spec.volumes ?? []) {
        if (volume.persistentVolumeClaim) expect(claims).toContain(volume.persistentVolumeClaim.claimName);
      }
    }
  });

  it('probes the broker on its heartbeat and PostgreSQL with pg_isready', () => {
    const broker = containers.find((container) => container.name === 'pact-broker') as Container;
    const postgres = containers.find((container) => container.name === 'postgres') as Container;

    for (const probe of [broker.readinessProbe, broker.livenessProbe])
      expect(probe?.httpGet).toEqual({ path: '/diagnostic/status/heartbeat', port: 'http' });
    // Probes carry no credentials, so the heartbeat must be public.
    expect(envValue(broker, 'PACT_BROKER_PUBLIC_HEARTBEAT')?.value).toBe('true');
    for (const probe of [postgres.readinessProbe, postgres.livenessProbe])
      expect(probe?.exec?.command[0]).toBe('pg_isready');
  });

  it('takes every password from a Secret, and only the documented example Secret holds one in plain text', () => {
    const plain = envVars.filter((variable) => SECRET_NAME.test(variable.name) && variable.valueFrom === undefined);
    expect(plain).toEqual([]);
    expect(byKind('Secret').map((secret) => secret.file)).toEqual([EXAMPLE_SECRET]);
    expect(readFileSync(path.join(K8S_DIR, EXAMPLE_SECRET), 'utf8')).toMatch(/^# EXAMPLE ONLY/);
  });

  it('applies everything but the example Secret with kustomize', () => {
    const kustomization = parse(readFileSync(path.join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    const files = [...new Set(manifests.map((manifest) => manifest.file))].filter((file) => file !== EXAMPLE_SECRET);

    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    image: string;
    ports?: string[];
    environment: Record<string, string>;
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
  }
  const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
  };
  const broker = compose.services['pact-broker'] as Service;

  it('runs the official broker image on port 9292 after a healthy PostgreSQL', () => {
    expect(broker.image).toMatch(/^pactfoundation\/pact-broker:\S+$/);
    expect(broker.ports).toEqual(['127.0.0.1:9292:9292']);
    expect(broker.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services.postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(broker.healthcheck?.test.join(' ')).toContain('/diagnostic/status/heartbeat');
  });

  it('runs the pinned broker image, with no usage reporting', () => {
    expect(broker.image).toBe(BROKER_IMAGE);
    expect(broker.environment.PACT_DO_NOT_TRACK).toBe('true');
  });

  it('turns on basic auth with the credentials from .env, and writes no password itself', () => {
    expect(broker.environment.PACT_BROKER_BASIC_AUTH_USERNAME).toMatch(/^\$\{BROKER_USERNAME:\?/);
    expect(broker.environment.PACT_BROKER_BASIC_AUTH_PASSWORD).toMatch(/^\$\{BROKER_PASSWORD:\?/);
    const services = Object.values(compose.services);
    const secrets = services
      .flatMap((service) => Object.entries(service.environment))
      .filter(([name]) => SECRET_NAME.test(name));
    expect(secrets.length).toBeGreaterThan(0);
    for (const [, value] of secrets) expect(value).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
  });

  it('documents every variable it reads in .env.example', () => {
    const text = readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    const example = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');
    const variables = [...new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1]))];

    expect(variables.length).toBeGreaterThan(0);
    for (const variable of variables) expect(example).toMatch(new RegExp(`^#? ?${variable}=`, 'm'));
  });
});
