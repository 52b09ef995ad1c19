import { isDeepStrictEqual } from 'node:util';

// What one pact changes against another, told for a reviewer: interactions added, removed and changed (by
// description and provider state), and for a changed one each part that differs, body fields and their matchers
// included. Pure functions: the diff step fetches the broker's pact, this module compares and renders.

type Json = unknown;
type JsonObject = Record<string, Json>;

/** A V4 matching rule as pacts store it: one or more matchers, combined with AND (the default) or OR. */
interface MatchingRule {
  combine?: string;
  matchers?: JsonObject[];
}

/** An interaction as a reviewer names it. */
export interface InteractionName {
  description: string;
  /** Each provider state, with its parameters (canonical JSON) when it has any. */
  states: { name: string; params?: string }[];
}

/** One part of a changed interaction: a request or response part, a body field, or any other key. */
export interface PartChange {
  /** `request path`, `response header`, `response body`, `pending`… */
  part: string;
  /** The header, query parameter or body field (`[*].population`), when the part has several. */
  name?: string;
  change: 'added' | 'removed' | 'changed';
  /** `matcher`: how the value is matched changed; `example`: only the example under a matcher; `value`: an exact value. */
  aspect?: 'value' | 'example' | 'matcher';
  before?: string;
  after?: string;
}

export type ContractDiff =
  | { kind: 'new'; interactions: InteractionName[] }
  | {
      kind: 'compared';
      added: InteractionName[];
      removed: InteractionName[];
      changed: { interaction: InteractionName; changes: PartChange[] }[];
      /** Pact-level changes (the specification version). */
      notes: string[];
    };

export const isUnchanged = (diff: ContractDiff) =>
  diff.kind === 'compared' && diff.added.length + diff.removed.length + diff.changed.length + diff.notes.length === 0;

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asObject = (value: Json): JsonObject => (isObject(value) ? value : {});
const text = (value: Json) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A pact's interactions and messages (V2-V4), each with the name a reviewer knows it by. */
function interactionsOf(pact: Json): { key: string; name: InteractionName; body: JsonObject }[] {
  const document = asObject(pact);
  const all = [document.interactions, document.messages].filter(Array.isArray).flat().filter(isObject);
  const seen = new Map<string, number>();
  return all.map((interaction) => {
    const states = (
      Array.isArray(interaction.providerStates)
        ? interaction.providerStates.filter(isObject)
        : typeof interaction.providerState === 'string'
          ? [{ name: interaction.providerState }]
          : []
    ).map((state) => {
      const params = asObject(state.params);
      return Object.keys(params).length > 0
        ? { name: text(state.name), params: canonical(params) }
        : { name: text(state.name) };
    });
    const name = { description: text(interaction.description ?? ''), states };
    const base = JSON.stringify([name.description, states]);
    // Two interactions may share a description and state (several responses to one request): told apart by order.
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    return { key: `${base}#${occurrence}`, name, body: interaction };
  });
}

/** JSON with object keys sorted, so that equal content reads the same. */
function canonical(value: Json): string {
  const sort = (item: Json): Json =>
    Array.isArray(item)
      ? item.map(sort)
      : isObject(item)
        ? Object.fromEntries(
            Object.keys(item)
              .sort()
              .map((key) => [key, sort(item[key])]),
          )
        : item;
  return JSON.stringify(sort(value));
}

/** Keys the broker or the pact library add without the consumer saying anything: never a change to report. */
const IGNORED_KEYS = new Set(['_id', 'key', 'description', 'providerStates', 'providerState']);

/** Compares `local` (this checkout's pact) with `baseline` (the broker's), or reports a new contract when that is undefined. */
export function comparePacts(baseline: Json, local: Json): ContractDiff {
  const mine = interactionsOf(local);
  if (baseline === undefined) return { kind: 'new', interactions: mine.map((each) => each.name) };
  const theirs = interactionsOf(baseline);
  const theirsByKey = new Map(theirs.map((each) => [each.key, each]));
  const mineByKey = new Map(mine.map((each) => [each.key, each]));
  const changed = mine.flatMap((each) => {
    const before = theirsByKey.get(each.key);
    if (!before) return [];
    const changes = interactionChanges(before.body, each.body);
    return changes.length > 0 ? [{ interaction: each.name, changes }] : [];
  });
  const version = (pact: Json) => asObject(asObject(asObject(pact).metadata).pactSpecification).version;
  const [was, now] = [version(baseline), version(local)];
  return {
    kind: 'compared',
    added: mine.filter((each) => !theirsByKey.has(each.key)).map((each) => each.name),
    removed: theirs.filter((each) => !mineByKey.has(each.key)).map((each) => each.name),
    changed,
    notes:
      was !== undefined && now !== undefined && was !== now ? [`pact specification ${text(was)} → ${text(now)}`] : [],
  };
}

function interactionChanges(before: JsonObject, after: JsonObject): PartChange[] {
  const changes: PartChange[] = [];
  for (const side of ['request', 'response'] as const) {
    if (isObject(before[side]) || isObject(after[side]))
      changes.push(...httpPartChanges(side, asObject(before[side]), asObject(after[side])));
  }
  for (const key of keysOf(before, after)) {
    if (IGNORED_KEYS.has(key) || key === 'request' || key === 'response') continue;
    changes.push(...plainChange(key, undefined, before[key], after[key]));
  }
  return changes;
}

const keysOf = (...objects: JsonObject[]) => [...new Set(objects.flatMap((object) => Object.keys(object)))].sort();

/** A part compared as a whole: added, removed, or its value changed. */
function plainChange(part: string, name: string | undefined, before: Json, after: Json): PartChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (before === undefined) return [{ part, name, change: 'added', after: text(after) }];
  if (after === undefined) return [{ part, name, change: 'removed', before: text(before) }];
  return [{ part, name, change: 'changed', aspect: 'value', before: text(before), after: text(after) }];
}

const HANDLED = new Set(['method', 'path', 'query', 'headers', 'body', 'status', 'matchingRules']);

function httpPartChanges(side: 'request' | 'response', before: JsonObject, after: JsonObject): PartChange[] {
  const rules = (part: JsonObject) => asObject(part.matchingRules);
  const changes: PartChange[] = [];
  // A path or a status is one value, with at most one rule of its own.
  const single = (key: 'path' | 'status') => {
    changes.push(...plainChange(`${side} ${key}`, undefined, before[key], after[key]));
    const [was, now] = [rules(before)[key], rules(after)[key]];
    if (!isDeepStrictEqual(was, now))
      changes.push(matcherChange(`${side} ${key}`, undefined, ruleOf(was), ruleOf(now), after[key], before[key]));
  };
  changes.push(...plainChange(`${side} method`, undefined, before.method, after.method));
  single('path');
  changes.push(
    ...namedValueChanges(`${side} query`, before.query, after.query, rules(before).query, rules(after).query),
  );
  changes.push(
    ...namedValueChanges(`${side} header`, before.headers, after.headers, rules(before).header, rules(after).header),
  );
  changes.push(...bodyChanges(`${side} body`, before, after));
  single('status');
  for (const key of keysOf(before, after).filter((key) => !HANDLED.has(key)))
    changes.push(...plainChange(`${side} ${key}`, undefined, before[key], after[key]));
  return changes;
}

/** Query parameters or headers: each by name (headers case-insensitively), value and matcher. */
function namedValueChanges(part: string, before: Json, after: Json, rulesBefore: Json, rulesAfter: Json): PartChange[] {
  const header = part.endsWith('header');
  const fold = (name: string) => (header ? name.toLowerCase() : name);
  const index = (values: Json) =>
    new Map(Object.entries(asObject(values)).map(([name, value]) => [fold(name), { name, value }]));
  const [was, now, ruleWas, ruleNow] = [index(before), index(after), index(rulesBefore), index(rulesAfter)];
  const names = [...new Set([...was.keys(), ...now.keys(), ...ruleWas.keys(), ...ruleNow.keys()])].sort();
  return names.flatMap((key) => {
    const shown = now.get(key)?.name ?? was.get(key)?.name ?? ruleNow.get(key)?.name ?? ruleWas.get(key)?.name ?? key;
    // V4 keeps each header and query parameter as a list of strings: shown as the text a request carries.
    const plain = (value: Json) =>
      Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.join(', ') : value;
    const valueWas = plain(was.get(key)?.value);
    const valueNow = plain(now.get(key)?.value);
    const [matcherWas, matcherNow] = [ruleOf(ruleWas.get(key)?.value), ruleOf(ruleNow.get(key)?.value)];
    return fieldChanges(part, shown, { value: valueWas, rule: matcherWas }, { value: valueNow, rule: matcherNow });
  });
}

interface Field {
  value: Json;
  /** An object or array with a rule of its own: its fields report their own changes. */
  container?: boolean;
  rule?: MatchingRule;
  /** An enclosing `type` rule that applies to this field when it has none of its own (V3/V4 cascade). */
  inherited?: boolean;
}

/** The changes to one field (or header, or query parameter) between two versions. */
function fieldChanges(part: string, name: string, before: Field, after: Field): PartChange[] {
  const present = (field: Field) => field.value !== undefined || field.rule !== undefined;
  if (!present(before) && !present(after)) return [];
  if (!present(before)) return [{ part, name, change: 'added', after: describeField(after) }];
  if (!present(after)) return [{ part, name, change: 'removed', before: describeField(before) }];
  const changes: PartChange[] = [];
  const [ruleWas, ruleNow] = [describeRule(before.rule, before.value), describeRule(after.rule, after.value)];
  if (ruleWas !== ruleNow || !isDeepStrictEqual(before.rule, after.rule))
    changes.push(matcherChange(part, name, before.rule, after.rule, after.value, before.value));
  if (!before.container && !after.container && !isDeepStrictEqual(before.value, after.value)) {
    const matched = (before.rule ?? after.rule) !== undefined || before.inherited === true || after.inherited === true;
    changes.push({
      part,
      name,
      change: 'changed',
      aspect: matched ? 'example' : 'value',
      before: text(before.value),
      after: text(after.value),
    });
  }
  return changes;
}

function matcherChange(
  part: string,
  name: string | undefined,
  before: MatchingRule | undefined,
  after: MatchingRule | undefined,
  example: Json,
  exampleBefore: Json = example,
): PartChange {
  let [was, now] = [describeRule(before, exampleBefore), describeRule(after, example)];
  // Two rules that read alike but differ (a regex's flags, an unknown matcher's option): show them whole.
  if (was === now) [was, now] = [canonical(before ?? null), canonical(after ?? null)];
  return { part, name, change: 'changed', aspect: 'matcher', before: was, after: now };
}

const describeField = (field: Field) =>
  field.rule
    ? `${describeRule(field.rule, field.value)}, e.g. ${text(field.value)}`
    : field.value === undefined
      ? 'no value'
      : field.inherited
        ? `${describeRule({ matchers: [{ match: 'type' }] }, field.value)}, e.g. ${text(field.value)}`
        : text(field.value);

function ruleOf(value: Json): MatchingRule | undefined {
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.matchers))
    return { combine: text(value.combine ?? 'AND'), matchers: value.matchers.filter(isObject) };
  // V2's flat form: `{"match": "type"}` (or `{"regex": …}`) straight under the path.
  if (typeof value.match === 'string' || typeof value.regex === 'string') return { combine: 'AND', matchers: [value] };
  return undefined;
}

/** Pairs of rules (AND) that mean one thing a reviewer knows by name: our matchers.ts writes these. */
const NAMED_COMBINATIONS: { match: string; regex: RegExp; name: string }[] = [
  { match: 'integer', regex: /^\^\[1-9\](\\d|\[0-9\])\*\$$/, name: 'positive integer' },
  { match: 'integer', regex: /^\^(\\d|\[0-9\])\+\$$/, name: 'non-negative integer' },
  { match: 'integer', regex: /^\^-\?(\\d|\[0-9\])\+\$$/, name: 'integer' },
];

const kindOf = (example: Json) =>
  Array.isArray(example)
    ? 'array'
    : example === null
      ? 'null'
      : typeof example === 'object'
        ? 'object'
        : typeof example;

/** A matcher as a reviewer reads it: "integer", "positive integer", "any string", "matching /^[A-Z]{3}$/"… */
export function describeRule(rule: MatchingRule | undefined, example: Json): string {
  const matchers = rule?.matchers ?? [];
  if (matchers.length === 0) return 'exact value';
  if (matchers.length === 2 && (rule?.combine ?? 'AND').toUpperCase() === 'AND') {
    const regex = matchers.find((matcher) => matcher.match === 'regex');
    const other = matchers.find((matcher) => matcher !== regex);
    const named = NAMED_COMBINATIONS.find(
      (combination) =>
        other?.match === combination.match && typeof regex?.regex === 'string' && combination.regex.test(regex.regex),
    );
    if (named) return named.name;
    // "type" and a regex: the value's own type, matching the pattern (our percentCases).
    if (
      other?.match === 'type' &&
      typeof regex?.regex === 'string' &&
      other.min === undefined &&
      other.max === undefined
    )
      return `${kindOf(example)} matching /${regex.regex}/`;
  }
  const joiner = (rule?.combine ?? 'AND').toUpperCase() === 'OR' ? ' or ' : ' and ';
  return matchers.map((matcher) => describeMatcher(matcher, example)).join(joiner);
}

function describeMatcher(matcher: JsonObject, example: Json): string {
  const match = text(matcher.match ?? (typeof matcher.regex === 'string' ? 'regex' : 'type'));
  const count = () => {
    const [min, max] = [matcher.min, matcher.max].map((bound) => (typeof bound === 'number' ? bound : undefined));
    if (min !== undefined && max !== undefined) return `${min} to ${max} items like the example`;
    if (min !== undefined) return `at least ${min} ${min === 1 ? 'item' : 'items'} like the example`;
    if (max !== undefined) return `at most ${max} ${max === 1 ? 'item' : 'items'} like the example`;
    return undefined;
  };
  const nested = (key: string) =>
    Array.isArray(matcher.rules)
      ? matcher.rules
          .filter(isObject)
          .map((rule) => describeMatcher(rule, undefined))
          .join(' and ')
      : key;
  switch (match) {
    case 'type':
      return count() ?? (kindOf(example) === 'object' ? 'object like the example' : `any ${kindOf(example)}`);
    case 'regex':
      return `matching /${text(matcher.regex)}/`;
    case 'integer':
    case 'decimal':
    case 'number':
    case 'boolean':
    case 'null':
      return match;
    case 'equality':
      return 'equal to the example';
    case 'include':
      return `including ${JSON.stringify(text(matcher.value))}`;
    case 'date':
    case 'time':
    case 'timestamp':
    case 'datetime':
      return `${match === 'timestamp' ? 'date-time' : match}${matcher.format === undefined ? '' : ` in format ${text(matcher.format)}`}`;
    case 'contentType':
      return `content of type ${text(matcher.value)}`;
    case 'values':
      return 'any keys, values like the example';
    case 'notEmpty':
      return `non-empty ${kindOf(example)}`;
    case 'semver':
      return 'semantic version';
    case 'eachKey':
      return `each key ${nested('matching its rule')}`;
    case 'eachValue':
      return `each value ${nested('matching its rule')}`;
    case 'arrayContains':
      return 'array containing the example variants';
    case 'statusCode':
      return `status ${text(matcher.status)}`;
    default:
      return count() ? `${match}, ${count()}` : match;
  }
}

/** JSONPath as a reviewer reads it: `$` is the whole body, `$.a[*].b` is `a[*].b`, `$[*].b` is `[*].b`. */
const shownPath = (path: string) => (path === '$' ? '(whole body)' : path.replace(/^\$\.?/, ''));

const identifier = /^[A-Za-z_$][\w$-]*$/;
const child = (path: string, key: string) => (identifier.test(key) ? `${path}.${key}` : `${path}['${key}']`);

/** Each field of a body by its JSONPath; an array with a rule of its own (eachLike) has its items as `[*]`. */
function flatten(
  content: Json,
  rules: Map<string, Json>,
  path = '$',
  into = new Map<string, Json>(),
): Map<string, Json> {
  if (Array.isArray(content) && content.length > 0) {
    const wildcard = rules.has(path);
    content.forEach((item, index) => {
      const itemPath = wildcard ? `${path}[*]` : `${path}[${index}]`;
      // eachLike with min 2 repeats its example: the first stands for all.
      if (!(wildcard && index > 0)) flatten(item, rules, itemPath, into);
    });
    if (wildcard) into.set(path, content);
  } else if (isObject(content) && Object.keys(content).length > 0) {
    for (const [key, value] of Object.entries(content)) flatten(value, rules, child(path, key), into);
    if (rules.has(path)) into.set(path, content);
  } else {
    into.set(path, content);
  }
  return into;
}

/** The body's content (V4 wraps it with its content type) and rules, keyed by JSONPath (V2 prefixes `$.body`). */
function bodyOf(part: JsonObject): { content: Json; contentType?: Json; rules: Map<string, Json>; present: boolean } {
  const body = part.body;
  const v4 = isObject(body) && 'content' in body && ('contentType' in body || 'encoded' in body);
  const rules = new Map<string, Json>();
  const allRules = asObject(part.matchingRules);
  for (const [path, rule] of Object.entries(asObject(allRules.body))) rules.set(path, rule);
  for (const [path, rule] of Object.entries(allRules).filter(([key]) => key.startsWith('$.body')))
    rules.set(`$${path.slice('$.body'.length)}`, rule);
  return {
    content: v4 ? body.content : body,
    contentType: v4 ? body.contentType : undefined,
    rules,
    present: body !== undefined,
  };
}

function bodyChanges(part: string, before: JsonObject, after: JsonObject): PartChange[] {
  const [was, now] = [bodyOf(before), bodyOf(after)];
  if (!was.present && !now.present) return [];
  if (!was.present) return [{ part, change: 'added', after: text(now.content) }];
  if (!now.present) return [{ part, change: 'removed', before: text(was.content) }];
  const changes = plainChange(`${part} content type`, undefined, was.contentType, now.contentType);
  const [fieldsWas, fieldsNow] = [flatten(was.content, was.rules), flatten(now.content, now.rules)];
  const paths = [...new Set([...fieldsWas.keys(), ...fieldsNow.keys(), ...was.rules.keys(), ...now.rules.keys()])];
  const field = (fields: Map<string, Json>, rules: Map<string, Json>, path: string): Field => {
    const rule = ruleOf(rules.get(path));
    const ancestors = [...rules.entries()].filter(
      ([other, value]) =>
        path !== other &&
        path.startsWith(other) &&
        /^[.[]/.test(path.slice(other.length)) &&
        ruleOf(value)?.matchers?.some((matcher) => matcher.match === 'type'),
    );
    const value = fields.get(path);
    const container = (Array.isArray(value) || isObject(value)) && Object.keys(value).length > 0;
    return { value, container, rule, inherited: rule === undefined && ancestors.length > 0 };
  };
  for (const path of paths.sort())
    changes.push(
      ...fieldChanges(part, shownPath(path), field(fieldsWas, was.rules, path), field(fieldsNow, now.rules, path)),
    );
  return changes;
}

// Rendering. Every line says what it is about without the lines around it, so a reviewer can quote one.

const stateText = (name: InteractionName) =>
  name.states.length > 0
    ? ` (given ${name.states.map((state) => `"${state.name}"${state.params ? ` ${state.params}` : ''}`).join(' and ')})`
    : '';
const interactionText = (name: InteractionName) => `"${name.description}"${stateText(name)}`;

function changeText(change: PartChange): string {
  const label = change.name === undefined ? change.part : `${change.part} ${change.name}`;
  if (change.change === 'added') return `${label}: added (${change.after})`;
  if (change.change === 'removed') return `${label}: removed (was ${change.before})`;
  return `${label}: ${change.aspect === 'example' ? 'example ' : ''}${change.before} → ${change.after}`;
}

/** One consumer's report in plain lines, indented under its heading. */
export function renderPlain(diff: ContractDiff): string[] {
  if (diff.kind === 'new')
    return [
      `new contract: ${diff.interactions.length} ${diff.interactions.length === 1 ? 'interaction' : 'interactions'}`,
      ...diff.interactions.map((name) => `  + ${interactionText(name)}`),
    ];
  if (isUnchanged(diff)) return ['no change'];
  return [
    ...diff.notes.map((note) => `~ ${note}`),
    ...diff.added.map((name) => `+ added ${interactionText(name)}`),
    ...diff.removed.map((name) => `- removed ${interactionText(name)}`),
    ...diff.changed.flatMap(({ interaction, changes }) => [
      `~ changed ${interactionText(interaction)}`,
      ...changes.map((change) => `    ${changeText(change)}`),
    ]),
  ];
}

/** Text safe inside Markdown: no formatting, HTML or table syntax of its own. */
export const markdownText = (value: string) => value.replace(/[\\`*_{}[\]()<>#+!|~]/g, (char) => `\\${char}`);

/** Inline code that holds any text: a fence longer than any run of backticks inside it. */
export function markdownCode(value: string): string {
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

const interactionMarkdown = (name: InteractionName) => {
  const states = name.states.map(
    (state) => `"${markdownText(state.name)}"${state.params ? ` ${markdownCode(state.params)}` : ''}`,
  );
  return `*${markdownText(name.description)}*${states.length > 0 ? ` (given ${states.join(' and ')})` : ''}`;
};

function changeMarkdown(change: PartChange): string {
  const label = `${change.part}${change.name === undefined ? '' : ` ${markdownCode(change.name)}`}`;
  const value = (shown: string | undefined) =>
    change.aspect === 'matcher' ? markdownText(shown ?? '') : markdownCode(shown ?? '');
  if (change.change === 'added') return `${label}: added (${markdownText(change.after ?? '')})`;
  if (change.change === 'removed') return `${label}: removed (was ${markdownText(change.before ?? '')})`;
  return `${label}: ${change.aspect === 'example' ? 'example ' : ''}${value(change.before)} → ${value(change.after)}`;
}

/** One consumer's report as Markdown list items, for a pull request's job summary. */
export function renderMarkdown(diff: ContractDiff): string[] {
  if (diff.kind === 'new')
    return [
      `**New contract**: ${diff.interactions.length} ${diff.interactions.length === 1 ? 'interaction' : 'interactions'}`,
      '',
      ...diff.interactions.map((name) => `- ${interactionMarkdown(name)}`),
    ];
  if (isUnchanged(diff)) return ['**No change**'];
  return [
    ...diff.notes.map((note) => `- ${markdownText(note)}`),
    ...diff.added.map((name) => `- **Added** ${interactionMarkdown(name)}`),
    ...diff.removed.map((name) => `- **Removed** ${interactionMarkdown(name)}`),
    ...diff.changed.flatMap(({ interaction, changes }) => [
      `- **Changed** ${interactionMarkdown(interaction)}`,
      ...changes.map((change) => `  - ${changeMarkdown(change)}`),
    ]),
  ];
}
