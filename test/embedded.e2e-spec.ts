import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startApp, uniqueEmail } from './support/app.js';
import { churnMappings } from './support/records.js';

const PASSWORD = 'correct horse battery staple';

describe('embedded PostgreSQL (PGlite), used when DATABASE_URL is not set', () => {
  let dataDir: string;
  const embedded = () => startApp({ DATABASE_URL: '', DATA_DIR: join(dataDir, 'nested', 'data') });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'healthcare-pglite-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('registers, logs in and answers /auth/me, and keeps the user across a restart', async () => {
    const email = uniqueEmail();
    const first = await embedded();
    try {
      expect((await first.http.get('/health')).body).toEqual({ status: 'ok', database: 'up' });
      const registered = await first.http.post('/auth/register/', {
        name: 'Embedded',
        email,
        password: PASSWORD,
      });
      expect(registered.status).toBe(201);
      const login = await first.http.post('/auth/login/', { email, password: PASSWORD });
      const me = await first.http.get('/auth/me/', { token: login.body.accessToken });
      expect(me.body).toMatchObject({ id: registered.body.id, email });
    } finally {
      await first.close();
    }

    const second = await embedded();
    try {
      const login = await second.http.post('/auth/login/', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      const me = await second.http.get('/auth/me/', { token: login.body.accessToken });
      expect(me.body.email).toBe(email);
    } finally {
      await second.close();
    }
  });

  it('behaves as PostgreSQL under concurrent requests, transactions, unique violations and triggers', async () => {
    const app = await embedded();
    try {
      const email = uniqueEmail();
      const sameEmail = await Promise.all(
        Array.from({ length: 20 }, () =>
          app.http.post('/auth/register/', { name: 'Race', email, password: PASSWORD }),
        ),
      );
      expect(sameEmail.map((response) => response.status).sort()).toEqual([
        201,
        ...Array(19).fill(409),
      ]);

      const distinct = await Promise.all(
        Array.from({ length: 10 }, () =>
          app.http.post('/auth/register/', {
            name: 'Many',
            email: uniqueEmail(),
            password: PASSWORD,
          }),
        ),
      );
      expect(distinct.every((response) => response.status === 201)).toBe(true);

      const login = await app.http.post('/auth/login/', { email, password: PASSWORD });
      const refreshes = await Promise.all(
        Array.from({ length: 10 }, () =>
          app.http.post('/auth/refresh/', { refreshToken: login.body.refreshToken }),
        ),
      );
      expect(refreshes.map((response) => response.status).sort()).toEqual([
        200,
        ...Array(9).fill(401),
      ]);

      // The version and history triggers (PL/pgSQL) and If-Match under the row lock, in a new
      // session: the reuse of the refresh token above ended the first one.
      const relogin = await app.http.post('/auth/login/', { email, password: PASSWORD });
      const token = relogin.body.accessToken;
      const doctor = await app.http.post(
        '/api/doctors/',
        { name: 'Dr. Embedded', specialization: 'Triggers', email: uniqueEmail('doctor') },
        { token },
      );
      const edits = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          app.http.patch(
            `/api/doctors/${doctor.body.id}/`,
            { phone: `+1 555 01${index}` },
            { token, headers: { 'if-match': '"1"' } },
          ),
        ),
      );
      expect(edits.map((response) => response.status).sort()).toEqual([200, ...Array(9).fill(412)]);
      const history = await app.http.get(`/api/doctors/${doctor.body.id}/history/`, { token });
      expect(history.body.items.map((entry: { version: number }) => entry.version)).toEqual([2, 1]);
      expect((await app.http.get('/health')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("keeps each owner's count of mappings and the doctors' count under concurrent writes", async () => {
    const app = await embedded();
    try {
      const owner = await signUp(app.http, 'Embedded Counter');
      const token = owner.accessToken;
      const expected = await churnMappings(app.http, token);
      // A short page counts itself; a full one reads the owner's count.
      const all = await app.http.get('/api/mappings/?limit=100', { token });
      expect(all.body.items).toHaveLength(expected);
      expect((await app.http.get('/api/mappings/?limit=1', { token })).body.total).toBe(expected);
      // And the doctors' count, which the directory's total reads.
      const doctors = await app.http.get('/api/doctors/?limit=100', { token });
      expect(doctors.body.items.length).toBeGreaterThanOrEqual(6);
      expect((await app.http.get('/api/doctors/?limit=1', { token })).body.total).toBe(
        doctors.body.items.length,
      );
    } finally {
      await app.close();
    }
  });
});
