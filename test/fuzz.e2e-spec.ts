/**
 * Generated hostile input (issue 5, item 1): every write endpoint and every list query gets
 * thousands of generated bad inputs, and every answer must keep the contract's promises:
 * a 2xx or a 4xx problem document, never a 5xx; nothing leaks (stack traces, SQL, table or
 * constraint names, password hashes); nothing pollutes prototypes; the server stays up.
 *
 * Seeded: `FUZZ_SEED=<n> npx vitest run test/fuzz.e2e-spec.ts` replays a run (the seed is in
 * every test name, and fast-check prints it with the counterexample). `FUZZ_RUNS=<n>`
 * overrides the number of runs of every property, for a longer soak.
 *
 * The hand-written cases of hostile-input.e2e-spec.ts are the examples this generalises.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, startApp, type TestApp } from './support/app.js';
import { createDoctor, createPatient } from './support/records.js';

const DEFAULT_SEED = 20_261_125;

function seedFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_SEED;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${value}`);
  return seed;
}

const SEED = seedFromEnv(process.env.FUZZ_SEED);
const RUNS_OVERRIDE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
if (RUNS_OVERRIDE !== undefined && !(Number.isSafeInteger(RUNS_OVERRIDE) && RUNS_OVERRIDE > 0)) {
  throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
}
const runs = (normal: number) => RUNS_OVERRIDE ?? normal;
const REPLAY = `seed ${SEED}, replay with FUZZ_SEED=${SEED}`;
/** No single answer may take longer than this: a hang is a failure, not a stuck test. */
const ANSWER_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------

type ListKind = 'doctors' | 'patients' | 'mappings' | 'patientDoctors';

interface ProbeFields {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, already percent-encoded (possibly as invalid UTF-8, on purpose). */
  url: string;
  /** The body: JSON text (possibly malformed), raw bytes, or none. */
  body?: string | Uint8Array;
  /** Content-Type; `undefined` means application/json when there is a body, '' means none. */
  contentType?: string;
  /** The whole Authorization header, if any. */
  authorization?: string;
  /** What the Authorization header is, for the report (tokens are long). */
  auth: string;
  /** For list queries: which list, and the decoded query pairs. */
  list?: ListKind;
  query?: [string, string][];
  rawQuery?: string;
}

type Probe = ProbeFields & fc.WithToStringMethod;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  elapsedMs: number;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function describeBody(body: ProbeFields['body']): string {
  if (body === undefined) return '(none)';
  if (typeof body === 'string') return JSON.stringify(truncate(body, 600));
  return `bytes ${JSON.stringify(truncate(new TextDecoder().decode(body), 600))} (${Buffer.from(body).toString('hex').slice(0, 400)})`;
}

function describeProbe(p: ProbeFields): string {
  const type = p.contentType === undefined ? '' : ` content-type=${JSON.stringify(p.contentType)}`;
  return `${p.method} ${truncate(p.url, 400)} auth=${p.auth}${type} body=${describeBody(p.body)}`;
}

function probe(fields: ProbeFields): Probe {
  return { ...fields, [fc.toStringMethod]: () => describeProbe(fields) };
}

let baseUrl = '';
const statusCounts = new Map<number, number>();
let requestCount = 0;
let slowest: { ms: number; request: string } = { ms: 0, request: '' };

async function send(p: ProbeFields): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (p.authorization !== undefined) headers.authorization = p.authorization;
  const hasBody = p.body !== undefined && p.method !== 'GET';
  if (hasBody && p.contentType !== '')
    headers['content-type'] = p.contentType ?? 'application/json';
  const started = performance.now();
  const response = await fetch(`${baseUrl}${p.url}`, {
    method: p.method,
    headers,
    body: hasBody ? p.body : undefined,
    signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
  });
  const text = await response.text();
  requestCount += 1;
  statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    elapsedMs: performance.now() - started,
  };
}

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

function stringsOfJson(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
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

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
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

function recordSent(p: ProbeFields): void {
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

function pollution(): string | undefined {
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

/** Checks one answer against every property; throws a replayable report if one fails. */
function verify(p: ProbeFields, a: Answer): void {
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
  let fragments: string[] | undefined;
  const leak = findLeak(body, a.text, () => (fragments ??= fragmentsOf(p)));
  if (leak) fail(`the answer leaks ${leak}`);
}

async function exchange(p: Probe): Promise<void> {
  let answer: Answer;
  try {
    answer = await send(p);
  } catch (error) {
    throw new Error(
      `no answer (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})\n  request:  ${describeProbe(p)}\n  (${REPLAY})`,
      { cause: error },
    );
  }
  recordSent(p);
  if (answer.elapsedMs > slowest.ms) {
    slowest = { ms: answer.elapsedMs, request: truncate(describeProbe(p), 300) };
  }
  verify(p, answer);
}

// ---------------------------------------------------------------------------------------
// Generators: hostile text, JSON values and bodies
// ---------------------------------------------------------------------------------------

/**
 * Percent-encodes every character. A lone surrogate becomes U+FFFD (as a browser sends it), or
 * with `invalidUtf8` its WTF-8 bytes, which are not UTF-8 at all.
 */
function percentEncode(text: string, invalidUtf8 = false): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff && !invalidUtf8) {
      out += '%EF%BF%BD';
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

const controlCharacter = fc
  .integer({ min: 0, max: 0x9f })
  .filter((code) => code < 0x20 || code >= 0x7f)
  .map((code) => String.fromCharCode(code));

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

const SQL_AND_LIKE = [
  `' OR '1'='1`,
  `' OR 1=1 --`,
  `"; DROP TABLE doctors; --`,
  `Robert'); DROP TABLE patients;--`,
  `1 UNION SELECT email FROM users --`,
  `'; SELECT pg_sleep(5); --`,
  `' AND 1=CAST((SELECT version()) AS int) --`,
  `1::int`,
  `$$`,
  `$1`,
  `:q`,
  `\\`,
  `\\'`,
  `''`,
  `E'\\x00'`,
  `/*`,
  `*/`,
  `--`,
  `;`,
  `%`,
  `_`,
  `%%`,
  `%_%`,
  `\\%`,
  `\\_`,
  `[a-z]%`,
  `^.*$`,
  `*`,
  `?`,
  `@@version`,
  `{"$ne":null}`,
];

const ODD_UNICODE = [
  '\u202e', // right-to-left override
  '\u200b', // zero-width space
  '\ufeff', // byte order mark
  '\u00a0', // no-break space (trimmed by String.prototype.trim)
  '\u2028',
  '\u2029',
  '\ufffe',
  '\uffff',
  '\u{10ffff}',
  'e\u0301',
  'İ',
  'ß',
  'ﬃ',
  '👩‍⚕️',
  '🩺',
  'Ελληνικά',
  'العربية',
  '中文',
];

const TRICKY_WORDS = [
  '',
  ' ',
  '   ',
  '\t',
  '\n',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '[object Object]',
  '$2b$10$abcdefghijklmnopqrstuuWXYZ0123456789abcdefghijklmno',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '../../etc/passwd',
];

const textPiece = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 2, arbitrary: controlCharacter },
  { weight: 2, arbitrary: loneSurrogate },
  { weight: 3, arbitrary: fc.constantFrom(...SQL_AND_LIKE) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_UNICODE) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', '\r\n', '\r') },
);

/** Short hostile text: control characters, lone surrogates, SQL, LIKE, odd Unicode. */
const hostileText = fc.array(textPiece, { maxLength: 6 }).map((pieces) => pieces.join(''));

/** Text at and around every length limit of the contract, and far past the body limit. */
const longText = fc
  .tuple(
    fc.constantFrom(
      30,
      31,
      99,
      100,
      101,
      254,
      255,
      500,
      501,
      1000,
      1001,
      4096,
      4097,
      10_000,
      10_001,
      50_000,
      100_001,
    ),
    fc.constantFrom('a', 'é', '🩺', ' ', '%', "'", '\u0000', '\\'),
  )
  .map(([length, unit]) => unit.repeat(length));

const anyText = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 1, arbitrary: longText },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_WORDS) },
);

/** Text for a query string: as hostile, but short enough for a URL (long URLs have their own test). */
const queryText = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(99, 100, 101, 255, 1000, 1001),
        fc.constantFrom('a', 'é', '%', "'", '\\'),
      )
      .map(([length, unit]) => unit.repeat(length)),
  },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_WORDS) },
);

/** Numbers as JSON text: huge, negative, tiny, past 2^53, and literals JSON.parse turns to ±Infinity. */
const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    '-0',
    '0',
    '1',
    '-1',
    '100',
    '101',
    '1e400',
    '-1e400',
    '1e308',
    '-1e308',
    '5e-324',
    '1E2',
    '0.1',
    '9007199254740993',
    '-9007199254740993',
    '2147483648',
    '-2147483649',
    '123456789012345678901234567890123456789',
  ),
);

const scalarText = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', 'false') },
  { weight: 2, arbitrary: numberText },
  { weight: 4, arbitrary: anyText.map((text) => JSON.stringify(text)) },
);

type Entry = [key: string, valueText: string];

function objectText(entries: Entry[]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

const READ_ONLY = ['id', 'createdAt', 'updatedAt', 'createdBy'];
const ALL_FIELDS = [
  'name',
  'specialization',
  'email',
  'phone',
  'password',
  'refreshToken',
  'dateOfBirth',
  'gender',
  'address',
  'medicalHistory',
  'doctorId',
  'patientId',
  'notes',
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

const anyKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ALL_FIELDS, ...READ_ONLY) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Name',
      'NAME',
      'name ',
      ' name',
      'e-mail',
      'doctor_id',
      'a.b',
      'a[b]',
      '$where',
      '$ne',
      'toJSON',
      'toString',
      'valueOf',
      'hasOwnProperty',
      '__defineGetter__',
      'isAdmin',
      '',
    ),
  },
  { weight: 2, arbitrary: hostileText },
);

/** Any JSON value as text, nesting arrays and objects a few levels. */
const jsonValue: fc.Memo<string> = fc.memo((depth) =>
  depth <= 1
    ? scalarText
    : fc.oneof(
        { weight: 4, arbitrary: scalarText },
        {
          weight: 1,
          arbitrary: fc
            .array(jsonValue(depth - 1), { maxLength: 4 })
            .map((items) => `[${items.join(',')}]`),
        },
        {
          weight: 1,
          arbitrary: fc
            .array(fc.tuple(anyKey, jsonValue(depth - 1)), { maxLength: 4 })
            .map(objectText),
        },
      ),
);
const anyValue = jsonValue(3);

/** Entries aimed at prototypes, sent as raw JSON text so they really reach the server. */
const POLLUTERS: Entry[] = [
  ['__proto__', '{"polluted":"yes","isAdmin":true}'],
  ['__proto__', '{"__proto__":{"fuzzPolluted":"yes"}}'],
  ['__proto__', '{"toString":"x","valueOf":1}'],
  ['__proto__', 'null'],
  ['__proto__', '[]'],
  ['__proto__', '"polluted"'],
  ['constructor', '{"prototype":{"polluted":"yes","isAdmin":true}}'],
  ['constructor', '{"name":"Object"}'],
  ['constructor', '"x"'],
  ['prototype', '{"polluted":"yes"}'],
  ['toJSON', '"x"'],
  ['hasOwnProperty', '1'],
  ['isAdmin', 'true'],
];

const extraEntry: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...POLLUTERS) },
  { weight: 3, arbitrary: fc.tuple(anyKey, anyValue) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom(...READ_ONLY),
      fc.oneof(
        fc.uuid().map((id) => JSON.stringify(id)),
        fc.constant('"2020-01-01T00:00:00.000Z"'),
        anyValue,
      ),
    ),
  },
);

/** A valid value of a field (odd but acceptable), and near misses that a validator must catch. */
interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  nearMiss?: fc.Arbitrary<unknown>;
}

function fieldEntries(name: string, spec: FieldSpec): fc.Arbitrary<Entry[]> {
  return fc.oneof(
    { weight: 5, arbitrary: spec.valid.map((v): Entry[] => [[name, JSON.stringify(v)]]) },
    { weight: 3, arbitrary: anyValue.map((v): Entry[] => [[name, v]]) },
    {
      weight: spec.nearMiss ? 2 : 0,
      arbitrary: (spec.nearMiss ?? fc.constant(null)).map((v): Entry[] => [
        [name, JSON.stringify(v)],
      ]),
    },
    { weight: 1, arbitrary: fc.constant<Entry[]>([]) },
    { weight: 1, arbitrary: fc.constant<Entry[]>([[name, 'null']]) },
  );
}

function insertAt<T>(items: T[], extras: [T, number][]): T[] {
  const out = [...items];
  for (const [extra, position] of extras) out.splice(position % (out.length + 1), 0, extra);
  return out;
}

const MALFORMED_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"name":',
  '{"name":"x",}',
  '{"name":"x"',
  "{'name':'x'}",
  '{name:"x"}',
  'undefined',
  'NaN',
  'Infinity',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  '\ufeff{}',
  '{"name":"\\x41"}',
  '{"name":"\\u12"}',
  '{"name":"\\ud800"}',
  '{"name":"\\udc00\\ud800"}',
  '{"name":"a\u0000b"}',
  '{"name":"line\nbreak"}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  '{"a":0x10}',
  '[',
  ']',
  '"',
  '\\',
  '//',
  '/* */ {}',
  '{"__proto__":{"polluted":"yes"},',
];

/** A request body for an endpoint whose fields are `fields`. */
function bodyArb(fields: Record<string, FieldSpec>): fc.Arbitrary<string | Uint8Array | undefined> {
  const names = Object.keys(fields);
  const validObject = fc.record(
    Object.fromEntries(names.map((name) => [name, fields[name].valid])),
  );
  const mixed = fc
    .tuple(
      fc.tuple(...names.map((name) => fieldEntries(name, fields[name]))),
      fc.array(fc.tuple(extraEntry, fc.nat()), { maxLength: 3 }),
    )
    .map(([perField, extras]) => objectText(insertAt(perField.flat(), extras)));
  const nonObject = fc.oneof(
    anyValue.filter((text) => !text.startsWith('{')),
    validObject.map((object) => `[${JSON.stringify(object)}]`),
    validObject.map((object) => JSON.stringify(JSON.stringify(object))),
  );
  const malformed = fc.oneof(
    fc.constantFrom(...MALFORMED_JSON),
    fc.tuple(validObject, fc.nat()).map(([object, cut]) => {
      const text = JSON.stringify(object);
      return text.slice(0, cut % text.length);
    }),
  );
  const deep = fc
    .tuple(
      fc.integer({ min: 9, max: 45_000 }),
      fc.constantFrom('array', 'object', 'mixed'),
      fc.constantFrom(...names),
      validObject,
      fc.boolean(),
    )
    .map(([depth, shape, field, object, whole]) => {
      const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '[{"a":';
      const close = shape === 'array' ? ']' : shape === 'object' ? '}' : '}]';
      const levels = shape === 'mixed' ? Math.ceil(depth / 2) : depth;
      const nested = `${open.repeat(levels)}1${close.repeat(levels)}`;
      if (whole) return nested;
      return objectText([
        ...Object.entries(object)
          .filter(([key]) => key !== field)
          .map(([key, value]): Entry => [key, JSON.stringify(value)]),
        [field, nested],
      ]);
    });
  // Bodies right at the 100 kB limit (a 400 at most) and just past it (a 413).
  const sized = fc
    .tuple(fc.constantFrom(...names), fc.constantFrom(99_999, 100_000, 100_001, 100_002, 150_000))
    .map(([field, size]) => {
      const shell = objectText([[field, '""']]);
      return objectText([[field, JSON.stringify('a'.repeat(size - shell.length))]]);
    });
  // Invalid UTF-8 (a lone surrogate's bytes, overlong forms, stray continuation bytes) in a value.
  const invalidUtf8 = fc
    .tuple(
      validObject,
      fc.constantFrom(...names),
      fc.constantFrom(
        [0xed, 0xa0, 0x80],
        [0xff],
        [0xc0, 0xaf],
        [0x80],
        [0xe2, 0x82],
        [0xf4, 0x90, 0x80, 0x80],
      ),
    )
    .map(([object, field, bytes]) => {
      const [before, after] = JSON.stringify({ ...object, [field]: 'MARK' }).split('"MARK"');
      return new Uint8Array(
        Buffer.concat([Buffer.from(`${before}"x`), Buffer.from(bytes), Buffer.from(`y"${after}`)]),
      );
    });
  // A valid body with exactly one field made wrong: each validator on its own.
  const oneFault = fc
    .tuple(
      validObject,
      fc.constantFrom(...names).chain((field) => {
        const nearMiss = fields[field].nearMiss;
        return fc.tuple(
          fc.constant(field),
          nearMiss
            ? fc.oneof(
                anyValue,
                nearMiss.map((v) => JSON.stringify(v)),
              )
            : anyValue,
        );
      }),
    )
    .map(([object, [field, value]]) =>
      objectText(
        Object.entries(object).map(([key, v]): Entry => [
          key,
          key === field ? value : JSON.stringify(v),
        ]),
      ),
    );
  return fc.oneof(
    { weight: 8, arbitrary: mixed },
    { weight: 5, arbitrary: oneFault },
    { weight: 5, arbitrary: validObject.map((object) => JSON.stringify(object)) },
    { weight: 2, arbitrary: nonObject },
    { weight: 2, arbitrary: malformed },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: sized },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const contentTypeArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/json; charset=utf-16',
      'application/json; charset=iso-8859-1',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/problem+json',
      'application/vnd.api+json',
      'application/json, text/plain',
    ),
  },
);

// ---------------------------------------------------------------------------------------
// Field generators: valid (but odd) values and near misses
// ---------------------------------------------------------------------------------------

function validText(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: Math.min(max, 40) }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 30) }),
    fc.constantFrom(...SQL_AND_LIKE, ...ODD_UNICODE.slice(8)),
    fc.constantFrom(
      'x'.repeat(max),
      '🩺'.repeat(max),
      `  padded ${max}  `,
      'tab\there',
      'new\nline',
    ),
  );
}

function textNearMiss(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', '   ', '\t\n', 'x'.repeat(max + 1), '🩺'.repeat(max + 1)),
    fc.tuple(validText(max), fc.oneof(controlCharacter, loneSurrogate)).map(([t, c]) => t + c),
  );
}

const validEmail = fc.oneof(
  fc.uuid().map((id) => `fz-${id}@example.com`),
  fc.uuid().map((id) => `  FZ-${id.toUpperCase()}@Example.COM  `),
  fc.uuid().map((id) => `fz+${id.slice(0, 8)}.o'hara@sub.example.org`),
  fc.uuid().map((id) => `${'a'.repeat(64 - 9)}${id.slice(0, 9)}@example.com`),
);

const emailNearMiss = fc.constantFrom(
  '',
  'plainaddress',
  '@example.com',
  'a@',
  'a@b',
  'a @example.com',
  'a@exa mple.com',
  'a@@example.com',
  `${'a'.repeat(250)}@example.com`,
  'a@example.com\u0000',
  '"a b"@example.com',
  'ünï@exämple.com',
  "' OR 1=1 --@example.com",
);

const validDate = fc.oneof(
  fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  fc.constantFrom('1900-01-01', '2000-02-29', '1984-07-21'),
);

const dateNearMiss = fc.constantFrom(
  '1899-12-31',
  '2001-02-29',
  '1984-02-30',
  '1984-13-01',
  '1984-00-10',
  '2999-01-01',
  '1984-7-21',
  '84-07-21',
  '1984/07/21',
  '21/07/1984',
  '1984-07-21T00:00:00Z',
  '1984-07-21 ',
  '+001984-07-21',
  '0000-00-00',
  '',
  'today',
);

const GENDERS = ['female', 'male', 'other', 'unknown'];
const genderNearMiss = fc.constantFrom(
  'Female',
  'MALE',
  ' other',
  'f',
  '',
  'none',
  'unknown\u0000',
);

const passwordValid = fc.oneof(
  fc.constant('correct horse battery staple'),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 20 }),
  fc.constantFrom('a'.repeat(72), 'é'.repeat(36), '        ', ' spaced password '),
);
const passwordNearMiss = fc.constantFrom(
  '',
  'short',
  'a'.repeat(73),
  'é'.repeat(37),
  '🩺'.repeat(19),
  'pass\u0000word',
  'pass\ud800word',
);

// ---------------------------------------------------------------------------------------
// Paths, ids, tokens and queries
// ---------------------------------------------------------------------------------------

const slash = fc.constantFrom('/', '');

function idVariants(id: string): string[] {
  return [
    id.toUpperCase(),
    `{${id}}`,
    `urn:uuid:${id}`,
    ` ${id}`,
    `${id} `,
    `${id}x`,
    id.slice(0, -1),
    id.replace(/-/g, ''),
    `${id}'--`,
    `${id}/..`,
    `${id},${id}`,
  ];
}

/** A path id: mostly a real one (so a write gets to the body), else every kind of bad id. */
function idArb(real: string[], variantsOf: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...real).map((id) => percentEncode(id)) },
    { weight: 1, arbitrary: fc.uuid().map((id) => percentEncode(id)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          ...idVariants(variantsOf),
          "1' OR '1'='1",
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
          '00000000-0000-0000-0000-00000000000G',
          'null',
          'undefined',
          '-1',
          '0',
          '1e9',
          '9'.repeat(40),
          '__proto__',
          'constructor',
          '%',
          'x'.repeat(999),
          'x'.repeat(1000),
        )
        .map((id) => percentEncode(id)),
    },
    { weight: 1, arbitrary: hostileText.filter((t) => t.length > 0).map((t) => percentEncode(t)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%00', '%0A', '%7F', '..', '.', '%2e%2e', '%2F', '%5C'),
    },
  );
}

interface Fixtures {
  user: Account;
  other: Account;
  doctorIds: string[];
  otherDoctorId: string;
  patientId: string;
  otherPatientId: string;
  mappingId: string;
  doctorEmail: string;
}

function authArb(
  fx: Fixtures,
  owner: Account,
  label: string,
): fc.Arbitrary<[string | undefined, string]> {
  return fc.oneof(
    {
      weight: 25,
      arbitrary: fc.constant<[string | undefined, string]>([`Bearer ${owner.accessToken}`, label]),
    },
    { weight: 1, arbitrary: fc.constant<[string | undefined, string]>([undefined, 'none']) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNzd29yZA==',
          `Bearer ${fx.other.refreshToken}`,
          'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
          `bearer ${owner.accessToken}`,
          `Bearer ${owner.accessToken}x`,
          `Bearer ${owner.accessToken.split('.').slice(0, 2).join('.')}.`,
          `Bearer ' OR 1=1 --`,
          `Bearer ${'a'.repeat(4000)}`,
        )
        .map((header): [string, string] => [
          header,
          `header ${JSON.stringify(truncate(header, 60))}`,
        ]),
    },
  );
}

const QUERY_NUMBERS = [
  '-1',
  '0',
  '1',
  '20',
  '100',
  '101',
  '-0',
  '+5',
  ' 5',
  '5 ',
  '1e3',
  '1.5',
  '1.0',
  '0x10',
  '0b1',
  'Infinity',
  '-Infinity',
  'NaN',
  '9007199254740991',
  '9007199254740992',
  '9999999999999999',
  '99999999999999999999999',
  '9'.repeat(400),
  '٣',
  '１',
  '',
  'true',
  'null',
];

function sortValues(fields: string[]): string[] {
  return [
    ...fields,
    ...fields.map((field) => `-${field}`),
    '--name',
    '+name',
    'name,createdAt',
    'name desc',
    'name DESC',
    'name;DROP TABLE doctors',
    'name; DROP TABLE doctors --',
    '(SELECT 1)',
    'CASE WHEN 1=1 THEN name END',
    '"name"',
    'doctor.name',
    'patient.name',
    'password',
    'passwordHash',
    'createdBy',
    'id',
    '1',
    'RANDOM()',
    'name NULLS FIRST',
    'NAME',
    'createdat',
    'name\u0000',
    '-',
    '',
    '__proto__',
    'constructor',
    'toString',
  ];
}

const RAW_QUERY_TAILS = [
  '&',
  '&&',
  '=',
  '==x',
  '&q',
  '&q=',
  '&=x',
  '&%00=%00',
  '&q=%00',
  '&limit=1&limit=2',
  '&sort=name&sort=-name',
  '&q[]=x',
  '&q[a]=b',
  '&__proto__[polluted]=yes',
  '&__proto__.polluted=yes',
  '&constructor[prototype][polluted]=yes',
  '&constructor.prototype.polluted=yes',
  '#fragment',
  ';q=x',
];

function listArb(fx: Fixtures): fc.Arbitrary<Probe> {
  const uuidish = fc.oneof(
    fc.constantFrom(...fx.doctorIds, fx.otherDoctorId, fx.patientId, fx.otherPatientId),
    fc.uuid(),
    fc.constantFrom(fx.patientId.toUpperCase(), `${fx.patientId} `, "' OR 1=1 --", '', 'null'),
  );
  const lists: { kind: ListKind; path: fc.Arbitrary<string>; sort: string[]; keys: string[] }[] = [
    {
      kind: 'doctors',
      path: fc.constant('/api/doctors'),
      sort: ['name', 'specialization', 'email', 'createdAt', 'updatedAt'],
      keys: ['limit', 'offset', 'sort', 'q', 'specialization'],
    },
    {
      kind: 'patients',
      path: fc.constant('/api/patients'),
      sort: ['name', 'dateOfBirth', 'createdAt', 'updatedAt'],
      keys: ['limit', 'offset', 'sort', 'q', 'doctorId'],
    },
    {
      kind: 'mappings',
      path: fc.constant('/api/mappings'),
      sort: ['createdAt', 'updatedAt'],
      keys: ['limit', 'offset', 'sort', 'patientId', 'doctorId'],
    },
    {
      kind: 'patientDoctors',
      path: idArb([fx.patientId, fx.otherPatientId], fx.patientId).map(
        (id) => `/api/patients/${id}/doctors`,
      ),
      sort: ['name', 'specialization', 'email', 'createdAt', 'updatedAt'],
      keys: ['limit', 'offset', 'sort'],
    },
  ];
  return fc
    .constantFrom(...lists)
    .chain((list) => {
      const value = (key: string): fc.Arbitrary<string> => {
        const byKey: Record<string, fc.Arbitrary<string>> = {
          limit: fc.oneof(
            fc.integer({ min: 1, max: 100 }).map(String),
            fc.constantFrom(...QUERY_NUMBERS),
          ),
          offset: fc.oneof(
            fc.integer({ min: 0, max: 50 }).map(String),
            fc.constantFrom(...QUERY_NUMBERS),
          ),
          sort: fc.constantFrom(...sortValues(list.sort)),
          q: fc.oneof(
            fc.constantFrom(...SQL_AND_LIKE),
            hostileText,
            fc.constantFrom('a', 'Dr', 'EXAMPLE', 'fz-', '100%', 'x'.repeat(100), 'x'.repeat(101)),
          ),
          specialization: fc.oneof(
            hostileText,
            fc.constantFrom('Diagnostic medicine', 'x'.repeat(101)),
          ),
          doctorId: uuidish,
          patientId: uuidish,
        };
        return fc.oneof(
          { weight: 4, arbitrary: byKey[key] ?? queryText },
          { weight: 1, arbitrary: queryText },
          { weight: 1, arbitrary: fc.constantFrom(...QUERY_NUMBERS) },
        );
      };
      const knownPair = fc
        .constantFrom(...list.keys)
        .chain((key) => value(key).map((v): [string, string] => [key, v]));
      const hostileKey = fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'prototype',
          'hasOwnProperty',
          'toString',
          'valueOf',
          'Q',
          'LIMIT',
          ' limit',
          'limit ',
          'id',
          'createdAt',
          'patientId',
          'doctorId',
          'specialization',
          '',
        ),
        hostileText,
      );
      const otherPair = fc.tuple(
        hostileKey,
        fc.oneof(queryText, fc.constantFrom(...QUERY_NUMBERS)),
      );
      return fc.record({
        path: list.path,
        trailing: slash,
        pairs: fc.array(
          fc.oneof({ weight: 5, arbitrary: knownPair }, { weight: 1, arbitrary: otherPair }),
          { maxLength: 5 },
        ),
        tail: fc.option(fc.constantFrom(...RAW_QUERY_TAILS), { freq: 6 }),
        auth: authArb(fx, fx.user, 'user'),
        kind: fc.constant(list.kind),
      });
    })
    .filter(({ pairs }) => pairs.every(([key, v]) => key.length + v.length <= 1200))
    .map(({ path, trailing, pairs, tail, auth, kind }) => {
      const query = pairs.map(([key, v]) => `${percentEncode(key)}=${percentEncode(v)}`).join('&');
      const search = query || tail ? `?${query}${tail ?? ''}` : '';
      return probe({
        method: 'GET',
        url: `${path}${trailing}${search}`,
        authorization: auth[0],
        auth: auth[1],
        list: kind,
        query: pairs,
        rawQuery: tail ?? undefined,
      });
    });
}

interface WriteTarget {
  methods: ('POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET')[];
  collection: string;
  ids: string[];
  fields: Record<string, FieldSpec>;
}

/** Writes to one resource: POST to the collection, PUT/PATCH (and a few GET/DELETE) to an id. */
function writeArb(fx: Fixtures, target: WriteTarget): fc.Arbitrary<Probe> {
  const ids = idArb(target.ids, target.ids[0]);
  return fc
    .record({
      method: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            ...target.methods.filter((m) => m !== 'GET' && m !== 'DELETE'),
          ),
        },
        { weight: 1, arbitrary: fc.constantFrom<'GET' | 'DELETE'>('GET', 'DELETE') },
      ),
      id: ids,
      trailing: slash,
      body: bodyArb(target.fields),
      contentType: contentTypeArb,
      auth: authArb(fx, fx.user, 'user'),
    })
    .map(({ method, id, trailing, body, contentType, auth }) => {
      // DELETE only ever names a bad id: the fixtures must survive the run.
      const path =
        method === 'POST'
          ? target.collection
          : method === 'DELETE' &&
              target.ids.some((real) => safeDecode(id).toLowerCase().includes(real))
            ? `${target.collection}/${percentEncode(`${target.ids[0]}x`)}`
            : `${target.collection}/${id}`;
      return probe({
        method,
        url: `${path}${trailing}`,
        body: method === 'GET' ? undefined : body,
        contentType: method === 'GET' || body === undefined ? undefined : contentType,
        authorization: auth[0],
        auth: auth[1],
      });
    });
}

/** Escapes that decode to no UTF-8 text: malformed, truncated, overlong, surrogates, too large. */
const MALFORMED_ESCAPES = [
  '%',
  '%%',
  '%2',
  '%zz',
  '%G0',
  '%FF',
  '%C0%AF',
  '%C3',
  '%80',
  '%ED%A0%80',
  '%ED%BF%BF',
  '%E0%A4%A',
  '%F4%90%80%80',
  '%F8%88%80%80%80',
  '%FE%FF',
];

/** Paths and queries whose percent-encoding is not UTF-8, or which are far too long, on every route. */
function malformedUrlArb(fx: Fixtures): fc.Arbitrary<Probe> {
  const bad = fc.oneof(
    fc.constantFrom(...MALFORMED_ESCAPES),
    fc
      .tuple(hostileText, fc.constantFrom(...MALFORMED_ESCAPES), hostileText)
      .map(([before, escape, after]) => `${percentEncode(before)}${escape}${percentEncode(after)}`),
    fc
      .tuple(hostileText, loneSurrogate, hostileText)
      .map(([before, surrogate, after]) => percentEncode(`${before}${surrogate}${after}`, true)),
  );
  const collections = [
    '/api/doctors',
    '/api/patients',
    '/api/mappings',
    `/api/patients/${fx.patientId}/doctors`,
    '/auth/login',
    '/auth/register',
    '/auth/refresh',
    '/auth/logout',
    '/auth/me',
    '/health',
  ];
  return fc
    .record({
      method: fc.constantFrom<Probe['method']>('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      collection: fc.constantFrom(...collections),
      where: fc.constantFrom('id', 'segment', 'query value', 'query key', 'long id', 'long query'),
      bad,
      length: fc.constantFrom(1001, 4000, 17_000, 70_000),
      trailing: slash,
      body: fc.option(fc.constantFrom('{}', '{"name":"x"}'), { freq: 2 }),
      auth: authArb(fx, fx.user, 'user'),
    })
    .map(({ method, collection, where, bad, length, trailing, body, auth }) => {
      const cut = collection.lastIndexOf('/') + 4;
      const urls: Record<typeof where, string> = {
        id: `${collection}/${bad}${trailing}`,
        segment: `${collection.slice(0, cut)}${bad}${collection.slice(cut)}${trailing}`,
        'query value': `${collection}${trailing}?q=${bad}`,
        'query key': `${collection}${trailing}?${bad}=1`,
        'long id': `${collection}/${'x'.repeat(Math.min(length, 8000))}${trailing}`,
        'long query': `${collection}${trailing}?q=${'x'.repeat(length)}`,
      };
      const url = urls[where];
      return probe({
        method,
        url,
        body: method === 'GET' ? undefined : (body ?? undefined),
        authorization: auth[0],
        auth: auth[1],
      });
    });
}

function authWriteArb(fx: Fixtures): fc.Arbitrary<Probe> {
  const refreshTokens = fc.oneof(
    fc.constantFrom(
      fx.other.refreshToken,
      fx.other.accessToken,
      `${fx.other.refreshToken}x`,
      fx.other.refreshToken.toUpperCase(),
      ` ${fx.other.refreshToken} `,
    ),
    fc.base64String({ minLength: 4, maxLength: 64 }),
    fc.constantFrom('a'.repeat(4096), 'a'.repeat(4097)),
  );
  const loginEmail = fc.oneof(
    fc.constantFrom(fx.other.email, ` ${fx.other.email.toUpperCase()} `, fx.user.email),
    validEmail,
  );
  const loginPassword = fc.oneof(fc.constant(fx.other.password), passwordValid);
  const endpoints: { path: string; fields: Record<string, FieldSpec>; authenticated: boolean }[] = [
    {
      path: '/auth/register',
      fields: {
        name: { valid: validText(100), nearMiss: textNearMiss(100) },
        email: { valid: validEmail, nearMiss: emailNearMiss },
        password: { valid: passwordValid, nearMiss: passwordNearMiss },
      },
      authenticated: false,
    },
    {
      path: '/auth/login',
      fields: {
        email: { valid: loginEmail, nearMiss: emailNearMiss },
        password: { valid: loginPassword, nearMiss: passwordNearMiss },
      },
      authenticated: false,
    },
    {
      path: '/auth/refresh',
      fields: { refreshToken: { valid: refreshTokens, nearMiss: textNearMiss(4096) } },
      authenticated: false,
    },
    {
      path: '/auth/logout',
      fields: { refreshToken: { valid: refreshTokens, nearMiss: textNearMiss(4096) } },
      authenticated: true,
    },
  ];
  return fc
    .constantFrom(...endpoints)
    .chain((endpoint) =>
      fc.record({
        endpoint: fc.constant(endpoint),
        trailing: slash,
        body: bodyArb(endpoint.fields),
        contentType: contentTypeArb,
        // Public endpoints must ignore whatever Authorization they get; logout is the other user's.
        auth: endpoint.authenticated
          ? authArb(fx, fx.other, 'other')
          : fc.oneof(
              {
                weight: 6,
                arbitrary: fc.constant<[string | undefined, string]>([undefined, 'none']),
              },
              { weight: 1, arbitrary: authArb(fx, fx.user, 'user') },
            ),
      }),
    )
    .map(({ endpoint, trailing, body, contentType, auth }) =>
      probe({
        method: 'POST',
        url: `${endpoint.path}${trailing}`,
        body,
        contentType: body === undefined ? undefined : contentType,
        authorization: auth[0],
        auth: auth[1],
      }),
    );
}

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

let server: TestApp;
let fx: Fixtures;

beforeAll(async () => {
  server = await startApp();
  baseUrl = server.http.baseUrl;
  const http = server.http;
  const user = await signUp(http, 'Fuzz Owner');
  const other = await signUp(http, 'Fuzz Other');
  const doctor = await createDoctor(http, user.accessToken);
  const doctor2 = await createDoctor(http, user.accessToken);
  const otherDoctor = await createDoctor(http, other.accessToken);
  const patient = await createPatient(http, user.accessToken, doctor.id);
  const otherPatient = await createPatient(http, other.accessToken, otherDoctor.id);
  const mapping = await http.post(
    '/api/mappings/',
    { patientId: patient.id, doctorId: doctor2.id, notes: 'fuzz fixture' },
    { token: user.accessToken },
  );
  if (mapping.status !== 201) throw new Error(`create mapping failed: ${mapping.text}`);
  fx = {
    user,
    other,
    doctorIds: [doctor.id, doctor2.id],
    otherDoctorId: otherDoctor.id,
    patientId: patient.id,
    otherPatientId: otherPatient.id,
    mappingId: mapping.body.id,
    doctorEmail: doctor.email,
  };
});

afterAll(async () => {
  console.info(
    `fuzz: ${requestCount} requests (${REPLAY}); statuses ${JSON.stringify(Object.fromEntries([...statusCounts].sort(([a], [b]) => a - b)))}; ` +
      `slowest ${slowest.ms.toFixed(0)} ms: ${slowest.request}`,
  );
  await server?.close();
});

async function check(arb: fc.Arbitrary<Probe>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, (p) => exchange(p)),
    { seed: SEED, numRuns: runs(numRuns) },
  );
}

describe('generated hostile input', () => {
  it(`POST /auth/register|login|refresh|logout/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    await check(authWriteArb(fx), 500);
  }, 120_000);

  it(`POST/PUT/PATCH /api/doctors/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    await check(
      writeArb(fx, {
        methods: ['POST', 'PUT', 'PATCH'],
        collection: '/api/doctors',
        ids: [...fx.doctorIds, fx.otherDoctorId],
        fields: {
          name: { valid: validText(100), nearMiss: textNearMiss(100) },
          specialization: { valid: validText(100), nearMiss: textNearMiss(100) },
          email: {
            valid: fc.oneof(validEmail, fc.constant(fx.doctorEmail)),
            nearMiss: emailNearMiss,
          },
          phone: {
            valid: fc.oneof(validText(30), fc.constant(null)),
            nearMiss: textNearMiss(30),
          },
        },
      }),
      500,
    );
  }, 120_000);

  it(`POST/PUT/PATCH /api/patients/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    const nullable = (max: number): FieldSpec => ({
      valid: fc.oneof(validText(max), fc.constant(null)),
      nearMiss: textNearMiss(max),
    });
    await check(
      writeArb(fx, {
        methods: ['POST', 'PUT', 'PATCH'],
        collection: '/api/patients',
        ids: [fx.patientId, fx.otherPatientId],
        fields: {
          name: { valid: validText(100), nearMiss: textNearMiss(100) },
          dateOfBirth: { valid: validDate, nearMiss: dateNearMiss },
          gender: { valid: fc.constantFrom(...GENDERS), nearMiss: genderNearMiss },
          email: { valid: fc.oneof(validEmail, fc.constant(null)), nearMiss: emailNearMiss },
          phone: nullable(30),
          address: nullable(500),
          medicalHistory: nullable(10_000),
          doctorId: {
            valid: fc.oneof(
              { weight: 6, arbitrary: fc.constantFrom(...fx.doctorIds, fx.otherDoctorId) },
              { weight: 1, arbitrary: fc.uuid() },
            ),
            nearMiss: fc.constantFrom(fx.doctorIds[0].toUpperCase(), `${fx.doctorIds[0]} `, ''),
          },
        },
      }),
      500,
    );
  }, 120_000);

  it(`POST/PUT/PATCH /api/mappings/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    await check(
      writeArb(fx, {
        methods: ['POST', 'PUT', 'PATCH'],
        collection: '/api/mappings',
        ids: [fx.mappingId],
        fields: {
          patientId: {
            valid: fc.oneof(
              { weight: 6, arbitrary: fc.constant(fx.patientId) },
              { weight: 1, arbitrary: fc.constantFrom(fx.otherPatientId) },
              { weight: 1, arbitrary: fc.uuid() },
            ),
            nearMiss: fc.constantFrom(fx.patientId.toUpperCase(), `${fx.patientId}x`, ''),
          },
          doctorId: {
            valid: fc.oneof(
              { weight: 6, arbitrary: fc.constantFrom(...fx.doctorIds, fx.otherDoctorId) },
              { weight: 1, arbitrary: fc.uuid() },
            ),
            nearMiss: fc.constantFrom(`{${fx.doctorIds[0]}}`, fx.doctorIds[0].replace(/-/g, '')),
          },
          notes: {
            valid: fc.oneof(validText(1000), fc.constant(null)),
            nearMiss: textNearMiss(1000),
          },
        },
      }),
      500,
    );
  }, 120_000);

  it(`GET list queries answer a page or a clean 4xx (${REPLAY})`, async () => {
    await check(listArb(fx), 800);
  }, 120_000);

  it(`paths and queries that are not UTF-8 or too long answer a clean 4xx (${REPLAY})`, async () => {
    await check(malformedUrlArb(fx), 200);
  }, 120_000);

  it('leaves no polluted prototype and a server that still works', async () => {
    expect(pollution()).toBeUndefined();
    expect(({} as any).polluted).toBeUndefined();
    expect(({} as any).isAdmin).toBeUndefined();
    expect(({} as any).fuzzPolluted).toBeUndefined();
    expect(([] as any).polluted).toBeUndefined();
    expect(Object.prototype.toString.call({})).toBe('[object Object]');

    const health = await server.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: 'up' });

    const doctors = await server.http.get('/api/doctors/', { token: fx.user.accessToken });
    expect(doctors.status).toBe(200);
    expect(Array.isArray(doctors.body.items)).toBe(true);

    const patient = await server.http.get(`/api/patients/${fx.patientId}/`, {
      token: fx.user.accessToken,
    });
    expect(patient.status).toBe(200);

    // Registration and login still work, and a fresh account sees a clean slate.
    const fresh = await signUp(server.http, 'After The Fuzz');
    const mine = await server.http.get('/api/patients/', { token: fresh.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.total).toBe(0);
  }, 30_000);
});
