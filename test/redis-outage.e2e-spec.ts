import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_JWT_SECRET, uniqueEmail } from './support/app.js';
import { HttpClient, uniqueLoopbackAddress } from './support/http.js';
import { problemOf } from './support/records.js';
import { ServerProcess } from './support/server-process.js';
import { TcpProxy } from './support/tcp-proxy.js';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/**
 * Redis cut away (through a TCP proxy): the API keeps answering, the limit is still
 * enforced (counted in the process meanwhile), a warning is logged and the instance reports
 * itself not ready until Redis is back.
 */
describe('when Redis becomes unreachable', () => {
  let proxy: TcpProxy;
  let server: ServerProcess;
  let http: HttpClient;

  beforeAll(async () => {
    proxy = await TcpProxy.start(REDIS.hostname, Number(REDIS.port || 6379));
    server = await ServerProcess.start({
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_ROUNDS: '4',
      AUTH_RATE_LIMIT: '3',
      LOG_LEVEL: 'warn',
    });
    http = new HttpClient(server.baseUrl);
  }, 60_000);
  afterAll(async () => {
    await server.stop('SIGKILL');
    await proxy.close();
  });

  it('keeps limiting in the process, logs a warning, is not ready, and recovers', async () => {
    expect((await http.get('/health/ready')).body).toEqual({
      status: 'ok',
      database: 'up',
      redis: 'up',
      shuttingDown: false,
    });

    proxy.cutConnections();
    const from = uniqueLoopbackAddress();
    const login = () =>
      http.from(from).post('/auth/login/', { email: uniqueEmail(), password: 'wrong password' });
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await login()).status).toBe(401);
    problemOf(await login(), 429);

    const ready = await http.get('/health/ready', { expectServerError: true });
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      status: 'error',
      database: 'up',
      redis: 'down',
      shuttingDown: false,
    });
    expect((await http.get('/health/live')).status).toBe(200);
    expect((await http.get('/health')).status).toBe(200);
    const warnings = server.output.filter((line) => line.includes('Redis is unreachable'));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 40 });

    proxy.restore();
    let status = 503;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
      await new Promise((wait) => setTimeout(wait, 200));
      status = (await http.get('/health/ready', { expectServerError: true })).status;
    }
    expect(status).toBe(200);
    // Back on Redis: a fresh address starts from zero there.
    const fresh = uniqueLoopbackAddress();
    const answer = await http
      .from(fresh)
      .post('/auth/login/', { email: uniqueEmail(), password: 'wrong password' });
    expect(answer.status).toBe(401);
  }, 30_000);
});
