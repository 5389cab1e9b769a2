import { expect } from 'vitest';
import { uniqueEmail } from './app.js';
import type { HttpClient } from './http.js';

/**
 * Asserts a problem document of the given status (its content type and every member the
 * contract names) and returns its body.
 */
export function problemOf(
  response: { status: number; headers: Headers; body: any },
  status: number,
) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: expect.any(String),
    requestId: expect.any(String),
  });
  return response.body as {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance: string;
    requestId: string;
    errors?: { field: string; message: string }[];
  };
}

export function doctorBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Dr. Gregory House',
    specialization: 'Diagnostic medicine',
    email: uniqueEmail('doctor'),
    ...overrides,
  };
}

export function patientBody(doctorId: string, overrides: Record<string, unknown> = {}) {
  return { name: 'Jane Doe', dateOfBirth: '1984-07-21', gender: 'female', doctorId, ...overrides };
}

export async function createDoctor(
  http: HttpClient,
  token: string,
  overrides: Record<string, unknown> = {},
) {
  const response = await http.post('/api/doctors/', doctorBody(overrides), { token });
  if (response.status !== 201) throw new Error(`create doctor failed: ${response.text}`);
  return response.body;
}

export async function createPatient(
  http: HttpClient,
  token: string,
  doctorId: string,
  overrides: Record<string, unknown> = {},
) {
  const response = await http.post('/api/patients/', patientBody(doctorId, overrides), { token });
  if (response.status !== 201) throw new Error(`create patient failed: ${response.text}`);
  return response.body;
}

export async function createMapping(
  http: HttpClient,
  token: string,
  patientId: string,
  doctorId: string,
  overrides: Record<string, unknown> = {},
) {
  const response = await http.post(
    '/api/mappings/',
    { patientId, doctorId, ...overrides },
    { token },
  );
  if (response.status !== 201) throw new Error(`create mapping failed: ${response.text}`);
  return response.body;
}

/**
 * Writes one account's mappings concurrently: creates (some of them duplicates, which fail),
 * deletes, and deletes a patient with its mappings, all at once. Answers how many mappings the
 * account should have left.
 */
export async function churnMappings(http: HttpClient, token: string): Promise<number> {
  const doctors: { id: string }[] = [];
  for (let i = 0; i < 6; i += 1) doctors.push(await createDoctor(http, token));
  const patients: { id: string }[] = [];
  for (let i = 0; i < 5; i += 1) patients.push(await createPatient(http, token, doctors[0].id));
  const doomed: { id: string }[] = [];
  for (const patient of patients.slice(0, 4)) {
    for (const doctor of doctors.slice(1, 3)) {
      doomed.push(await createMapping(http, token, patient.id, doctor.id));
    }
  }
  // 5 assigned + 8 to be deleted; then 4 × 3 new pairs, each sent twice (one of each 409s),
  // the 8 deleted, and the last patient deleted with its one mapping.
  const pairs = patients
    .slice(0, 4)
    .flatMap((patient) =>
      doctors.slice(3).map((doctor) => ({ patientId: patient.id, doctorId: doctor.id })),
    );
  const answers = await Promise.all([
    ...[...pairs, ...pairs].map((pair) => http.post('/api/mappings/', pair, { token })),
    ...doomed.map((mapping) => http.delete(`/api/mappings/${mapping.id}/`, { token })),
    http.delete(`/api/patients/${patients[4].id}/`, { token }),
  ]);
  const statuses = answers.map((answer) => answer.status);
  if (statuses.filter((status) => status === 201).length !== pairs.length) {
    throw new Error(`unexpected answers: ${statuses.join(', ')}`);
  }
  return 4 + pairs.length;
}
