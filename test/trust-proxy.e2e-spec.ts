import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { uniqueLoopbackAddress } from './support/http.js';
import { problemOf } from './support/records.js';

/**
 * The client address behind proxies, seen through the rate limit (two attempts a minute
 * per address): which address is counted shows which address the server believed.
 * A register body that fails validation is counted too, and costs no bcrypt hash.
 */
describe('TRUST_PROXY', () => {
  let server: TestApp | undefined;
  afterEach(() => server?.close());

  async function start(trustProxy?: string) {
    server = await startApp({
      AUTH_RATE_LIMIT: '2',
      ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }),
    });
    const proxy = uniqueLoopbackAddress();
    return (forwardedFor?: string) =>
      server!.http
        .from(proxy)
        .post(
          '/auth/register/',
          {},
          { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} },
        );
  }

  it('off by default: X-Forwarded-For is ignored and the connection address is counted', async () => {
    const attempt = await start();
    expect((await attempt('203.0.113.1')).status).toBe(400);
    expect((await attempt('203.0.113.2')).status).toBe(400);
    problemOf(await attempt('203.0.113.3'), 429);
  });

  it('with the proxies listed (a CIDR), the address they forwarded is counted', async () => {
    const attempt = await start('10.0.0.0/8, 127.0.0.0/8');
    expect((await attempt('203.0.113.1')).status).toBe(400);
    expect((await attempt('203.0.113.1')).status).toBe(400);
    problemOf(await attempt('203.0.113.1'), 429);
    // Another client behind the same proxy has attempts of its own.
    expect((await attempt('203.0.113.2')).status).toBe(400);
    // An entry a client wrote itself, left of the address the proxy saw, changes nothing.
    problemOf(await attempt('198.51.100.7, 203.0.113.1'), 429);
  });

  it('with a hop count, the address that many proxies away is counted', async () => {
    const attempt = await start('1');
    expect((await attempt('198.51.100.1, 203.0.113.5')).status).toBe(400);
    expect((await attempt('198.51.100.2, 203.0.113.5')).status).toBe(400);
    problemOf(await attempt('198.51.100.3, 203.0.113.5'), 429);
    expect((await attempt('203.0.113.6')).status).toBe(400);
  });
});
