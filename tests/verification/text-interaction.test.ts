import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pactFileName } from '../../scripts/lib/project';
import { PING_TEXT, startReferenceAggregator, type ReferenceAggregator } from '../../tools/reference-aggregator';
import { PROJECT_ROOT, failureBlocks, fileReport, runGeneratedSpec } from '../pact-files/run-specs';
import { REFERENCE_AGGREGATOR, expectVerified, verifyPacts } from './verify-pacts';

// docs/adding-interactions.md's text endpoint, end to end on a throwaway spec: the aggregator's GET /ping written
// as the recipe says passes the real verifier against the reference aggregator (which answers as the Spring
// service does), and the way it goes wrong without the recipe's matcher fails with the verifier's reason first.
// No real consumer has a ping interaction: neither client needs a health check, and a contract no client reads
// would only hold the provider to it.

// The reference aggregator's answer is read from it, not copied: this test holds the recipe, not today's text. The
// pattern has the recipe's shape (`OK\b.*`: the first word, then anything), built from that text.
const firstWord = /^\w+/.exec(PING_TEXT)?.[0];
const PING_PATTERN = firstWord ? new RegExp(`${firstWord}\\b.*`) : /.+/;

/** One Jest process for both tests' spec files, slow on a busy machine: a limit for a hang, not a speed target. */
const OWN_JEST_RUN = 120_000;

const from = (...parts: string[]) => JSON.stringify(path.join(PROJECT_ROOT, ...parts));

/** A ping interaction as a spec would add it, with `response` the willRespondWith builder's text. */
const pingSpec = (
  consumer: string,
  response: string,
) => `const { AggregatorHttp } = require(${from('src', 'shared', 'aggregator-http')});
const { contractWithAggregator } = require(${from('tests', 'contracts', 'contract-with-aggregator')});
const { textBody } = require(${from('tests', 'contracts', 'matchers')});

const aggregator = contractWithAggregator(${JSON.stringify(consumer)});

it('pings the aggregator', () =>
  aggregator
    .addInteraction()
    .uponReceiving('a ping')
    .withRequest('GET', '/ping', (request) => request.headers({ Accept: 'text/plain' }))
    .willRespondWith(200, ${response})
    .executeTest(async (server) => {
      const answer = await new AggregatorHttp(server.url).getText('ping', '/ping');
      expect(answer).toEqual({ status: 200, body: ${JSON.stringify(PING_TEXT)} });
    }));
`;

interface PingPact {
  interactions: {
    response: {
      headers: Record<string, string[]>;
      body: { content: string; contentType: string; encoded: string | false };
      matchingRules: {
        body: Record<string, { matchers: Record<string, string>[] }>;
        header?: Record<string, { matchers: Record<string, string>[] }>;
      };
    };
  }[];
}

const charsetPactFile = () => path.join(pactDir, pactFileName('fixture_ping_charset'));

/** The consumer's test writes the pact, then the provider team's verification (as our verification test runs it) replays it. */
const specThenVerification = (spec: string) => `${spec}
const { startReferenceAggregator } = require(${from('tools', 'reference-aggregator')});
const { expectVerified, verifyPacts } = require(${from('tests', 'verification', 'verify-pacts')});

let reference;
afterAll(() => reference?.close());

it('verifies the ping pact', async () => {
  reference = await startReferenceAggregator();
  expectVerified(await verifyPacts([${JSON.stringify(charsetPactFile())}], reference));
});
`;

let pactDir: string;
let aggregator: ReferenceAggregator | undefined;
/** What Jest printed for each test's spec file: both ran in one Jest process, each file's report lists its tests. */
let reports: string[];

beforeAll(async () => {
  pactDir = mkdtempSync(path.join(os.tmpdir(), 'text-interaction-'));
  // What the user wrote: Spring's Content-Type as the body's type. The verifier detects the body as text/plain.
  const charset =
    "(response) => response.headers({ 'Content-Type': 'text/plain;charset=UTF-8' }).body('text/plain;charset=UTF-8', Buffer.from(" +
    JSON.stringify(PING_TEXT) +
    '))';
  const specs = [
    pingSpec(
      'fixture_ping',
      `textBody(new RegExp(${JSON.stringify(PING_PATTERN.source)}), ${JSON.stringify(PING_TEXT)})`,
    ),
    specThenVerification(pingSpec('fixture_ping_charset', charset)),
  ];
  const run = await runGeneratedSpec(specs, pactDir, { verbose: true });
  reports = specs.map((_spec, index) => fileReport(run.output, index));
}, OWN_JEST_RUN);
afterAll(async () => {
  await aggregator?.close();
  rmSync(pactDir, { recursive: true, force: true });
});

describe('a text interaction (GET /ping)', () => {
  it('written with textBody passes the real verifier against the reference aggregator, and its pact says text/plain', async () => {
    // Jest's verdict on the spec's file.
    expect(reports[0]).toMatch(/^PASS /);
    const pactFile = path.join(pactDir, pactFileName('fixture_ping'));

    // What pact-js stores (docs/adding-interactions.md says so): the body as base64 bytes of type */*, and the rules
    // and header that say it is text.
    const [ping] = (JSON.parse(readFileSync(pactFile, 'utf8')) as PingPact).interactions;
    expect(ping?.response.body).toEqual({
      content: Buffer.from(PING_TEXT).toString('base64'),
      contentType: '*/*',
      encoded: 'base64',
    });
    expect(ping?.response.matchingRules.body.$?.matchers).toEqual([
      { match: 'contentType', value: 'text/plain' },
      { match: 'regex', regex: PING_PATTERN.source },
    ]);
    expect(ping?.response.matchingRules.header?.['Content-Type']?.matchers).toEqual([
      { match: 'regex', regex: '^text/plain(;\\s*charset=[\\w-]+)?$' },
    ]);

    aggregator = await startReferenceAggregator();
    const verification = await verifyPacts([pactFile], aggregator);

    expectVerified(verification);
  });

  it("with the charset in the body's type fails verification, and Jest's output leads with the verifier's reason", () => {
    const report = reports[1] ?? '';

    expect(report).toMatch(/^FAIL /);
    expect(report).toMatch(/✓ pings the aggregator/);
    const [reason] = failureBlocks(report, 'verifies the ping pact');
    expect(reason?.slice(0, 4)).toEqual([
      `VerificationFailed: The Pact verifier rejected 1 interaction against the reference aggregator (${REFERENCE_AGGREGATOR}), a stand-in for the real service, not the service itself:`,
      '1) fixture_ping_charset: "a ping"',
      'provider state: (none)',
      "$ -> Expected binary contents to have content type 'text/plain;charset=UTF-8' but detected contents was 'text/plain'",
    ]);
  });
});
