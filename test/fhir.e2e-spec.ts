import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, sql, useTestServer } from './support/app.js';
import { expectValidFhir, FhirClient } from './support/fhir-validation.js';
import type { HttpResponse } from './support/http.js';
import { createDoctor, createMapping, createPatient } from './support/records.js';

const server = useTestServer();
const fhir = new FhirClient(server.http);
const BASE = '/fhir/R4';

/** The issue codes of an OperationOutcome of the given status. */
function outcomeOf(response: { status: number; body: any }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.resourceType).toBe('OperationOutcome');
  expect(response.body.issue.length).toBeGreaterThan(0);
  for (const issue of response.body.issue) {
    expect(issue).toMatchObject({ severity: 'error', code, diagnostics: expect.any(String) });
    // Never a stack trace or SQL.
    expect(issue.diagnostics).not.toMatch(/\n\s+at |SELECT|QueryFailedError|\.ts:\d/);
  }
  return response.body.issue as { diagnostics: string }[];
}

let owner: Account;
let other: Account;
let house: any;
let cuddy: any;
let jane: any;
let john: any;

beforeAll(async () => {
  [owner, other] = await Promise.all([signUp(server.http, 'Fhir Owner'), signUp(server.http)]);
  house = await createDoctor(server.http, owner.accessToken, {
    name: 'Dr. Gregory House',
    specialization: 'Diagnostic medicine',
    phone: '+1 555 0100',
  });
  cuddy = await createDoctor(server.http, other.accessToken, {
    name: 'Dr. Lisa Cuddy',
    specialization: 'Endocrinology',
  });
  jane = await createPatient(server.http, owner.accessToken, house.id, {
    name: 'Jane Fhirdoe',
    dateOfBirth: '1984-07-21',
    gender: 'female',
    email: 'jane@example.com',
    phone: '+1 555 0199',
    address: '1 Main Street, Springfield',
    medicalHistory: 'Penicillin allergy.',
  });
  john = await createPatient(server.http, owner.accessToken, cuddy.id, {
    name: 'John Fhirsmith',
    dateOfBirth: '1990-02-03',
    gender: 'male',
  });
  await createMapping(server.http, owner.accessToken, jane.id, cuddy.id);
});

describe('the validation of every answer', () => {
  it('refuses what the JSON schema refuses, and what only the StructureDefinitions do', () => {
    expectValidFhir({ resourceType: 'Patient', gender: 'female' });
    // An unknown code: the schema's enum.
    expect(() => expectValidFhir({ resourceType: 'Patient', gender: 'f' })).toThrow(/schema/);
    // A date that is not one: the schema's pattern.
    expect(() => expectValidFhir({ resourceType: 'Patient', birthDate: '1984-7-21' })).toThrow();
    // Well-formed JSON, but invariant cpb-1 (a rest, messaging or document element) fails.
    const statement = {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-12-01',
      kind: 'instance',
      implementation: { description: 'x' },
      fhirVersion: '4.0.1',
      format: ['json'],
    };
    expect(() => expectValidFhir(statement)).toThrow(/cpb-1/);
    // A missing required element (Bundle.type, 1..1).
    expect(() => expectValidFhir({ resourceType: 'Bundle', total: 0 })).toThrow();
  });
});

describe('GET /fhir/R4/metadata', () => {
  it('answers the CapabilityStatement without a token', async () => {
    const response = await fhir.get(`${BASE}/metadata`);
    expect(response.status).toBe(200);
    const statement = response.body;
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['json'],
      implementation: { url: `${server.http.baseUrl}${BASE}` },
    });
    expect(statement.date).toMatch(/^\d{4}-\d{2}-\d{2}/);
    const [rest] = statement.rest;
    expect(rest.mode).toBe('server');
    expect(rest.security.description).toMatch(/Bearer/);
    const resources = Object.fromEntries(
      rest.resource.map((resource: any) => [
        resource.type,
        {
          interactions: resource.interaction.map((interaction: any) => interaction.code),
          params: Object.fromEntries(resource.searchParam.map((p: any) => [p.name, p.type])),
        },
      ]),
    );
    const paging = { _count: 'number', _offset: 'number' };
    expect(resources).toEqual({
      Patient: {
        interactions: ['read', 'search-type'],
        params: {
          name: 'string',
          birthdate: 'date',
          gender: 'token',
          'general-practitioner': 'reference',
          ...paging,
        },
      },
      Practitioner: {
        interactions: ['read', 'search-type'],
        params: { name: 'string', ...paging },
      },
      CareTeam: {
        interactions: ['read', 'search-type'],
        params: { patient: 'reference', ...paging },
      },
    });
  });

  it('is served for Accept application/json, */*, and none; 406 for HTML and XML', async () => {
    for (const accept of [
      'application/fhir+json',
      'application/json',
      '*/*',
      'text/html, application/fhir+json;q=0.5',
    ]) {
      const response = await fhir.get(`${BASE}/metadata`, { headers: { accept } });
      expect(response.status, accept).toBe(200);
    }
    for (const accept of [
      'text/html',
      'application/xml',
      'application/fhir+xml',
      'application/json;q=0',
    ]) {
      const response = await fhir.get(`${BASE}/metadata`, { headers: { accept } });
      outcomeOf(response, 406, 'not-supported');
    }
  });
});

describe('_format', () => {
  it('overrides Accept: JSON is served, anything else is a 406', async () => {
    for (const format of ['json', 'application/json', 'application/fhir+json']) {
      const response = await fhir.get(`${BASE}/metadata?_format=${encodeURIComponent(format)}`, {
        headers: { accept: 'text/html' },
      });
      expect(response.status, format).toBe(200);
    }
    for (const format of ['xml', 'application/fhir+xml', 'html', '']) {
      outcomeOf(await fhir.get(`${BASE}/metadata?_format=${format}`), 406, 'not-supported');
    }
  });

  it('is kept in the links of a search, and refused when repeated', async () => {
    const response = await fhir.get(`${BASE}/Patient?_format=json&name=fhir&_count=1`, {
      token: owner.accessToken,
    });
    expect(response.body.link.map((link: any) => link.url.split('?')[1])).toEqual([
      '_format=json&name=fhir&_count=1&_offset=0',
      '_format=json&name=fhir&_count=1&_offset=1',
    ]);
    const repeated = await fhir.get(`${BASE}/Patient?_format=json&_format=json`, {
      token: owner.accessToken,
    });
    outcomeOf(repeated, 400, 'invalid');
  });
});

describe('errors are OperationOutcomes, never problem+json', () => {
  it('answers 401 with WWW-Authenticate: Bearer without a token, or with a bad one', async () => {
    for (const path of ['Patient', `Patient/${jane.id}`, 'Practitioner', 'CareTeam?patient=x']) {
      const response = await fhir.get(`${BASE}/${path}`);
      outcomeOf(response, 401, 'login');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const forged = await fhir.get(`${BASE}/Patient`, { token: 'not-a-jwt' });
    outcomeOf(forged, 401, 'login');
  });

  it('answers an unknown path, resource type or method with a 404 OperationOutcome', async () => {
    for (const path of [
      '/fhir/R4/Observation',
      '/fhir/R4/Patient/x/y',
      '/fhir/R3/metadata',
      '/fhir',
    ]) {
      outcomeOf(await fhir.get(path, { token: owner.accessToken }), 404, 'not-found');
    }
    const posted = await server.http.post(`${BASE}/Patient`, {}, { token: owner.accessToken });
    expect(posted.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(posted.body.resourceType).toBe('OperationOutcome');
  });

  it('answers a body it cannot read with an OperationOutcome', async () => {
    const response = await server.http.request('POST', `${BASE}/Patient`, undefined, {
      raw: '{"broken',
      token: owner.accessToken,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(response.body.issue[0].code).toBe('invalid');
  });

  it('answers a malformed id with a 400', async () => {
    for (const type of ['Patient', 'Practitioner', 'CareTeam']) {
      for (const id of ['nope', "1' OR '1'='1", '%00']) {
        outcomeOf(
          await fhir.get(`${BASE}/${type}/${id}`, { token: owner.accessToken }),
          400,
          'invalid',
        );
      }
    }
  });
});

describe('Patient', () => {
  it('reads one of the caller’s patients with its ETag, and never its medical history', async () => {
    const response = await fhir.get(`${BASE}/Patient/${jane.id}`, { token: owner.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('W/"1"');
    expect(response.body).toEqual({
      resourceType: 'Patient',
      id: jane.id,
      meta: { versionId: '1', lastUpdated: jane.updatedAt },
      name: [{ text: 'Jane Fhirdoe' }],
      telecom: [
        { system: 'email', value: 'jane@example.com' },
        { system: 'phone', value: '+1 555 0199' },
      ],
      gender: 'female',
      birthDate: '1984-07-21',
      address: [{ text: '1 Main Street, Springfield' }],
      generalPractitioner: [{ reference: `Practitioner/${house.id}` }],
    });
    expect(response.text).not.toContain('Penicillin');
  });

  it('keeps hostile text, as valid FHIR strings: other spaces become plain ones', async () => {
    const name = `Zoë "O'Brien"; DROP TABLE patients;-- 🩺\u00a0Ω\u2028x\ty`;
    const doctor = await createDoctor(server.http, owner.accessToken, {
      name: 'Dr.\u3000Who',
      specialization: 'Time\u202fTravel',
      phone: '+1\u00a0555',
    });
    const patient = await createPatient(server.http, owner.accessToken, doctor.id, {
      name,
      address: 'Flat\u20092 <script>',
      phone: '+1\u2007555',
    });
    const read = await fhir.get(`${BASE}/Patient/${patient.id}`, { token: owner.accessToken });
    expect(read.body.name).toEqual([{ text: `Zoë "O'Brien"; DROP TABLE patients;-- 🩺 Ω x\ty` }]);
    expect(read.body.address).toEqual([{ text: 'Flat 2 <script>' }]);
    expect(read.body.telecom).toEqual([{ system: 'phone', value: '+1 555' }]);
    const practitioner = await fhir.get(`${BASE}/Practitioner/${doctor.id}`, {
      token: owner.accessToken,
    });
    expect(practitioner.body.name).toEqual([{ text: 'Dr. Who' }]);
    expect(practitioner.body.qualification).toEqual([{ code: { text: 'Time Travel' } }]);
    const team = await fhir.get(`${BASE}/CareTeam/${patient.id}`, { token: owner.accessToken });
    expect(team.body.participant[0].member.display).toBe('Dr. Who');
    await server.http.delete(`/api/patients/${patient.id}/`, { token: owner.accessToken });
  });

  it('answers a read whose If-None-Match names the current version with a 304', async () => {
    const path = `${BASE}/Patient/${jane.id}`;
    const token = owner.accessToken;
    for (const tag of ['W/"1"', '"1"', 'W/"7", W/"1"', '*']) {
      const response = await fhir.get(path, { token, headers: { 'if-none-match': tag } });
      expect(response.status, tag).toBe(304);
      expect(response.text).toBe('');
      expect(response.headers.get('etag')).toBe('W/"1"');
    }
    const changed = await fhir.get(path, { token, headers: { 'if-none-match': 'W/"2"' } });
    expect(changed.status).toBe(200);
    outcomeOf(await fhir.get(path, { token, headers: { 'if-none-match': '1' } }), 400, 'invalid');
    const doctor = await fhir.get(`${BASE}/Practitioner/${house.id}`, {
      token,
      headers: { 'if-none-match': 'W/"1"' },
    });
    expect(doctor.status).toBe(304);
  });

  it('leaves out telecom and address when the patient has none', async () => {
    const response = await fhir.get(`${BASE}/Patient/${john.id}`, { token: owner.accessToken });
    expect(response.body).not.toHaveProperty('telecom');
    expect(response.body).not.toHaveProperty('address');
    expect(response.body.gender).toBe('male');
  });

  it("answers another user's patient, and an unknown one, with a 404", async () => {
    outcomeOf(
      await fhir.get(`${BASE}/Patient/${jane.id}`, { token: other.accessToken }),
      404,
      'not-found',
    );
    outcomeOf(
      await fhir.get(`${BASE}/Patient/00000000-0000-4000-8000-000000000000`, {
        token: owner.accessToken,
      }),
      404,
      'not-found',
    );
  });

  it('shows a REST PATCH in the next read: the new versionId, ETag and values', async () => {
    const patient = await createPatient(server.http, owner.accessToken, house.id, {
      name: 'Patched Fhir',
    });
    const patched = await server.http.patch(
      `/api/patients/${patient.id}/`,
      { name: 'Patched Again', gender: 'other', address: null },
      { token: owner.accessToken },
    );
    expect(patched.status).toBe(200);
    const response = await fhir.get(`${BASE}/Patient/${patient.id}`, { token: owner.accessToken });
    expect(response.headers.get('etag')).toBe('W/"2"');
    expect(response.body).toMatchObject({
      meta: { versionId: '2', lastUpdated: patched.body.updatedAt },
      name: [{ text: 'Patched Again' }],
      gender: 'other',
    });
  });

  it('searches the caller’s patients only, as a searchset Bundle', async () => {
    const response = await fhir.get(`${BASE}/Patient?name=fhir`, { token: owner.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(response.body.entry.map((entry: any) => entry.resource.id)).toEqual([jane.id, john.id]);
    for (const entry of response.body.entry) {
      expect(entry.fullUrl).toBe(`${server.http.baseUrl}${BASE}/Patient/${entry.resource.id}`);
      expect(entry.search).toEqual({ mode: 'match' });
    }
    expect(response.body.link).toEqual([
      {
        relation: 'self',
        url: `${server.http.baseUrl}${BASE}/Patient?name=fhir&_count=20&_offset=0`,
      },
    ]);
    const others = await fhir.get(`${BASE}/Patient?name=fhir`, { token: other.accessToken });
    expect(others.body.total).toBe(0);
    expect(others.body.entry ?? []).toEqual([]);
  });

  it.each([
    ['name=FHIRDOE', ['jane']],
    ['name=nobody-has-this-name', []],
    ['name=%25', []],
    ['name=fhir&birthdate=1984-07-21', ['jane']],
    ['name=fhir&birthdate=eq1984-07-21', ['jane']],
    ['name=fhir&birthdate=1984-07-22', []],
    ['name=fhir&birthdate=1984', ['jane']],
    ['name=fhir&birthdate=1990-02', ['john']],
    ['name=fhir&birthdate=ge1990-02-03', ['john']],
    ['name=fhir&birthdate=gt1990-02-03', []],
    ['name=fhir&birthdate=le1984-07-21', ['jane']],
    ['name=fhir&birthdate=lt1984-07-21', []],
    ['name=fhir&gender=female', ['jane']],
    ['name=fhir&gender=male,female', ['jane', 'john']],
    ['name=fhir&gender=http://hl7.org/fhir/administrative-gender|male', ['john']],
    ['name=fhir&gender=unknown', []],
  ])('searches %s', async (query, expected) => {
    const response = await fhir.get(`${BASE}/Patient?${query}`, {
      token: owner.accessToken,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const ids = (response.body.entry ?? []).map((entry: any) => entry.resource.id);
    expect(ids).toEqual(expected.map((name) => ({ jane, john })[name].id));
    expect(response.body.total).toBe(expected.length);
  });

  it('searches by general-practitioner, as a reference or a bare id', async () => {
    for (const value of [`Practitioner/${cuddy.id}`, cuddy.id]) {
      const response = await fhir.get(`${BASE}/Patient?general-practitioner=${value}`, {
        token: owner.accessToken,
      });
      expect(response.body.entry.map((entry: any) => entry.resource.id)).toEqual([john.id]);
    }
    const none = await fhir.get(
      `${BASE}/Patient?general-practitioner=00000000-0000-4000-8000-000000000000`,
      { token: owner.accessToken },
    );
    expect(none.body.total).toBe(0);
  });

  it.each([
    ['unknown parameter', 'family=doe'],
    ['modifier', 'name:exact=Jane'],
    ['repeated parameter', 'name=a&name=b'],
    ['empty value', 'name='],
    ['too long a name', `name=${'x'.repeat(101)}`],
    ['control character', 'name=a%01b'],
    ['impossible date', 'birthdate=2023-02-30'],
    ['year 0', 'birthdate=0000'],
    ['date and time', 'birthdate=1984-07-21T00:00:00Z'],
    ['unsupported prefix', 'birthdate=ne1984-07-21'],
    ['text date', 'birthdate=yesterday'],
    ['unknown gender', 'gender=f'],
    ['foreign gender system', 'gender=http://example.com|male'],
    ['bad reference', 'general-practitioner=Practitioner/nope'],
    [
      'reference of another type',
      'general-practitioner=Patient/2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
    ],
    ['_count 0', '_count=0'],
    ['_count 101', '_count=101'],
    ['_count text', '_count=ten'],
    ['_count negative', '_count=-1'],
    ['_offset negative', '_offset=-1'],
    ['_offset fraction', '_offset=1.5'],
    ['_offset huge', `_offset=${'9'.repeat(30)}`],
    ['repeated _count', '_count=1&_count=2'],
    ['parameter named in control characters and odd spaces', '%01%C2%A0%E2%80%A8%7F=1'],
    ['nameless parameter', '=1'],
  ])('answers a 400 for a %s', async (_name, query) => {
    const response = await fhir.get(`${BASE}/Patient?${query}`, { token: owner.accessToken });
    outcomeOf(response, 400, 'invalid');
  });

  it('names the parameter in the diagnostics of an unknown one', async () => {
    const response = await fhir.get(`${BASE}/Patient?_sort=name`, { token: owner.accessToken });
    const [issue] = outcomeOf(response, 400, 'invalid');
    expect(issue.diagnostics).toMatch(/^_sort: _sort is not a supported search parameter/);
  });
});

describe('paging', () => {
  let walker: Account;
  let created: string[];

  beforeAll(async () => {
    walker = await signUp(server.http, 'Fhir Walker');
    const doctor = await createDoctor(server.http, walker.accessToken);
    created = [];
    for (let index = 0; index < 45; index += 1) {
      const patient = await createPatient(server.http, walker.accessToken, doctor.id, {
        name: `Walker ${index}`,
      });
      created.push(patient.id);
    }
    // The same creation time for some, so that only the id orders them.
    await sql(`UPDATE patients SET created_at = $1 WHERE id = ANY($2)`, [
      '2026-01-01T00:00:00Z',
      created.slice(10, 30),
    ]);
  });

  const relative = (url: string) => url.slice(server.http.baseUrl.length);

  it('walks a 45-patient search by next links to its end, with no gaps or repeats, and back', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${BASE}/Patient?name=walker&_count=10`;
    const pages: any[] = [];
    while (url) {
      const response: HttpResponse = await fhir.get(url, { token: walker.accessToken });
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(45);
      pages.push(response.body);
      seen.push(...response.body.entry.map((entry: any) => entry.resource.id));
      const next: { url: string } | undefined = response.body.link.find(
        (link: any) => link.relation === 'next',
      );
      if (next) expect(next.url).toMatch(/[?&]name=walker(&|$)/);
      url = next && relative(next.url);
    }
    expect(pages).toHaveLength(5);
    expect(pages.map((page) => page.entry.length)).toEqual([10, 10, 10, 10, 5]);
    expect(new Set(seen).size).toBe(45);
    expect([...seen].sort()).toEqual([...created].sort());
    expect(pages[0].link.find((link: any) => link.relation === 'previous')).toBeUndefined();

    const back: string[] = [];
    let previous: any = pages[4].link.find((link: any) => link.relation === 'previous');
    back.unshift(...pages[4].entry.map((entry: any) => entry.resource.id));
    while (previous) {
      const response = await fhir.get(relative(previous.url), { token: walker.accessToken });
      back.unshift(...response.body.entry.map((entry: any) => entry.resource.id));
      previous = response.body.link.find((link: any) => link.relation === 'previous');
    }
    expect(back).toEqual(seen);
  });

  it('past the end answers no entries, and a previous link to the last page', async () => {
    const response = await fhir.get(`${BASE}/Patient?name=walker&_count=20&_offset=100`, {
      token: walker.accessToken,
    });
    expect(response.body.total).toBe(45);
    expect(response.body.entry ?? []).toEqual([]);
    const previous = response.body.link.find((link: any) => link.relation === 'previous');
    expect(previous.url).toMatch(/_offset=25$/);
    expect(response.body.link.find((link: any) => link.relation === 'next')).toBeUndefined();
  });

  it('builds its links on the host the request named, and refuses a Host that is none', async () => {
    // Sent with node:http, which (unlike fetch) lets a request name its Host.
    const client = new FhirClient(server.http.from('127.0.0.1'));
    const response = await client.get(`${BASE}/Patient?_count=1`, {
      token: walker.accessToken,
      headers: { host: 'fhir.example.com:8443' },
    });
    expect(response.body.link[0].url).toBe(
      'http://fhir.example.com:8443/fhir/R4/Patient?_count=1&_offset=0',
    );
    expect(response.body.entry[0].fullUrl).toMatch(
      /^http:\/\/fhir\.example\.com:8443\/fhir\/R4\/Patient\//,
    );
    for (const host of ['a b', 'evil.com/path', 'x"y']) {
      const refused = await client.get(`${BASE}/metadata`, { headers: { host } });
      outcomeOf(refused, 400, 'invalid');
    }
  });

  it('defaults to 20 a page', async () => {
    const response = await fhir.get(`${BASE}/Patient`, { token: walker.accessToken });
    expect(response.body.entry).toHaveLength(20);
    expect(response.body.link.find((link: any) => link.relation === 'next').url).toMatch(
      /\?_count=20&_offset=20$/,
    );
  });
});

describe('Practitioner', () => {
  it('reads any doctor of the directory, with its ETag', async () => {
    const response = await fhir.get(`${BASE}/Practitioner/${cuddy.id}`, {
      token: owner.accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('W/"1"');
    expect(response.body).toEqual({
      resourceType: 'Practitioner',
      id: cuddy.id,
      meta: { versionId: '1', lastUpdated: cuddy.updatedAt },
      name: [{ text: 'Dr. Lisa Cuddy' }],
      telecom: [{ system: 'email', value: cuddy.email }],
      qualification: [{ code: { text: 'Endocrinology' } }],
    });
    const withPhone = await fhir.get(`${BASE}/Practitioner/${house.id}`, {
      token: other.accessToken,
    });
    expect(withPhone.body.telecom).toEqual([
      { system: 'email', value: house.email },
      { system: 'phone', value: '+1 555 0100' },
    ]);
  });

  it('answers an unknown doctor with a 404', async () => {
    outcomeOf(
      await fhir.get(`${BASE}/Practitioner/00000000-0000-4000-8000-000000000000`, {
        token: owner.accessToken,
      }),
      404,
      'not-found',
    );
  });

  it('searches the directory by name only (not specialization), with paging', async () => {
    const byName = await fhir.get(`${BASE}/Practitioner?name=LISA%20cuddy`, {
      token: owner.accessToken,
    });
    expect(byName.body.entry.map((entry: any) => entry.resource.id)).toContain(cuddy.id);
    expect(
      byName.body.entry.every((entry: any) => /lisa cuddy/i.test(entry.resource.name[0].text)),
    ).toBe(true);
    const bySpecialization = await fhir.get(`${BASE}/Practitioner?name=Endocrinology`, {
      token: owner.accessToken,
    });
    expect(bySpecialization.body.total).toBe(0);
    const page = await fhir.get(`${BASE}/Practitioner?_count=1&_offset=1`, {
      token: owner.accessToken,
    });
    expect(page.body.entry).toHaveLength(1);
    expect(page.body.link.map((link: any) => link.relation)).toEqual(
      page.body.total > 2 ? ['self', 'next', 'previous'] : ['self', 'previous'],
    );
    outcomeOf(
      await fhir.get(`${BASE}/Practitioner?gender=male`, { token: owner.accessToken }),
      400,
      'invalid',
    );
    outcomeOf(
      await fhir.get(`${BASE}/Practitioner?_count=500`, { token: owner.accessToken }),
      400,
      'invalid',
    );
  });
});

describe('CareTeam', () => {
  it("reads a patient's care team: one participant per mapped doctor", async () => {
    const response = await fhir.get(`${BASE}/CareTeam/${jane.id}`, { token: owner.accessToken });
    expect(response.status).toBe(200);
    const mappings = await server.http.get(`/api/mappings/?patientId=${jane.id}&sort=createdAt`, {
      token: owner.accessToken,
    });
    expect(response.body).toEqual({
      resourceType: 'CareTeam',
      id: jane.id,
      status: 'active',
      subject: { reference: `Patient/${jane.id}` },
      participant: mappings.body.items.map((mapping: any) => ({
        member: { reference: `Practitioner/${mapping.doctorId}`, display: mapping.doctor.name },
        period: { start: mapping.createdAt },
      })),
    });
    expect(response.body.participant.map((p: any) => p.member.reference)).toEqual([
      `Practitioner/${house.id}`,
      `Practitioner/${cuddy.id}`,
    ]);
  });

  it("answers another user's patient, and an unknown one, with a 404", async () => {
    outcomeOf(
      await fhir.get(`${BASE}/CareTeam/${jane.id}`, { token: other.accessToken }),
      404,
      'not-found',
    );
    outcomeOf(
      await fhir.get(`${BASE}/CareTeam/00000000-0000-4000-8000-000000000000`, {
        token: owner.accessToken,
      }),
      404,
      'not-found',
    );
  });

  it('searches by patient, as a reference or a bare id', async () => {
    for (const value of [`Patient/${john.id}`, john.id]) {
      const response = await fhir.get(`${BASE}/CareTeam?patient=${value}`, {
        token: owner.accessToken,
      });
      expect(response.body).toMatchObject({ type: 'searchset', total: 1 });
      expect(response.body.entry[0]).toMatchObject({
        fullUrl: `${server.http.baseUrl}${BASE}/CareTeam/${john.id}`,
        resource: {
          id: john.id,
          participant: [{ member: { reference: `Practitioner/${cuddy.id}` } }],
        },
        search: { mode: 'match' },
      });
    }
  });

  it("answers another user's patient with an empty Bundle, like an unknown one", async () => {
    const theirs = await fhir.get(`${BASE}/CareTeam?patient=${jane.id}`, {
      token: other.accessToken,
    });
    const unknown = await fhir.get(
      `${BASE}/CareTeam?patient=00000000-0000-4000-8000-000000000000`,
      {
        token: other.accessToken,
      },
    );
    for (const response of [theirs, unknown]) {
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(0);
      expect(response.body.entry ?? []).toEqual([]);
    }
  });

  it.each([
    ['no patient', ''],
    ['a malformed patient', 'patient=Patient/nope'],
    ['an unknown parameter', `patient=${'0'.repeat(8)}&status=active`],
  ])('answers a 400 for %s', async (_name, query) => {
    outcomeOf(
      await fhir.get(`${BASE}/CareTeam?${query}`, { token: owner.accessToken }),
      400,
      'invalid',
    );
  });
});

describe('the audit trail', () => {
  let admin: Account;

  beforeAll(async () => {
    admin = await signUp(server.http, 'Fhir Admin');
    await sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
  });

  async function eventsOf(response: { headers: Headers }) {
    const requestId = response.headers.get('x-request-id');
    const trail = await server.http.get(`/api/audit-events/?limit=100&actorId=${owner.id}`, {
      token: admin.accessToken,
    });
    expect(trail.status).toBe(200);
    return trail.body.items.filter((event: any) => event.requestId === requestId);
  }

  it('records reads and searches as the REST API does, naming the patients disclosed', async () => {
    const read = await fhir.get(`${BASE}/Patient/${jane.id}`, { token: owner.accessToken });
    expect(await eventsOf(read)).toEqual([
      expect.objectContaining({
        action: 'patient.read',
        outcome: 'success',
        status: 200,
        resourceType: 'patient',
        resourceId: jane.id,
        patientIds: [jane.id],
      }),
    ]);
    const search = await fhir.get(`${BASE}/Patient?name=fhir`, { token: owner.accessToken });
    const [searched] = await eventsOf(search);
    expect(searched).toMatchObject({
      action: 'patient.search',
      outcome: 'success',
      resourceId: null,
    });
    expect([...searched.patientIds].sort()).toEqual([jane.id, john.id].sort());

    const team = await fhir.get(`${BASE}/CareTeam/${jane.id}`, { token: owner.accessToken });
    expect(await eventsOf(team)).toEqual([
      expect.objectContaining({
        action: 'mapping.search',
        outcome: 'success',
        patientIds: [jane.id],
      }),
    ]);
    const teams = await fhir.get(`${BASE}/CareTeam?patient=${john.id}`, {
      token: owner.accessToken,
    });
    expect(await eventsOf(teams)).toEqual([
      expect.objectContaining({
        action: 'mapping.search',
        outcome: 'success',
        patientIds: [john.id],
      }),
    ]);
  });

  it("records a probe of another user's patient as a failure that names it", async () => {
    for (const path of [`Patient/${jane.id}`, `CareTeam/${jane.id}`]) {
      const probe = await fhir.get(`${BASE}/${path}`, { token: other.accessToken });
      expect(probe.status).toBe(404);
      const requestId = probe.headers.get('x-request-id');
      const trail = await server.http.get(
        `/api/audit-events/?patientId=${jane.id}&actorId=${other.id}&outcome=failure`,
        { token: admin.accessToken },
      );
      expect(trail.body.items.find((event: any) => event.requestId === requestId)).toMatchObject({
        status: 404,
        patientIds: [jane.id],
      });
    }
  });

  it('does not record the directory or the metadata', async () => {
    const read = await fhir.get(`${BASE}/Practitioner/${house.id}`, { token: owner.accessToken });
    expect(read.status).toBe(200);
    expect(await eventsOf(read)).toEqual([]);
  });
});
