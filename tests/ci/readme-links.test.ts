import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/project';

// The README and docs/ are what a team reads first: a relative link that leads nowhere says the repo moved on
// without them.

/** The relative link targets of a Markdown text, without their #fragment; code (fenced or inline) is not read. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1] ?? '');
  return targets
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => decodeURIComponent(target.split('#')[0] ?? ''));
}

/** Each link of `file` (relative to the project root) whose target does not exist, once, as "file → missing path". */
function brokenLinks(file: string): string[] {
  const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  const folder = path.dirname(path.join(PROJECT_ROOT, file));
  const missing = relativeLinks(text)
    .map((target) => path.resolve(folder, target))
    .filter((target) => !existsSync(target))
    .map((target) => `${file} → ${path.relative(PROJECT_ROOT, target)}`);
  return [...new Set(missing)];
}

const docs = readdirSync(path.join(PROJECT_ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

describe('relative links in the README and docs/', () => {
  it('are found in prose, not in code, and lose their #fragment', () => {
    const text = [
      'See [the docs](docs/ci.md#the-workflow) and [Pact](https://docs.pact.io).',
      '```ts',
      'const a = [1](2);',
      '```',
      '`[x](in-code.md)`',
    ].join('\n');

    expect(relativeLinks(text)).toEqual(['docs/ci.md']);
  });

  it('lead to files in the README', () => {
    const links = relativeLinks(readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8'));

    expect(links.filter((target) => target.startsWith('docs/')).length).toBeGreaterThan(0);
    expect(brokenLinks('README.md')).toEqual([]);
  });

  it('lead to files in every docs/*.md', () => {
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.flatMap(brokenLinks)).toEqual([]);
  });
});
