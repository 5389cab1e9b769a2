import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, sql, startApp, type TestApp } from './support/app.js';
import type { HttpClient, HttpResponse } from './support/http.js';
import {
  createDoctor,
  createPatient,
  doctorBody,
  patientBody,
  problemOf,
} from './support/records.js';

let server: TestApp;
let http: HttpClient;
let alice: Account;
let bob: Account;
let doctorId: string;

beforeAll(async () => {
  server = await startApp({ CORS_ORIGINS: 'https://app.example' });
  http = server.http;
  [alice, bob] = await Promise.all([signUp(http, 'Alice'), signUp(http, 'Bob')]);
  doctorId = (await createDoctor(http, alice.accessToken)).id;
});
afterAll(() => server.close());

const as = (account: Account, headers: Record<string, string> = {}) => ({
  token: account.accessToken,
  headers,
});

/** One versioned resource type: how to create one (the POST's answer), and bodies to change it. */
interface Resource {
  path: string;
  create(): Promise<HttpResponse>;
  replacement(current: any): Record<string, unknown>;
  patch: Record<string, unknown>;
}

const resources: Record<'doctors' | 'patients' | 'mappings', Resource> = {
  doctors: {
    path: '/api/doctors',
    create: () => http.post('/api/doctors/', doctorBody(), as(alice)),
    replacement: (current) => ({
      name: current.name,
      specialization: 'Nephrology',
      email: current.email,
    }),
    patch: { phone: '+1 555 0142' },
  },
  patients: {
    path: '/api/patients',
    create: () => http.post('/api/patients/', patientBody(doctorId), as(alice)),
    replacement: () => patientBody(doctorId, { name: 'Jane Replaced' }),
    patch: { medicalHistory: 'Penicillin allergy.' },
  },
  mappings: {
    path: '/api/mappings',
    async create() {
      const patient = await createPatient(http, alice.accessToken, doctorId);
      const other = await createDoctor(http, alice.accessToken);
      return http.post('/api/mappings/', { patientId: patient.id, doctorId: other.id }, as(alice));
    },
    replacement: (current) => ({
      patientId: current.patientId,
      doctorId: current.doctorId,
      notes: 'Replaced',
    }),
    patch: { notes: 'Second opinion' },
  },
};

const url = (resource: Resource, id: string) => `${resource.path}/${id}/`;

function expectTagged(response: HttpResponse, version: number) {
  expect(response.body.version).toBe(version);
  expect(response.headers.get('etag')).toBe(`"${version}"`);
}

describe.each(Object.entries(resources))('versions of %s', (_name, resource) => {
  it('starts at 1, adds one on every PUT and PATCH, and answers each with its ETag', async () => {
    const creation = await resource.create();
    expect(creation.status).toBe(201);
    expectTagged(creation, 1);
    const created = creation.body;
    const read = await http.get(url(resource, created.id), as(alice));
    expectTagged(read, 1);
    const patched = await http.patch(url(resource, created.id), resource.patch, as(alice));
    expect(patched.status).toBe(200);
    expectTagged(patched, 2);
    const replaced = await http.put(
      url(resource, created.id),
      resource.replacement(patched.body),
      as(alice),
    );
    expect(replaced.status).toBe(200);
    expectTagged(replaced, 3);
    const emptyPatch = await http.patch(url(resource, created.id), {}, as(alice));
    expectTagged(emptyPatch, 4);
    expectTagged(await http.get(url(resource, created.id), as(alice)), 4);
    const deleted = await http.delete(url(resource, created.id), as(alice, { 'if-match': '"4"' }));
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('etag')).toBeNull();
  });

  it('answers 412 for a stale If-Match on PUT, PATCH and DELETE, and changes nothing', async () => {
    const created = (await resource.create()).body;
    const current = (await http.patch(url(resource, created.id), resource.patch, as(alice))).body;
    const stale = as(alice, { 'if-match': '"1"' });
    const attempts = [
      await http.patch(url(resource, created.id), resource.replacement(current), stale),
      await http.put(url(resource, created.id), resource.replacement(current), stale),
      await http.delete(url(resource, created.id), stale),
    ];
    for (const attempt of attempts) {
      expect(problemOf(attempt, 412).detail).toMatch(/current version, "2"/);
    }
    expect((await http.get(url(resource, created.id), as(alice))).body).toEqual(current);
  });

  it('goes ahead with a matching If-Match, a list that holds the version, or *', async () => {
    const created = (await resource.create()).body;
    const first = await http.patch(
      url(resource, created.id),
      resource.patch,
      as(alice, { 'if-match': '"1"' }),
    );
    expectTagged(first, 2);
    const listed = await http.patch(
      url(resource, created.id),
      resource.patch,
      as(alice, { 'if-match': '"7", W/"3", "2"' }),
    );
    expectTagged(listed, 3);
    const any = await http.put(
      url(resource, created.id),
      resource.replacement(listed.body),
      as(alice, { 'if-match': '*' }),
    );
    expectTagged(any, 4);
  });

  it('answers GET with If-None-Match naming the current version 304, with no body', async () => {
    const created = (await resource.create()).body;
    for (const tag of ['"1"', 'W/"1"', '"5", "1"', '*']) {
      const response = await http.get(
        url(resource, created.id),
        as(alice, { 'if-none-match': tag }),
      );
      expect(response.status, tag).toBe(304);
      expect(response.text).toBe('');
      expect(response.headers.get('etag')).toBe('"1"');
    }
    await http.patch(url(resource, created.id), resource.patch, as(alice));
    const changed = await http.get(
      url(resource, created.id),
      as(alice, { 'if-none-match': '"1"' }),
    );
    expect(changed.status).toBe(200);
    expectTagged(changed, 2);
  });
});

describe('conditional headers that are not well-formed', () => {
  const malformed = ['2', '"2', '2"', '*, "2"', '', ' , ', '"2" "3"', 'W/2', 'w/"2"', '"a"b"'];

  it.each(malformed)(
    'answers If-Match %j with a 400 naming the header, and changes nothing',
    async (value) => {
      const patient = await createPatient(http, alice.accessToken, doctorId);
      const response = await http.patch(
        `/api/patients/${patient.id}/`,
        { name: 'Changed' },
        as(alice, { 'if-match': value }),
      );
      expect(problemOf(response, 400).errors).toEqual([
        { field: 'If-Match', message: expect.stringMatching(/quoted entity tags/) },
      ]);
      const deletion = await http.delete(
        `/api/patients/${patient.id}/`,
        as(alice, { 'if-match': value }),
      );
      problemOf(deletion, 400);
      expect((await http.get(`/api/patients/${patient.id}/`, as(alice))).body).toEqual(patient);
    },
  );

  it.each(malformed)('answers If-None-Match %j with a 400', async (value) => {
    const response = await http.get(
      `/api/doctors/${doctorId}/`,
      as(alice, { 'if-none-match': value }),
    );
    expect(problemOf(response, 400).errors?.[0].field).toBe('If-None-Match');
  });

  it('treats well-formed tags that name no version as tags that do not match', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    for (const tag of ['"abc"', '"01"', '"1.0"', '""', '"99999999999"', 'W/"1"']) {
      const response = await http.patch(
        `/api/patients/${patient.id}/`,
        { name: 'Changed' },
        as(alice, { 'if-match': tag }),
      );
      expect(response.status, tag).toBe(412);
    }
  });
});

describe('what a precondition does not override', () => {
  it('answers 404 for a missing resource or another user’s patient, whatever the If-Match', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const missing = '/api/patients/00000000-0000-4000-8000-000000000000/';
    for (const tag of ['"1"', '"2"', '*']) {
      problemOf(await http.patch(missing, { name: 'X' }, as(alice, { 'if-match': tag })), 404);
      problemOf(await http.delete(missing, as(alice, { 'if-match': tag })), 404);
      problemOf(
        await http.patch(
          `/api/patients/${patient.id}/`,
          { name: 'X' },
          as(bob, { 'if-match': tag }),
        ),
        404,
      );
      problemOf(
        await http.delete(`/api/patients/${patient.id}/`, as(bob, { 'if-match': tag })),
        404,
      );
      problemOf(
        await http.get(`/api/patients/${patient.id}/`, as(bob, { 'if-none-match': tag })),
        404,
      );
    }
  });

  it('answers 403 to a user who may not change the doctor, whatever the If-Match', async () => {
    for (const tag of ['"1"', '"2"']) {
      const response = await http.patch(
        `/api/doctors/${doctorId}/`,
        { phone: '1' },
        as(bob, { 'if-match': tag }),
      );
      problemOf(response, 403);
    }
  });

  it('refuses a version in a body as read-only', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const response = await http.patch(`/api/patients/${patient.id}/`, { version: 7 }, as(alice));
    expect(problemOf(response, 400).errors).toEqual([
      { field: 'version', message: 'version is read-only' },
    ]);
    const creation = await http.post('/api/doctors/', { ...doctorBody(), version: 1 }, as(alice));
    expect(problemOf(creation, 400).errors?.[0].field).toBe('version');
  });

  it('exposes ETag to CORS clients', async () => {
    const response = await http.get(`/api/doctors/${doctorId}/`, {
      ...as(alice),
      headers: { origin: 'https://app.example' },
    });
    expect(response.headers.get('access-control-expose-headers')).toMatch(/\bETag\b/i);
  });
});

/** Sends `count` requests at once and answers their statuses, sorted. */
async function concurrently(count: number, request: (index: number) => Promise<HttpResponse>) {
  const responses = await Promise.all(Array.from({ length: count }, (_, index) => request(index)));
  return responses.map((response) => response.status).sort();
}

describe('concurrent edits of one version: exactly one wins', () => {
  it.each(Object.entries(resources))(
    'ten PATCHes of %s with one If-Match: one 200, nine 412',
    async (_name, resource) => {
      const created = (await resource.create()).body;
      const statuses = await concurrently(10, () =>
        http.patch(url(resource, created.id), resource.patch, as(alice, { 'if-match': '"1"' })),
      );
      expect(statuses).toEqual([200, ...Array(9).fill(412)]);
      expectTagged(await http.get(url(resource, created.id), as(alice)), 2);
    },
  );

  it('ten PUTs of a patient with one If-Match: one 200, nine 412, one new version', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const statuses = await concurrently(10, (index) =>
      http.put(
        `/api/patients/${patient.id}/`,
        patientBody(doctorId, { medicalHistory: `Edit ${index}` }),
        as(alice, { 'if-match': '"1"' }),
      ),
    );
    expect(statuses).toEqual([200, ...Array(9).fill(412)]);
    const history = await http.get(`/api/patients/${patient.id}/history/`, as(alice));
    expect(history.body.items.map((entry: any) => entry.version)).toEqual([2, 1]);
    const current = await http.get(`/api/patients/${patient.id}/`, as(alice));
    expect(history.body.items[0].resource).toEqual(current.body);
  });

  it('ten DELETEs of a patient with one If-Match: one 204, and the resource is gone for the rest', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const statuses = await concurrently(10, () =>
      http.delete(`/api/patients/${patient.id}/`, as(alice, { 'if-match': '"1"' })),
    );
    expect(statuses).toEqual([204, ...Array(9).fill(404)]);
  });

  it('PATCHes and DELETEs of one version at once: exactly one of them succeeds', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const statuses = await concurrently(10, (index) => {
      const options = as(alice, { 'if-match': '"1"' });
      return index % 2 === 0
        ? http.patch(`/api/patients/${patient.id}/`, { name: `Edit ${index}` }, options)
        : http.delete(`/api/patients/${patient.id}/`, options);
    });
    expect(statuses.filter((status) => status < 300)).toHaveLength(1);
    expect(statuses.every((status) => [200, 204, 404, 412].includes(status))).toBe(true);
  });
});

describe('history', () => {
  /** A patient with three versions, and what the API answered at each. */
  async function patientWithVersions() {
    const created = await http.post('/api/patients/', patientBody(doctorId), as(alice));
    const patched = await http.patch(
      `/api/patients/${created.body.id}/`,
      { medicalHistory: 'Asthma.' },
      as(alice, { 'if-match': '"1"' }),
    );
    const replaced = await http.put(
      `/api/patients/${created.body.id}/`,
      patientBody(doctorId, { name: 'Jane Smith', email: 'jane@example.com' }),
      as(alice, { 'if-match': '"2"' }),
    );
    return {
      id: created.body.id as string,
      answers: [created, patched, replaced].map((r) => r.body),
    };
  }

  it('pages the versions of a patient newest first, each exactly as the API answered it', async () => {
    const { id, answers } = await patientWithVersions();
    const response = await http.get(`/api/patients/${id}/history/`, as(alice));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [3, 2, 1].map((version) => ({
        version,
        operation: version === 1 ? 'create' : 'update',
        changedAt: answers[version - 1].updatedAt,
        changedBy: alice.id,
        resource: answers[version - 1],
      })),
      total: 3,
      limit: 20,
      offset: 0,
    });
    for (const version of [1, 2, 3]) {
      const entry = await http.get(`/api/patients/${id}/history/${version}/`, as(alice));
      expect(entry.body).toEqual(response.body.items[3 - version]);
    }
  });

  it('pages with limit and offset, and sorts oldest first with sort=version', async () => {
    const { id } = await patientWithVersions();
    const page = await http.get(`/api/patients/${id}/history/?limit=1&offset=1`, as(alice));
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.body.items.map((entry: any) => entry.version)).toEqual([2]);
    const oldestFirst = await http.get(`/api/patients/${id}/history/?sort=version`, as(alice));
    expect(oldestFirst.body.items.map((entry: any) => entry.version)).toEqual([1, 2, 3]);
    const past = await http.get(`/api/patients/${id}/history/?offset=10`, as(alice));
    expect(past.body).toEqual({ items: [], total: 3, limit: 20, offset: 10 });
    problemOf(await http.get(`/api/patients/${id}/history/?sort=createdAt`, as(alice)), 400);
  });

  it('is the owner’s only: another user gets the 404 of a patient that does not exist', async () => {
    const { id } = await patientWithVersions();
    const list = problemOf(await http.get(`/api/patients/${id}/history/`, as(bob)), 404);
    const entry = problemOf(await http.get(`/api/patients/${id}/history/1/`, as(bob)), 404);
    const missing = '00000000-0000-4000-8000-000000000000';
    const none = problemOf(await http.get(`/api/patients/${missing}/history/`, as(alice)), 404);
    expect(list.detail).toBe(none.detail);
    expect(entry.detail).toBe(none.detail);
  });

  it('answers 404 for a version that does not exist and 400 for one that is not a number', async () => {
    const { id } = await patientWithVersions();
    expect(
      problemOf(await http.get(`/api/patients/${id}/history/4/`, as(alice)), 404).detail,
    ).toMatch(/no version/);
    for (const version of ['0', '-1', 'abc', '1.5', '99999999999']) {
      const response = await http.get(`/api/patients/${id}/history/${version}/`, as(alice));
      expect(problemOf(response, 400).errors?.[0].field, version).toBe('version');
    }
  });

  it('keeps no version of a change that failed', async () => {
    const { id, answers } = await patientWithVersions();
    const missingDoctor = '00000000-0000-4000-8000-000000000000';
    problemOf(
      await http.patch(`/api/patients/${id}/`, { doctorId: missingDoctor }, as(alice)),
      400,
    );
    problemOf(
      await http.patch(`/api/patients/${id}/`, { name: 'Stale' }, as(alice, { 'if-match': '"1"' })),
      412,
    );
    const rows = await sql('SELECT version FROM patient_versions WHERE patient_id = $1', [id]);
    expect(rows.map((row) => row.version).sort()).toEqual([1, 2, 3]);
    expect((await http.get(`/api/patients/${id}/`, as(alice))).body).toEqual(answers[2]);
  });

  it('records a change made by any path, SQL included, because a trigger writes it', async () => {
    const { id } = await patientWithVersions();
    await sql(`UPDATE patients SET address = 'Changed behind the API' WHERE id = $1`, [id]);
    const current = await http.get(`/api/patients/${id}/`, as(alice));
    expectTagged(current, 4);
    const entry = await http.get(`/api/patients/${id}/history/4/`, as(alice));
    expect(entry.body).toMatchObject({ operation: 'update', resource: current.body });
  });

  it('goes with the patient when the patient is deleted', async () => {
    const { id } = await patientWithVersions();
    expect((await http.delete(`/api/patients/${id}/`, as(alice))).status).toBe(204);
    problemOf(await http.get(`/api/patients/${id}/history/`, as(alice)), 404);
    expect(await sql('SELECT 1 FROM patient_versions WHERE patient_id = $1', [id])).toEqual([]);
  });

  it('keeps the versions of a doctor, readable by every signed-in user', async () => {
    const created = await http.post('/api/doctors/', doctorBody(), as(alice));
    const patched = await http.patch(
      `/api/doctors/${created.body.id}/`,
      { specialization: 'Nephrology' },
      as(alice),
    );
    const duplicate = await http.patch(
      `/api/doctors/${created.body.id}/`,
      { email: (await createDoctor(http, bob.accessToken)).email },
      as(alice),
    );
    problemOf(duplicate, 409);
    const history = await http.get(`/api/doctors/${created.body.id}/history/`, as(bob));
    expect(history.body.items).toEqual([
      {
        version: 2,
        operation: 'update',
        changedAt: patched.body.updatedAt,
        changedBy: alice.id,
        resource: patched.body,
      },
      {
        version: 1,
        operation: 'create',
        changedAt: created.body.updatedAt,
        changedBy: alice.id,
        resource: created.body,
      },
    ]);
    const first = await http.get(`/api/doctors/${created.body.id}/history/1/`, as(bob));
    expect(first.body).toEqual(history.body.items[1]);
    problemOf(await http.get(`/api/doctors/${created.body.id}/history/3/`, as(bob)), 404);
    const missing = '/api/doctors/00000000-0000-4000-8000-000000000000/history/';
    problemOf(await http.get(missing, as(bob)), 404);
  });
});
