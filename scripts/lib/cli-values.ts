import { ConfigError } from './errors';

/**
 * Every value we hand to the pact CLI (version, branch, tags, build URL, environment, application instance,
 * pacticipant) passes through here. A value that starts with "-" would be read as an option (`--help`
 * prints the help and exits 0; `--skip-ssl-verification` turns TLS checks off); a newline or another
 * control character would reach the broker as part of a name. Such values are refused before anything is
 * sent, and options are passed as `--name=value` as well, so the CLI's parser never has a choice.
 */

// C0 and C1 control characters (newline, tab, escape, …), the Unicode line and paragraph separators, and
// invisible format characters (zero-width space, soft hyphen, bidi overrides that make a name read otherwise).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;

/** Longer than any tag, branch, URL or name we expect; well under what one command-line argument may hold. */
export const MAX_CLI_VALUE_LENGTH = 1024;

export interface ValueSource {
  /** What the user set: a flag (`--tag`) or a variable (`GIT_BRANCH`). */
  name: string;
  /** Whether the value may be shown: a flag the user typed may, a variable's value never is. */
  showValue: boolean;
}

/** Why `value` cannot be passed to the CLI, or undefined when it can. */
export function cliValueProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.startsWith('-')) return 'starts with "-", so the pact CLI would take it for an option';
  if (CONTROL.test(value)) return 'contains a newline, a control character or an invisible one';
  if (/^\s|\s$/u.test(value)) return 'starts or ends with a space';
  if (value.length > MAX_CLI_VALUE_LENGTH) return `is longer than ${MAX_CLI_VALUE_LENGTH} characters`;
  return undefined;
}

/** `value`, or a ConfigError (exit 2, nothing sent) naming `source` and the problem. */
export function checkCliValue(value: string, source: ValueSource): string {
  const problem = cliValueProblem(value);
  if (problem) {
    const shown = source.showValue ? ` ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
    throw new ConfigError(`${source.name}${shown} ${problem}: give a plain value.`);
  }
  return value;
}

/** One CLI option in `--name=value` form: the value can never be taken for another option. */
export function cliOption(name: string, value: string): string {
  return `--${name}=${value}`;
}

/** `text` as a regular expression that matches it literally (names and versions put into the CLI's output patterns). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
