import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import type { HttpResponse } from './support/http.js';

/** Every personal or secret value of a full flow, to be searched for in the whole trail. */
function secrets() {
  const tag = randomUUID().slice(0, 8);
  return {
    userName: `Quirinus Faraday ${tag}`,
    email: `quirinus.${tag}@example.com`,
    password: `Hyacinth-${tag}-${randomUUID()}`,
    wrongPassword: `Tulip-${tag}-${randomUUID()}`,
    unknownEmail: `nobody.${tag}@example.com`,
    doctorName: `Dr. Philippa Marchbanks ${tag}`,
    specialization: `Cryo-neurology ${tag}`,
    doctorEmail: `philippa.${tag}@example.com`,
    doctorPhone: `+44 20 7946 ${tag.slice(0, 4)}`,
    patientName: `Octavia Brightwater ${tag}`,
    dateOfBirth: '1963-11-22',
    patientEmail: `octavia.${tag}@example.com`,
    patientPhone: `+1 555 ${tag.slice(0, 4)}`,
    address: `742 Evergreen Terrace ${tag}`,
    history: `Idiopathic hyperhidrosis ${tag}`,
    newHistory: `Follow-up: resolved ${tag}`,
    notes: `Second opinion on the biopsy ${tag}`,
    search: `Brightwater ${tag}`,
  };
}

/** Runs every kind of request the trail records; returns the tokens it was given. */
async function fullFlow(server: TestApp, values: ReturnType<typeof secrets>): Promise<string[]> {
  const { http } = server;
  const ok = (response: HttpResponse, status: number) => {
    expect(response.status, response.text).toBe(status);
    return response;
  };
  ok(
    await http.post('/auth/register/', {
      name: values.userName,
      email: values.email,
      password: values.password,
    }),
    201,
  );
  ok(await http.post('/auth/login/', { email: values.email, password: values.wrongPassword }), 401);
  ok(
    await http.post('/auth/login/', { email: values.unknownEmail, password: values.password }),
    401,
  );
  const login = ok(
    await http.post('/auth/login/', { email: values.email, password: values.password }),
    200,
  );
  const refreshed = ok(
    await http.post('/auth/refresh/', { refreshToken: login.body.refreshToken }),
    200,
  );
  ok(await http.post('/auth/refresh/', { refreshToken: login.body.refreshToken }), 401);
  const again = ok(
    await http.post('/auth/login/', { email: values.email, password: values.password }),
    200,
  );
  const token = { token: again.body.accessToken as string };

  const doctor = ok(
    await http.post(
      '/api/doctors/',
      {
        name: values.doctorName,
        specialization: values.specialization,
        email: values.doctorEmail,
        phone: values.doctorPhone,
      },
      token,
    ),
    201,
  ).body;
  const second = ok(
    await http.post(
      '/api/doctors/',
      {
        name: `${values.doctorName} II`,
        specialization: values.specialization,
        email: `ii.${values.doctorEmail}`,
      },
      token,
    ),
    201,
  ).body;
  ok(await http.patch(`/api/doctors/${second.id}/`, { phone: values.doctorPhone }, token), 200);
  const patient = ok(
    await http.post(
      '/api/patients/',
      {
        name: values.patientName,
        dateOfBirth: values.dateOfBirth,
        gender: 'female',
        email: values.patientEmail,
        phone: values.patientPhone,
        address: values.address,
        medicalHistory: values.history,
        doctorId: doctor.id,
      },
      token,
    ),
    201,
  ).body;
  ok(await http.get(`/api/patients/${patient.id}/`, token), 200);
  ok(await http.get(`/api/patients/?q=${encodeURIComponent(values.search)}`, token), 200);
  ok(
    await http.patch(`/api/patients/${patient.id}/`, { medicalHistory: values.newHistory }, token),
    200,
  );
  const mapping = ok(
    await http.post(
      '/api/mappings/',
      { patientId: patient.id, doctorId: second.id, notes: values.notes },
      token,
    ),
    201,
  ).body;
  ok(await http.get(`/api/mappings/${mapping.id}/`, token), 200);
  ok(await http.get(`/api/mappings/?patientId=${patient.id}`, token), 200);
  ok(
    await http.patch(`/api/mappings/${mapping.id}/`, { notes: `${values.notes} (updated)` }, token),
    200,
  );
  ok(await http.get(`/api/patients/${patient.id}/doctors/`, token), 200);
  ok(await http.get(`/api/patients/${patient.id}/audit-events/`, token), 200);
  ok(await http.delete(`/api/mappings/${mapping.id}/`, token), 204);
  ok(await http.delete(`/api/patients/${patient.id}/`, token), 204);
  ok(await http.post('/auth/logout/', { refreshToken: again.body.refreshToken }, token), 204);
  return [
    login.body.accessToken,
    login.body.refreshToken,
    refreshed.body.accessToken,
    refreshed.body.refreshToken,
    again.body.accessToken,
    again.body.refreshToken,
  ];
}

/** Searches every stored event, whole, for every value. */
async function expectNoneStored(server: TestApp, values: string[]): Promise<number> {
  const rows: { event: string }[] = await server.app
    .get(DataSource)
    .query(`SELECT row_to_json(audit_events)::text AS event FROM audit_events`);
  const trail = rows.map((row) => row.event.toLowerCase()).join('\n');
  for (const value of values) expect(trail, value).not.toContain(value.toLowerCase());
  return rows.length;
}

describe.each([
  ['PostgreSQL', false],
  ['the embedded database', true],
])('the audit trail on %s', (_name, embedded) => {
  let server: TestApp;
  let dataDir: string | undefined;

  beforeAll(async () => {
    if (embedded) dataDir = await mkdtemp(join(tmpdir(), 'healthcare-audit-'));
    server = await startApp(dataDir ? { DATABASE_URL: '', DATA_DIR: dataDir } : {});
  }, 60_000);
  afterAll(async () => {
    await server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('holds no personal data and no secret: after a full flow, no stored event contains a name, email, date of birth, medical text, password or token', async () => {
    const values = secrets();
    const tokens = await fullFlow(server, values);
    const events = await expectNoneStored(server, [...Object.values(values), ...tokens]);
    // The flow was recorded (23 audited requests), so the search above had rows to search.
    expect(events).toBeGreaterThanOrEqual(23);
  }, 60_000);

  it('is partitioned and refuses UPDATE, DELETE and TRUNCATE on this database too', async () => {
    const dataSource = server.app.get(DataSource);
    const [{ partition }]: { partition: string }[] = await dataSource.query(
      `SELECT tableoid::regclass::text AS partition FROM audit_events LIMIT 1`,
    );
    expect(partition).toMatch(/^audit_events_\d{4}_\d{2}$/);
    for (const statement of [
      'UPDATE audit_events SET status = 200',
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
      `TRUNCATE ${partition}`,
    ]) {
      await expect(dataSource.query(statement), statement).rejects.toThrow(/append-only/);
    }
  });
});
