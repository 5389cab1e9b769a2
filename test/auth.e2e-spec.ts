import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  signUp,
  sql,
  useTestServer,
  TEST_JWT_SECRET,
  uniqueEmail,
} from './support/app.js';
import { problemOf } from './support/records.js';

const PASSWORD = 'correct horse battery staple';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function expectUnauthorized(response: { status: number; headers: Headers; body: any }) {
  problemOf(response, 401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const { http } = useTestServer();

describe('POST /auth/register/', () => {
  it('creates an account: 201, the account, a Location, email trimmed and lowercased', async () => {
    const email = uniqueEmail('Mixed.Case');
    const response = await http.post('/auth/register/', {
      name: '  Grace Hopper  ',
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBeTruthy();
    expect(Object.keys(response.body).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'role']);
    expect(response.body.role).toBe('user');
    expect(response.body).toMatchObject({ name: 'Grace Hopper', email: email.toLowerCase() });
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.createdAt).toMatch(ISO_UTC);
  });

  it('also answers without the trailing slash', async () => {
    const response = await http.post('/auth/register', {
      name: 'No Slash',
      email: uniqueEmail(),
      password: PASSWORD,
    });
    expect(response.status).toBe(201);
  });

  it('stores the password only as a bcrypt hash', async () => {
    const email = uniqueEmail();
    await http.post('/auth/register/', { name: 'Hash', email, password: PASSWORD });
    const [row] = await sql('SELECT password_hash FROM users WHERE email = $1', [email]);
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('answers 409 for an email already registered, whatever its case', async () => {
    const email = uniqueEmail();
    expect(
      (await http.post('/auth/register/', { name: 'A', email, password: PASSWORD })).status,
    ).toBe(201);
    const duplicate = await http.post('/auth/register/', {
      name: 'B',
      email: ` ${email.toUpperCase()}`,
      password: PASSWORD,
    });
    problemOf(duplicate, 409);
    expect(duplicate.text).not.toMatch(/users_email_key|duplicate key|INSERT/i);
  });

  it('gives exactly one 201 when the same email registers concurrently', async () => {
    const email = uniqueEmail();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        http.post('/auth/register/', { name: 'Race', email, password: PASSWORD }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
  });

  it.each([
    ['a missing name', { email: 'a@example.com', password: PASSWORD }, 'name'],
    ['a blank name', { name: '   ', email: 'a@example.com', password: PASSWORD }, 'name'],
    ['a null name', { name: null, email: 'a@example.com', password: PASSWORD }, 'name'],
    ['a numeric name', { name: 42, email: 'a@example.com', password: PASSWORD }, 'name'],
    [
      'a name of 101 characters',
      { name: 'n'.repeat(101), email: 'a@example.com', password: PASSWORD },
      'name',
    ],
    [
      'a control character',
      { name: 'a\u0007b', email: 'a@example.com', password: PASSWORD },
      'name',
    ],
    ['an invalid email', { name: 'A', email: 'not-an-email', password: PASSWORD }, 'email'],
    [
      'an email over 254 characters',
      { name: 'A', email: `${'e'.repeat(250)}@example.com`, password: PASSWORD },
      'email',
    ],
    [
      'a password of 7 bytes',
      { name: 'A', email: 'a@example.com', password: '1234567' },
      'password',
    ],
    [
      'a password of 73 bytes',
      { name: 'A', email: 'a@example.com', password: 'é'.repeat(36) + 'x' },
      'password',
    ],
    [
      'an unknown property',
      { name: 'A', email: 'a@example.com', password: PASSWORD, role: 'admin' },
      'role',
    ],
    [
      'a read-only property',
      { name: 'A', email: 'a@example.com', password: PASSWORD, id: 'x' },
      'id',
    ],
  ])('answers 400 naming the field for %s', async (_case, body, field) => {
    const response = await http.post('/auth/register/', body);
    problemOf(response, 400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('accepts a strong password of exactly 72 bytes', async () => {
    const password = `${'é'.repeat(18)} violet kettle 9 lamps quiz jab! vow`;
    expect(Buffer.byteLength(password)).toBe(72);
    const response = await http.post('/auth/register/', {
      name: 'Bytes',
      email: uniqueEmail(),
      password,
    });
    expect(response.status).toBe(201);
  });

  it('judges an 8-byte password by its strength, not its length', async () => {
    const response = await http.post('/auth/register/', {
      name: 'Bytes',
      email: uniqueEmail(),
      password: 'Zq8#vL2!',
    });
    const problem = problemOf(response, 400);
    expect(problem.errors).toEqual([
      { field: 'password', message: expect.stringMatching(/^password is too easy to guess/) },
    ]);
  });

  it('answers 400 for a body that is not JSON or not an object', async () => {
    problemOf(await http.post('/auth/register/', undefined, { raw: '{"name": ' }), 400);
    problemOf(await http.post('/auth/register/', [1, 2]), 400);
    problemOf(await http.post('/auth/register/', 'text'), 400);
  });
});

describe('POST /auth/login/', () => {
  let account: Account;
  beforeAll(async () => {
    account = await signUp(http, 'Login User');
  });

  it('answers 200 with a Bearer pair for the right password, matching the email as stored', async () => {
    const response = await http.post('/auth/login/', {
      email: `  ${account.email.toUpperCase()}  `,
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual([
      'accessToken',
      'expiresIn',
      'refreshToken',
      'tokenType',
    ]);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(response.body.refreshToken).not.toBe(response.body.accessToken);
  });

  it('issues an HS256 access token with sub, jti, iat, exp, iss and aud', () => {
    const decoded = jwt.decode(account.accessToken, { complete: true }) as jwt.Jwt;
    expect(decoded.header.alg).toBe('HS256');
    const payload = decoded.payload as jwt.JwtPayload;
    expect(payload.sub).toBe(account.id);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(payload.iss).toBe('healthcare-api');
    expect(payload.aud).toBe('healthcare-api');
  });

  it('answers the same 401 for an unknown email and for a wrong password', async () => {
    const wrongPassword = await http.post('/auth/login/', {
      email: account.email,
      password: 'wrong password',
    });
    const unknownEmail = await http.post('/auth/login/', {
      email: uniqueEmail(),
      password: PASSWORD,
    });
    expectUnauthorized(wrongPassword);
    expectUnauthorized(unknownEmail);
    expect({ ...wrongPassword.body, instance: null, requestId: null }).toEqual({
      ...unknownEmail.body,
      instance: null,
      requestId: null,
    });
  });

  it('answers 400 for a malformed body', async () => {
    problemOf(await http.post('/auth/login/', { email: account.email }), 400);
    problemOf(await http.post('/auth/login/', { email: account.email, password: 12345678 }), 400);
  });
});

describe('GET /auth/me/', () => {
  let account: Account;
  beforeAll(async () => {
    account = await signUp(http, 'Me User');
  });

  /** Signs `payload`, in the session of the account's login unless it names one. */
  function sign(payload: object, options: jwt.SignOptions = {}, secret = TEST_JWT_SECRET) {
    const { sid } = jwt.decode(account.accessToken) as { sid: string };
    return jwt.sign({ sid, ...payload }, secret, {
      algorithm: 'HS256',
      ...('exp' in payload ? {} : { expiresIn: 60 }),
      issuer: 'healthcare-api',
      audience: 'healthcare-api',
      jwtid: 'test',
      ...options,
    });
  }

  it('answers 200 with the account for a valid access token, with and without the slash', async () => {
    for (const path of ['/auth/me/', '/auth/me']) {
      const response = await http.get(path, { token: account.accessToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: account.id,
        name: 'Me User',
        email: account.email,
        role: 'user',
        createdAt: expect.stringMatching(ISO_UTC),
      });
    }
  });

  it('accepts a token it signed itself (the forging helper is sound)', async () => {
    const response = await http.get('/auth/me/', { token: sign({ sub: account.id }) });
    expect(response.status).toBe(200);
  });

  it.each([
    ['no token', undefined, undefined],
    ['a malformed header', undefined, { authorization: 'Token abc' }],
    ['a malformed token', 'not.a.jwt', undefined],
  ])('answers 401 with WWW-Authenticate for %s', async (_case, token, headers) => {
    expectUnauthorized(await http.get('/auth/me/', { token, headers }));
  });

  it('answers 401 for a tampered, expired, foreign-signed, alg none or misaddressed token', async () => {
    const [header, payload, signature] = account.accessToken.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        sub: '00000000-0000-4000-8000-000000000000',
      }),
    ).toString('base64url');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const tokens = {
      tampered: `${header}.${forgedPayload}.${signature}`,
      expired: sign({ sub: account.id, exp: Math.floor(Date.now() / 1000) - 10 }),
      foreign: sign({ sub: account.id }, {}, 'another-secret-that-is-at-least-32-characters'),
      algNone: unsigned,
      wrongIssuer: sign({ sub: account.id }, { issuer: 'someone-else' }),
      wrongAudience: sign({ sub: account.id }, { audience: 'someone-else' }),
      noJti: jwt.sign({ sub: account.id }, TEST_JWT_SECRET, {
        issuer: 'healthcare-api',
        audience: 'healthcare-api',
      }),
      noSessionId: sign({ sub: account.id, sid: undefined }),
      refreshTokenAsAccess: account.refreshToken,
    };
    for (const [kind, token] of Object.entries(tokens)) {
      const response = await http.get('/auth/me/', { token });
      expect(response.status, kind).toBe(401);
      expectUnauthorized(response);
    }
    const expired = await http.get('/auth/me/', { token: tokens.expired });
    expect(expired.body.detail).toMatch(/expired/);
  });
});

describe('POST /auth/refresh/', () => {
  it('rotates: a new pair, and the old refresh token stops working', async () => {
    const account = await signUp(http);
    const rotated = await http.post('/auth/refresh/', { refreshToken: account.refreshToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(rotated.body.refreshToken).not.toBe(account.refreshToken);
    expect((await http.get('/auth/me/', { token: rotated.body.accessToken })).status).toBe(200);
    expectUnauthorized(await http.post('/auth/refresh/', { refreshToken: account.refreshToken }));
  });

  it('revokes every token descended from the login when a rotated token is reused', async () => {
    const account = await signUp(http);
    const otherLogin = await http.post('/auth/login/', {
      email: account.email,
      password: PASSWORD,
    });
    const second = await http.post('/auth/refresh/', { refreshToken: account.refreshToken });
    const third = await http.post('/auth/refresh/', { refreshToken: second.body.refreshToken });
    expect(third.status).toBe(200);

    expectUnauthorized(await http.post('/auth/refresh/', { refreshToken: account.refreshToken }));
    expectUnauthorized(
      await http.post('/auth/refresh/', { refreshToken: third.body.refreshToken }),
    );
    const otherFamily = await http.post('/auth/refresh/', {
      refreshToken: otherLogin.body.refreshToken,
    });
    expect(otherFamily.status).toBe(200);
  });

  it('gives exactly one new pair when the same token is refreshed concurrently', async () => {
    const account = await signUp(http);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        http.post('/auth/refresh/', { refreshToken: account.refreshToken }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([
      200,
      ...Array(7).fill(401),
    ]);
  });

  it('answers 401 for an expired, unknown or access token, and 400 for a missing one', async () => {
    const account = await signUp(http);
    await sql(
      `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`,
      [sha256(account.refreshToken)],
    );
    expectUnauthorized(await http.post('/auth/refresh/', { refreshToken: account.refreshToken }));
    expectUnauthorized(await http.post('/auth/refresh/', { refreshToken: 'unknown-token' }));
    expectUnauthorized(await http.post('/auth/refresh/', { refreshToken: account.accessToken }));
    problemOf(await http.post('/auth/refresh/', {}), 400);
  });

  it('keeps only a hash of each refresh token', async () => {
    const account = await signUp(http);
    const rows = await sql(
      'SELECT token_hash FROM refresh_tokens WHERE token_hash = $1 OR token_hash = $2',
      [sha256(account.refreshToken), account.refreshToken],
    );
    expect(rows).toEqual([{ token_hash: sha256(account.refreshToken) }]);
  });
});

describe('POST /auth/logout/', () => {
  it('answers 204 with no body, and the refresh token stops working', async () => {
    const account = await signUp(http);
    const response = await http.post(
      '/auth/logout/',
      { refreshToken: account.refreshToken },
      { token: account.accessToken },
    );
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectUnauthorized(await http.post('/auth/refresh/', { refreshToken: account.refreshToken }));
    expectUnauthorized(
      await http.post(
        '/auth/logout/',
        { refreshToken: account.refreshToken },
        { token: account.accessToken },
      ),
    );
  });

  it("answers 401 without an access token, and for another user's refresh token", async () => {
    const alice = await signUp(http);
    const bob = await signUp(http);
    expectUnauthorized(await http.post('/auth/logout/', { refreshToken: alice.refreshToken }));
    expectUnauthorized(
      await http.post(
        '/auth/logout/',
        { refreshToken: alice.refreshToken },
        { token: bob.accessToken },
      ),
    );
    expect((await http.post('/auth/refresh/', { refreshToken: alice.refreshToken })).status).toBe(
      200,
    );
  });
});

describe('rate limit on register and login', () => {
  const limited = useTestServer({ AUTH_RATE_LIMIT: '3' });

  it('answers 429 with Retry-After past AUTH_RATE_LIMIT attempts a minute, per endpoint', async () => {
    const attempt = () =>
      limited.http.post('/auth/login/', { email: uniqueEmail(), password: PASSWORD });
    for (let i = 0; i < 3; i += 1) expect((await attempt()).status).toBe(401);
    const refused = await attempt();
    problemOf(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const register = await limited.http.post('/auth/register/', {
      name: 'R',
      email: uniqueEmail(),
      password: PASSWORD,
    });
    expect(register.status).toBe(201);
  });
});
