import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_JWT_SECRET } from './support/app.js';
import { HttpClient } from './support/http.js';
import { ServerProcess } from './support/server-process.js';

/**
 * The service as its own process, the way it runs in production: what it logs during a full
 * flow, and how it stops.
 */
describe('the service process', () => {
  let server: ServerProcess;
  let http: HttpClient;

  beforeAll(async () => {
    server = await ServerProcess.start({
      DATABASE_URL: inject('databaseUrl'),
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_ROUNDS: '12',
      AUTH_RATE_LIMIT: '0',
      LOG_LEVEL: 'info',
    });
    http = new HttpClient(server.baseUrl);
  }, 60_000);
  afterAll(() => server.stop('SIGKILL'));

  it('logs every request as JSON with its id, method, route, status and duration, and no personal data or secret', async () => {
    const secret = {
      name: `Zelda Quintessa ${randomUUID().slice(0, 6)}`,
      email: `zelda.${randomUUID().slice(0, 8)}@example.com`,
      password: `Pass-${randomUUID()}`,
      doctorName: `Dr. Ulysses Vantablack ${randomUUID().slice(0, 6)}`,
      doctorEmail: `ulysses.${randomUUID().slice(0, 8)}@example.com`,
      patientName: `Xavier Oppenheim ${randomUUID().slice(0, 6)}`,
      history: `Rare condition ${randomUUID()}`,
    };
    await http.post('/auth/register/', {
      name: secret.name,
      email: secret.email,
      password: secret.password,
    });
    const login = await http.post('/auth/login/', {
      email: secret.email,
      password: secret.password,
    });
    const { accessToken, refreshToken } = login.body;
    const token = { token: accessToken };
    const doctor = await http.post(
      '/api/doctors/',
      { name: secret.doctorName, specialization: 'Oncology', email: secret.doctorEmail },
      token,
    );
    const patient = await http.post(
      '/api/patients/',
      {
        name: secret.patientName,
        dateOfBirth: '1970-01-01',
        gender: 'male',
        doctorId: doctor.body.id,
        medicalHistory: secret.history,
        email: secret.email,
      },
      token,
    );
    expect(patient.status).toBe(201);
    await http.get(`/api/patients/?q=${encodeURIComponent(secret.patientName)}`, token);
    await http.get(`/api/patients/${patient.body.id}/`, token);
    await http.post('/auth/login/', { email: secret.email, password: `${secret.password}-wrong` });
    await http.post('/api/doctors/', { name: secret.doctorName }, token);
    const traced = await http.get('/api/nowhere', { headers: { 'x-request-id': 'trace-me-42' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-me-42');
    expect(traced.body.requestId).toBe('trace-me-42');
    const refreshed = await http.post('/auth/refresh/', { refreshToken });
    await http.post(
      '/auth/logout/',
      { refreshToken: refreshed.body.refreshToken },
      { token: refreshed.body.accessToken },
    );
    await new Promise((settle) => setTimeout(settle, 300));

    const lines = server.output;
    const log = lines.join('\n');
    for (const [kind, value] of Object.entries({
      ...secret,
      accessToken,
      refreshToken,
      refreshedAccess: refreshed.body.accessToken,
      refreshedRefresh: refreshed.body.refreshToken,
    })) {
      expect(log.includes(value), `${kind} appears in the logs`).toBe(false);
    }
    expect(log).not.toMatch(/\$2[aby]\$\d\d\$/);

    const requests = lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === 'request completed' || entry.msg === 'request failed');
    expect(requests.length).toBeGreaterThanOrEqual(12);
    for (const entry of requests) {
      expect(entry).toMatchObject({
        requestId: expect.any(String),
        clientAddress: '127.0.0.1',
        method: expect.any(String),
        route: expect.any(String),
        status: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
    expect(requests.map((entry) => entry.route)).toContain('/api/patients/:id');
    expect(requests.find((entry) => entry.requestId === 'trace-me-42')?.status).toBe(404);
  });

  it('on SIGTERM finishes the request in flight, stops accepting connections, and exits 0', async () => {
    const inFlight = http.post('/auth/register/', {
      name: 'Last Request',
      email: `last-${randomUUID()}@example.com`,
      password: 'a slow bcrypt hash at cost 12',
    });
    await new Promise((settle) => setTimeout(settle, 50));
    const exitCode = server.stop('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(await exitCode).toBe(0);
    await expect(fetch(`${server.baseUrl}/health`)).rejects.toThrow();
    expect(server.output.join('\n')).toMatch(/SIGTERM received/);
  });
});
