import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, sql, useTestServer } from './support/app.js';
import { createDoctor, createMapping, createPatient, problemOf } from './support/records.js';
import type { HttpResponse } from './support/http.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** What an error must never show: constraint names, SQL, driver errors, stack frames. */
const LEAK =
  /_fkey|_key\b|duplicate key|violates|QueryFailedError|INSERT INTO|UPDATE "|SELECT |\.[jt]s:\d+|node_modules/i;

const { http } = useTestServer();

function expectNoLeak(response: HttpResponse) {
  expect(response.text).not.toMatch(LEAK);
}

function errorFields(response: HttpResponse): string[] {
  return (response.body.errors ?? []).map((error: { field: string }) => error.field);
}

/** A 400 problem document whose errors name `field`. */
function expectFieldError(response: HttpResponse, field: string) {
  problemOf(response, 400);
  expect(errorFields(response)).toContain(field);
  expectNoLeak(response);
}

/** A problem document without what differs per request (its path and request id). */
function withoutInstance(body: any) {
  return { ...body, instance: null, requestId: null };
}

const auth = (account: Account) => ({ token: account.accessToken });

function postMapping(account: Account, body: unknown) {
  return http.post('/api/mappings/', body, auth(account));
}

function getMapping(account: Account, id: string) {
  return http.get(`/api/mappings/${id}/`, auth(account));
}

async function listMappings(account: Account, query = ''): Promise<any> {
  const response = await http.get(`/api/mappings/${query}`, auth(account));
  expect(response.status).toBe(200);
  return response.body;
}

/** The mapping of a patient to one doctor, as its owner lists it. */
async function findMapping(account: Account, patientId: string, doctorId: string): Promise<any> {
  const page = await listMappings(account, `?patientId=${patientId}&doctorId=${doctorId}`);
  expect(page.total).toBe(1);
  return page.items[0];
}

function mappingRows(patientId: string) {
  return sql<{ id: string; doctor_id: string; notes: string | null }>(
    'SELECT id, doctor_id, notes FROM mappings WHERE patient_id = $1 ORDER BY created_at, id',
    [patientId],
  );
}

/**
 * A patient of `account` with its assigned doctor (and so its automatic mapping), and a
 * second mapping to another doctor.
 */
async function patientWithMapping(account: Account, notes?: string) {
  const assigned = await createDoctor(http, account.accessToken, {
    specialization: 'General practice',
  });
  const other = await createDoctor(http, account.accessToken, { specialization: 'Neurology' });
  const patient = await createPatient(http, account.accessToken, assigned.id);
  const mapping = await createMapping(http, account.accessToken, patient.id, other.id, {
    notes: notes,
  });
  const assignedMapping = await findMapping(account, patient.id, assigned.id);
  return { assigned, other, patient, mapping, assignedMapping };
}

describe('authentication', () => {
  it.each([
    ['GET', '/api/mappings/'],
    ['POST', '/api/mappings/'],
    ['GET', `/api/mappings/${randomUUID()}/`],
    ['PUT', `/api/mappings/${randomUUID()}/`],
    ['PATCH', `/api/mappings/${randomUUID()}/`],
    ['DELETE', `/api/mappings/${randomUUID()}/`],
  ])('answers 401 with WWW-Authenticate to %s %s without a token', async (method, path) => {
    const response = await http.request(method, path, method === 'POST' ? {} : undefined);
    problemOf(response, 401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('GET /api/mappings/', () => {
  let alice: Account;
  let bob: Account;
  let d1: any;
  let d2: any;
  let alicePatient1: any;
  let alicePatient2: any;
  let bobPatient: any;
  /** Alice's mappings in the order they were created. */
  let aliceMappings: any[];
  let bobMappings: any[];

  beforeAll(async () => {
    alice = await signUp(http, 'Alice');
    bob = await signUp(http, 'Bob');
    d1 = await createDoctor(http, alice.accessToken, { specialization: 'Cardiology' });
    d2 = await createDoctor(http, bob.accessToken, { specialization: 'Dermatology' });
    alicePatient1 = await createPatient(http, alice.accessToken, d1.id, {
      name: 'Alice Patient One',
    });
    const first = await findMapping(alice, alicePatient1.id, d1.id);
    alicePatient2 = await createPatient(http, alice.accessToken, d2.id, {
      name: 'Alice Patient Two',
    });
    const second = await findMapping(alice, alicePatient2.id, d2.id);
    const third = await createMapping(http, alice.accessToken, alicePatient1.id, d2.id, {
      notes: 'Second opinion',
    });
    aliceMappings = [first, second, third];
    bobPatient = await createPatient(http, bob.accessToken, d1.id, { name: 'Bob Patient' });
    bobMappings = [
      await findMapping(bob, bobPatient.id, d1.id),
      await createMapping(http, bob.accessToken, bobPatient.id, d2.id, { notes: "Bob's notes" }),
    ];
  });

  it("answers 200 with a page of the caller's patients' mappings only", async () => {
    const page = await listMappings(alice);
    expect(page).toEqual({ items: expect.any(Array), total: 3, limit: 20, offset: 0 });
    expect(page.items.map((item: any) => item.id).sort()).toEqual(
      aliceMappings.map((mapping) => mapping.id).sort(),
    );
    const bobIds = bobMappings.map((mapping) => mapping.id);
    expect(page.items.some((item: any) => bobIds.includes(item.id))).toBe(false);

    const bobPage = await listMappings(bob);
    expect(bobPage.total).toBe(2);
    expect(bobPage.items.map((item: any) => item.id).sort()).toEqual([...bobIds].sort());
  });

  it('gives each mapping its fields and the right patient and doctor summaries', async () => {
    const page = await listMappings(alice);
    const third = page.items.find((item: any) => item.id === aliceMappings[2].id);
    expect(third).toEqual({
      id: aliceMappings[2].id,
      patientId: alicePatient1.id,
      doctorId: d2.id,
      notes: 'Second opinion',
      patient: { id: alicePatient1.id, name: 'Alice Patient One' },
      doctor: { id: d2.id, name: d2.name, specialization: 'Dermatology' },
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    const second = page.items.find((item: any) => item.id === aliceMappings[1].id);
    expect(second).toMatchObject({
      patientId: alicePatient2.id,
      doctorId: d2.id,
      notes: null,
      patient: { id: alicePatient2.id, name: 'Alice Patient Two' },
      doctor: { id: d2.id, name: d2.name, specialization: 'Dermatology' },
    });
    const first = page.items.find((item: any) => item.id === aliceMappings[0].id);
    expect(first).toMatchObject({
      patient: { id: alicePatient1.id, name: 'Alice Patient One' },
      doctor: { id: d1.id, name: d1.name, specialization: 'Cardiology' },
    });
  });

  it('filters by patientId, by doctorId, and by both', async () => {
    const byPatient = await listMappings(alice, `?patientId=${alicePatient1.id}`);
    expect(byPatient.total).toBe(2);
    expect(byPatient.items.map((item: any) => item.id).sort()).toEqual(
      [aliceMappings[0].id, aliceMappings[2].id].sort(),
    );

    const byDoctor = await listMappings(alice, `?doctorId=${d2.id}`);
    expect(byDoctor.total).toBe(2);
    expect(byDoctor.items.map((item: any) => item.id).sort()).toEqual(
      [aliceMappings[1].id, aliceMappings[2].id].sort(),
    );

    const both = await listMappings(alice, `?patientId=${alicePatient1.id}&doctorId=${d2.id}`);
    expect(both.items.map((item: any) => item.id)).toEqual([aliceMappings[2].id]);

    const bobByDoctor = await listMappings(bob, `?doctorId=${d2.id}`);
    expect(bobByDoctor.items.map((item: any) => item.id)).toEqual([bobMappings[1].id]);
  });

  it("gives an empty page for another user's patientId, in both directions", async () => {
    expect(await listMappings(alice, `?patientId=${bobPatient.id}`)).toEqual({
      items: [],
      total: 0,
      limit: 20,
      offset: 0,
    });
    expect(await listMappings(bob, `?patientId=${alicePatient1.id}`)).toEqual({
      items: [],
      total: 0,
      limit: 20,
      offset: 0,
    });
    expect((await listMappings(alice, `?patientId=${randomUUID()}`)).total).toBe(0);
  });

  it('sorts by -createdAt by default, and ascending with sort=createdAt', async () => {
    const newestFirst = [...aliceMappings].reverse().map((mapping) => mapping.id);
    const byDefault = await listMappings(alice);
    expect(byDefault.items.map((item: any) => item.id)).toEqual(newestFirst);
    const explicit = await listMappings(alice, '?sort=-createdAt');
    expect(explicit.items.map((item: any) => item.id)).toEqual(newestFirst);
    const ascending = await listMappings(alice, '?sort=createdAt');
    expect(ascending.items.map((item: any) => item.id)).toEqual(
      aliceMappings.map((mapping) => mapping.id),
    );
    const times = ascending.items.map((item: any) => Date.parse(item.createdAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('accepts sort=updatedAt and sort=-updatedAt', async () => {
    expect((await listMappings(alice, '?sort=updatedAt')).total).toBe(3);
    expect((await listMappings(alice, '?sort=-updatedAt')).total).toBe(3);
  });

  it('pages with limit and offset', async () => {
    const page = await listMappings(alice, '?limit=1&offset=1');
    expect(page).toEqual({ items: [expect.any(Object)], total: 3, limit: 1, offset: 1 });
    expect(page.items[0].id).toBe(aliceMappings[1].id);
    const past = await listMappings(alice, '?limit=100&offset=10');
    expect(past).toEqual({ items: [], total: 3, limit: 100, offset: 10 });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['sort=unknown', 'sort'],
    ['sort=name', 'sort'],
    ['patientId=not-a-uuid', 'patientId'],
    ["patientId='%3B DROP TABLE mappings%3B --", 'patientId'],
    ['doctorId=123', 'doctorId'],
    ['unknown=1', 'unknown'],
  ])('answers 400 for ?%s', async (query, field) => {
    const response = await http.get(`/api/mappings/?${query}`, auth(alice));
    expectFieldError(response, field);
  });

  it('also answers without the trailing slash', async () => {
    const response = await http.get('/api/mappings', auth(alice));
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(3);
    const filtered = await http.get(`/api/mappings?patientId=${alicePatient2.id}`, auth(alice));
    expect(filtered.status).toBe(200);
    expect(filtered.body.items.map((item: any) => item.id)).toEqual([aliceMappings[1].id]);
  });
});

describe('POST /api/mappings/', () => {
  let alice: Account;
  let bob: Account;
  let assigned: any;
  let alicePatient: any;
  let bobPatient: any;

  beforeAll(async () => {
    alice = await signUp(http, 'Alice');
    bob = await signUp(http, 'Bob');
    assigned = await createDoctor(http, alice.accessToken, { specialization: 'General practice' });
    alicePatient = await createPatient(http, alice.accessToken, assigned.id, {
      name: 'Alice Patient',
    });
    bobPatient = await createPatient(http, bob.accessToken, assigned.id, { name: 'Bob Patient' });
  });

  it('answers 201 with the mapping and a Location that GETs it', async () => {
    const doctor = await createDoctor(http, bob.accessToken, { specialization: 'Oncology' });
    const response = await postMapping(alice, {
      patientId: alicePatient.id,
      doctorId: doctor.id,
      notes: 'Second opinion on the MRI.',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      patientId: alicePatient.id,
      doctorId: doctor.id,
      notes: 'Second opinion on the MRI.',
      patient: { id: alicePatient.id, name: 'Alice Patient' },
      doctor: { id: doctor.id, name: doctor.name, specialization: 'Oncology' },
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    const location = response.headers.get('location');
    expect(location).toBe(`/api/mappings/${response.body.id}/`);
    const fetched = await http.get(location!, auth(alice));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(response.body);
    const rows = await mappingRows(alicePatient.id);
    expect(rows.map((row) => row.doctor_id)).toContain(doctor.id);
  });

  it('makes notes optional: null when omitted, and when sent as null', async () => {
    const omitted = await postMapping(alice, {
      patientId: alicePatient.id,
      doctorId: (await createDoctor(http, alice.accessToken)).id,
    });
    expect(omitted.status).toBe(201);
    expect(omitted.body.notes).toBeNull();
    const nulled = await postMapping(alice, {
      patientId: alicePatient.id,
      doctorId: (await createDoctor(http, alice.accessToken)).id,
      notes: null,
    });
    expect(nulled.status).toBe(201);
    expect(nulled.body.notes).toBeNull();
  });

  it('answers 400 naming doctorId for a doctor that does not exist', async () => {
    const response = await postMapping(alice, {
      patientId: alicePatient.id,
      doctorId: randomUUID(),
    });
    expectFieldError(response, 'doctorId');
    expect(await mappingRows(alicePatient.id)).toHaveLength(
      (await listMappings(alice, `?patientId=${alicePatient.id}`)).total,
    );
  });

  it("answers 400 naming patientId for another user's patient, and maps nothing", async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    const response = await postMapping(alice, { patientId: bobPatient.id, doctorId: doctor.id });
    expectFieldError(response, 'patientId');
    const rows = await mappingRows(bobPatient.id);
    expect(rows.map((row) => row.doctor_id)).not.toContain(doctor.id);
    expect((await listMappings(bob, `?patientId=${bobPatient.id}`)).total).toBe(rows.length);

    const reverse = await postMapping(bob, { patientId: alicePatient.id, doctorId: doctor.id });
    expectFieldError(reverse, 'patientId');
  });

  it("answers 400, not 409, for another user's patient already mapped to that doctor", async () => {
    // A 409 here would tell Alice that Bob's patient is mapped to the doctor.
    const response = await postMapping(alice, {
      patientId: bobPatient.id,
      doctorId: assigned.id,
    });
    expectFieldError(response, 'patientId');
    const reverse = await postMapping(bob, { patientId: alicePatient.id, doctorId: assigned.id });
    expectFieldError(reverse, 'patientId');
  });

  it('answers 400 naming patientId for a patient that does not exist', async () => {
    const response = await postMapping(alice, {
      patientId: randomUUID(),
      doctorId: assigned.id,
    });
    expectFieldError(response, 'patientId');
  });

  it.each([
    ['a malformed patientId', { patientId: 'not-a-uuid' }, 'patientId'],
    ['a malformed doctorId', { doctorId: '1234' }, 'doctorId'],
    ['a numeric doctorId', { doctorId: 1234 }, 'doctorId'],
    ['a missing patientId', { patientId: undefined }, 'patientId'],
    ['a missing doctorId', { doctorId: undefined }, 'doctorId'],
    ['a null patientId', { patientId: null }, 'patientId'],
    ['a null doctorId', { doctorId: null }, 'doctorId'],
    ['an unknown property', { priority: 'high' }, 'priority'],
    ['a read-only id', { id: randomUUID() }, 'id'],
    ['a read-only createdAt', { createdAt: '2020-01-01T00:00:00.000Z' }, 'createdAt'],
    ['a read-only updatedAt', { updatedAt: '2020-01-01T00:00:00.000Z' }, 'updatedAt'],
    ['notes over 1,000 characters', { notes: 'n'.repeat(1001) }, 'notes'],
    ['notes of 1,001 emoji', { notes: '😀'.repeat(1001) }, 'notes'],
    ['notes with a control character', { notes: 'before\u0001after' }, 'notes'],
    ['notes with a NUL', { notes: 'before\u0000after' }, 'notes'],
    ['numeric notes', { notes: 42 }, 'notes'],
  ])('answers 400 naming the field for %s', async (_case, override, field) => {
    const doctor = await createDoctor(http, alice.accessToken);
    const body = { patientId: alicePatient.id, doctorId: doctor.id, ...override };
    const response = await postMapping(alice, body);
    expectFieldError(response, field);
    const rows = await mappingRows(alicePatient.id);
    expect(rows.map((row) => row.doctor_id)).not.toContain(doctor.id);
  });

  it('answers 400 for an empty body, a body that is not JSON and one that is not an object', async () => {
    problemOf(await postMapping(alice, {}), 400);
    problemOf(
      await http.post('/api/mappings/', undefined, { ...auth(alice), raw: '{"patientId": ' }),
      400,
    );
    problemOf(await postMapping(alice, [alicePatient.id, assigned.id]), 400);
  });

  it('answers 409 when the pair exists', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    await createMapping(http, alice.accessToken, alicePatient.id, doctor.id);
    const duplicate = await postMapping(alice, {
      patientId: alicePatient.id,
      doctorId: doctor.id,
      notes: 'again',
    });
    problemOf(duplicate, 409);
    expectNoLeak(duplicate);
    const rows = await mappingRows(alicePatient.id);
    expect(rows.filter((row) => row.doctor_id === doctor.id)).toHaveLength(1);
  });

  it('answers 409 for the pair of the patient and its assigned doctor, mapped on creation', async () => {
    const automatic = await findMapping(alice, alicePatient.id, assigned.id);
    expect(automatic).toMatchObject({ notes: null, doctor: { id: assigned.id } });
    const duplicate = await postMapping(alice, {
      patientId: alicePatient.id,
      doctorId: assigned.id,
    });
    problemOf(duplicate, 409);
    expectNoLeak(duplicate);
  });

  it('gives exactly one 201 and nineteen 409s for twenty identical POSTs at once', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    const patient = await createPatient(http, alice.accessToken, assigned.id);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        postMapping(alice, { patientId: patient.id, doctorId: doctor.id, notes: 'race' }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    for (const response of responses.filter((each) => each.status === 409)) {
      problemOf(response, 409);
      expectNoLeak(response);
    }
    const rows = await mappingRows(patient.id);
    expect(rows.filter((row) => row.doctor_id === doctor.id)).toHaveLength(1);
  });

  it('also answers without the trailing slash', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    const response = await http.post(
      '/api/mappings',
      { patientId: alicePatient.id, doctorId: doctor.id },
      auth(alice),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/mappings/${response.body.id}/`);
  });
});

describe('GET /api/mappings/<id>/', () => {
  let alice: Account;
  let bob: Account;
  let aliceSetup: Awaited<ReturnType<typeof patientWithMapping>>;
  let bobSetup: Awaited<ReturnType<typeof patientWithMapping>>;

  beforeAll(async () => {
    alice = await signUp(http, 'Alice');
    bob = await signUp(http, 'Bob');
    aliceSetup = await patientWithMapping(alice, 'Alice notes');
    bobSetup = await patientWithMapping(bob, 'Bob notes');
  });

  it('answers 200 with the mapping, with and without the trailing slash', async () => {
    for (const path of [
      `/api/mappings/${aliceSetup.mapping.id}/`,
      `/api/mappings/${aliceSetup.mapping.id}`,
    ]) {
      const response = await http.get(path, auth(alice));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(aliceSetup.mapping);
    }
    const automatic = await getMapping(alice, aliceSetup.assignedMapping.id);
    expect(automatic.status).toBe(200);
    expect(automatic.body).toMatchObject({
      patientId: aliceSetup.patient.id,
      doctorId: aliceSetup.assigned.id,
      patient: { id: aliceSetup.patient.id, name: aliceSetup.patient.name },
      doctor: {
        id: aliceSetup.assigned.id,
        name: aliceSetup.assigned.name,
        specialization: 'General practice',
      },
    });
  });

  it("answers 404 for another user's mapping, exactly as for one that does not exist", async () => {
    const foreign = await getMapping(alice, bobSetup.mapping.id);
    const missing = await getMapping(alice, randomUUID());
    problemOf(foreign, 404);
    problemOf(missing, 404);
    expect(withoutInstance(foreign.body)).toEqual(withoutInstance(missing.body));
    expect(foreign.text).not.toContain('Bob notes');
    expect(foreign.text).not.toContain(bobSetup.patient.id);

    problemOf(await getMapping(bob, aliceSetup.mapping.id), 404);
    problemOf(await getMapping(bob, aliceSetup.assignedMapping.id), 404);
    expect((await getMapping(bob, bobSetup.mapping.id)).status).toBe(200);
  });

  it.each(['not-a-uuid', '1234', `${randomUUID()}x`])(
    'answers 400 naming id for the malformed id %s',
    async (id) => {
      const response = await http.get(`/api/mappings/${id}/`, auth(alice));
      expectFieldError(response, 'id');
    },
  );
});

describe('PUT and PATCH /api/mappings/<id>/', () => {
  let alice: Account;
  let bob: Account;

  beforeAll(async () => {
    alice = await signUp(http, 'Alice');
    bob = await signUp(http, 'Bob');
  });

  it('PATCH changes the notes and keeps the rest', async () => {
    const { mapping } = await patientWithMapping(alice, 'old notes');
    const response = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { notes: '  new notes  ' },
      auth(alice),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...mapping,
      notes: 'new notes',
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(mapping.updatedAt),
    );
    expect((await getMapping(alice, mapping.id)).body).toEqual(response.body);
  });

  it('PATCH notes null clears them', async () => {
    const { mapping, patient } = await patientWithMapping(alice, 'to be cleared');
    const response = await http.patch(`/api/mappings/${mapping.id}/`, { notes: null }, auth(alice));
    expect(response.status).toBe(200);
    expect(response.body.notes).toBeNull();
    expect((await getMapping(alice, mapping.id)).body.notes).toBeNull();
    const rows = await mappingRows(patient.id);
    expect(rows.find((row) => row.id === mapping.id)?.notes).toBeNull();
  });

  it('PATCH without notes keeps them', async () => {
    const { mapping, patient } = await patientWithMapping(alice, 'kept');
    const otherDoctor = await createDoctor(http, alice.accessToken);
    const response = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { doctorId: otherDoctor.id },
      auth(alice),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: mapping.id,
      patientId: patient.id,
      doctorId: otherDoctor.id,
      notes: 'kept',
      doctor: {
        id: otherDoctor.id,
        name: otherDoctor.name,
        specialization: otherDoctor.specialization,
      },
    });
  });

  it('PUT without notes clears them', async () => {
    const { mapping, patient, other } = await patientWithMapping(alice, 'to be cleared by PUT');
    const response = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: patient.id, doctorId: other.id },
      auth(alice),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...mapping,
      notes: null,
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect((await getMapping(alice, mapping.id)).body.notes).toBeNull();
  });

  it('PUT to a new doctor changes the pair and the doctor summary', async () => {
    const { mapping, patient, other } = await patientWithMapping(alice, 'old');
    const newDoctor = await createDoctor(http, bob.accessToken, {
      specialization: 'Endocrinology',
    });
    const response = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: patient.id, doctorId: newDoctor.id, notes: 'moved' },
      auth(alice),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: mapping.id,
      patientId: patient.id,
      doctorId: newDoctor.id,
      notes: 'moved',
      patient: { id: patient.id, name: patient.name },
      doctor: { id: newDoctor.id, name: newDoctor.name, specialization: 'Endocrinology' },
      createdAt: mapping.createdAt,
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect((await getMapping(alice, mapping.id)).body).toEqual(response.body);
    expect((await listMappings(alice, `?patientId=${patient.id}&doctorId=${other.id}`)).total).toBe(
      0,
    );
  });

  it("PATCH patientId moves the mapping to another of the caller's patients", async () => {
    const { mapping, assigned, other } = await patientWithMapping(alice);
    const secondPatient = await createPatient(http, alice.accessToken, assigned.id, {
      name: 'Second Patient',
    });
    const response = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { patientId: secondPatient.id },
      auth(alice),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      patientId: secondPatient.id,
      doctorId: other.id,
      patient: { id: secondPatient.id, name: 'Second Patient' },
    });
  });

  it('answers 400 naming doctorId for a doctor that does not exist, and changes nothing', async () => {
    const { mapping, patient } = await patientWithMapping(alice, 'unchanged');
    const patched = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { doctorId: randomUUID() },
      auth(alice),
    );
    expectFieldError(patched, 'doctorId');
    const put = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: patient.id, doctorId: randomUUID(), notes: 'changed' },
      auth(alice),
    );
    expectFieldError(put, 'doctorId');
    expect((await getMapping(alice, mapping.id)).body).toEqual(mapping);
  });

  it("answers 400 naming patientId for another user's patient, and changes nothing", async () => {
    const { mapping } = await patientWithMapping(alice, 'unchanged');
    const bobPatient = await createPatient(
      http,
      bob.accessToken,
      (await createDoctor(http, bob.accessToken)).id,
    );
    const patched = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { patientId: bobPatient.id },
      auth(alice),
    );
    expectFieldError(patched, 'patientId');
    const put = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: bobPatient.id, doctorId: (await createDoctor(http, alice.accessToken)).id },
      auth(alice),
    );
    expectFieldError(put, 'patientId');
    expect((await getMapping(alice, mapping.id)).body).toEqual(mapping);
    expect(await mappingRows(bobPatient.id)).toHaveLength(1);
    expect((await listMappings(alice, `?patientId=${bobPatient.id}`)).total).toBe(0);
  });

  it("answers 400, not 409, for another user's patient already mapped to that doctor", async () => {
    // A 409 here would tell Alice that Bob's patient is mapped to the doctor.
    const { mapping, patient } = await patientWithMapping(alice, 'unchanged');
    const bobDoctor = await createDoctor(http, bob.accessToken);
    const bobPatient = await createPatient(http, bob.accessToken, bobDoctor.id);
    const patched = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { patientId: bobPatient.id, doctorId: bobDoctor.id },
      auth(alice),
    );
    expectFieldError(patched, 'patientId');
    const put = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: bobPatient.id, doctorId: bobDoctor.id },
      auth(alice),
    );
    expectFieldError(put, 'patientId');
    expect((await getMapping(alice, mapping.id)).body).toEqual(mapping);
    expect(patient.id).not.toBe(bobPatient.id);
  });

  it.each([
    ['PATCH', 'a null doctorId', { doctorId: null }, 'doctorId'],
    ['PATCH', 'a null patientId', { patientId: null }, 'patientId'],
    ['PATCH', 'a malformed patientId', { patientId: 'nope' }, 'patientId'],
    ['PATCH', 'notes over 1,000 characters', { notes: 'n'.repeat(1001) }, 'notes'],
    ['PATCH', 'notes with a control character', { notes: 'a\u0001b' }, 'notes'],
    ['PATCH', 'a read-only id', { id: randomUUID() }, 'id'],
    ['PATCH', 'a read-only createdAt', { createdAt: '2020-01-01T00:00:00.000Z' }, 'createdAt'],
    ['PATCH', 'an unknown property', { patient: { name: 'x' } }, 'patient'],
    ['PUT', 'a missing patientId', { patientId: undefined }, 'patientId'],
    ['PUT', 'a missing doctorId', { doctorId: undefined }, 'doctorId'],
    ['PUT', 'a null doctorId', { doctorId: null }, 'doctorId'],
    ['PUT', 'a read-only updatedAt', { updatedAt: '2020-01-01T00:00:00.000Z' }, 'updatedAt'],
    ['PUT', 'an unknown property', { createdBy: randomUUID() }, 'createdBy'],
  ])('%s answers 400 naming the field for %s', async (method, _case, override, field) => {
    const { mapping, patient, other } = await patientWithMapping(alice, 'unchanged');
    const body =
      method === 'PUT' ? { patientId: patient.id, doctorId: other.id, ...override } : override;
    const response = await http.request(method, `/api/mappings/${mapping.id}/`, body, auth(alice));
    expectFieldError(response, field);
    expect((await getMapping(alice, mapping.id)).body).toEqual(mapping);
  });

  it("answers 404 for another user's mapping, and the change does not happen", async () => {
    const { mapping, patient, other } = await patientWithMapping(alice, 'alice notes');
    const bobSide = await patientWithMapping(bob);
    const missing = await http.patch(`/api/mappings/${randomUUID()}/`, { notes: 'x' }, auth(bob));

    const patched = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { notes: 'changed by bob' },
      auth(bob),
    );
    problemOf(patched, 404);
    expect(withoutInstance(patched.body)).toEqual(withoutInstance(missing.body));

    const putOwnPatient = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: bobSide.patient.id, doctorId: other.id, notes: 'stolen' },
      auth(bob),
    );
    problemOf(putOwnPatient, 404);
    const putSamePair = await http.put(
      `/api/mappings/${mapping.id}/`,
      { patientId: patient.id, doctorId: other.id, notes: 'changed by bob' },
      auth(bob),
    );
    problemOf(putSamePair, 404);

    expect((await getMapping(alice, mapping.id)).body).toEqual(mapping);
    expect(await mappingRows(bobSide.patient.id)).toHaveLength(2);
  });

  it('answers 404 for a mapping that does not exist and 400 for a malformed id', async () => {
    const { patient, other } = await patientWithMapping(alice);
    problemOf(await http.patch(`/api/mappings/${randomUUID()}/`, { notes: 'x' }, auth(alice)), 404);
    problemOf(
      await http.put(
        `/api/mappings/${randomUUID()}/`,
        { patientId: patient.id, doctorId: other.id },
        auth(alice),
      ),
      404,
    );
    expectFieldError(
      await http.patch('/api/mappings/not-a-uuid/', { notes: 'x' }, auth(alice)),
      'id',
    );
    expectFieldError(
      await http.put(
        '/api/mappings/not-a-uuid/',
        { patientId: patient.id, doctorId: other.id },
        auth(alice),
      ),
      'id',
    );
  });

  it('answers 409 when the new pair already exists, and changes nothing', async () => {
    const { mapping, patient, other, assigned } = await patientWithMapping(alice, 'second');
    const third = await createMapping(
      http,
      alice.accessToken,
      patient.id,
      (await createDoctor(http, alice.accessToken)).id,
      { notes: 'third' },
    );

    const patched = await http.patch(
      `/api/mappings/${third.id}/`,
      { doctorId: other.id },
      auth(alice),
    );
    problemOf(patched, 409);
    expectNoLeak(patched);
    const put = await http.put(
      `/api/mappings/${third.id}/`,
      { patientId: patient.id, doctorId: other.id, notes: 'x' },
      auth(alice),
    );
    problemOf(put, 409);
    const toAssigned = await http.patch(
      `/api/mappings/${mapping.id}/`,
      { doctorId: assigned.id },
      auth(alice),
    );
    problemOf(toAssigned, 409);
    expectNoLeak(toAssigned);

    expect((await getMapping(alice, third.id)).body).toEqual(third);
    expect((await getMapping(alice, mapping.id)).body).toEqual(mapping);
  });

  it("answers 409 when changing the pair of the mapping to the patient's assigned doctor", async () => {
    const { patient, assignedMapping } = await patientWithMapping(alice);
    const newDoctor = await createDoctor(http, alice.accessToken);
    const secondPatient = await createPatient(http, alice.accessToken, newDoctor.id);

    const patchDoctor = await http.patch(
      `/api/mappings/${assignedMapping.id}/`,
      { doctorId: newDoctor.id },
      auth(alice),
    );
    problemOf(patchDoctor, 409);
    expectNoLeak(patchDoctor);
    const patchPatient = await http.patch(
      `/api/mappings/${assignedMapping.id}/`,
      { patientId: secondPatient.id },
      auth(alice),
    );
    problemOf(patchPatient, 409);
    const put = await http.put(
      `/api/mappings/${assignedMapping.id}/`,
      { patientId: patient.id, doctorId: newDoctor.id },
      auth(alice),
    );
    problemOf(put, 409);

    expect((await getMapping(alice, assignedMapping.id)).body).toEqual(assignedMapping);
    expect(
      (await listMappings(alice, `?patientId=${patient.id}&doctorId=${newDoctor.id}`)).total,
    ).toBe(0);
  });

  it("lets the notes of the assigned doctor's mapping change when the pair stays", async () => {
    const { patient, assigned, assignedMapping } = await patientWithMapping(alice);
    const patched = await http.patch(
      `/api/mappings/${assignedMapping.id}/`,
      { notes: 'primary care' },
      auth(alice),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.notes).toBe('primary care');
    const put = await http.put(
      `/api/mappings/${assignedMapping.id}/`,
      { patientId: patient.id, doctorId: assigned.id, notes: 'replaced' },
      auth(alice),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      patientId: patient.id,
      doctorId: assigned.id,
      notes: 'replaced',
    });
  });

  it('also answers without the trailing slash', async () => {
    const { mapping, patient, other } = await patientWithMapping(alice);
    const patched = await http.patch(
      `/api/mappings/${mapping.id}`,
      { notes: 'no slash' },
      auth(alice),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.notes).toBe('no slash');
    const put = await http.put(
      `/api/mappings/${mapping.id}`,
      { patientId: patient.id, doctorId: other.id, notes: 'no slash either' },
      auth(alice),
    );
    expect(put.status).toBe(200);
    expect(put.body.notes).toBe('no slash either');
  });
});

describe('DELETE /api/mappings/<id>/', () => {
  let alice: Account;
  let bob: Account;

  beforeAll(async () => {
    alice = await signUp(http, 'Alice');
    bob = await signUp(http, 'Bob');
  });

  it('answers 204 with no body, and then the mapping is gone', async () => {
    const { mapping, patient, assigned } = await patientWithMapping(alice);
    const response = await http.delete(`/api/mappings/${mapping.id}/`, auth(alice));
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    problemOf(await getMapping(alice, mapping.id), 404);
    expect((await mappingRows(patient.id)).map((row) => row.doctor_id)).toEqual([assigned.id]);
    problemOf(await http.delete(`/api/mappings/${mapping.id}/`, auth(alice)), 404);
  });

  it("answers 404 for another user's mapping, and it still exists for its owner", async () => {
    const { mapping, patient } = await patientWithMapping(alice, 'keep me');
    const response = await http.delete(`/api/mappings/${mapping.id}/`, auth(bob));
    problemOf(response, 404);
    const missing = await http.delete(`/api/mappings/${randomUUID()}/`, auth(bob));
    expect(withoutInstance(response.body)).toEqual(withoutInstance(missing.body));
    const stillThere = await getMapping(alice, mapping.id);
    expect(stillThere.status).toBe(200);
    expect(stillThere.body).toEqual(mapping);
    expect(await mappingRows(patient.id)).toHaveLength(2);
  });

  it('answers 404 for a mapping that does not exist and 400 for a malformed id', async () => {
    problemOf(await http.delete(`/api/mappings/${randomUUID()}/`, auth(alice)), 404);
    expectFieldError(await http.delete('/api/mappings/not-a-uuid/', auth(alice)), 'id');
  });

  it("answers 409 for the mapping to the patient's assigned doctor, which stays", async () => {
    const { assignedMapping } = await patientWithMapping(alice);
    const response = await http.delete(`/api/mappings/${assignedMapping.id}/`, auth(alice));
    problemOf(response, 409);
    expectNoLeak(response);
    expect((await getMapping(alice, assignedMapping.id)).body).toEqual(assignedMapping);
  });

  it('lets the former assigned mapping go once the patient is reassigned', async () => {
    const { patient, assigned, assignedMapping } = await patientWithMapping(alice);
    const newDoctor = await createDoctor(http, alice.accessToken, { specialization: 'Pediatrics' });
    const reassigned = await http.patch(
      `/api/patients/${patient.id}/`,
      { doctorId: newDoctor.id },
      auth(alice),
    );
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.doctorId).toBe(newDoctor.id);

    const newAssigned = await findMapping(alice, patient.id, newDoctor.id);
    expect(newAssigned).toMatchObject({
      doctor: { id: newDoctor.id, name: newDoctor.name, specialization: 'Pediatrics' },
    });
    expect((await getMapping(alice, assignedMapping.id)).status).toBe(200);

    const response = await http.delete(`/api/mappings/${assignedMapping.id}/`, auth(alice));
    expect(response.status).toBe(204);
    problemOf(await getMapping(alice, assignedMapping.id), 404);
    expect(
      (await listMappings(alice, `?patientId=${patient.id}&doctorId=${assigned.id}`)).total,
    ).toBe(0);
    problemOf(await http.delete(`/api/mappings/${newAssigned.id}/`, auth(alice)), 409);
  });

  it('protects an existing mapping that becomes the assigned one on reassignment', async () => {
    const { patient, other, mapping } = await patientWithMapping(alice, 'was secondary');
    const reassigned = await http.patch(
      `/api/patients/${patient.id}/`,
      { doctorId: other.id },
      auth(alice),
    );
    expect(reassigned.status).toBe(200);
    expect((await mappingRows(patient.id)).filter((row) => row.doctor_id === other.id)).toEqual([
      { id: mapping.id, doctor_id: other.id, notes: 'was secondary' },
    ]);
    problemOf(await http.delete(`/api/mappings/${mapping.id}/`, auth(alice)), 409);
  });

  it('also answers without the trailing slash', async () => {
    const { mapping } = await patientWithMapping(alice);
    const response = await http.delete(`/api/mappings/${mapping.id}`, auth(alice));
    expect(response.status).toBe(204);
    problemOf(await getMapping(alice, mapping.id), 404);
  });
});

describe('deleting a patient', () => {
  it('removes its mappings, and only its own', async () => {
    const alice = await signUp(http, 'Alice');
    const { patient, mapping, assignedMapping, assigned } = await patientWithMapping(alice);
    const third = await createMapping(
      http,
      alice.accessToken,
      patient.id,
      (await createDoctor(http, alice.accessToken)).id,
    );
    const sibling = await createPatient(http, alice.accessToken, assigned.id);
    const siblingMapping = await findMapping(alice, sibling.id, assigned.id);
    expect(await mappingRows(patient.id)).toHaveLength(3);

    const response = await http.delete(`/api/patients/${patient.id}/`, auth(alice));
    expect(response.status).toBe(204);

    for (const id of [mapping.id, assignedMapping.id, third.id]) {
      problemOf(await getMapping(alice, id), 404);
    }
    expect(await mappingRows(patient.id)).toEqual([]);
    expect(
      await sql('SELECT id FROM mappings WHERE id = ANY($1::uuid[])', [
        [mapping.id, assignedMapping.id, third.id],
      ]),
    ).toEqual([]);
    expect((await listMappings(alice, `?patientId=${patient.id}`)).total).toBe(0);
    expect((await getMapping(alice, siblingMapping.id)).status).toBe(200);
  });
});

describe('notes: any text is stored and returned exactly as sent', () => {
  let alice: Account;
  let patient: any;

  beforeAll(async () => {
    alice = await signUp(http, 'Alice');
    patient = await createPatient(
      http,
      alice.accessToken,
      (await createDoctor(http, alice.accessToken)).id,
    );
  });

  it.each([
    ['an SQL fragment', "'; DROP TABLE mappings; --"],
    ['quotes', `"double" and 'single' and \`back\` quotes, O'Brien`],
    ['LIKE metacharacters and a backslash', '%_\\'],
    ['an emoji sequence', 'Seen by 👩‍⚕️ on call 🏥'],
    ['Arabic', 'المريض يحتاج إلى متابعة'],
    ['Chinese', '患者需要复诊，下周二。'],
    ['tab and newline', 'line one\n\tline two'],
    ['markup', '<script>alert("x")</script>&amp;'],
    ['1,000 characters exactly', 'n'.repeat(1000)],
    ['1,000 emoji exactly', '😀'.repeat(1000)],
  ])('round-trips %s verbatim', async (_case, notes) => {
    const doctor = await createDoctor(http, alice.accessToken);
    const created = await postMapping(alice, { patientId: patient.id, doctorId: doctor.id, notes });
    expect(created.status).toBe(201);
    expect(created.body.notes).toBe(notes);
    expect((await getMapping(alice, created.body.id)).body.notes).toBe(notes);
    const [row] = await sql('SELECT notes FROM mappings WHERE id = $1', [created.body.id]);
    expect(row.notes).toBe(notes);

    const patched = await http.patch(
      `/api/mappings/${created.body.id}/`,
      { notes: `${notes}` },
      auth(alice),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.notes).toBe(notes);
  });

  it('keeps the table after an SQL fragment and lists it verbatim', async () => {
    const notes = "x'); DELETE FROM mappings WHERE ('1'='1";
    const doctor = await createDoctor(http, alice.accessToken);
    await createMapping(http, alice.accessToken, patient.id, doctor.id, { notes: notes });
    const page = await listMappings(alice, `?doctorId=${doctor.id}`);
    expect(page.items.map((item: any) => item.notes)).toEqual([notes]);
    expect((await sql('SELECT count(*)::int AS n FROM mappings'))[0].n).toBeGreaterThan(1);
  });

  it('trims leading and trailing white space, on create and on change', async () => {
    const created = await createMapping(
      http,
      alice.accessToken,
      patient.id,
      (await createDoctor(http, alice.accessToken)).id,
      { notes: ' \n\t  padded notes \t\n ' },
    );
    expect(created.notes).toBe('padded notes');
    const [row] = await sql('SELECT notes FROM mappings WHERE id = $1', [created.id]);
    expect(row.notes).toBe('padded notes');
    const patched = await http.patch(
      `/api/mappings/${created.id}/`,
      { notes: '   inner  spaces kept   ' },
      auth(alice),
    );
    expect(patched.body.notes).toBe('inner  spaces kept');
  });
});
