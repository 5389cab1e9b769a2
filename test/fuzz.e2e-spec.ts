/**
 * Generated hostile input (issue 5, item 1): every write endpoint and every list query gets
 * thousands of generated bad inputs, and every answer must keep the contract's promises:
 * a 2xx or a 4xx problem document, never a 5xx; nothing leaks (stack traces, SQL, table or
 * constraint names, password hashes); nothing pollutes prototypes; the server stays up.
 *
 * Seeded: `FUZZ_SEED=<n> npx vitest run test/fuzz.e2e-spec.ts` replays a run (the seed is in
 * every test name, and fast-check prints it with the counterexample). `FUZZ_RUNS=<n>`
 * overrides the number of runs of every property, for a longer soak.
 *
 * The parts live in test/fuzz/: bodies.ts and requests.ts generate the requests, oracle.ts
 * says what every answer must be, client.ts sends them and counts. This file holds the
 * fixtures and each endpoint's fields. The hand-written cases of hostile-input.e2e-spec.ts
 * are the examples this generalises.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FieldSpec,
  GENDERS,
  dateNearMiss,
  emailNearMiss,
  genderNearMiss,
  textNearMiss,
  validDate,
  validEmail,
  validText,
} from './fuzz/bodies.js';
import { FuzzClient } from './fuzz/client.js';
import { pollution } from './fuzz/oracle.js';
import type { Probe } from './fuzz/probe.js';
import {
  type Fixtures,
  authWriteArb,
  listArb,
  malformedUrlArb,
  writeArb,
} from './fuzz/requests.js';
import { REPLAY, SEED, runs } from './fuzz/seed.js';
import { signUp, useTestServer } from './support/app.js';
import { createDoctor, createMapping, createPatient } from './support/records.js';

const server = useTestServer();
let client: FuzzClient;
let fx: Fixtures;

beforeAll(async () => {
  client = new FuzzClient(server.http.baseUrl);
  const http = server.http;
  const user = await signUp(http, 'Fuzz Owner');
  const other = await signUp(http, 'Fuzz Other');
  const doctor = await createDoctor(http, user.accessToken);
  const doctor2 = await createDoctor(http, user.accessToken);
  const otherDoctor = await createDoctor(http, other.accessToken);
  const patient = await createPatient(http, user.accessToken, doctor.id);
  const otherPatient = await createPatient(http, other.accessToken, otherDoctor.id);
  const mapping = await createMapping(http, user.accessToken, patient.id, doctor2.id, {
    notes: 'fuzz fixture',
  });
  fx = {
    user,
    other,
    doctorIds: [doctor.id, doctor2.id],
    otherDoctorId: otherDoctor.id,
    patientId: patient.id,
    otherPatientId: otherPatient.id,
    mappingId: mapping.id,
    doctorEmail: doctor.email,
  };
});

afterAll(() => {
  if (client) console.info(`fuzz: ${client.summary()}`);
});

async function check(arb: fc.Arbitrary<Probe>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, (p) => client.exchange(p)),
    { seed: SEED, numRuns: runs(numRuns) },
  );
}

describe('generated hostile input', () => {
  it(`POST /auth/register|login|refresh|logout/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    await check(authWriteArb(fx), 500);
  }, 120_000);

  it(`POST/PUT/PATCH /api/doctors/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    await check(
      writeArb(fx, {
        methods: ['POST', 'PUT', 'PATCH'],
        collection: '/api/doctors',
        ids: [...fx.doctorIds, fx.otherDoctorId],
        fields: {
          name: { valid: validText(100), nearMiss: textNearMiss(100) },
          specialization: { valid: validText(100), nearMiss: textNearMiss(100) },
          email: {
            valid: fc.oneof(validEmail, fc.constant(fx.doctorEmail)),
            nearMiss: emailNearMiss,
          },
          phone: {
            valid: fc.oneof(validText(30), fc.constant(null)),
            nearMiss: textNearMiss(30),
          },
        },
      }),
      500,
    );
  }, 120_000);

  it(`POST/PUT/PATCH /api/patients/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    const nullable = (max: number): FieldSpec => ({
      valid: fc.oneof(validText(max), fc.constant(null)),
      nearMiss: textNearMiss(max),
    });
    await check(
      writeArb(fx, {
        methods: ['POST', 'PUT', 'PATCH'],
        collection: '/api/patients',
        ids: [fx.patientId, fx.otherPatientId],
        fields: {
          name: { valid: validText(100), nearMiss: textNearMiss(100) },
          dateOfBirth: { valid: validDate, nearMiss: dateNearMiss },
          gender: { valid: fc.constantFrom(...GENDERS), nearMiss: genderNearMiss },
          email: { valid: fc.oneof(validEmail, fc.constant(null)), nearMiss: emailNearMiss },
          phone: nullable(30),
          address: nullable(500),
          medicalHistory: nullable(10_000),
          doctorId: {
            valid: fc.oneof(
              { weight: 6, arbitrary: fc.constantFrom(...fx.doctorIds, fx.otherDoctorId) },
              { weight: 1, arbitrary: fc.uuid() },
            ),
            nearMiss: fc.constantFrom(fx.doctorIds[0].toUpperCase(), `${fx.doctorIds[0]} `, ''),
          },
        },
      }),
      500,
    );
  }, 120_000);

  it(`POST/PUT/PATCH /api/mappings/ answer 2xx or a clean 4xx (${REPLAY})`, async () => {
    await check(
      writeArb(fx, {
        methods: ['POST', 'PUT', 'PATCH'],
        collection: '/api/mappings',
        ids: [fx.mappingId],
        fields: {
          patientId: {
            valid: fc.oneof(
              { weight: 6, arbitrary: fc.constant(fx.patientId) },
              { weight: 1, arbitrary: fc.constantFrom(fx.otherPatientId) },
              { weight: 1, arbitrary: fc.uuid() },
            ),
            nearMiss: fc.constantFrom(fx.patientId.toUpperCase(), `${fx.patientId}x`, ''),
          },
          doctorId: {
            valid: fc.oneof(
              { weight: 6, arbitrary: fc.constantFrom(...fx.doctorIds, fx.otherDoctorId) },
              { weight: 1, arbitrary: fc.uuid() },
            ),
            nearMiss: fc.constantFrom(`{${fx.doctorIds[0]}}`, fx.doctorIds[0].replace(/-/g, '')),
          },
          notes: {
            valid: fc.oneof(validText(1000), fc.constant(null)),
            nearMiss: textNearMiss(1000),
          },
        },
      }),
      500,
    );
  }, 120_000);

  it(`GET list queries answer a page or a clean 4xx (${REPLAY})`, async () => {
    await check(listArb(fx), 800);
  }, 120_000);

  it(`paths and queries that are not UTF-8 or too long answer a clean 4xx (${REPLAY})`, async () => {
    await check(malformedUrlArb(fx), 200);
  }, 120_000);

  it('leaves no polluted prototype and a server that still works', async () => {
    expect(pollution()).toBeUndefined();
    expect(({} as any).polluted).toBeUndefined();
    expect(({} as any).isAdmin).toBeUndefined();
    expect(({} as any).fuzzPolluted).toBeUndefined();
    expect(([] as any).polluted).toBeUndefined();
    expect(Object.prototype.toString.call({})).toBe('[object Object]');

    const health = await server.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: 'up' });

    const doctors = await server.http.get('/api/doctors/', { token: fx.user.accessToken });
    expect(doctors.status).toBe(200);
    expect(Array.isArray(doctors.body.items)).toBe(true);

    const patient = await server.http.get(`/api/patients/${fx.patientId}/`, {
      token: fx.user.accessToken,
    });
    expect(patient.status).toBe(200);

    // Registration and login still work, and a fresh account sees a clean slate.
    const fresh = await signUp(server.http, 'After The Fuzz');
    const mine = await server.http.get('/api/patients/', { token: fresh.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.total).toBe(0);
  }, 30_000);
});
