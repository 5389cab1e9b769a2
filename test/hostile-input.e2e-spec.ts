import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, useTestServer } from './support/app.js';
import {
  createDoctor,
  createMapping,
  doctorBody,
  patientBody,
  problemOf,
} from './support/records.js';

const HOSTILE_TEXT = [
  `Robert'); DROP TABLE patients; --`,
  `" OR 1=1 --`,
  `\\'; SELECT pg_sleep(10); --`,
  '100% _match_ \\ back\\slash',
  '<script>alert("x")</script>',
  '👩‍⚕️🩺💊 Ünïcødé',
  'Ελληνικά · العربية · 中文 · עברית',
  'line one\nline two\twith tab',
  '$1 $2 ${name} {{name}}',
];

const { http } = useTestServer();
let user: Account;
let doctorId: string;

beforeAll(async () => {
  user = await signUp(http, 'Hostile');
  doctorId = (await createDoctor(http, user.accessToken)).id;
});

describe('hostile but valid text is stored and returned exactly as sent', () => {
  it.each(HOSTILE_TEXT)('round-trips %j through a doctor and a patient', async (text) => {
    const doctor = await http.post(
      '/api/doctors/',
      doctorBody({ name: text, specialization: text, phone: text.slice(0, 30) }),
      { token: user.accessToken },
    );
    expect(doctor.status).toBe(201);
    expect(doctor.body).toMatchObject({
      name: text,
      specialization: text,
      phone: text.slice(0, 30),
    });

    const patient = await http.post(
      '/api/patients/',
      patientBody(doctorId, { name: text, address: text, medicalHistory: text }),
      { token: user.accessToken },
    );
    expect(patient.status).toBe(201);
    const read = await http.get(`/api/patients/${patient.body.id}/`, { token: user.accessToken });
    expect(read.body).toMatchObject({ name: text, address: text, medicalHistory: text });
  });

  it('counts length in characters: 100 emoji are a valid name, 101 are not', async () => {
    const ok = await http.post('/api/doctors/', doctorBody({ name: '🩺'.repeat(100) }), {
      token: user.accessToken,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.name).toBe('🩺'.repeat(100));
    problemOf(
      await http.post('/api/doctors/', doctorBody({ name: '🩺'.repeat(101) }), {
        token: user.accessToken,
      }),
      400,
    );
  });
});

describe('q matches its text literally', () => {
  it('treats % and _ and \\ as ordinary characters', async () => {
    const tag = randomUUID().slice(0, 8);
    const literal = await createDoctor(http, user.accessToken, { name: `100%_\\ ${tag}` });
    await createDoctor(http, user.accessToken, { name: `100ab ${tag}` });
    const response = await http.get(`/api/doctors/?q=${encodeURIComponent('100%_\\')}`, {
      token: user.accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.body.items.map((doctor: { id: string }) => doctor.id)).toEqual([literal.id]);
  });

  it('answers SQL in q with an empty page, not an error', async () => {
    const response = await http.get(`/api/patients/?q=${encodeURIComponent("' OR '1'='1")}`, {
      token: user.accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(0);
  });
});

describe('hostile input is a clear 400 that leaks nothing', () => {
  const cases: [string, string][] = [
    ['a NUL byte', JSON.stringify(doctorBody({ name: 'a\u0000b' }))],
    ['a carriage return', JSON.stringify(doctorBody({ name: 'a\rb' }))],
    ['an escape character', JSON.stringify(doctorBody({ specialization: '\u001b[31mred' }))],
    ['a lone surrogate', JSON.stringify(doctorBody()).replace('"Dr. Gregory House"', '"\\ud800"')],
    ['an array for an object', '[{"name":"x"}]'],
    ['an object for a string', JSON.stringify(doctorBody({ name: { $ne: null } }))],
    ['an array for a string', JSON.stringify(doctorBody({ email: ['a@example.com'] }))],
    ['a boolean for a string', JSON.stringify(doctorBody({ phone: true }))],
    ['a huge number', JSON.stringify(doctorBody({ name: 1e308 }))],
    ['deep nesting', `{"name":${'['.repeat(5000)}${']'.repeat(5000)}}`],
    [
      'a constructor key',
      JSON.stringify({ ...doctorBody(), constructor: { prototype: { x: 1 } } }),
    ],
  ];

  it.each(cases)('answers 400 for %s', async (_case, raw) => {
    const response = await http.post('/api/doctors/', undefined, { raw, token: user.accessToken });
    const problem = problemOf(response, 400);
    expect(JSON.stringify(problem)).not.toMatch(
      /at \w+ \(|node_modules|SELECT|INSERT|doctors_|\$2[aby]\$/,
    );
  });

  it.each([
    ['sort', `sort=${encodeURIComponent('name; DROP TABLE doctors')}`],
    ['sort', `sort=${encodeURIComponent('(SELECT 1)')}`],
    ['limit', 'limit=99999999999999999999999'],
    ['offset', 'offset=1e3'],
    ['doctorId', `doctorId=${encodeURIComponent("' OR 1=1 --")}`],
  ])('answers 400 for a hostile %s', async (_field, query) => {
    problemOf(await http.get(`/api/patients/?${query}`, { token: user.accessToken }), 400);
  });

  it('answers 400 for hostile ids in the path', async () => {
    for (const id of [
      "1' OR '1'='1",
      '00000000-0000-0000-0000-00000000000G',
      '%00',
      'x'.repeat(200),
    ]) {
      const response = await http.get(`/api/patients/${encodeURIComponent(id)}/`, {
        token: user.accessToken,
      });
      problemOf(response, 400);
    }
  });
});

describe('keys that the transformer would drop are refused, never silently ignored', () => {
  // The last three are Object.prototype's members, which the whitelist took for declared ones.
  const DROPPED_KEYS = [
    'constructor',
    '__proto__',
    'prototype',
    'toString',
    'hasOwnProperty',
    '__defineGetter__',
  ];
  let patientId: string;
  let mappingId: string;
  let secondDoctorId: string;

  beforeAll(async () => {
    const patient = await http.post('/api/patients/', patientBody(doctorId), {
      token: user.accessToken,
    });
    patientId = patient.body.id;
    secondDoctorId = (await createDoctor(http, user.accessToken)).id;
    mappingId = (await createMapping(http, user.accessToken, patientId, secondDoctorId)).id;
  });

  /** Each write endpoint with a body it would otherwise accept. */
  const endpoints = (): [string, string, Record<string, unknown>][] => [
    [
      'POST',
      '/auth/register/',
      {
        name: 'Key',
        email: `key-${randomUUID()}@example.com`,
        password: 'a long enough passphrase 42',
      },
    ],
    ['POST', '/api/doctors/', doctorBody()],
    ['PUT', `/api/doctors/${doctorId}/`, doctorBody()],
    ['PATCH', `/api/doctors/${doctorId}/`, { phone: '+1 555 0100' }],
    ['POST', '/api/patients/', patientBody(doctorId)],
    ['PUT', `/api/patients/${patientId}/`, patientBody(doctorId)],
    ['PATCH', `/api/patients/${patientId}/`, { phone: '+1 555 0100' }],
    ['POST', '/api/mappings/', { patientId, doctorId }],
    ['PUT', `/api/mappings/${mappingId}/`, { patientId, doctorId: secondDoctorId }],
    ['PATCH', `/api/mappings/${mappingId}/`, { notes: 'x' }],
  ];

  for (const key of DROPPED_KEYS) {
    it(`answers 400 naming "${key}" on every write endpoint, and changes nothing`, async () => {
      const before = await http.get(`/api/patients/${patientId}/`, { token: user.accessToken });
      for (const [method, path, body] of endpoints()) {
        // Raw JSON text: an object literal's __proto__ would set the prototype, not a key.
        const raw = JSON.stringify(body).replace(/^\{/, `{${JSON.stringify(key)}:"x",`);
        const response = await http.request(method, path, undefined, {
          raw,
          token: user.accessToken,
        });
        const problem = problemOf(response, 400);
        // Fastify's JSON parser (secure-json-parse) refuses __proto__ before validation.
        if (key !== '__proto__') {
          expect(problem.errors, `${method} ${path}`).toEqual([
            { field: key, message: `${key} is not a known property` },
          ]);
        }
      }
      const after = await http.get(`/api/patients/${patientId}/`, { token: user.accessToken });
      expect(after.body).toEqual(before.body);
    });
  }
});
