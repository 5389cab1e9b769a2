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
