import { comparePacts, describeRule, renderMarkdown, renderPlain } from '../../scripts/lib/pact-diff';

// diff:pact's comparison and rendering, on pacts made here (V4, as pact-js writes them): what a reviewer reads for
// each kind of change. The broker's side (which pact, which branch, who verified it) is in tests/e2e/contract-diff.

type Rules = Record<string, { combine?: string; matchers: Record<string, unknown>[] }>;

interface Sketch {
  description?: string;
  states?: { name: string; params?: Record<string, unknown> }[];
  method?: string;
  path?: string;
  query?: Record<string, string[]>;
  requestHeaders?: Record<string, string[]>;
  status?: number;
  headers?: Record<string, string[]>;
  body?: unknown;
  bodyRules?: Rules;
  headerRules?: Rules;
}

/** A V4 HTTP interaction as pact-js writes it. */
function interaction(sketch: Sketch = {}): Record<string, unknown> {
  return {
    description: sketch.description ?? 'a request for all countries',
    pending: false,
    providerStates: sketch.states ?? [{ name: 'countries exist' }],
    request: {
      method: sketch.method ?? 'GET',
      path: sketch.path ?? '/countries',
      ...(sketch.query && { query: sketch.query }),
      headers: sketch.requestHeaders ?? { Accept: ['application/json'] },
    },
    response: {
      status: sketch.status ?? 200,
      headers: sketch.headers ?? { 'Content-Type': ['application/json'] },
      body: {
        content: sketch.body ?? [{ code: 'IND', population: 1353200000 }],
        contentType: 'application/json',
        encoded: false,
      },
      matchingRules: {
        body: sketch.bodyRules ?? {
          $: { combine: 'AND', matchers: [{ match: 'type', min: 1 }] },
          '$[*].population': {
            combine: 'AND',
            matchers: [{ match: 'integer' }, { match: 'regex', regex: '^[1-9]\\d*$' }],
          },
        },
        ...(sketch.headerRules && { header: sketch.headerRules }),
      },
    },
    type: 'Synchronous/HTTP',
  };
}

const pact = (...interactions: Record<string, unknown>[]) => ({
  consumer: { name: 'consumer_x' },
  provider: { name: 'aggregator' },
  interactions,
  metadata: { pactSpecification: { version: '4.0' } },
});

/** The lines under "changed", without the heading line. */
const changeLines = (before: Sketch, after: Sketch) =>
  renderPlain(comparePacts(pact(interaction(before)), pact(interaction(after))))
    .slice(1)
    .map((line) => line.trim());

describe("diff:pact's comparison", () => {
  it('says "no change" for the same interactions in another order, with broker ids and other metadata', () => {
    const one = interaction();
    const two = interaction({ description: 'a request for one country', path: '/countries/IND' });
    const held = {
      ...pact({ ...two, _id: 'b1' }, { ...one, _id: 'a1' }),
      metadata: { pactSpecification: { version: '4.0' }, 'pact-js': { version: '1' } },
    };

    expect(renderPlain(comparePacts(held, pact(one, two)))).toEqual(['no change']);
  });

  it('names added and removed interactions by description and provider state, with its parameters', () => {
    const kept = interaction();
    const gone = interaction({
      description: 'a request for one country',
      states: [{ name: 'a country exists', params: { code: 'IND' } }],
    });
    const added = interaction({ description: 'a request for the ping', states: [] });

    expect(renderPlain(comparePacts(pact(kept, gone), pact(kept, added)))).toEqual([
      '+ added "a request for the ping"',
      '- removed "a request for one country" (given "a country exists" {"code":"IND"})',
    ]);
  });

  it('tells an interaction with another provider state apart from one with the same description', () => {
    const before = interaction({ states: [{ name: 'countries exist' }] });
    const after = interaction({ states: [{ name: 'no countries exist' }] });

    expect(renderPlain(comparePacts(pact(before), pact(after)))).toEqual([
      '+ added "a request for all countries" (given "no countries exist")',
      '- removed "a request for all countries" (given "countries exist")',
    ]);
  });

  it("names a body field's matcher change in words, combined rules included", () => {
    const integerOnly = {
      $: { matchers: [{ match: 'type', min: 1 }] },
      '$[*].population': { matchers: [{ match: 'integer' }] },
    };

    expect(changeLines({ bodyRules: integerOnly }, {})).toEqual([
      'response body [*].population: integer → positive integer',
    ]);
  });

  it('names a field added or removed with its matcher, a type rule from an enclosing array included', () => {
    const withName = [{ code: 'IND', population: 1353200000, name: 'India' }];

    expect(changeLines({}, { body: withName })).toEqual(['response body [*].name: added (any string, e.g. India)']);
    expect(changeLines({ body: withName }, {})).toEqual([
      'response body [*].name: removed (was any string, e.g. India)',
    ]);
  });

  it('tells an exact value from an example under a matcher', () => {
    const exact = (population: number) => ({ body: { population }, bodyRules: {} });
    const matched = (population: number) => ({
      body: { population },
      bodyRules: { '$.population': { matchers: [{ match: 'integer' }] } },
    });

    expect(changeLines(exact(1), exact(2))).toEqual(['response body population: 1 → 2']);
    expect(changeLines(matched(1), matched(2))).toEqual(['response body population: example 1 → 2']);
  });

  it('names the request method, path, query and headers (headers case-insensitively), and the status', () => {
    const before = { query: { page: ['1'] }, requestHeaders: { Accept: ['application/json'] } };
    const after = {
      method: 'POST',
      path: '/countries/search',
      query: { page: ['2'], size: ['10'] },
      requestHeaders: { accept: ['application/json'], 'X-Request-Id': ['abc'] },
      status: 201,
    };

    expect(changeLines(before, after)).toEqual([
      'request method: GET → POST',
      'request path: /countries → /countries/search',
      'request query page: 1 → 2',
      'request query size: added (10)',
      'request header X-Request-Id: added (abc)',
      'response status: 200 → 201',
    ]);
  });

  it("names a header's matcher change", () => {
    const json = { 'Content-Type': { matchers: [{ match: 'regex', regex: '^application/json' }] } };

    expect(changeLines({}, { headerRules: json })).toEqual([
      'response header Content-Type: exact value → matching /^application/json/',
    ]);
  });

  it('reports every interaction of a pact the broker does not have as a new contract', () => {
    const local = pact(
      interaction(),
      interaction({ description: 'a request for one country', path: '/countries/IND' }),
    );

    expect(renderPlain(comparePacts(undefined, local))).toEqual([
      'new contract: 2 interactions',
      '  + "a request for all countries" (given "countries exist")',
      '  + "a request for one country" (given "countries exist")',
    ]);
  });
});

describe('matcher names', () => {
  it.each([
    [[{ match: 'integer' }, { match: 'regex', regex: '^[1-9]\\d*$' }], 5, 'positive integer'],
    [[{ match: 'integer' }, { match: 'regex', regex: '^\\d+$' }], 0, 'non-negative integer'],
    [[{ match: 'type' }, { match: 'regex', regex: '^\\d+\\.\\d{15}$' }], '0.1', 'string matching /^\\d+\\.\\d{15}$/'],
    [[{ match: 'type', min: 1 }], [1], 'at least 1 item like the example'],
    [[{ match: 'type' }], 'x', 'any string'],
    [[{ match: 'decimal' }], 1.5, 'decimal'],
    [[{ match: 'timestamp', format: 'yyyy-MM-dd' }], '2026-12-06', 'date-time in format yyyy-MM-dd'],
  ])('%j on %j reads "%s"', (matchers, example, name) => {
    expect(describeRule({ combine: 'AND', matchers }, example)).toBe(name);
  });

  it('joins rules combined with OR by "or"', () => {
    expect(describeRule({ combine: 'OR', matchers: [{ match: 'integer' }, { match: 'null' }] }, 1)).toBe(
      'integer or null',
    );
  });
});

describe('the Markdown rendering', () => {
  it('keeps Markdown and HTML in descriptions and values from formatting the summary', () => {
    const before = interaction({ description: 'a *bold* <img src=x> | request', body: { note: 'a`b' }, bodyRules: {} });
    const after = interaction({ description: 'a *bold* <img src=x> | request', body: { note: 'c`d' }, bodyRules: {} });

    expect(renderMarkdown(comparePacts(pact(before), pact(after)))).toEqual([
      '- **Changed** *a \\*bold\\* \\<img src=x\\> \\| request* (given "countries exist")',
      '  - response body `note`: ``a`b`` → ``c`d``',
    ]);
  });

  it('lists a matcher change with the field as code and the matchers as words', () => {
    const integerOnly = {
      $: { matchers: [{ match: 'type', min: 1 }] },
      '$[*].population': { matchers: [{ match: 'integer' }] },
    };

    expect(renderMarkdown(comparePacts(pact(interaction()), pact(interaction({ bodyRules: integerOnly }))))).toEqual([
      '- **Changed** *a request for all countries* (given "countries exist")',
      '  - response body `[*].population`: positive integer → integer',
    ]);
  });
});
