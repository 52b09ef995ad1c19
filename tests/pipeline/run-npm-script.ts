import { execFile } from 'node:child_process';
import { PROJECT_ROOT } from '../pact-files/run-specs';

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for "never printed" checks. */
  output: string;
  seconds: number;
}

/**
 * Runs `npm run <script> -- <args>` as a user would, in a child process with only the environment given
 * (plus PATH and HOME): nothing leaks in from the developer's shell, CI variables or .env.
 */
export function runNpmScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptRun> {
  const started = Date.now();
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOTENV_CONFIG_PATH: '/dev/null',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', script, ...(args.length > 0 ? ['--', ...args] : [])],
      { cwd: PROJECT_ROOT, env: childEnv },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}`, seconds: (Date.now() - started) / 1000 });
      },
    );
  });
}
