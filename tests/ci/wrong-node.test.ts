import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/project';

// On a Node outside package.json's engines, every npm script (and npx) stops in one line that names the Node it needs
// and scripts/with-node.sh (.npmrc's node-options), instead of Jest asking for ts-node. Other Nodes are played by a
// preload that changes the version Node reports: the user's own NODE_OPTIONS, which .npmrc keeps, first.

const readText = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const { engines, scripts } = JSON.parse(readText('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const wanted = readText('.nvmrc').trim();
/** The check as npm hands it to Node: .npmrc's node-options without the user's part. */
const check = /^node-options=\$\{NODE_OPTIONS\?\} (.+)$/m.exec(readText('.npmrc'))?.[1];

/** Whether `version` satisfies a range of the forms package.json uses: `^x.y.z` and `>=x[.y.z]`, joined by `||`. */
function satisfies(version: string, range: string): boolean {
  const numbers = (text: string) => [...text.split('.').map(Number), 0, 0].slice(0, 3);
  const compare = (a: number[], b: number[]) => a.map((n, i) => n - (b[i] ?? 0)).find((d) => d !== 0) ?? 0;
  const have = numbers(version);
  return range.split('||').some((part) => {
    const comparator = part.trim();
    if (comparator.startsWith('^')) {
      const low = numbers(comparator.slice(1));
      return have[0] === low[0] && compare(have, low) >= 0;
    }
    if (comparator.startsWith('>=')) return compare(have, numbers(comparator.slice(2))) >= 0;
    throw new Error(`engines.node uses a form this test does not read: ${comparator}`);
  });
}

let dir: string;
/** A preload that makes Node report REPORTED_NODE_VERSION as its version. */
const preload = () => path.join(dir, 'reported-version.cjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], version: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: PROJECT_ROOT,
        // Were the check to let a script through, it would do its work: bounded, and never on a developer's .env.
        timeout: 60_000,
        killSignal: 'SIGKILL',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DOTENV_CONFIG_PATH: '/dev/null',
          NODE_OPTIONS: `--require ${preload()}`,
          REPORTED_NODE_VERSION: version,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wrong-node-'));
  writeFileSync(
    preload(),
    "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: process.env.REPORTED_NODE_VERSION } });\n",
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Node outside engines', () => {
  it("is refused by .npmrc's check exactly where package.json's engines refuse it", async () => {
    expect(check).toMatch(/^--import=/);
    const versions = ['18.20.8', '20.20.2', '22.0.0', '22.17.1', '22.18.0', '22.23.3', '23.11.1', '24.0.0', '26.10.0'];

    const verdicts = await Promise.all(
      versions.map(
        (version) =>
          new Promise<[string, boolean]>((resolve) => {
            execFile(
              process.execPath,
              ['-e', '0'],
              { env: { NODE_OPTIONS: `--require ${preload()} ${check ?? ''}`, REPORTED_NODE_VERSION: version } },
              (error) => resolve([version, !error]),
            );
          }),
      ),
    );

    expect(verdicts).toEqual(versions.map((version) => [version, satisfies(version, engines.node)]));
  });

  it('reaches every npm script: each command it runs is a Node program, which npm starts with node-options', () => {
    const commands = Object.values(scripts).flatMap((script) => script.split('&&').map((part) => part.trim()));
    /** The program a command starts: `node`, or a package bin, which must be a Node script (its shebang says so). */
    const program = (command: string) => command.replace(/^exec /, '').split(/\s+/)[0] ?? '';
    const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);
    const isNode = (name: string) =>
      name === 'node' ||
      (existsSync(bin(name)) && /^#!.*\bnode\b/.test(readFileSync(bin(name), 'utf8').split('\n')[0] ?? ''));

    expect(commands.filter((command) => !isNode(program(command)))).toEqual([]);
  });

  it('stops an npm script and npx in one line naming the Node it needs and scripts/with-node.sh', async () => {
    // One of each way a script starts Node: Jest on its TypeScript config, tsx, node itself, and npx.
    const commands: [string, string[]][] = [
      ['npm', ['test']],
      ['npm', ['run', 'test:consumer-a']],
      ['npm', ['run', 'publish:pact']],
      ['npm', ['run', 'broker:start']],
      ['npx', ['jest']],
    ];
    const done = await Promise.all(commands.map(([command, args]) => run(command, args, '20.20.2')));
    const runs = commands.map(([command, args], index): [string, Run] => [
      `${command} ${args.join(' ')}`,
      done[index] as Run,
    ]);

    const refusals = runs.map(([command, { code, stderr }]) => [command, code, stderr.trim().split('\n')]);
    /** What the line suggests to run again: the command itself, `npm test` as users write it, npx's as `npx …`. */
    const shownAs = (command: string) => (command.startsWith('npx') ? 'npx …' : command);
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(refusals).toEqual(
      runs.map(([command]) => [
        command,
        1,
        [
          expect.stringMatching(
            new RegExp(
              `^✗ Node 20\\.20\\.2 cannot run this project: it needs Node ${wanted} \\(\\.nvmrc\\).* bash scripts/with-node\\.sh ${wanted} ${escape(shownAs(command))}$`,
            ),
          ),
        ],
      ]),
    );
    // npm's own lines aside ("> name@version script", "> command"), nothing ran.
    for (const [, { stdout }] of runs) expect(stdout.split('\n').filter((line) => /^[^>]/.test(line))).toEqual([]);
  }, 60_000);
});
