import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { type Account, signUp, useTestServer } from './support/app.js';
import { problemOf } from './support/records.js';

const PASSWORD = 'correct horse battery staple';

const { http } = useTestServer();

const sessionOf = (accessToken: string) => (jwt.decode(accessToken) as { sid: string }).sid;

async function logIn(account: Account, userAgent: string) {
  const response = await http.post(
    '/auth/login/',
    { email: account.email, password: PASSWORD },
    { headers: { 'user-agent': userAgent } },
  );
  expect(response.status).toBe(200);
  return response.body as { accessToken: string; refreshToken: string };
}

function expectEnded(response: { status: number; headers: Headers; body: any }) {
  expect(problemOf(response, 401).detail).toMatch(/session has ended/);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
}

describe('GET /auth/sessions/', () => {
  it("pages the caller's live sessions, marking the current one", async () => {
    const account = await signUp(http);
    const laptop = await logIn(account, 'Laptop/1.0');
    const phone = await logIn(account, 'Phone/2.0');
    const response = await http.get('/auth/sessions/', { token: phone.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: 3, limit: 20, offset: 0 });
    const [newest, second] = response.body.items;
    expect(newest).toEqual({
      id: sessionOf(phone.accessToken),
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      userAgent: 'Phone/2.0',
      current: true,
    });
    expect(second).toMatchObject({
      id: sessionOf(laptop.accessToken),
      userAgent: 'Laptop/1.0',
      current: false,
    });
    const oldestFirst = await http.get('/auth/sessions/?sort=createdAt&limit=1', {
      token: phone.accessToken,
    });
    expect(oldestFirst.body.items.map((item: { id: string }) => item.id)).toEqual([
      sessionOf(account.accessToken),
    ]);
  });

  it('moves lastUsedAt on a refresh, and keeps the session across rotations', async () => {
    const account = await signUp(http);
    const before = (await http.get('/auth/sessions/', { token: account.accessToken })).body
      .items[0];
    await new Promise((wait) => setTimeout(wait, 20));
    const rotated = await http.post('/auth/refresh/', { refreshToken: account.refreshToken });
    expect(sessionOf(rotated.body.accessToken)).toBe(sessionOf(account.accessToken));
    const after = (await http.get('/auth/sessions/', { token: rotated.body.accessToken })).body
      .items[0];
    expect(after.id).toBe(before.id);
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.parse(before.lastUsedAt));
    expect(after.current).toBe(true);
  });

  it('answers 400 for a bad query', async () => {
    const account = await signUp(http);
    problemOf(
      await http.get('/auth/sessions/?sort=userAgent', { token: account.accessToken }),
      400,
    );
  });
});

describe('DELETE /auth/sessions/<id>/', () => {
  it('ends the session: 204, its tokens refused, gone from the list', async () => {
    const account = await signUp(http);
    const other = await logIn(account, 'Other/1.0');
    const response = await http.delete(`/auth/sessions/${sessionOf(other.accessToken)}/`, {
      token: account.accessToken,
    });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectEnded(await http.get('/auth/me/', { token: other.accessToken }));
    problemOf(await http.post('/auth/refresh/', { refreshToken: other.refreshToken }), 401);
    const list = await http.get('/auth/sessions/', { token: account.accessToken });
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([
      sessionOf(account.accessToken),
    ]);
    expect((await http.get('/auth/me/', { token: account.accessToken })).status).toBe(200);
  });

  it("answers 404 for another user's session, an unknown one or an ended one; 400 for a bad id", async () => {
    const owner = await signUp(http);
    const stranger = await signUp(http);
    const path = `/auth/sessions/${sessionOf(owner.accessToken)}/`;
    problemOf(await http.delete(path, { token: stranger.accessToken }), 404);
    expect((await http.get('/auth/me/', { token: owner.accessToken })).status).toBe(200);
    problemOf(
      await http.delete(`/auth/sessions/${randomUUID()}/`, { token: owner.accessToken }),
      404,
    );
    problemOf(await http.delete('/auth/sessions/42/', { token: owner.accessToken }), 400);
    const second = await logIn(owner, 'Second/1.0');
    await http.delete(path, { token: second.accessToken });
    problemOf(await http.delete(path, { token: second.accessToken }), 404);
  });

  it('may end the current session', async () => {
    const account = await signUp(http);
    const path = `/auth/sessions/${sessionOf(account.accessToken)}/`;
    expect((await http.delete(path, { token: account.accessToken })).status).toBe(204);
    expectEnded(await http.get('/auth/sessions/', { token: account.accessToken }));
  });
});

describe('sessions that end', () => {
  it('logout ends the session: its access token is refused too', async () => {
    const account = await signUp(http);
    const logout = await http.post(
      '/auth/logout/',
      { refreshToken: account.refreshToken },
      { token: account.accessToken },
    );
    expect(logout.status).toBe(204);
    expectEnded(await http.get('/auth/me/', { token: account.accessToken }));
  });

  it('reusing a rotated refresh token ends the session, also for the newest access token', async () => {
    const account = await signUp(http);
    const rotated = await http.post('/auth/refresh/', { refreshToken: account.refreshToken });
    expect((await http.get('/auth/me/', { token: rotated.body.accessToken })).status).toBe(200);
    problemOf(await http.post('/auth/refresh/', { refreshToken: account.refreshToken }), 401);
    expectEnded(await http.get('/auth/me/', { token: rotated.body.accessToken }));
    problemOf(await http.post('/auth/refresh/', { refreshToken: rotated.body.refreshToken }), 401);
  });
});
