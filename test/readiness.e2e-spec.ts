import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApp, TEST_JWT_SECRET, type TestApp } from './support/app.js';
import { HttpClient } from './support/http.js';
import { ServerProcess } from './support/server-process.js';
import { TcpProxy } from './support/tcp-proxy.js';

describe('readiness and liveness with the database cut', () => {
  let proxy: TcpProxy;
  let server: TestApp;

  beforeAll(async () => {
    const target = new URL(inject('databaseUrl'));
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    target.host = `127.0.0.1:${proxy.port}`;
    server = await startApp({ DATABASE_URL: target.toString() });
  });
  afterAll(async () => {
    await server.close();
    await proxy.close();
  });

  it('is not ready while the database is unreachable, but stays alive', async () => {
    const ready = await server.http.from('127.0.0.1').get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('connection')).toBe('keep-alive');
    expect(ready.body).toEqual({ status: 'ok', database: 'up', shuttingDown: false });

    proxy.cutConnections();
    const notReady = await server.http.get('/health/ready', { expectServerError: true });
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'error', database: 'down', shuttingDown: false });
    const live = await server.http.get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect((await server.http.get('/health', { expectServerError: true })).body).toEqual({
      status: 'error',
      database: 'down',
    });

    proxy.restore();
    expect((await server.http.get('/health/ready')).status).toBe(200);
  });
});

describe('readiness at shutdown', () => {
  it('turns 503 as soon as SIGTERM arrives, while liveness and the API keep answering, then exits 0', async () => {
    const server = await ServerProcess.start({
      DATABASE_URL: inject('databaseUrl'),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_SECONDS: '3',
    });
    expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
    const exited = server.stop('SIGTERM');
    let ready = 200;
    for (let attempt = 0; attempt < 50 && ready === 200; attempt += 1) {
      await new Promise((wait) => setTimeout(wait, 20));
      ready = (await fetch(`${server.baseUrl}/health/ready`)).status;
    }
    const readiness = await fetch(`${server.baseUrl}/health/ready`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'error', database: 'up', shuttingDown: true });
    const http = new HttpClient(server.baseUrl);
    const live = await http.from('127.0.0.1').get('/health/live');
    expect(live.status).toBe(200);
    // Keep-alive clients are told to reconnect (elsewhere) while the instance drains.
    expect(live.headers.get('connection')).toBe('close');
    expect((await http.get('/health')).status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${server.baseUrl}/health/live`)).rejects.toThrow();
  }, 60_000);
});
