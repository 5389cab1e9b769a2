import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Account, signUp, useTestServer } from './support/app.js';
import { createDoctor, createMapping, createPatient } from './support/records.js';

const server = useTestServer();
let owner: Account;
let doctorIds: string[];
let firstPatientId: string;

/** The once-a-second look for ended sessions, which runs beside the requests, not for them. */
const ENDED_SESSIONS_POLL = /FROM "sessions"\s+WHERE "ended_at" >/;

function sqlText(call: unknown[]): string {
  const [first] = call;
  return typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
}

/** Counts the SQL statements the service sends for `request` while it runs. */
async function countQueries(request: () => Promise<{ status: number; body: any }>) {
  const query = vi.spyOn(pg.Client.prototype, 'query');
  const response = await request();
  const count = query.mock.calls.filter((call) => !ENDED_SESSIONS_POLL.test(sqlText(call))).length;
  query.mockRestore();
  expect(response.status).toBe(200);
  return { count, items: response.body.items.length as number };
}

const lists = {
  doctors: () => server.http.get('/api/doctors/?limit=50', { token: owner.accessToken }),
  patients: () => server.http.get('/api/patients/?limit=50', { token: owner.accessToken }),
  mappings: () => server.http.get('/api/mappings/?limit=50', { token: owner.accessToken }),
  patientDoctors: () =>
    server.http.get(`/api/patients/${firstPatientId}/doctors/?limit=50`, {
      token: owner.accessToken,
    }),
};

beforeAll(async () => {
  owner = await signUp(server.http, 'Query Counter');
  doctorIds = [];
  for (let i = 0; i < 50; i += 1)
    doctorIds.push((await createDoctor(server.http, owner.accessToken)).id);
  firstPatientId = (await createPatient(server.http, owner.accessToken, doctorIds[0])).id;
});
afterEach(() => vi.restoreAllMocks());

describe('lists issue a constant number of queries, whatever their size', () => {
  it('counts at most three or four for a page of 1 and for a page of 50', async () => {
    const small = {
      patients: await countQueries(lists.patients),
      mappings: await countQueries(lists.mappings),
      patientDoctors: await countQueries(lists.patientDoctors),
    };
    expect(small.patients.items).toBe(1);
    expect(small.mappings.items).toBe(1);
    expect(small.patientDoctors.items).toBe(1);

    for (let i = 1; i < 50; i += 1) {
      await createPatient(server.http, owner.accessToken, doctorIds[i]);
      await createMapping(server.http, owner.accessToken, firstPatientId, doctorIds[i]);
    }
    const large = {
      patients: await countQueries(lists.patients),
      mappings: await countQueries(lists.mappings),
      patientDoctors: await countQueries(lists.patientDoctors),
    };
    expect(large.patients.items).toBe(50);
    expect(large.mappings.items).toBe(50);
    expect(large.patientDoctors.items).toBe(50);
    // The page query and, once a page is full, the count (plus the ownership check of the
    // patient for its doctors), and the audit event's INSERT, which concurrent requests share
    // (one here, the requests being sequential): never one per item.
    const ceiling = { patients: 3, mappings: 3, patientDoctors: 4 };
    for (const list of ['patients', 'mappings', 'patientDoctors'] as const) {
      expect(small[list].count, list).toBeGreaterThanOrEqual(1);
      expect(small[list].count, list).toBeLessThanOrEqual(ceiling[list]);
      expect(large[list].count, list).toBeLessThanOrEqual(ceiling[list]);
    }
  });

  it('serves the doctor directory in at most two queries, and the mappings with their summaries and their audit event in three', async () => {
    const doctors = await countQueries(lists.doctors);
    expect(doctors.items).toBe(50);
    expect(doctors.count).toBeLessThanOrEqual(2);
    expect((await countQueries(lists.mappings)).count).toBeLessThanOrEqual(3);
  });
});
