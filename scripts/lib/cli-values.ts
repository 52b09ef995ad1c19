import { ConfigError } from './errors';

/**
 * Every value that reaches the pact CLI's command line or the broker (version, branch, tags, build URL,
 * environment, instance) passes here. A leading "-" would be read as an option (`--help` exits 0); a control
 * or invisible character would reach the broker inside a name. Options are also passed as `--name=value`.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;
export const MAX_CLI_VALUE_LENGTH = 1024;

export function cliValueProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.startsWith('-')) return 'starts with "-", so the pact CLI would take it for an option';
  if (CONTROL.test(value)) return 'contains a newline, a control character or an invisible one';
  if (/^\s|\s$/u.test(value)) return 'starts or ends with a space';
  if (value.length > MAX_CLI_VALUE_LENGTH) return `is longer than ${MAX_CLI_VALUE_LENGTH} characters`;
  return undefined;
}

/** `value`, or a ConfigError naming its source; a variable's value is never shown (it may be a misplaced secret). */
export function checkCliValue(value: string, source: { name: string; showValue: boolean }): string {
  const problem = cliValueProblem(value);
  if (problem) {
    const shown = source.showValue ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
    throw new ConfigError(`${source.name}${shown} ${problem}: give a plain value.`);
  }
  return value;
}

export const cliOption = (name: string, value: string) => `--${name}=${value}`;
