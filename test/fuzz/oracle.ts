/**
 * The oracle: what every answer to a generated request must be, whatever the request was.
 * `verify` throws a report that names the request, the answer and the seed to replay it with.
 */
import { BODY_LIMIT_BYTES } from '../../src/app.factory.js';
import { REPLAY } from './seed.js';
import {
  type Answer,
  type ListKind,
  type ProbeFields,
  describeProbe,
  safeDecode,
  truncate,
} from './probe.js';

// ---------------------------------------------------------------------------------------
// What no answer may contain
// ---------------------------------------------------------------------------------------

const LEAKS: [what: string, pattern: RegExp][] = [
  [
    'a stack frame',
    /\bat (?:async )?(?:[\w$.<>[\]]+ )?\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+(?::\d+)?\)?/,
  ],
  ['a stack trace', /\n\s+at \S/],
  ['node_modules', /node_modules/],
  ['SQL', /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*?\b(?:FROM|INTO|SET|WHERE)\b/],
  ['an ORM error', /QueryFailedError|TypeORMError|EntityNotFound|EntityPropertyNotFound/],
  [
    'a PostgreSQL message',
    /violates (?:unique|foreign key|check|not-null) constraint|duplicate key value|syntax error at or near|invalid input syntax for|SQLSTATE/,
  ],
  ['a constraint or index name', /\b[a-z]+(?:_[a-z]+)*_(?:key|fkey|pkey|check|idx)\b/],
  ['a table or column name', /\brefresh_tokens\b|\b(?:password_hash|token_hash|family_id)\b/],
  ['a relation', /\brelation\b/],
  ['a bcrypt hash', /\$2[aby]\$\d\d\$/],
];

/** Keys no answer may have: secrets the server keeps. */
const SECRET_KEYS = /^(?:password|passwordHash|password_hash|hash|tokenHash|token_hash)$/i;

/**
 * Every string this run has sent in a body (and its trimmed and lowercased forms). The API
 * stores text exactly as sent, so a later page may show it back: that is the client's own
 * text, not a leak, and it is the only text exempt from the leak patterns.
 */
const sentStrings = new Set<string>();

const NOT_JSON = Symbol('not JSON');

/** A request body parsed as JSON (`__proto__` stays an own key), or `NOT_JSON`. */
function parsedBody(body: ProbeFields['body']): unknown {
  if (typeof body !== 'string') return NOT_JSON;
  try {
    return JSON.parse(body);
  } catch {
    return NOT_JSON;
  }
}

function stringsOfJson(text: string): string[] {
  const parsed = parsedBody(text);
  if (parsed === NOT_JSON) return [];
  const found: string[] = [];
  const pending: unknown[] = [parsed];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') found.push(value);
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        found.push(key);
        pending.push(child);
      }
    }
  }
  return found;
}

/** The text a request itself carries, which an error message may quote back (a key, the path). */
function fragmentsOf(p: ProbeFields): string[] {
  const bodyText =
    p.body === undefined
      ? ''
      : typeof p.body === 'string'
        ? p.body
        : new TextDecoder().decode(p.body);
  const [path, query = ''] = p.url.split('?', 2);
  const fragments = [
    ...stringsOfJson(bodyText),
    path,
    safeDecode(path),
    ...path.split('/').map(safeDecode),
    ...query.split(/[&=]/).map(safeDecode),
    ...(p.query ?? []).flat(),
  ];
  const variants = fragments.flatMap((s) => [s, s.trim(), s.toLowerCase(), s.trim().toLowerCase()]);
  return [...new Set(variants)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

export function recordSent(p: ProbeFields): void {
  if (typeof p.body !== 'string') return;
  for (const s of stringsOfJson(p.body)) {
    if (s.length > 10_001) continue;
    for (const v of [s, s.trim(), s.toLowerCase(), s.trim().toLowerCase()]) sentStrings.add(v);
  }
}

function leakIn(text: string, fragments: () => string[]): string | undefined {
  if (!LEAKS.some(([, pattern]) => pattern.test(text)) || sentStrings.has(text)) return undefined;
  // Something looks like a leak: take out what the request itself said, and look again.
  let scrubbed = text;
  for (const fragment of fragments()) {
    if (scrubbed.includes(fragment)) scrubbed = scrubbed.split(fragment).join(' ');
  }
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(scrubbed);
    if (match) return `${what} (${JSON.stringify(match[0].slice(0, 120))})`;
  }
  return undefined;
}

/** Finds a leak anywhere in an answer: every string and every key of its JSON, or its text. */
function findLeak(body: unknown, text: string, fragments: () => string[]): string | undefined {
  if (body === undefined) return text.length > 0 ? leakIn(text, fragments) : undefined;
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      const leak = leakIn(value, fragments);
      if (leak) return leak;
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (SECRET_KEYS.test(key)) return `a secret field ${JSON.stringify(key)}`;
        const leak = leakIn(key, fragments);
        if (leak) return `${leak} in a key`;
        pending.push(child);
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Prototype pollution
// ---------------------------------------------------------------------------------------

const PROTOTYPES: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
];
const PROTOTYPE_BASELINE = new Map(
  PROTOTYPES.map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort().join(',')]),
);
const POLLUTION_MARKERS = ['polluted', 'isAdmin', 'fuzzPolluted'];

export function pollution(): string | undefined {
  for (const [name, proto] of PROTOTYPES) {
    const keys = Reflect.ownKeys(proto).map(String).sort().join(',');
    if (keys !== PROTOTYPE_BASELINE.get(name)) return `${name} changed: ${keys}`;
  }
  for (const marker of POLLUTION_MARKERS) {
    if (({} as any)[marker] !== undefined) return `({}).${marker} is defined`;
    if (([] as any)[marker] !== undefined) return `[].${marker} is defined`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The properties every answer has
// ---------------------------------------------------------------------------------------

const PAGE_LISTS: Record<ListKind, string[] | undefined> = {
  doctors: ['name', 'specialization', 'email'],
  patients: ['name'],
  mappings: undefined,
  patientDoctors: undefined,
};

function checkPage(p: ProbeFields, body: any): string | undefined {
  if (
    !body ||
    !Array.isArray(body.items) ||
    !Number.isInteger(body.total) ||
    !Number.isInteger(body.limit) ||
    !Number.isInteger(body.offset)
  ) {
    return 'a 2xx list answer is not a page { items, total, limit, offset }';
  }
  if (body.limit < 1 || body.limit > 100 || body.offset < 0 || body.items.length > body.limit) {
    return `a page outside the contract: limit ${body.limit}, offset ${body.offset}, ${body.items.length} items`;
  }
  // q matches its text literally (no LIKE wildcards, no SQL): every item contains it.
  const qs = (p.query ?? []).filter(([key]) => key === 'q');
  const fields = p.list && PAGE_LISTS[p.list];
  if (fields && qs.length === 1 && !p.rawQuery) {
    const q = qs[0][1].trim();
    if (q.length > 0 && /^[\x20-\x7e]+$/.test(q)) {
      const needle = q.toLowerCase();
      const stray = body.items.find(
        (item: Record<string, unknown>) =>
          !fields.some((field) =>
            JSON.stringify(item[field] ?? '')
              .toLowerCase()
              .includes(needle),
          ),
      );
      if (stray)
        return `q=${JSON.stringify(q)} matched an item without it: ${JSON.stringify(stray)}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Keys the transformer would drop
// ---------------------------------------------------------------------------------------

/**
 * Keys that Nest's ValidationPipe and class-transformer delete or skip before the whitelist can
 * see them. Unknown properties are a 400, so a body carrying one must be refused, never
 * accepted with the key silently ignored (issue 9).
 */
export const DROPPED_KEYS = ['__proto__', 'constructor', 'prototype'];

/** The dropped keys a JSON body carries, at any depth (JSON.parse keeps `__proto__` as a key). */
function droppedKeysIn(body: ProbeFields['body']): string[] {
  const found = new Set<string>();
  const pending: unknown[] = [parsedBody(body)];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    for (const key of DROPPED_KEYS) if (Object.hasOwn(value, key)) found.add(key);
    for (const child of Object.values(value)) pending.push(child);
  }
  return [...found];
}

/** The writes that need no access token: a 401 there comes after the body was read. */
const PUBLIC_WRITES = /^\/auth\/(?:register|login|refresh)\/?(?:\?|$)/;

/**
 * A body with a dropped key, sent to an endpoint that reads a body, is a 400: from the
 * validation pipe, or from Fastify's JSON parser for `__proto__`. Only the checks the server
 * makes before it reads the body may answer otherwise, each for a reason the request shows.
 */
function droppedKeyProblem(p: ProbeFields, a: Answer): string | undefined {
  if (a.status === 400 || !['POST', 'PUT', 'PATCH'].includes(p.method)) return undefined;
  const keys = droppedKeysIn(p.body);
  if (keys.length === 0) return undefined;
  const refusedBeforeTheBody: Record<number, boolean> = {
    // The guard runs first on every endpoint but the public ones (a token may also have
    // ended by then: an earlier request logged its session out).
    401: !PUBLIC_WRITES.test(p.url),
    // fetch resolves dot segments ('/api/patients/../'), so the path names another route.
    404: new URL(p.url, 'http://fuzz.invalid').pathname !== p.url.split('?')[0],
    413: Buffer.byteLength(p.body as string) > BODY_LIMIT_BYTES,
    415: p.contentType !== undefined,
  };
  if (refusedBeforeTheBody[a.status]) return undefined;
  return `a body carrying ${keys.join(', ')} answered ${a.status}, not 400`;
}

/**
 * Unknown properties are a 400, nothing is silently ignored: a write whose object body has a
 * top-level key its endpoint does not have is never a 2xx, whichever key the transformer drops.
 */
function unknownKeyProblem(p: ProbeFields, a: Answer): string | undefined {
  if (a.status < 200 || a.status >= 300 || !p.bodyFields) return undefined;
  const parsed = parsedBody(p.body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const unknown = Object.keys(parsed).filter((key) => !p.bodyFields!.includes(key));
  if (unknown.length === 0) return undefined;
  return `a ${a.status} to a body with the unknown ${unknown.map((key) => JSON.stringify(key)).join(', ')}`;
}

/** Checks one answer against every property; throws a replayable report if one fails. */
export function verify(p: ProbeFields, a: Answer): void {
  const fail = (why: string): never => {
    throw new Error(
      `${why}\n  request:  ${describeProbe(p)}\n  response: ${a.status} ${a.contentType} ${truncate(a.text, 1500)}\n  (${REPLAY})`,
    );
  };
  const polluted = pollution();
  if (polluted) fail(`prototype pollution: ${polluted}`);
  if (!((a.status >= 200 && a.status < 300) || (a.status >= 400 && a.status < 500))) {
    fail(`status ${a.status} is neither 2xx nor 4xx`);
  }
  let body: any;
  if (a.text.length > 0) {
    if (!/^application\/(?:problem\+)?json\b/.test(a.contentType)) {
      fail(`a body that is not JSON (${a.contentType || 'no content type'})`);
    }
    try {
      body = JSON.parse(a.text);
    } catch {
      fail('a body that does not parse as JSON');
    }
  }
  if (a.status >= 400) {
    if (!/^application\/problem\+json\b/.test(a.contentType)) {
      fail(`a ${a.status} that is not application/problem+json`);
    }
    if (
      body === null ||
      typeof body !== 'object' ||
      typeof body.type !== 'string' ||
      typeof body.title !== 'string' ||
      typeof body.detail !== 'string' ||
      typeof body.instance !== 'string'
    ) {
      fail('a problem document without type, title, detail and instance');
    }
    if (body.status !== a.status) fail(`problem status ${body.status} ≠ HTTP status ${a.status}`);
    if (
      body.errors !== undefined &&
      (!Array.isArray(body.errors) ||
        !body.errors.every(
          (e: any) => e && typeof e.field === 'string' && typeof e.message === 'string',
        ))
    ) {
      fail('problem errors that are not [{ field, message }]');
    }
  } else if (a.status === 204) {
    if (a.text.length > 0) fail('a 204 with a body');
  } else if (body === undefined || body === null || typeof body !== 'object') {
    fail('a 2xx without a JSON object body');
  } else if (p.list && p.method === 'GET') {
    const pageProblem = checkPage(p, body);
    if (pageProblem) fail(pageProblem);
  }
  const dropped = droppedKeyProblem(p, a);
  if (dropped) fail(dropped);
  const unknown = unknownKeyProblem(p, a);
  if (unknown) fail(unknown);
  let fragments: string[] | undefined;
  const leak = findLeak(body, a.text, () => (fragments ??= fragmentsOf(p)));
  if (leak) fail(`the answer leaks ${leak}`);
}
