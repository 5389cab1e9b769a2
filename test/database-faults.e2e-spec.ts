import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Account, signUp, useTestServer } from './support/app.js';
import { createDoctor, createPatient, problemOf } from './support/records.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** Generous, but far below a hang: the pool's connection timeout is 5 s. */
const BOUND_MS = 8_000;

describe('when PostgreSQL becomes unreachable', () => {
  const target = new URL(inject('databaseUrl'));
  let proxy: TcpProxy;
  let user: Account;
  let patientId: string;

  beforeAll(async () => {
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
  });
  // Registered after the proxy's hooks, so the server starts after the proxy and closes before it.
  afterAll(() => proxy.close());
  const server = useTestServer(() => {
    const throughProxy = new URL(target);
    throughProxy.host = `127.0.0.1:${proxy.port}`;
    return { DATABASE_URL: throughProxy.toString() };
  });
  beforeAll(async () => {
    user = await signUp(server.http, 'Outage');
    const doctor = await createDoctor(server.http, user.accessToken);
    patientId = (
      await createPatient(server.http, user.accessToken, doctor.id, { name: 'Outage Patient' })
    ).id;
  });

  it('answers 503 problem documents within a bounded time, says down, and recovers by itself', async () => {
    const token = { token: user.accessToken, expectServerError: true };
    proxy.cutConnections();

    const started = Date.now();
    const answers = await Promise.all([
      server.http.get('/api/doctors/', token),
      server.http.get('/api/patients/', token),
      // A read, however it fails (its query or its audit event), answers no patient data.
      server.http.get(`/api/patients/${patientId}/`, token),
      server.http.get(`/api/mappings/?patientId=${patientId}`, token),
      server.http.post(
        '/api/doctors/',
        { name: 'A', specialization: 'B', email: 'c@example.com' },
        token,
      ),
      server.http.post(
        '/auth/login/',
        { email: user.email, password: user.password },
        { expectServerError: true },
      ),
    ]);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    for (const answer of answers) {
      const problem = problemOf(answer, 503);
      expect(problem.detail).toBe('The database is unavailable. Try again shortly.');
      expect(answer.text).not.toContain('Outage Patient');
    }
    expect((await server.http.get('/health', { expectServerError: true })).body).toEqual({
      status: 'error',
      database: 'down',
    });

    proxy.restore();
    const list = await server.http.get('/api/doctors/', { token: user.accessToken });
    expect(list.status).toBe(200);
    expect((await server.http.get('/health')).body).toEqual({ status: 'ok', database: 'up' });
  });
});
