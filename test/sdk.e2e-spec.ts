import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  createHealthcareClient,
  type HealthcareClient,
  type ProblemDetails,
} from '../sdk/typescript/src/index.js';
import { useTestServer, uniqueEmail } from './support/app.js';

const server = useTestServer();
let client: HealthcareClient;
let accessToken: string | undefined;

beforeAll(() => {
  client = createHealthcareClient({ baseUrl: server.http.baseUrl, accessToken: () => accessToken });
});

describe('the generated TypeScript SDK against the running server', () => {
  it('drives the whole flow: account, doctors, patient, mappings, lists, a 409, refresh, logout', async () => {
    const email = uniqueEmail('sdk');
    const password = 'correct horse battery staple';

    const registered = await client.POST('/auth/register', {
      body: { name: 'SDK User', email, password },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data).toMatchObject({ name: 'SDK User', email });

    const login = await client.POST('/auth/login', { body: { email, password } });
    expect(login.response.status).toBe(200);
    expect(login.data?.tokenType).toBe('Bearer');
    accessToken = login.data!.accessToken;
    const firstRefreshToken = login.data!.refreshToken;

    const me = await client.GET('/auth/me');
    expect(me.data).toEqual(registered.data);

    const house = await client.POST('/api/doctors', {
      body: {
        name: 'Dr. Gregory House',
        specialization: 'Diagnostic medicine',
        email: uniqueEmail('house'),
      },
    });
    expect(house.response.status).toBe(201);
    expect(house.response.headers.get('location')).toBe(`/api/doctors/${house.data!.id}/`);
    const wilson = await client.POST('/api/doctors', {
      body: {
        name: 'Dr. James Wilson',
        specialization: 'Oncology',
        email: uniqueEmail('wilson'),
        phone: '+1 555 0101',
      },
    });
    expect(wilson.data).toMatchObject({ phone: '+1 555 0101', createdBy: registered.data!.id });

    const patient = await client.POST('/api/patients', {
      body: {
        name: 'Jane Doe',
        dateOfBirth: '1984-07-21',
        gender: 'female',
        doctorId: house.data!.id,
      },
    });
    expect(patient.response.status).toBe(201);
    expect(patient.data).toMatchObject({ doctorId: house.data!.id, email: null });

    const mapping = await client.POST('/api/mappings', {
      body: { patientId: patient.data!.id, doctorId: wilson.data!.id, notes: 'Second opinion' },
    });
    expect(mapping.response.status).toBe(201);
    expect(mapping.data).toMatchObject({
      patient: { id: patient.data!.id, name: 'Jane Doe' },
      doctor: { id: wilson.data!.id, name: 'Dr. James Wilson', specialization: 'Oncology' },
      notes: 'Second opinion',
    });

    const doctors = await client.GET('/api/doctors', {
      params: { query: { specialization: 'Oncology', limit: 100 } },
    });
    expect(doctors.data?.limit).toBe(100);
    expect(doctors.data?.items.map((doctor) => doctor.id)).toContain(wilson.data!.id);
    const patients = await client.GET('/api/patients', { params: { query: { q: 'jane' } } });
    expect(patients.data).toMatchObject({ total: 1, items: [{ id: patient.data!.id }] });
    const mappings = await client.GET('/api/mappings', {
      params: { query: { patientId: patient.data!.id, sort: 'createdAt' } },
    });
    expect(mappings.data?.items.map((item) => item.doctorId)).toEqual([
      house.data!.id,
      wilson.data!.id,
    ]);
    const treating = await client.GET('/api/patients/{id}/doctors', {
      params: { path: { id: patient.data!.id }, query: { sort: 'name' } },
    });
    expect(treating.data?.items.map((doctor) => doctor.name)).toEqual([
      'Dr. Gregory House',
      'Dr. James Wilson',
    ]);

    const duplicate = await client.POST('/api/mappings', {
      body: { patientId: patient.data!.id, doctorId: wilson.data!.id },
    });
    expectTypeOf(duplicate.error).toEqualTypeOf<ProblemDetails | undefined>();
    expect(duplicate.data).toBeUndefined();
    expect(duplicate.response.status).toBe(409);
    expect(duplicate.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(duplicate.error).toMatchObject({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      instance: '/api/mappings',
    });
    expect(duplicate.error?.detail).toMatch(/already mapped/);

    const refreshed = await client.POST('/auth/refresh', {
      body: { refreshToken: firstRefreshToken },
    });
    expect(refreshed.response.status).toBe(200);
    accessToken = refreshed.data!.accessToken;
    expect((await client.GET('/auth/me')).data?.id).toBe(registered.data!.id);

    const loggedOut = await client.POST('/auth/logout', {
      body: { refreshToken: refreshed.data!.refreshToken },
    });
    expect(loggedOut.response.status).toBe(204);
    const revoked = await client.POST('/auth/refresh', {
      body: { refreshToken: refreshed.data!.refreshToken },
    });
    expect(revoked.response.status).toBe(401);
    expect(revoked.error?.status).toBe(401);
  });

  it('does a safe read-modify-write with ETag and If-Match, and reads the history', async () => {
    const email = uniqueEmail('sdk-versions');
    const password = 'correct horse battery staple';
    await client.POST('/auth/register', { body: { name: 'SDK Editor', email, password } });
    accessToken = (await client.POST('/auth/login', { body: { email, password } })).data!
      .accessToken;
    const doctor = await client.POST('/api/doctors', {
      body: {
        name: 'Dr. Lisa Cuddy',
        specialization: 'Endocrinology',
        email: uniqueEmail('cuddy'),
      },
    });
    const created = await client.POST('/api/patients', {
      body: {
        name: 'Jane Doe',
        dateOfBirth: '1984-07-21',
        gender: 'female',
        doctorId: doctor.data!.id,
      },
    });
    const path = { id: created.data!.id };

    // Two clients read version 1; the first to write wins, the second is told so.
    const read = await client.GET('/api/patients/{id}', { params: { path } });
    const etag = read.response.headers.get('etag')!;
    expect(etag).toBe('"1"');
    expect(read.data?.version).toBe(1);
    const first = await client.PATCH('/api/patients/{id}', {
      params: { path, header: { 'If-Match': etag } },
      body: { medicalHistory: 'Asthma.' },
    });
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('etag')).toBe('"2"');
    const second = await client.PATCH('/api/patients/{id}', {
      params: { path, header: { 'If-Match': etag } },
      body: { medicalHistory: 'Penicillin allergy.' },
    });
    expectTypeOf(second.error).toEqualTypeOf<ProblemDetails | undefined>();
    expect(second.response.status).toBe(412);
    expect(second.error?.status).toBe(412);

    // The second client reads again, merges, and writes on the version it now holds.
    const fresh = await client.GET('/api/patients/{id}', {
      params: { path, header: { 'If-None-Match': etag } },
    });
    expect(fresh.response.status).toBe(200);
    const merged = await client.PUT('/api/patients/{id}', {
      params: { path, header: { 'If-Match': fresh.response.headers.get('etag')! } },
      body: {
        name: fresh.data!.name,
        dateOfBirth: fresh.data!.dateOfBirth,
        gender: fresh.data!.gender,
        doctorId: fresh.data!.doctorId,
        medicalHistory: `${fresh.data!.medicalHistory} Penicillin allergy.`,
      },
    });
    expect(merged.data).toMatchObject({
      version: 3,
      medicalHistory: 'Asthma. Penicillin allergy.',
    });
    const unchanged = await client.GET('/api/patients/{id}', {
      params: { path, header: { 'If-None-Match': '"3"' } },
    });
    expect(unchanged.response.status).toBe(304);

    const history = await client.GET('/api/patients/{id}/history', { params: { path } });
    expect(history.data?.items.map((entry) => [entry.version, entry.operation])).toEqual([
      [3, 'update'],
      [2, 'update'],
      [1, 'create'],
    ]);
    const original = await client.GET('/api/patients/{id}/history/{version}', {
      params: { path: { ...path, version: 1 } },
    });
    expect(original.data?.resource).toEqual(created.data);
  });

  it('reads a missing token as a typed 401 problem', async () => {
    const anonymous = createHealthcareClient({ baseUrl: server.http.baseUrl });
    const { error, response } = await anonymous.GET('/api/doctors');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(error).toMatchObject({ status: 401, title: 'Unauthorized' });
  });
});
