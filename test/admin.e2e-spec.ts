import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, sql, useTestServer, uniqueEmail } from './support/app.js';
import { createDoctor, createPatient, problemOf } from './support/records.js';

const PASSWORD = 'correct horse battery staple';

const { http } = useTestServer();
let admin: Account;
let user: Account;

/** Registers and logs in an account, then makes it an administrator in the database. */
async function signUpAdmin(name = 'Admin'): Promise<Account> {
  const account = await signUp(http, name);
  await sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [account.id]);
  return account;
}

beforeAll(async () => {
  admin = await signUpAdmin();
  user = await signUp(http);
});

describe('roles', () => {
  it('registers every account as a user, and shows the role in /auth/me/', async () => {
    expect((await http.get('/auth/me/', { token: user.accessToken })).body.role).toBe('user');
    expect((await http.get('/auth/me/', { token: admin.accessToken })).body.role).toBe('admin');
  });

  it('refuses a role in a register body as read-only', async () => {
    const response = await http.post('/auth/register/', {
      name: 'Climber',
      email: uniqueEmail(),
      password: PASSWORD,
      role: 'admin',
    });
    expect(problemOf(response, 400).errors).toEqual([
      { field: 'role', message: 'role is read-only' },
    ]);
  });

  it('gives administrators no access to other users’ patients or mappings', async () => {
    const doctor = await createDoctor(http, user.accessToken);
    const patient = await createPatient(http, user.accessToken, doctor.id);
    problemOf(await http.get(`/api/patients/${patient.id}/`, { token: admin.accessToken }), 404);
    const patients = await http.get('/api/patients/', { token: admin.accessToken });
    expect(patients.body.items.map((item: { id: string }) => item.id)).not.toContain(patient.id);
    const mappings = await http.get(`/api/mappings/?patientId=${patient.id}`, {
      token: admin.accessToken,
    });
    expect(mappings.body.total).toBe(0);
  });
});

describe('admin routes: 401 without a token, 403 for a user, 200 for an administrator', () => {
  const routes: [string, string, (id: string) => string, unknown?][] = [
    ['GET', 'the list', () => '/api/admin/users/', undefined],
    ['GET', 'an account', (id) => `/api/admin/users/${id}/`, undefined],
    ['PATCH', 'an account', (id) => `/api/admin/users/${id}/`, { role: 'user' }],
  ];

  it.each(routes)('%s %s', async (method, _what, path, body) => {
    const target = await signUp(http);
    const url = path(target.id);
    const anonymous = await http.request(method, url, body);
    problemOf(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forbidden = problemOf(
      await http.request(method, url, body, { token: user.accessToken }),
      403,
    );
    expect(forbidden.detail).toMatch(/admin/);
    const allowed = await http.request(method, url, body, { token: admin.accessToken });
    expect(allowed.status, allowed.text).toBe(200);
  });

  it('follows the role as it is now: revoked, the former administrator gets a 403', async () => {
    const former = await signUpAdmin();
    expect((await http.get('/api/admin/users/', { token: former.accessToken })).status).toBe(200);
    await sql(`UPDATE users SET role = 'user' WHERE id = $1`, [former.id]);
    problemOf(await http.get('/api/admin/users/', { token: former.accessToken }), 403);
  });
});

describe('GET /api/admin/users/', () => {
  const marker = `Zeta${randomUUID().slice(0, 8)}`;
  let accounts: Account[];

  beforeAll(async () => {
    accounts = [];
    for (const name of ['Bravo', 'Alpha', 'Charlie']) {
      accounts.push(await signUp(http, `${marker} ${name}`));
    }
    await sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [accounts[2].id]);
    await sql(`UPDATE users SET disabled = true WHERE id = $1`, [accounts[0].id]);
  });

  const list = async (query: string) => {
    const response = await http.get(`/api/admin/users/?q=${marker}&${query}`, {
      token: admin.accessToken,
    });
    expect(response.status, response.text).toBe(200);
    return response.body;
  };

  it('answers a page of { id, name, email, role, disabled, createdAt }, newest first', async () => {
    const page = await list('');
    expect(page).toMatchObject({ total: 3, limit: 20, offset: 0 });
    expect(page.items.map((item: { id: string }) => item.id)).toEqual(
      accounts.map((account) => account.id).reverse(),
    );
    expect(Object.keys(page.items[0]).sort()).toEqual([
      'createdAt',
      'disabled',
      'email',
      'id',
      'name',
      'role',
    ]);
    expect(page.items[2]).toMatchObject({ role: 'user', disabled: true });
  });

  it('filters by q over the name or the email, by role and by disabled', async () => {
    const byEmail = await http.get(`/api/admin/users/?q=${accounts[1].email.toUpperCase()}`, {
      token: admin.accessToken,
    });
    expect(byEmail.body.items.map((item: { id: string }) => item.id)).toEqual([accounts[1].id]);
    expect((await list('role=admin')).items.map((item: { id: string }) => item.id)).toEqual([
      accounts[2].id,
    ]);
    expect((await list('disabled=true')).items.map((item: { id: string }) => item.id)).toEqual([
      accounts[0].id,
    ]);
    expect((await list('disabled=false')).total).toBe(2);
  });

  it('sorts by name, email and createdAt', async () => {
    const names = (page: { items: { name: string }[] }) => page.items.map((item) => item.name);
    expect(names(await list('sort=name'))).toEqual([
      `${marker} Alpha`,
      `${marker} Bravo`,
      `${marker} Charlie`,
    ]);
    expect(names(await list('sort=-name'))[0]).toBe(`${marker} Charlie`);
    const emails = (await list('sort=email')).items.map((item: { email: string }) => item.email);
    expect(emails).toEqual([...emails].sort());
    expect((await list('sort=createdAt')).items[0].id).toBe(accounts[0].id);
  });

  it.each(['role=root', 'disabled=yes', 'sort=password', 'sort=role', 'limit=0', 'role=a&role=b'])(
    'answers 400 for %s',
    async (query) => {
      problemOf(await http.get(`/api/admin/users/?${query}`, { token: admin.accessToken }), 400);
    },
  );
});

describe('GET /api/admin/users/<id>/', () => {
  it('answers the account, without its password hash', async () => {
    const response = await http.get(`/api/admin/users/${user.id}/`, { token: admin.accessToken });
    expect(response.body).toEqual({
      id: user.id,
      name: user.name,
      email: user.email,
      role: 'user',
      disabled: false,
      createdAt: expect.any(String),
    });
    expect(response.text).not.toMatch(/\$2[aby]\$/);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    problemOf(
      await http.get(`/api/admin/users/${randomUUID()}/`, { token: admin.accessToken }),
      404,
    );
    problemOf(await http.get('/api/admin/users/not-a-uuid/', { token: admin.accessToken }), 400);
  });
});

describe('PATCH /api/admin/users/<id>/', () => {
  it('grants and revokes the role', async () => {
    const target = await signUp(http);
    const granted = await http.patch(
      `/api/admin/users/${target.id}/`,
      { role: 'admin' },
      { token: admin.accessToken },
    );
    expect(granted.body).toMatchObject({ id: target.id, role: 'admin', disabled: false });
    expect((await http.get('/api/admin/users/', { token: target.accessToken })).status).toBe(200);
    await http.patch(
      `/api/admin/users/${target.id}/`,
      { role: 'user' },
      { token: admin.accessToken },
    );
    problemOf(await http.get('/api/admin/users/', { token: target.accessToken }), 403);
  });

  it('answers 409 when administrators change their own role or disable themselves', async () => {
    const self = `/api/admin/users/${admin.id}/`;
    const token = admin.accessToken;
    expect(problemOf(await http.patch(self, { role: 'user' }, { token }), 409).detail).toMatch(
      /own role/,
    );
    problemOf(await http.patch(self, { disabled: true }, { token }), 409);
    const unchanged = await http.patch(self, { role: 'admin', disabled: false }, { token });
    expect(unchanged.body).toMatchObject({ role: 'admin', disabled: false });
  });

  it.each([
    [{ role: 'root' }, 'role'],
    [{ role: null }, 'role'],
    [{ disabled: 'true' }, 'disabled'],
    [{ disabled: null }, 'disabled'],
    [{ name: 'Renamed' }, 'name'],
    [{ passwordHash: 'x' }, 'passwordHash'],
  ])('answers 400 for %j', async (body, field) => {
    const response = await http.patch(`/api/admin/users/${user.id}/`, body, {
      token: admin.accessToken,
    });
    expect(problemOf(response, 400).errors?.map((error) => error.field)).toEqual([field]);
  });

  it('answers 404 for an unknown account', async () => {
    const response = await http.patch(
      `/api/admin/users/${randomUUID()}/`,
      { disabled: true },
      { token: admin.accessToken },
    );
    problemOf(response, 404);
  });
});

describe('disabled accounts', () => {
  it('cannot log in (the wrong password’s 401) or refresh, and their tokens stop working', async () => {
    const target = await signUp(http);
    const wrongPassword = await http.post('/auth/login/', {
      email: target.email,
      password: 'not the password at all',
    });
    const disabled = await http.patch(
      `/api/admin/users/${target.id}/`,
      { disabled: true },
      { token: admin.accessToken },
    );
    expect(disabled.body).toMatchObject({ disabled: true });

    const login = await http.post('/auth/login/', { email: target.email, password: PASSWORD });
    const anonymized = (problem: object) => ({ ...problem, instance: null, requestId: null });
    expect(anonymized(problemOf(login, 401))).toEqual(anonymized(problemOf(wrongPassword, 401)));
    problemOf(await http.post('/auth/refresh/', { refreshToken: target.refreshToken }), 401);
    problemOf(await http.get('/auth/me/', { token: target.accessToken }), 401);
    const [session] = await sql(`SELECT ended_at FROM sessions WHERE user_id = $1`, [target.id]);
    expect(session.ended_at).toBeInstanceOf(Date);
  });

  it('can log in again once re-enabled', async () => {
    const target = await signUp(http);
    const path = `/api/admin/users/${target.id}/`;
    await http.patch(path, { disabled: true }, { token: admin.accessToken });
    problemOf(await http.post('/auth/login/', { email: target.email, password: PASSWORD }), 401);
    const enabled = await http.patch(path, { disabled: false }, { token: admin.accessToken });
    expect(enabled.body.disabled).toBe(false);
    const login = await http.post('/auth/login/', { email: target.email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect((await http.get('/auth/me/', { token: login.body.accessToken })).status).toBe(200);
    const refreshed = await http.post('/auth/refresh/', { refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
  });
});
