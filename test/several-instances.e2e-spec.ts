import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_JWT_SECRET, uniqueEmail } from './support/app.js';
import { HttpClient, uniqueLoopbackAddress } from './support/http.js';
import { createDoctor, createPatient, problemOf } from './support/records.js';
import { ServerProcess } from './support/server-process.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 6;

/** Two built servers on one PostgreSQL and one Redis, as behind a load balancer. */
describe('two instances on one database and one Redis', () => {
  let servers: ServerProcess[];
  let clients: HttpClient[];

  beforeAll(async () => {
    const env = {
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL,
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_ROUNDS: '4',
      AUTH_RATE_LIMIT: String(LIMIT),
      // Behind a load balancer on this machine; requests without the header keep their own address.
      TRUST_PROXY: '127.0.0.0/8',
      LOG_LEVEL: 'info',
    };
    servers = await Promise.all([ServerProcess.start(env), ServerProcess.start(env)]);
    clients = servers.map((server) => new HttpClient(server.baseUrl));
  }, 60_000);
  afterAll(() => Promise.all(servers.map((server) => server.stop('SIGKILL'))));

  it('share the auth rate limit: the limit spread over both, then 429 on either', async () => {
    const from = uniqueLoopbackAddress();
    for (let attempt = 0; attempt < LIMIT; attempt += 1) {
      const answer = await clients[attempt % 2]
        .from(from)
        .post('/auth/login/', { email: uniqueEmail(), password: 'wrong password' });
      expect(answer.status).toBe(401);
    }
    for (const client of clients) {
      const refused = await client
        .from(from)
        .post('/auth/login/', { email: uniqueEmail(), password: 'wrong password' });
      problemOf(refused, 429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another address, and the other endpoint, are counted apart.
    const other = await clients[1]
      .from(uniqueLoopbackAddress())
      .post('/auth/login/', { email: uniqueEmail(), password: 'x' });
    expect(other.status).not.toBe(429);
    const register = await clients[0].from(from).post('/auth/register/', {});
    expect(register.status).toBe(400);
  });

  it('log the client address the load balancer forwarded', async () => {
    const traced = await clients[1].get('/health/live', {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'forwarded-42' },
    });
    expect(traced.status).toBe(200);
    await new Promise((settle) => setTimeout(settle, 200));
    const entry = servers[1].output
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((logged) => logged.requestId === 'forwarded-42');
    expect(entry).toMatchObject({ clientAddress: '203.0.113.9', route: '/health/live' });
  });

  it('detect a refresh token rotated on one as reused on the other', async () => {
    const email = uniqueEmail();
    const password = 'correct horse battery staple';
    expect(
      (await clients[0].post('/auth/register/', { name: 'Two', email, password })).status,
    ).toBe(201);
    const login = await clients[0].post('/auth/login/', { email, password });
    const rotated = await clients[0].post('/auth/refresh/', {
      refreshToken: login.body.refreshToken,
    });
    expect(rotated.status).toBe(200);

    problemOf(
      await clients[1].post('/auth/refresh/', { refreshToken: login.body.refreshToken }),
      401,
    );
    // The reuse revoked the whole login, the token rotated on the first instance included.
    problemOf(
      await clients[0].post('/auth/refresh/', { refreshToken: rotated.body.refreshToken }),
      401,
    );
  });

  it('give exactly one 201 for twenty duplicate mapping POSTs split across both', async () => {
    const email = uniqueEmail();
    const password = 'correct horse battery staple';
    await clients[0].post('/auth/register/', { name: 'Mapper', email, password });
    const { accessToken } = (await clients[1].post('/auth/login/', { email, password })).body;
    const assigned = await createDoctor(clients[0], accessToken);
    const patient = await createPatient(clients[0], accessToken, assigned.id);
    const second = await createDoctor(clients[1], accessToken);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        clients[index % 2].post(
          '/api/mappings/',
          { patientId: patient.id, doctorId: second.id },
          { token: accessToken },
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
  });
});
