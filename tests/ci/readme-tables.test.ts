import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/project';

// The README's scripts and variables tables are how a team finds its way in: a script or a variable added
// without its row is one nobody will find.

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
);
const variables = [
  ...readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm),
].map((match) => match[1] ?? '');

/** The text of the README section under `## heading`, up to the next `## `. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `name` as a whole word: `test` is not found inside `test:consumer-a`. */
const mentions = (text: string, name: string) => new RegExp(`(?<![\\w:-])${escape(name)}(?![\\w:-])`).test(text);

/**
 * The one script line README's "Add a consumer" has a team add: `test:consumer-<name>`. Its table row is the
 * pattern, not one row per consumer.
 */
const CONSUMER_SCRIPT = /^test:consumer-[a-z0-9][a-z0-9-]*$/;
const CONSUMER_SCRIPT_ROW = 'test:consumer-<name>';

describe("the README's tables", () => {
  it("name every npm script in package.json, a consumer's own test script by the documented pattern", () => {
    const table = section('Scripts');
    const [perConsumer, others] = [
      scripts.filter((name) => CONSUMER_SCRIPT.test(name)),
      scripts.filter((name) => !CONSUMER_SCRIPT.test(name)),
    ];

    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((name) => !mentions(table, name))).toEqual([]);
    expect(perConsumer.filter(() => !mentions(table, CONSUMER_SCRIPT_ROW))).toEqual([]);
  });

  it('name every variable in .env.example', () => {
    expect(variables.length).toBeGreaterThan(0);
    expect(variables.filter((name) => !section('Variables').includes(`\`${name}\``))).toEqual([]);
  });
});
