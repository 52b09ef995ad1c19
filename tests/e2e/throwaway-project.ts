/**
 * A throwaway copy of this project in its own git repository, for the e2e loop: the pipeline scripts read the
 * project from their working directory and publish only pacts written at a clean HEAD, so the loop commits,
 * runs the contract specs and runs the scripts there, exactly as a consumer's CI does in its checkout.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverConsumers, pactsDir, type Consumer } from '../../scripts/lib/project';
import { createScratchCopy } from '../scratch-copy';

/** What a script run printed and how it ended. */
export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for "never printed" checks. */
  output: string;
}

/** A script started in the background, whose output can be waited on while it runs. */
export interface RunningScript {
  /** Resolves once stdout has contained `text`; rejects if the script ends first. */
  printed(text: string): Promise<void>;
  done: Promise<ScriptRun>;
  /** The script's process, for a test that signals it. */
  pid: number;
}

export interface ThrowawayProject {
  root: string;
  /** Where its specs write pacts (its own pacts/). */
  pactDir: string;
  /** Its consumers, as the scripts discover them. */
  consumers(): Consumer[];
  /** `git <args>` in the project; returns stdout trimmed. */
  git(...args: string[]): string;
  /** Stages everything and commits; returns the new HEAD. */
  commit(message: string): string;
  /** Runs every consumer's contract spec with the project's own Jest config; rejects with Jest's output if any fails. */
  runContractSpecs(): Promise<void>;
  /** Runs `scripts/<name>.ts` (e.g. publish-pact) as npm would, from the project folder, with only `env` (plus PATH and HOME). */
  runScript(name: string, args: string[], env: Readonly<Record<string, string>>): Promise<ScriptRun>;
  /** Like runScript, but returns at once. */
  startScript(name: string, args: string[], env: Readonly<Record<string, string>>): RunningScript;
  /** Reads a file of the project. */
  read(file: string): string;
  write(file: string, text: string): void;
  /** Kills any script still running (a failed test's) and deletes the project. */
  remove(): void;
}

/** Only what a child needs: nothing leaks in from the developer's shell, CI variables or a .env file. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    PACT_DO_NOT_TRACK: 'true',
    DOTENV_CONFIG_PATH: '/dev/null',
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

/**
 * Copies the working tree of this checkout (everything but tests/e2e, which needs the real broker) into a temp
 * folder with node_modules linked, and commits it on `main`.
 */
export function createThrowawayProject(): ThrowawayProject {
  const copy = createScratchCopy(['tests/e2e/'], 'e2e-consumer-project');
  const { root, git } = copy;
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  const consumers = () => discoverConsumers(root);
  const scriptEnv = (env: Readonly<Record<string, string>>) => ({ ...baseEnv(), ...env });
  // A verb (scripts/) or a developer tool (tools/, e.g. pipeline-local).
  const scriptArgs = (name: string, args: string[]) => [
    '--import',
    'tsx',
    ['scripts', 'tools'].map((dir) => path.join(root, dir, `${name}.ts`)).find((file) => existsSync(file)) ??
      path.join(root, 'scripts', `${name}.ts`),
    ...args,
  ];

  const running = new Set<ChildProcess>();
  const startScript = (name: string, args: string[], env: Readonly<Record<string, string>>): RunningScript => {
    const child = spawn(process.execPath, scriptArgs(name, args), {
      cwd: root,
      env: scriptEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let closed = false;
    const waiters: { text: string; resolve: () => void; reject: (error: Error) => void }[] = [];
    const settle = () => {
      for (const waiter of [...waiters]) {
        if (stdout.includes(waiter.text)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      settle();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const done = new Promise<ScriptRun>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        closed = true;
        running.delete(child);
        for (const waiter of waiters.splice(0))
          waiter.reject(new Error(`${name} ended without printing "${waiter.text}":\n${stdout}${stderr}`));
        resolve({ code: code ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` });
      });
    });
    return {
      done,
      pid: child.pid as number,
      printed: (text) =>
        new Promise<void>((resolve, reject) => {
          if (stdout.includes(text)) return resolve();
          if (closed) return reject(new Error(`${name} ended without printing "${text}":\n${stdout}${stderr}`));
          waiters.push({ text, resolve, reject });
        }),
    };
  };

  return {
    root,
    pactDir: pactsDir({}, root),
    consumers,
    git,
    commit,
    runContractSpecs: () =>
      new Promise<void>((resolve, reject) => {
        const specs = consumers().map((consumer) => `${consumer.spec.replace(/\./g, '\\.')}$`);
        execFile(
          process.execPath,
          [require.resolve('jest/bin/jest'), '--ci', ...specs],
          { cwd: root, env: baseEnv() },
          (error, stdout, stderr) =>
            error ? reject(new Error(`The contract specs failed in ${root}:\n${stdout}${stderr}`)) : resolve(),
        );
      }),
    runScript: (name, args, env) => startScript(name, args, env).done,
    startScript,
    read: copy.read,
    write: copy.write,
    remove: () => {
      for (const child of running) child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
