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

  it('reads a missing token as a typed 401 problem', async () => {
    const anonymous = createHealthcareClient({ baseUrl: server.http.baseUrl });
    const { error, response } = await anonymous.GET('/api/doctors');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(error).toMatchObject({ status: 401, title: 'Unauthorized' });
  });
});
