import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, sql, useTestServer } from './support/app.js';
import {
  createDoctor,
  createMapping,
  createPatient,
  patientBody,
  problemOf,
} from './support/records.js';

const { http } = useTestServer();
let alice: Account;
let bob: Account;
let doctorId: string;
let otherDoctorId: string;

async function mappedDoctorIds(token: string, patientId: string): Promise<string[]> {
  const response = await http.get(`/api/mappings/?patientId=${patientId}&limit=100`, { token });
  return response.body.items.map((mapping: { doctorId: string }) => mapping.doctorId).sort();
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([signUp(http, 'Alice'), signUp(http, 'Bob')]);
  doctorId = (await createDoctor(http, alice.accessToken)).id;
  otherDoctorId = (await createDoctor(http, bob.accessToken)).id;
});

describe('POST /api/patients/', () => {
  it('answers 201 with the patient and a Location, and maps it to its assigned doctor', async () => {
    const body = patientBody(doctorId, {
      name: ' Jane Roe ',
      gender: 'other',
      email: 'Jane.Roe@Example.com',
      phone: '+1 555 0199',
      address: '1 Main Street\nSpringfield',
      medicalHistory: 'Asthma.\tMild.',
    });
    const response = await http.post('/api/patients/', body, { token: alice.accessToken });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Jane Roe',
      dateOfBirth: '1984-07-21',
      gender: 'other',
      email: 'Jane.Roe@Example.com',
      phone: '+1 555 0199',
      address: '1 Main Street\nSpringfield',
      medicalHistory: 'Asthma.\tMild.',
      doctorId,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(response.headers.get('location')).toBe(`/api/patients/${response.body.id}/`);
    expect(await mappedDoctorIds(alice.accessToken, response.body.id)).toEqual([doctorId]);
  });

  it('answers 400 naming doctorId when it names no doctor, and creates nothing', async () => {
    const name = `Orphan ${randomUUID()}`;
    const response = await http.post('/api/patients/', patientBody(randomUUID(), { name }), {
      token: alice.accessToken,
    });
    expect(problemOf(response, 400).errors).toEqual([
      { field: 'doctorId', message: 'doctorId names no doctor' },
    ]);
    expect(await sql('SELECT 1 FROM patients WHERE name = $1', [name])).toEqual([]);
  });

  it.each([
    ['a future date of birth', { dateOfBirth: '2999-01-01' }, 'dateOfBirth'],
    ['an impossible date', { dateOfBirth: '2001-02-30' }, 'dateOfBirth'],
    ['a date with a time', { dateOfBirth: '2001-02-03T00:00:00Z' }, 'dateOfBirth'],
    ['year zero', { dateOfBirth: '0000-01-01' }, 'dateOfBirth'],
    ['an unknown gender', { gender: 'F' }, 'gender'],
    ['a missing doctorId', { doctorId: undefined }, 'doctorId'],
    ['a malformed doctorId', { doctorId: 'doctor-1' }, 'doctorId'],
    ['a null name', { name: null }, 'name'],
    [
      'medicalHistory over 10,000 characters',
      { medicalHistory: 'm'.repeat(10_001) },
      'medicalHistory',
    ],
    ['an address over 500 characters', { address: 'a'.repeat(501) }, 'address'],
    ['createdAt in the body', { createdAt: '2020-01-01T00:00:00Z' }, 'createdAt'],
  ])('answers 400 for %s', async (_case, overrides, field) => {
    const response = await http.post('/api/patients/', patientBody(doctorId, overrides), {
      token: alice.accessToken,
    });
    expect(problemOf(response, 400).errors?.map((error) => error.field)).toContain(field);
  });

  it('accepts today as a date of birth, and medicalHistory of exactly 10,000 characters', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const patient = await createPatient(http, alice.accessToken, doctorId, {
      dateOfBirth: today,
      medicalHistory: '🩺'.repeat(10_000),
    });
    expect(patient.dateOfBirth).toBe(today);
    expect([...patient.medicalHistory].length).toBe(10_000);
  });
});

describe('GET /api/patients/', () => {
  it("lists only the caller's patients, filtered by q and doctorId", async () => {
    const tag = randomUUID().slice(0, 8);
    await createPatient(http, alice.accessToken, doctorId, { name: `Ann ${tag}` });
    await createPatient(http, alice.accessToken, otherDoctorId, { name: `Ben ${tag}` });
    await createPatient(http, bob.accessToken, doctorId, { name: `Bob's ${tag}` });

    const all = await http.get(`/api/patients/?q=${tag.toUpperCase()}`, {
      token: alice.accessToken,
    });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 2, limit: 20, offset: 0 });
    expect(all.body.items.map((patient: { name: string }) => patient.name)).toEqual([
      `Ben ${tag}`,
      `Ann ${tag}`,
    ]);
    const byDoctor = await http.get(`/api/patients?q=${tag}&doctorId=${doctorId}`, {
      token: alice.accessToken,
    });
    expect(byDoctor.body.items.map((patient: { name: string }) => patient.name)).toEqual([
      `Ann ${tag}`,
    ]);
    const bobs = await http.get(`/api/patients/?q=${tag}`, { token: bob.accessToken });
    expect(bobs.body.items.map((patient: { name: string }) => patient.name)).toEqual([
      `Bob's ${tag}`,
    ]);
  });

  it('sorts by dateOfBirth and name', async () => {
    const tag = randomUUID().slice(0, 8);
    await createPatient(http, alice.accessToken, doctorId, {
      name: `B ${tag}`,
      dateOfBirth: '1990-01-01',
    });
    await createPatient(http, alice.accessToken, doctorId, {
      name: `A ${tag}`,
      dateOfBirth: '2000-01-01',
    });
    const byBirth = await http.get(`/api/patients/?q=${tag}&sort=dateOfBirth`, {
      token: alice.accessToken,
    });
    expect(byBirth.body.items.map((patient: { name: string }) => patient.name)).toEqual([
      `B ${tag}`,
      `A ${tag}`,
    ]);
    const byName = await http.get(`/api/patients/?q=${tag}&sort=name`, {
      token: alice.accessToken,
    });
    expect(byName.body.items[0].name).toBe(`A ${tag}`);
  });

  it.each(['doctorId=abc', 'sort=gender', 'limit=500', 'offset=x', 'q=' + 'q'.repeat(101), 'x=1'])(
    'answers 400 for the query %s',
    async (query) => {
      problemOf(await http.get(`/api/patients/?${query}`, { token: alice.accessToken }), 400);
    },
  );
});

describe('GET /api/patients/<id>/', () => {
  it('answers 200 to the owner and 404 to anyone else, as for an id that does not exist', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const own = await http.get(`/api/patients/${patient.id}/`, { token: alice.accessToken });
    expect(own.body).toEqual(patient);
    const foreign = problemOf(
      await http.get(`/api/patients/${patient.id}/`, { token: bob.accessToken }),
      404,
    );
    const missing = problemOf(
      await http.get(`/api/patients/${randomUUID()}/`, { token: bob.accessToken }),
      404,
    );
    expect(foreign.detail).toBe(missing.detail);
    problemOf(await http.get('/api/patients/123/', { token: alice.accessToken }), 400);
  });
});

describe('PUT and PATCH /api/patients/<id>/', () => {
  it('PATCH changes what it names; null clears an optional field', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId, {
      phone: '123',
      address: 'Here',
    });
    const patched = await http.patch(
      `/api/patients/${patient.id}/`,
      { phone: null, name: 'Renamed' },
      {
        token: alice.accessToken,
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', phone: null, address: 'Here', doctorId });
  });

  it('PUT replaces every field; omitted optional fields are cleared', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId, { phone: '123' });
    const put = await http.put(
      `/api/patients/${patient.id}/`,
      patientBody(doctorId, { name: 'Replaced', gender: 'unknown' }),
      { token: alice.accessToken },
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Replaced', gender: 'unknown', phone: null });
    problemOf(
      await http.put(
        `/api/patients/${patient.id}/`,
        { name: 'Partial' },
        { token: alice.accessToken },
      ),
      400,
    );
  });

  it('a new doctorId gets its mapping, and the mapping to the former doctor stays', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const moved = await http.patch(
      `/api/patients/${patient.id}/`,
      { doctorId: otherDoctorId },
      {
        token: alice.accessToken,
      },
    );
    expect(moved.body.doctorId).toBe(otherDoctorId);
    expect(await mappedDoctorIds(alice.accessToken, patient.id)).toEqual(
      [doctorId, otherDoctorId].sort(),
    );
    const back = await http.put(`/api/patients/${patient.id}/`, patientBody(doctorId), {
      token: alice.accessToken,
    });
    expect(back.status).toBe(200);
    expect(await mappedDoctorIds(alice.accessToken, patient.id)).toHaveLength(2);
  });

  it('answers 400 for an unknown doctorId and leaves the patient unchanged', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    problemOf(
      await http.patch(
        `/api/patients/${patient.id}/`,
        { doctorId: randomUUID(), name: 'Changed' },
        {
          token: alice.accessToken,
        },
      ),
      400,
    );
    expect(
      (await http.get(`/api/patients/${patient.id}/`, { token: alice.accessToken })).body,
    ).toEqual(patient);
  });

  it("answers 404 for another user's patient and changes nothing", async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    problemOf(
      await http.patch(
        `/api/patients/${patient.id}/`,
        { name: 'Bob was here' },
        { token: bob.accessToken },
      ),
      404,
    );
    problemOf(
      await http.put(`/api/patients/${patient.id}/`, patientBody(doctorId), {
        token: bob.accessToken,
      }),
      404,
    );
    expect(
      (await http.get(`/api/patients/${patient.id}/`, { token: alice.accessToken })).body.name,
    ).toBe(patient.name);
  });
});

describe('DELETE /api/patients/<id>/', () => {
  it('answers 204 and takes its mappings with it', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    const response = await http.delete(`/api/patients/${patient.id}/`, {
      token: alice.accessToken,
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    problemOf(await http.get(`/api/patients/${patient.id}/`, { token: alice.accessToken }), 404);
    expect(await sql('SELECT 1 FROM mappings WHERE patient_id = $1', [patient.id])).toEqual([]);
  });

  it("answers 404 for another user's patient, which stays", async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    problemOf(await http.delete(`/api/patients/${patient.id}/`, { token: bob.accessToken }), 404);
    expect(
      (await http.get(`/api/patients/${patient.id}/`, { token: alice.accessToken })).status,
    ).toBe(200);
  });
});

describe('GET /api/patients/<id>/doctors/', () => {
  it('answers a page of the doctors mapped to the patient', async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    await createMapping(http, alice.accessToken, patient.id, otherDoctorId);
    const response = await http.get(`/api/patients/${patient.id}/doctors/?sort=-createdAt`, {
      token: alice.accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: 2, limit: 20, offset: 0 });
    expect(response.body.items.map((doctor: { id: string }) => doctor.id)).toEqual([
      otherDoctorId,
      doctorId,
    ]);
    expect(Object.keys(response.body.items[0]).sort()).toEqual([
      'createdAt',
      'createdBy',
      'email',
      'id',
      'name',
      'phone',
      'specialization',
      'updatedAt',
    ]);
  });

  it("answers 404 for another user's patient and 400 for a bad query", async () => {
    const patient = await createPatient(http, alice.accessToken, doctorId);
    problemOf(
      await http.get(`/api/patients/${patient.id}/doctors/`, { token: bob.accessToken }),
      404,
    );
    problemOf(
      await http.get(`/api/patients/${patient.id}/doctors/?limit=0`, { token: alice.accessToken }),
      400,
    );
  });
});
