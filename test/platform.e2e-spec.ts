import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startApp, useTestServer } from './support/app.js';
import { TcpProxy } from './support/tcp-proxy.js';

const { http } = useTestServer({ CORS_ORIGINS: 'https://app.example' });

describe('error format', () => {
  it('answers an unknown route with a 404 problem document', async () => {
    const response = await http.get('/api/nothing-here/');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: expect.any(String),
      instance: '/api/nothing-here/',
      requestId: expect.any(String),
    });
    expect(response.headers.get('x-request-id')).toBe(response.body.requestId);
  });

  it('answers a body over 100 kB with 413', async () => {
    const response = await http.post('/auth/register/', { name: 'x'.repeat(100_001) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('answers invalid JSON with 400 and a body that is not JSON with 415', async () => {
    const invalid = await http.post('/auth/login/', undefined, { raw: '{"email": "a@b.c",' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toMatch(/JSON/);
    const plain = await http.post('/auth/login/', undefined, {
      raw: 'email=a@b.c',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses prototype-polluting keys with 400', async () => {
    const response = await http.post('/auth/login/', undefined, {
      raw: '{"email":"a@example.com","password":"12345678","__proto__":{"admin":true}}',
    });
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('headers', () => {
  it('sends the security headers and no X-Powered-By', async () => {
    const response = await http.get('/health');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  it('allows the configured CORS origins only', async () => {
    const preflight = (origin: string) =>
      http.request('OPTIONS', '/api/doctors/', undefined, {
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GET /docs and /docs-json', () => {
  it('serves Swagger UI', async () => {
    const response = await http.get('/docs');
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/swagger-ui/i);
  });

  it('serves an OpenAPI 3 document with the bearer scheme and the auth endpoints', async () => {
    const { status, body } = await http.get('/docs-json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    for (const path of [
      '/auth/register',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/auth/me',
    ]) {
      expect(Object.keys(body.paths)).toContain(path);
    }
    expect(body.paths['/auth/me'].get.security).toEqual([{ bearer: [] }]);
    expect(
      body.paths['/auth/login'].post.responses['401'].content['application/problem+json'],
    ).toBeDefined();
    expect(body.components.schemas.ProblemDetails.properties).toHaveProperty('errors');
  });
});

describe('GET /health', () => {
  it('answers 200 with the database up, with and without the slash', async () => {
    for (const path of ['/health', '/health/']) {
      const response = await http.get(path);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', database: 'up' });
    }
  });

  it('answers 503 with the database down while it is unreachable, then recovers', async () => {
    const target = new URL(inject('databaseUrl'));
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    target.host = `127.0.0.1:${proxy.port}`;
    const viaProxy = await startApp({ DATABASE_URL: target.toString() });
    try {
      expect((await viaProxy.http.get('/health')).body).toEqual({ status: 'ok', database: 'up' });
      proxy.cutConnections();
      const down = await viaProxy.http.get('/health', { expectServerError: true });
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'error', database: 'down' });
      proxy.restore();
      const up = await viaProxy.http.get('/health');
      expect(up.status).toBe(200);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});
