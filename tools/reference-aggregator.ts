import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import type { AggregatorCountry } from '../src/shared/country';
import { EXIT, runScript } from '../scripts/lib/script';

/**
 * A stand-in for the aggregator (javajon/cdc-with-k8s `aggregator/`), answering as its Spring/Jackson build does,
 * with data deliberately unlike the contracts' examples. The provider-state endpoint is what a provider team
 * would add for verification. It lets us run the real Pact verifier against our contracts in our own tests.
 */
export interface ReferenceAggregatorOptions {
  /** The countries it serves by default; Germany, Brazil, Nauru and Tuvalu unless given. */
  countries?: readonly Figures[];
  /** Changes each country as it is sent: how a test reproduces a provider's bug (tests/verification). */
  answer?: (country: AggregatorCountry) => unknown;
}

export interface ReferenceAggregator {
  url: string;
  stateSetupUrl: string;
  close(): Promise<void>;
}

export type Figures = Omit<AggregatorCountry, 'percentCases'>;

export const GERMANY: Figures = {
  code: 'DEU',
  name: 'Germany',
  population: 83_240_525,
  latestTotalCases: 38_437_756,
  diffFromPrevDay: 0,
};

const DEFAULT_COUNTRIES: readonly Figures[] = [
  GERMANY,
  // A downward revision: the day's difference is negative, and a correct provider may send that.
  { code: 'BRA', name: 'Brazil', population: 214_326_223, latestTotalCases: 37_076_053, diffFromPrevDay: -1_204 },
  { code: 'NRU', name: 'Nauru', population: 12_668, latestTotalCases: 5_393, diffFromPrevDay: 0 },
  // No cases: percentCases "0.000000000000000" next to a real population is correct data, not the regression.
  { code: 'TUV', name: 'Tuvalu', population: 11_204, latestTotalCases: 0, diffFromPrevDay: 0 },
];

/**
 * What the aggregator's `GET /ping` answers (HomeController.ping), as `text/plain;charset=UTF-8`. Tests read it from
 * here, so a change to the stand-in's answer is made in one place.
 */
export const PING_TEXT = 'OK, phew, that worked. Reported from com.dijure.aggregator.controllers.HomeController';

interface StateChange {
  state?: string;
  params?: Record<string, unknown>;
  action?: 'setup' | 'teardown';
}

export async function startReferenceAggregator(options: ReferenceAggregatorOptions = {}): Promise<ReferenceAggregator> {
  const defaults = options.countries ?? DEFAULT_COUNTRIES;
  let countries: Figures[] = [...defaults];

  const answer = options.answer ?? ((country: AggregatorCountry) => country);
  // The provider answers "0.000000000000000" for a population of 0 rather than dividing by it.
  const withRatio = (country: Figures): AggregatorCountry => ({
    ...country,
    percentCases: (country.population === 0 ? 0 : country.latestTotalCases / country.population).toFixed(15),
  });

  const applyState = ({ state, params = {}, action = 'setup' }: StateChange): void => {
    if (action === 'teardown') return;
    const code = typeof params.code === 'string' ? params.code.toUpperCase() : undefined;
    countries = [...defaults];
    if (state === 'no countries exist') countries = [];
    if (state === 'a country exists' && code && !countries.some((country) => country.code === code)) {
      countries.push({
        code,
        name: `Country ${code}`,
        population: 5_000_000,
        latestTotalCases: 250_000,
        diffFromPrevDay: 7,
      });
    }
    if (state === 'no country exists with the code' && code) {
      countries = countries.filter((country) => country.code !== code);
    }
  };

  const server = http.createServer((request, response) => {
    const sendJson = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0] ?? '/';

    if (request.method === 'POST' && path === '/_pact/provider-states') {
      // A verifier killed mid-request cuts the body off: drop that request, never the whole process.
      text(request).then(
        (body) => {
          try {
            applyState(body ? (JSON.parse(body) as StateChange) : {});
          } catch {
            return sendJson(400, { error: 'The provider-state change is not JSON' });
          }
          sendJson(200, {});
        },
        () => request.destroy(),
      );
      return;
    }
    if (request.method !== 'GET') return sendJson(405, { error: 'Method Not Allowed' });
    if (path === '/ping') {
      // Spring writes a String handler's answer as text/plain with its charset.
      response.writeHead(200, { 'Content-Type': 'text/plain;charset=UTF-8' });
      response.end(PING_TEXT);
      return;
    }
    if (path === '/countries') return sendJson(200, countries.map(withRatio).map(answer));
    if (path === '/countries/percapita') {
      return sendJson(
        200,
        countries
          .map(withRatio)
          .sort((a, b) => Number(b.percentCases) - Number(a.percentCases))
          .map(answer),
      );
    }
    const match = /^\/countries\/([^/]+)$/.exec(path);
    if (match?.[1]) {
      const found = countries.find((country) => country.code === match[1]?.toUpperCase());
      return found ? sendJson(200, answer(withRatio(found))) : sendJson(404, { error: 'Not Found' });
    }
    sendJson(404, { error: 'Not Found' });
  });

  await once(server.listen(0, '127.0.0.1'), 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.close();
    server.closeAllConnections();
    await once(server, 'close');
  };
  return { url, stateSetupUrl: `${url}/_pact/provider-states`, close };
}

/**
 * Run on its own (`node --import tsx tools/reference-aggregator.ts`, as pipeline:local starts it): prints its URL as its
 * first line and serves until SIGINT, SIGTERM or SIGHUP, or until its stdin closes (whoever started it is gone).
 */
if (require.main === module) {
  runScript(async () => {
    const aggregator = await startReferenceAggregator();
    console.log(aggregator.url);
    const stop = new Promise((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, resolve);
      process.stdin.once('end', resolve).once('error', resolve).resume();
    });
    await stop;
    // Stopped by a signal while whoever started it holds our stdin open (pipeline:local waits for us to exit): a
    // resumed stdin would keep this process alive after the server has closed.
    process.stdin.destroy();
    await aggregator.close();
    return EXIT.ok;
  });
}
