/** Seeding through the HTTP API, with bounded concurrency. */

export interface SeedSize {
  doctors: number;
  patients: number;
  extraMappings: number;
}

export interface Seed {
  userId: string;
  email: string;
  password: string;
  doctorIds: string[];
  patientIds: string[];
}

export const BENCH_EMAIL = 'bench-user@bench.example';
export const BENCH_PASSWORD = 'bench-password-of-the-benchmark';

/**
 * S5 logs in round-robin over this many accounts: the service locks an email after five
 * attempts in flight or failed at once (account protection), so 32 connections on one
 * account would measure the lock, not the login.
 */
export const LOGIN_ACCOUNTS = 40;

export function loginEmail(index: number): string {
  return `bench-login-${index % LOGIN_ACCOUNTS}@bench.example`;
}

const SPECIALIZATIONS = [
  'Cardiology',
  'Dermatology',
  'Neurology',
  'Oncology',
  'Pediatrics',
  'Psychiatry',
  'Radiology',
  'Surgery',
  'Urology',
  'General practice',
];
const GENDERS = ['female', 'male', 'other', 'unknown'];

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** One JSON request; answers the status and the parsed body. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Like call(), but anything other than the expected status is an error. */
export async function expect(
  expected: number,
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Record<string, unknown>> {
  const answer = await call(baseUrl, method, path, options);
  if (answer.status !== expected) {
    throw new Error(
      `${method} ${path} answered ${answer.status}, expected ${expected}: ${JSON.stringify(answer.body)}`,
    );
  }
  return answer.body as Record<string, unknown>;
}

/** Runs `work` over 0..count-1 with at most `concurrency` at a time; results in index order. */
export async function mapLimit<T>(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export async function login(baseUrl: string): Promise<string> {
  const tokens = await expect(200, baseUrl, 'POST', '/auth/login/', {
    body: { email: BENCH_EMAIL, password: BENCH_PASSWORD },
  });
  return tokens.accessToken as string;
}

export function doctorBody(index: number) {
  return {
    name: `Dr. Bench ${index}`,
    specialization: SPECIALIZATIONS[index % SPECIALIZATIONS.length],
    email: `doctor-${index}@bench.example`,
    phone: `+1 555 ${String(index % 10_000).padStart(4, '0')}`,
  };
}

/** A realistic patient: every optional field filled, a paragraph of history. */
export function patientBody(index: number, doctorId: string) {
  const year = 1940 + (index % 80);
  const month = String(1 + (index % 12)).padStart(2, '0');
  const day = String(1 + (index % 28)).padStart(2, '0');
  return {
    name: `Bench Patient ${index}`,
    dateOfBirth: `${year}-${month}-${day}`,
    gender: GENDERS[index % GENDERS.length],
    email: `patient-${index}@bench.example`,
    phone: `+1 555 ${String(index % 10_000).padStart(4, '0')}`,
    address: `${index} Bench Street, Springfield`,
    medicalHistory:
      'Seasonal allergies. Appendectomy in childhood. No known drug allergies. ' +
      `Annual check-up ${2000 + (index % 25)}: blood pressure normal.`,
    doctorId,
  };
}

/**
 * The benchmark's data set, created through the API: one user, `doctors` doctors, `patients`
 * patients of that user (each mapped to its assigned doctor by the create), and
 * `extraMappings` more mappings of those patients to a second doctor.
 */
export async function seed(baseUrl: string, size: SeedSize, concurrency = 16): Promise<Seed> {
  const user = await expect(201, baseUrl, 'POST', '/auth/register/', {
    body: { name: 'Bench User', email: BENCH_EMAIL, password: BENCH_PASSWORD },
  });
  const token = await login(baseUrl);
  await mapLimit(LOGIN_ACCOUNTS, 4, async (index) => {
    await expect(201, baseUrl, 'POST', '/auth/register/', {
      body: { name: `Login ${index}`, email: loginEmail(index), password: BENCH_PASSWORD },
    });
  });
  const doctorIds = await mapLimit(size.doctors, concurrency, async (index) => {
    const doctor = await expect(201, baseUrl, 'POST', '/api/doctors/', {
      token,
      body: doctorBody(index),
    });
    return doctor.id as string;
  });
  const patientIds = await mapLimit(size.patients, concurrency, async (index) => {
    const patient = await expect(201, baseUrl, 'POST', '/api/patients/', {
      token,
      body: patientBody(index, doctorIds[index % doctorIds.length]),
    });
    return patient.id as string;
  });
  const half = Math.floor(doctorIds.length / 2);
  await mapLimit(Math.min(size.extraMappings, patientIds.length), concurrency, async (index) => {
    // Patient i is assigned doctor i mod n; its second doctor is half-way round.
    await expect(201, baseUrl, 'POST', '/api/mappings/', {
      token,
      body: {
        patientId: patientIds[index],
        doctorId: doctorIds[(index + half) % doctorIds.length],
        notes: `Second opinion ${index}.`,
      },
    });
  });
  return {
    userId: user.id as string,
    email: BENCH_EMAIL,
    password: BENCH_PASSWORD,
    doctorIds,
    patientIds,
  };
}
