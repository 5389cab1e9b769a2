import { describe, expect, it } from 'vitest';
import { signUp, useTestServer } from './support/app.js';

const server = useTestServer();

/** What changes from one answer to the next, or describes the connection: not pinned. */
const VOLATILE = new Set(['date', 'x-request-id', 'content-length', 'connection', 'keep-alive']);

/** Every header of the answer but the volatile ones, exactly as sent. */
function pinnedHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !VOLATILE.has(name)));
}

/** The security headers of every routed answer, byte for byte (as @fastify/helmet first sent them). */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
    "frame-ancestors 'self';img-src 'self' data:;object-src 'none';" +
    "script-src 'self' 'unsafe-inline';script-src-attr 'none';style-src 'self' 'unsafe-inline';" +
    'upgrade-insecure-requests',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

describe('security headers', () => {
  it('sends exactly the same headers on JSON, problem documents and the documentation', async () => {
    const account = await signUp(server.http, 'Header Reader');
    const cases = [
      { path: '/health', status: 200, type: 'application/json; charset=utf-8' },
      {
        path: '/api/doctors/',
        token: account.accessToken,
        status: 200,
        type: 'application/json; charset=utf-8',
      },
      { path: '/api/nothing-here/', status: 404, type: 'application/problem+json; charset=utf-8' },
      {
        path: '/api/doctors/',
        status: 401,
        type: 'application/problem+json; charset=utf-8',
        extra: { 'www-authenticate': 'Bearer' },
      },
      { path: '/docs', status: 200, type: 'text/html' },
      { path: '/docs-json', status: 200, type: 'application/json; charset=utf-8' },
    ];
    for (const { path, token, status, type, extra } of cases) {
      const response = await server.http.get(path, token ? { token } : {});
      expect(response.status, path).toBe(status);
      expect(pinnedHeaders(response.headers), `${status} ${path}`).toEqual({
        ...SECURITY_HEADERS,
        'content-type': type,
        ...extra,
      });
    }
  });

  it('sends them on a created resource beside its Location', async () => {
    const account = await signUp(server.http, 'Header Writer');
    const response = await server.http.post(
      '/api/doctors/',
      {
        name: 'Dr. Header',
        specialization: 'Cardiology',
        email: `header-${Date.now()}@example.com`,
      },
      { token: account.accessToken },
    );
    expect(response.status).toBe(201);
    const { location, etag, ...rest } = pinnedHeaders(response.headers);
    expect(location).toBe(`/api/doctors/${response.body.id}/`);
    expect(etag).toBe('"1"');
    expect(rest).toEqual({
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
    });
  });
});
