import { uniqueEmail } from './app.js';
import type { HttpClient } from './http.js';

/** Asserts a problem document of the given status and returns its body. */
export function problemOf(
  response: { status: number; headers: Headers; body: any },
  status: number,
) {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  if (!/^application\/problem\+json/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`expected a problem document, got ${response.headers.get('content-type')}`);
  }
  return response.body as {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance: string;
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
