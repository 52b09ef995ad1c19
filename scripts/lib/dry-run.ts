import type { Env } from './env';
import { ConfigError } from './errors';

/**
 * Whether the user asked for a dry run: `-- --dry-run`, or npm's own `--dry-run` given without `--`, which npm
 * keeps for itself and passes on only as npm_config_dry_run. Missing the second meant publishing for real.
 */
export function dryRunRequested(flag: boolean | undefined, env: Env = process.env): boolean {
  return flag === true || isTrue(env.npm_config_dry_run);
}

const isTrue = (value: string | undefined) => value !== undefined && value !== '' && value !== 'false' && value !== '0';

/** For a step that has no dry run: refuse npm's flag rather than quietly do the real thing. */
export function refuseNpmDryRun(step: string, env: Env = process.env): void {
  if (isTrue(env.npm_config_dry_run)) {
    throw new ConfigError(`${step} has no dry run (npm passed on --dry-run as npm_config_dry_run): run it without --dry-run.`);
  }
}
