import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Account, signUp, sql, TEST_JWT_SECRET } from './support/app.js';
import { HttpClient } from './support/http.js';
import { problemOf } from './support/records.js';
import { ServerProcess } from './support/server-process.js';

/** The contract: an ended session's access tokens are refused everywhere within 2 s. */
const REVOCATION_BOUND_MS = 2_000;

const env = () => ({
  NODE_ENV: 'test',
  DATABASE_URL: inject('databaseUrl'),
  JWT_SECRET: TEST_JWT_SECRET,
  BCRYPT_ROUNDS: '4',
  AUTH_RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
});

let instanceA: ServerProcess;
let instanceB: ServerProcess;
let a: HttpClient;
let b: HttpClient;
const delays: Record<string, number> = {};

beforeAll(async () => {
  [instanceA, instanceB] = await Promise.all([
    ServerProcess.start(env()),
    ServerProcess.start(env()),
  ]);
  a = new HttpClient(instanceA.baseUrl);
  b = new HttpClient(instanceB.baseUrl);
}, 90_000);

afterAll(async () => {
  await Promise.all([instanceA?.stop(), instanceB?.stop()]);
  console.log(
    `Revocation delay on the other instance (ms): ${Object.entries(delays)
      .map(([kind, ms]) => `${kind} ${ms.toFixed(0)}`)
      .join(', ')}`,
  );
});

/**
 * Polls instance B with the token until it answers 401, from the moment the ending request
 * on A answered; returns how long that took (or gives up after twice the bound).
 */
async function refusedByB(kind: string, accessToken: string, endedAt: number): Promise<void> {
  let response = await b.get('/auth/me/', { token: accessToken });
  while (response.status === 200 && performance.now() - endedAt < 2 * REVOCATION_BOUND_MS) {
    await new Promise((wait) => setTimeout(wait, 20));
    response = await b.get('/auth/me/', { token: accessToken });
  }
  const delay = performance.now() - endedAt;
  delays[kind] = delay;
  expect(problemOf(response, 401).detail).toMatch(/session has ended/);
  expect(delay, `${kind}: refused after ${delay.toFixed(0)} ms`).toBeLessThan(REVOCATION_BOUND_MS);
}

async function signedUpOnA(): Promise<Account> {
  const account = await signUp(a);
  expect((await b.get('/auth/me/', { token: account.accessToken })).status).toBe(200);
  return account;
}

describe('two instances on one database', () => {
  it('a logout on A: B refuses the access token within 2 s', async () => {
    const account = await signedUpOnA();
    const logout = await a.post(
      '/auth/logout/',
      { refreshToken: account.refreshToken },
      { token: account.accessToken },
    );
    const endedAt = performance.now();
    expect(logout.status).toBe(204);
    await refusedByB('logout', account.accessToken, endedAt);
  });

  it('a session deleted on A: B refuses its access token within 2 s', async () => {
    const account = await signedUpOnA();
    const second = await a.post('/auth/login/', {
      email: account.email,
      password: account.password,
    });
    const sessions = await b.get('/auth/sessions/', { token: second.body.accessToken });
    const target = sessions.body.items.find((item: { current: boolean }) => !item.current);
    const deleted = await a.delete(`/auth/sessions/${target.id}/`, {
      token: second.body.accessToken,
    });
    const endedAt = performance.now();
    expect(deleted.status).toBe(204);
    await refusedByB('session deletion', account.accessToken, endedAt);
    expect((await b.get('/auth/me/', { token: second.body.accessToken })).status).toBe(200);
  });

  it('a refresh token reused on A: B refuses the newest access token within 2 s', async () => {
    const account = await signedUpOnA();
    const rotated = await a.post('/auth/refresh/', { refreshToken: account.refreshToken });
    expect((await b.get('/auth/me/', { token: rotated.body.accessToken })).status).toBe(200);
    const reuse = await a.post('/auth/refresh/', { refreshToken: account.refreshToken });
    const endedAt = performance.now();
    problemOf(reuse, 401);
    await refusedByB('refresh-token reuse', rotated.body.accessToken, endedAt);
  });

  it('an account disabled on A: B refuses its access token within 2 s', async () => {
    const admin = await signUp(a, 'Admin');
    await sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const account = await signedUpOnA();
    const disabled = await a.patch(
      `/api/admin/users/${account.id}/`,
      { disabled: true },
      { token: admin.accessToken },
    );
    const endedAt = performance.now();
    expect(disabled.status).toBe(200);
    await refusedByB('account disabled', account.accessToken, endedAt);
  });

  it('still refuses an ended session after a restart (the set is loaded at start-up)', async () => {
    const account = await signedUpOnA();
    await a.post(
      '/auth/logout/',
      { refreshToken: account.refreshToken },
      { token: account.accessToken },
    );
    await instanceB.stop();
    instanceB = await ServerProcess.start(env());
    b = new HttpClient(instanceB.baseUrl);
    expect(problemOf(await b.get('/auth/me/', { token: account.accessToken }), 401).detail).toMatch(
      /session has ended/,
    );
    const live = await signUp(a);
    expect((await b.get('/auth/me/', { token: live.accessToken })).status).toBe(200);
  }, 60_000);
});
