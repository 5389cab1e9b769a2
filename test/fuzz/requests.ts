/**
 * Generators of whole requests: paths, ids, Authorization headers and list queries, combined
 * with the bodies of bodies.ts for every endpoint.
 */
import fc from 'fast-check';
import type { Account } from '../support/app.js';
import {
  type FieldSpec,
  SQL_AND_LIKE,
  bodyArb,
  contentTypeArb,
  emailNearMiss,
  hostileText,
  loneSurrogate,
  passwordNearMiss,
  passwordValid,
  queryText,
  textNearMiss,
  validEmail,
  validText,
} from './bodies.js';
import { type ListKind, type Probe, percentEncode, probe, safeDecode, truncate } from './probe.js';

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

export interface Fixtures {
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

export function listArb(fx: Fixtures): fc.Arbitrary<Probe> {
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
export function writeArb(fx: Fixtures, target: WriteTarget): fc.Arbitrary<Probe> {
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
        bodyFields: Object.keys(target.fields),
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
export function malformedUrlArb(fx: Fixtures): fc.Arbitrary<Probe> {
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

export function authWriteArb(fx: Fixtures): fc.Arbitrary<Probe> {
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
        bodyFields: Object.keys(endpoint.fields),
      }),
    );
}
