/**
 * Generators of hostile text, JSON values and request bodies, and of each field's valid (but
 * odd) values and near misses. Bodies are JSON text, so that keys such as `__proto__` really
 * reach the server as keys.
 */
import fc from 'fast-check';
import { DROPPED_KEYS } from './oracle.js';

// ---------------------------------------------------------------------------------------
// Generators: hostile text, JSON values and bodies
// ---------------------------------------------------------------------------------------

const controlCharacter = fc
  .integer({ min: 0, max: 0x9f })
  .filter((code) => code < 0x20 || code >= 0x7f)
  .map((code) => String.fromCharCode(code));

export const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

export const SQL_AND_LIKE = [
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
export const hostileText = fc.array(textPiece, { maxLength: 6 }).map((pieces) => pieces.join(''));

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
export const queryText = fc.oneof(
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

const anyKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ALL_FIELDS, ...READ_ONLY) },
  { weight: 2, arbitrary: fc.constantFrom(...DROPPED_KEYS) },
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
export interface FieldSpec {
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
export function bodyArb(
  fields: Record<string, FieldSpec>,
): fc.Arbitrary<string | Uint8Array | undefined> {
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
  // A valid body plus one key the transformer would drop, at the top level or nested in a
  // field's value: the oracle expects a 400 where a silently dropped key would be a 2xx.
  const droppedKey = fc
    .tuple(
      validObject,
      fc.constantFrom(...DROPPED_KEYS),
      anyValue,
      fc.nat(),
      fc.option(fc.constantFrom(...names), { freq: 3 }),
    )
    .map(([object, key, value, position, nestedIn]) => {
      const entries = Object.entries(object).map(([k, v]): Entry => [k, JSON.stringify(v)]);
      if (nestedIn === null) return objectText(insertAt(entries, [[[key, value], position]]));
      return objectText(
        entries.map(([k, v]): Entry => [k, k === nestedIn ? objectText([[key, value]]) : v]),
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
    { weight: 2, arbitrary: droppedKey },
    { weight: 5, arbitrary: validObject.map((object) => JSON.stringify(object)) },
    { weight: 2, arbitrary: nonObject },
    { weight: 2, arbitrary: malformed },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: sized },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export const contentTypeArb = fc.oneof(
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

export function validText(max: number): fc.Arbitrary<string> {
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

export function textNearMiss(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', '   ', '\t\n', 'x'.repeat(max + 1), '🩺'.repeat(max + 1)),
    fc.tuple(validText(max), fc.oneof(controlCharacter, loneSurrogate)).map(([t, c]) => t + c),
  );
}

export const validEmail = fc.oneof(
  fc.uuid().map((id) => `fz-${id}@example.com`),
  fc.uuid().map((id) => `  FZ-${id.toUpperCase()}@Example.COM  `),
  fc.uuid().map((id) => `fz+${id.slice(0, 8)}.o'hara@sub.example.org`),
  fc.uuid().map((id) => `${'a'.repeat(64 - 9)}${id.slice(0, 9)}@example.com`),
);

export const emailNearMiss = fc.constantFrom(
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

export const validDate = fc.oneof(
  fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  fc.constantFrom('1900-01-01', '2000-02-29', '1984-07-21'),
);

export const dateNearMiss = fc.constantFrom(
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

export const GENDERS = ['female', 'male', 'other', 'unknown'];
export const genderNearMiss = fc.constantFrom(
  'Female',
  'MALE',
  ' other',
  'f',
  '',
  'none',
  'unknown\u0000',
);

export const passwordValid = fc.oneof(
  fc.constant('correct horse battery staple'),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 20 }),
  fc.constantFrom('a'.repeat(72), 'é'.repeat(36), '        ', ' spaced password '),
);
export const passwordNearMiss = fc.constantFrom(
  '',
  'short',
  'a'.repeat(73),
  'é'.repeat(37),
  '🩺'.repeat(19),
  'pass\u0000word',
  'pass\ud800word',
);
