import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, useTestServer, uniqueEmail } from './support/app.js';
import {
  createDoctor,
  createMapping,
  createPatient,
  doctorBody,
  problemOf,
} from './support/records.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const { http } = useTestServer();
let alice: Account;
let bob: Account;

beforeAll(async () => {
  [alice, bob] = await Promise.all([signUp(http, 'Alice'), signUp(http, 'Bob')]);
});

describe('POST /api/doctors/', () => {
  it('answers 201 with the doctor and a Location that reads it back', async () => {
    const body = doctorBody({ name: '  Dr. Who  ', phone: '+44 20 7946 0000' });
    const response = await http.post('/api/doctors/', body, { token: alice.accessToken });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Dr. Who',
      specialization: body.specialization,
      email: body.email,
      phone: '+44 20 7946 0000',
      createdBy: alice.id,
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    const location = response.headers.get('location');
    expect(location).toBe(`/api/doctors/${response.body.id}/`);
    const read = await http.get(location!, { token: bob.accessToken });
    expect(read.body).toEqual(response.body);
  });

  it('answers 409 for an email another doctor has, whatever its case', async () => {
    const email = uniqueEmail('dup');
    await createDoctor(http, alice.accessToken, { email });
    const duplicate = await http.post('/api/doctors/', doctorBody({ email: email.toUpperCase() }), {
      token: bob.accessToken,
    });
    const problem = problemOf(duplicate, 409);
    expect(problem.detail).not.toMatch(/doctors_email_key|duplicate key/);
  });

  it('gives one 201 and one 409 when two users add the same email at once', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      [alice, bob].map((user) =>
        http.post('/api/doctors/', doctorBody({ email }), { token: user.accessToken }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
  });

  it.each([
    ['a missing name', { name: undefined }, 'name'],
    ['an empty specialization', { specialization: ' ' }, 'specialization'],
    ['a specialization of 101 characters', { specialization: 's'.repeat(101) }, 'specialization'],
    ['an invalid email', { email: 'house' }, 'email'],
    ['a phone of 31 characters', { phone: '1'.repeat(31) }, 'phone'],
    ['a numeric phone', { phone: 5550100 }, 'phone'],
    ['createdBy in the body', { createdBy: randomUUID() }, 'createdBy'],
    ['an unknown property', { rating: 5 }, 'rating'],
  ])('answers 400 for %s', async (_case, overrides, field) => {
    const response = await http.post('/api/doctors/', doctorBody(overrides), {
      token: alice.accessToken,
    });
    expect(problemOf(response, 400).errors?.map((error) => error.field)).toContain(field);
  });

  it('answers 401 without a token', async () => {
    problemOf(await http.post('/api/doctors/', doctorBody()), 401);
  });
});

describe('GET /api/doctors/', () => {
  let tag: string;
  beforeAll(async () => {
    tag = randomUUID().slice(0, 8);
    await createDoctor(http, alice.accessToken, {
      name: `Ann ${tag}`,
      specialization: `Cardio${tag}`,
    });
    await createDoctor(http, bob.accessToken, {
      name: `Bea ${tag}`,
      specialization: `Neuro${tag}`,
    });
    await createDoctor(http, bob.accessToken, {
      name: `Cy ${tag}`,
      specialization: `Cardio${tag}`,
      email: uniqueEmail(`mail${tag}`),
    });
  });

  it('is a directory every signed-in user reads: a page of everyone’s doctors', async () => {
    const response = await http.get(`/api/doctors/?q=${tag}`, { token: alice.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: 3, limit: 20, offset: 0 });
    expect(response.body.items.map((doctor: { name: string }) => doctor.name)).toEqual([
      `Cy ${tag}`,
      `Bea ${tag}`,
      `Ann ${tag}`,
    ]);
  });

  it('filters by q over name, specialization and email, case-insensitively', async () => {
    const bySpecialization = await http.get(`/api/doctors/?q=CARDIO${tag.toUpperCase()}`, {
      token: bob.accessToken,
    });
    expect(bySpecialization.body.total).toBe(2);
    const byEmail = await http.get(`/api/doctors/?q=mail${tag}`, { token: bob.accessToken });
    expect(byEmail.body.items.map((doctor: { name: string }) => doctor.name)).toEqual([
      `Cy ${tag}`,
    ]);
  });

  it('filters by exact specialization', async () => {
    const exact = await http.get(`/api/doctors/?specialization=Cardio${tag}`, {
      token: bob.accessToken,
    });
    expect(exact.body.total).toBe(2);
    const partial = await http.get(`/api/doctors/?specialization=Cardio`, {
      token: bob.accessToken,
    });
    expect(partial.body.items.some((doctor: { name: string }) => doctor.name.endsWith(tag))).toBe(
      false,
    );
  });

  it('sorts by a whitelisted field and pages with limit and offset', async () => {
    const page = await http.get(`/api/doctors/?q=${tag}&sort=name&limit=2&offset=1`, {
      token: alice.accessToken,
    });
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.body.items.map((doctor: { name: string }) => doctor.name)).toEqual([
      `Bea ${tag}`,
      `Cy ${tag}`,
    ]);
    const descending = await http.get(`/api/doctors?q=${tag}&sort=-name`, {
      token: alice.accessToken,
    });
    expect(descending.body.items[0].name).toBe(`Cy ${tag}`);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=1.5',
    'offset=-1',
    'sort=password',
    'sort=--name',
    'colour=red',
    'limit=1&limit=2',
  ])('answers 400 for the query %s', async (query) => {
    problemOf(await http.get(`/api/doctors/?${query}`, { token: alice.accessToken }), 400);
  });
});

describe('GET /api/doctors/<id>/', () => {
  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    problemOf(await http.get(`/api/doctors/${randomUUID()}/`, { token: alice.accessToken }), 404);
    const malformed = problemOf(
      await http.get('/api/doctors/not-a-uuid/', { token: alice.accessToken }),
      400,
    );
    expect(malformed.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });
});

describe('PUT and PATCH /api/doctors/<id>/', () => {
  it('PUT replaces every field (an omitted phone is cleared); PATCH changes only what it names', async () => {
    const doctor = await createDoctor(http, alice.accessToken, { phone: '123' });
    const replacement = doctorBody({ name: 'Replaced' });
    const put = await http.put(`/api/doctors/${doctor.id}/`, replacement, {
      token: alice.accessToken,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ...replacement, phone: null, createdBy: alice.id });
    expect(new Date(put.body.updatedAt) >= new Date(doctor.updatedAt)).toBe(true);

    const patch = await http.patch(
      `/api/doctors/${doctor.id}`,
      { phone: '+1 555' },
      {
        token: alice.accessToken,
      },
    );
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ ...replacement, phone: '+1 555' });

    const cleared = await http.patch(
      `/api/doctors/${doctor.id}/`,
      { phone: null },
      {
        token: alice.accessToken,
      },
    );
    expect(cleared.body.phone).toBeNull();
    expect(
      (await http.get(`/api/doctors/${doctor.id}/`, { token: alice.accessToken })).body,
    ).toEqual(cleared.body);
  });

  it('answers 400 for a PUT missing a field and for null in a required field', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    problemOf(
      await http.put(
        `/api/doctors/${doctor.id}/`,
        { name: 'Only name' },
        { token: alice.accessToken },
      ),
      400,
    );
    problemOf(
      await http.patch(`/api/doctors/${doctor.id}/`, { name: null }, { token: alice.accessToken }),
      400,
    );
    problemOf(
      await http.patch(
        `/api/doctors/${doctor.id}/`,
        { id: randomUUID() },
        { token: alice.accessToken },
      ),
      400,
    );
  });

  it('answers 403 to another user, and the doctor stays as it was', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    problemOf(
      await http.patch(
        `/api/doctors/${doctor.id}/`,
        { name: 'Hijacked' },
        { token: bob.accessToken },
      ),
      403,
    );
    problemOf(
      await http.put(`/api/doctors/${doctor.id}/`, doctorBody(), { token: bob.accessToken }),
      403,
    );
    expect(
      (await http.get(`/api/doctors/${doctor.id}/`, { token: bob.accessToken })).body.name,
    ).toBe(doctor.name);
  });

  it('answers 404 for an unknown doctor and 409 for an email another doctor has', async () => {
    problemOf(
      await http.patch(
        `/api/doctors/${randomUUID()}/`,
        { name: 'X' },
        { token: alice.accessToken },
      ),
      404,
    );
    const first = await createDoctor(http, alice.accessToken);
    const second = await createDoctor(http, alice.accessToken);
    problemOf(
      await http.patch(
        `/api/doctors/${second.id}/`,
        { email: first.email.toUpperCase() },
        {
          token: alice.accessToken,
        },
      ),
      409,
    );
  });
});

describe('DELETE /api/doctors/<id>/', () => {
  it('answers 204 with no body, then 404', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    const response = await http.delete(`/api/doctors/${doctor.id}/`, { token: alice.accessToken });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    problemOf(await http.get(`/api/doctors/${doctor.id}/`, { token: alice.accessToken }), 404);
    problemOf(await http.delete(`/api/doctors/${doctor.id}/`, { token: alice.accessToken }), 404);
  });

  it('answers 403 to another user', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    problemOf(await http.delete(`/api/doctors/${doctor.id}/`, { token: bob.accessToken }), 403);
    expect(
      (await http.get(`/api/doctors/${doctor.id}/`, { token: alice.accessToken })).status,
    ).toBe(200);
  });

  it('answers 409, saying how many patients depend on it, while a patient is assigned or mapped', async () => {
    const doctor = await createDoctor(http, alice.accessToken);
    const other = await createDoctor(http, alice.accessToken);
    await createPatient(http, bob.accessToken, doctor.id);
    const mapped = await createPatient(http, bob.accessToken, other.id);
    await createMapping(http, bob.accessToken, mapped.id, doctor.id);

    const refused = problemOf(
      await http.delete(`/api/doctors/${doctor.id}/`, { token: alice.accessToken }),
      409,
    );
    expect(refused.detail).toMatch(/\b2 patients\b/);

    const assignedOnly = problemOf(
      await http.delete(`/api/doctors/${other.id}/`, { token: alice.accessToken }),
      409,
    );
    expect(assignedOnly.detail).toMatch(/\b1 patient\b/);
  });
});
