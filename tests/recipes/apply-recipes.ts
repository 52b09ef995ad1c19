/**
 * The README's recipes, followed as a team follows them, in a scratch copy of this repo: "Add a consumer" (consumer-x,
 * a second country directory, asking `GET /countries` as consumer-a does) and "Add an interaction" (`GET /ping`, the
 * README's code as written). What the README gives is taken from the README: the names, the script line, the code.
 * What it leaves to the team (consumer-x's client and its first interaction) is written here, in the repo's style.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/project';
import type { ScratchCopy } from '../scratch-copy';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The README's section under `## heading`. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The first match of `pattern`'s group 1 in `text`, or an error naming what the README no longer says. */
function quoted(text: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(text)?.[1];
  if (found === undefined) throw new Error(`README.md no longer gives ${what} (${String(pattern)})`);
  return found;
}

/** The ```ts blocks of a README section, without the indentation of the list item they sit in. */
function codeBlocks(text: string): string[] {
  return [...text.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map(([, indent = '', code = '']) =>
    code
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n'),
  );
}

/** What "Add a consumer" had the team write, for the checks that follow. */
export interface AddedConsumer {
  folder: string;
  pacticipant: string;
  script: string;
}

/** "Add a consumer", step by step: the folder with its client and pacticipant.ts, the spec, one script line. */
export function addConsumerByRecipe(copy: ScratchCopy): AddedConsumer {
  const recipe = section('Add a consumer');
  const folder = quoted(recipe, /^1\. `src\/(consumer-[a-z0-9-]+)\/`/m, "the new consumer's folder");
  const declaration = quoted(recipe, /`(export const PACTICIPANT = '[^']+';)`/, "the consumer's pacticipant.ts");
  const pacticipant = quoted(declaration, /'([^']+)'/, 'the pacticipant name');
  const specStart = quoted(recipe, /`(const aggregator = contractWithAggregator\(PACTICIPANT\);)`/, "the spec's start");
  const scriptLine = quoted(recipe, /`("test:consumer-[a-z0-9-]+": "[^"]+")`/, 'the script line');
  const [script, command] = Object.entries(JSON.parse(`{${scriptLine}}`) as Record<string, string>)[0] ?? [];
  if (!script || !command) throw new Error(`README.md's script line does not parse: ${scriptLine}`);

  copy.write(`src/${folder}/pacticipant.ts`, `${declaration}\n`);
  // A second country directory: only the fields it shows, through the transport every client shares.
  copy.write(
    `src/${folder}/country-directory-client.ts`,
    `import { AggregatorHttp, pickCountries, unexpectedStatus } from '../shared/aggregator-http';

export class CountryDirectoryClient {
  private readonly http: AggregatorHttp;

  constructor(baseUrl: string) {
    this.http = new AggregatorHttp(baseUrl);
  }

  async listCountries(): Promise<{ code: string; name: string }[]> {
    const { status, body } = await this.http.getJson('listCountries', '/countries');
    if (status !== 200) throw unexpectedStatus('listCountries', status);
    return pickCountries('listCountries', body, ['code', 'name'] as const);
  }
}
`,
  );
  // The request consumer-a sends too, in the same provider state: consumers of one endpoint share requests.
  copy.write(
    `tests/contracts/${folder}.pact.test.ts`,
    `import { CountryDirectoryClient } from '../../src/${folder}/country-directory-client';
import { PACTICIPANT } from '../../src/${folder}/pacticipant';
import { contractWithAggregator } from './contract-with-aggregator';
import { ACCEPTS_JSON, JSON_RESPONSE_HEADERS, countryCode, eachLike, string } from './matchers';

${specStart}

describe('${folder} and the aggregator', () => {
  it('lists countries with their code and name', async () => {
    await aggregator
      .addInteraction()
      .given('countries exist')
      .uponReceiving('a request for all countries')
      .withRequest('GET', '/countries', (request) => request.headers(ACCEPTS_JSON))
      .willRespondWith(200, (response) =>
        response.headers(JSON_RESPONSE_HEADERS).jsonBody(eachLike({ code: countryCode('IND'), name: string('India') }, 1)),
      )
      .executeTest(async (mockServer) => {
        const countries = await new CountryDirectoryClient(mockServer.url).listCountries();

        expect(countries).toEqual([{ code: 'IND', name: 'India' }]);
      });
  });
});
`,
  );
  const manifest = JSON.parse(copy.read('package.json')) as { scripts: Record<string, string> };
  manifest.scripts[script] = command;
  copy.write('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return { folder, pacticipant, script };
}

/**
 * "Add an interaction" for `GET /ping`, the README's two code blocks as written, in `folder`'s client and spec (the
 * README's example is consumer-a; its client class and spec are laid out as consumer-x's are). The reference
 * aggregator is not touched: it answers `/ping` already, as the README says.
 */
export function addPingByRecipe(copy: ScratchCopy, folder: string): void {
  const recipe = section('Add an interaction');
  const [method, interaction] = codeBlocks(recipe);
  if (!method?.includes('async ping(') || !interaction?.includes("'/ping'"))
    throw new Error("README.md's \"Add an interaction\" no longer gives the client's ping method and the spec's it(…)");
  const clientFile = `src/${folder}/country-directory-client.ts`;
  const client = copy.read(clientFile);
  const classEnd = client.lastIndexOf('}');
  copy.write(clientFile, `${client.slice(0, classEnd)}\n${method}}\n`);
  const specFile = `tests/contracts/${folder}.pact.test.ts`;
  // `textBody` added to the spec's import from ./matchers, one line or several.
  const spec = copy.read(specFile).replace(/,?\s*\} from '\.\/matchers';/, ", textBody } from './matchers';");
  if (!spec.includes('textBody }')) throw new Error(`${specFile} has no import from ./matchers to add textBody to`);
  copy.write(specFile, `${spec}\n${interaction}`);
}

export interface CommandRun {
  code: number;
  output: string;
}

/** `command args` in the copy, with only the environment given (plus PATH, HOME and Node's compile cache). */
export function runIn(
  copy: ScratchCopy,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: copy.root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE,
          PACT_DO_NOT_TRACK: 'true',
          DOTENV_CONFIG_PATH: '/dev/null',
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}
