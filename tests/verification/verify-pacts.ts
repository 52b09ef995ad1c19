import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { childEnvironment } from '../../scripts/lib/child-process';
import { pactCliBinary } from '../../scripts/lib/pact-cli';
import { PROVIDER } from '../../src/shared/provider';
import type { ReferenceAggregator } from '../../tools/reference-aggregator';

/**
 * The real Pact verifier (the pact CLI's, the same core as pact-js's Verifier, started in ~50 ms rather than a Node
 * process loading pact-js) replaying pacts against the reference aggregator, and, when it rejects them, its reasons
 * as a developer needs them: which interaction, in which provider state, and the verifier's own mismatch lines.
 * They come from its JSON report (`--json`), not its human text.
 */

const execFileAsync = promisify(execFile);

/** Where a failure sends the reader: the stand-in that answered, not the real service. */
export const REFERENCE_AGGREGATOR = 'tools/reference-aggregator.ts';

export interface InteractionFailure {
  consumer: string;
  description: string;
  /** `name {params}` of each provider state the interaction was replayed in. */
  providerStates: string[];
  /** The verifier's own lines, as it prints them (`$.population -> Expected '0' to match …`). */
  mismatches: string[];
}

export interface Verification {
  passed: boolean;
  failures: InteractionFailure[];
  /** The verifier's human report (its JSON report's `output`), for assertions on what it verified. */
  output: string;
}

/** What the verifier's `--json` report holds (pact_verifier's VerificationExecutionResult, the parts we read). */
interface VerifierReport {
  result: boolean;
  output?: string[];
  errors?: {
    interaction: string;
    mismatch: { type: string; message?: string; mismatches?: { path?: string; mismatch?: string }[] };
  }[];
}

interface PactDocument {
  consumer: { name: string };
  interactions: { description: string; providerStates?: { name: string; params?: Record<string, unknown> }[] }[];
}

/** Bounds: a mismatch can quote a whole body, and a broken provider fails every interaction. */
const MAX_LINE = 300;
const MAX_MISMATCHES = 5;
const MAX_FAILURES = 10;

const bounded = (line: string) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line);

/** Exit 0: verified; exit 1: the verifier rejected a pact (its report says why); anything else is not a verdict. */
export async function verifyPacts(
  pactFiles: string[],
  { url, stateSetupUrl }: ReferenceAggregator,
): Promise<Verification> {
  const { hostname, port } = new URL(url);
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'verifier-report-'));
  const reportFile = path.join(reportDir, 'report.json');
  const args = ['verifier', ...pactFiles.flatMap((file) => ['--file', file]), '--hostname', hostname, '--port', port];
  args.push(
    '--provider-name',
    PROVIDER,
    '--state-change-url',
    stateSetupUrl,
    '--log-level',
    'error',
    '--no-colour',
    '--json',
    reportFile,
  );
  try {
    let stderr = '';
    try {
      // The verifier's environment is ours to choose: PATH and HOME, its usage reporting off.
      await execFileAsync(pactCliBinary(), args, {
        env: childEnvironment({ PATH: process.env.PATH, HOME: process.env.HOME }),
      });
    } catch (error) {
      const failure = error as { code?: unknown; stderr?: string };
      if (failure.code !== 1) throw error;
      stderr = failure.stderr ?? '';
    }
    if (!existsSync(reportFile)) throw new Error(`the Pact verifier wrote no report: ${bounded(stderr.trim())}`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as VerifierReport;
    return { passed: report.result, failures: failuresIn(report, pactFiles), output: (report.output ?? []).join('\n') };
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/** Each rejected interaction with its provider states, found in the pact by the name the verifier gives it. */
function failuresIn(report: VerifierReport, pactFiles: string[]): InteractionFailure[] {
  const interactions = pactFiles.flatMap((file) => {
    const pact = JSON.parse(readFileSync(file, 'utf8')) as PactDocument;
    return pact.interactions.map((interaction) => ({ consumer: pact.consumer.name, ...interaction }));
  });
  return (report.errors ?? []).map(({ interaction: name, mismatch }) => {
    // The verifier names it `Verifying a pact between <consumer> and <provider>[ Given <state>…] - <description>`.
    const named = interactions.filter(
      ({ consumer, description }) =>
        name.startsWith(`Verifying a pact between ${consumer} and ${PROVIDER}`) && name.endsWith(` - ${description}`),
    );
    const found =
      named.find((candidate) => (candidate.providerStates ?? []).every((state) => name.includes(` ${state.name}`))) ??
      named[0];
    const lines = mismatch.mismatches?.map((item) =>
      item.path ? `${item.path} -> ${item.mismatch ?? ''}` : (item.mismatch ?? ''),
    ) ?? [mismatch.message ?? mismatch.type];
    return {
      consumer: found?.consumer ?? '?',
      description: found?.description ?? name,
      providerStates: (found?.providerStates ?? []).map((state) =>
        state.params ? `${state.name} ${JSON.stringify(state.params)}` : state.name,
      ),
      mismatches: lines,
    };
  });
}

/** The verifier's reasons, bounded, and where to act on them. */
export function verificationReport({ failures, output }: Verification): string {
  const count = failures.length === 1 ? '1 interaction' : `${failures.length} interactions`;
  const lines = [
    `The Pact verifier rejected ${count} against the reference aggregator (${REFERENCE_AGGREGATOR}), a stand-in for the real service, not the service itself:`,
  ];
  failures.slice(0, MAX_FAILURES).forEach((failure, index) => {
    lines.push(`${index + 1}) ${failure.consumer}: "${failure.description}"`);
    lines.push(
      `   provider state: ${failure.providerStates.length > 0 ? failure.providerStates.join('; ') : '(none)'}`,
    );
    for (const mismatch of failure.mismatches.slice(0, MAX_MISMATCHES)) lines.push(`   ${bounded(mismatch)}`);
    if (failure.mismatches.length > MAX_MISMATCHES)
      lines.push(`   … and ${failure.mismatches.length - MAX_MISMATCHES} more`);
  });
  if (failures.length > MAX_FAILURES) lines.push(`… and ${failures.length - MAX_FAILURES} more interactions`);
  // A rejection without a failed interaction (no pact found, say): the verifier's own words.
  if (failures.length === 0)
    lines.push(
      ...output
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-MAX_MISMATCHES)
        .map(bounded),
    );
  lines.push(
    `If the real aggregator answers as the contract says, make ${REFERENCE_AGGREGATOR} answer the same way; if it does not, the`,
    "interaction is a request to the provider team (docs/troubleshooting.md, 'A failing provider verification').",
  );
  return lines.join('\n');
}

/** Fails the test with the verifier's reasons as its first lines, not a diff of `passed`. */
export function expectVerified(verification: Verification): void {
  if (verification.passed) return;
  const error = new Error(verificationReport(verification));
  error.name = 'VerificationFailed';
  error.stack = `${error.name}: ${error.message}`;
  throw error;
}
