import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, sql, startApp, type TestApp, uniqueEmail } from './support/app.js';
import type { HttpClient, HttpResponse } from './support/http.js';

const PASSWORD = 'correct horse battery staple';
const WRONG = 'wrong password, again';
/** Failed attempts in a row that lock an email (LOGIN_THROTTLE.maxFailures). */
const MAX_FAILURES = 5;

let server: TestApp;
let http: HttpClient;

beforeAll(async () => {
  server = await startApp();
  http = server.http;
});
afterAll(() => server.close());

function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

function login(email: string, password: string, client: HttpClient = http) {
  return client.post('/auth/login/', { email, password });
}

async function failTimes(email: string, times: number, client: HttpClient = http) {
  for (let i = 0; i < times; i += 1) {
    expect((await login(email, WRONG, client)).status).toBe(401);
  }
}

/** Parts of an answer that differ between any two requests: the clock and the request id. */
const PER_REQUEST_HEADERS = ['date', 'keep-alive', 'x-request-id'];

/** What a client can observe of an answer, less what differs between any two requests. */
function observable(response: HttpResponse) {
  const headers = Object.fromEntries(
    [...response.headers.entries()].filter(([name]) => !PER_REQUEST_HEADERS.includes(name)),
  );
  const body = { ...(response.body as Record<string, unknown>) };
  delete body.requestId;
  return { status: response.status, headers, body };
}

async function throttleRow(email: string) {
  const rows = await sql(
    `SELECT failures, locked_until, updated_at,
            extract(epoch FROM locked_until - updated_at)::int AS lock_seconds,
            locked_until > now() AS locked
     FROM login_throttles WHERE email_hash = $1`,
    [emailHash(email)],
  );
  return rows[0] as
    | { failures: number; locked_until: Date | null; lock_seconds: number | null; locked: boolean }
    | undefined;
}

/** Ends the email's lock as if its time had passed. */
async function expireLock(email: string) {
  await sql(
    `UPDATE login_throttles SET locked_until = now() - interval '1 second' WHERE email_hash = $1`,
    [emailHash(email)],
  );
}

describe('account lock after repeated failed logins', () => {
  let account: Account;
  beforeAll(async () => {
    account = await signUp(http, 'Locked Out');
  });

  it(`locks after ${MAX_FAILURES} wrong passwords: the right one then gets the same 401 as a wrong one`, async () => {
    await failTimes(account.email, MAX_FAILURES);
    const right = await login(account.email, PASSWORD);
    const wrong = await login(account.email, WRONG);
    expect(right.status).toBe(401);
    expect(right.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(right.headers.get('retry-after')).toBeNull();
    expect(observable(right)).toEqual(observable(wrong));
    expect(right.body.detail).toBe('The email or password is incorrect.');

    const row = await throttleRow(account.email);
    expect(row).toMatchObject({ failures: MAX_FAILURES, locked: true, lock_seconds: 60 });
  });

  it('does not extend the lock while attempts keep coming', async () => {
    const before = await throttleRow(account.email);
    await failTimes(account.email, 3);
    expect((await login(account.email, PASSWORD)).status).toBe(401);
    expect(await throttleRow(account.email)).toEqual(before);
  });

  it('leaves other accounts alone', async () => {
    const other = await signUp(http, 'Unaffected');
    expect((await login(other.email, PASSWORD)).status).toBe(200);
    expect((await login(account.email, PASSWORD)).status).toBe(401);
  });

  it('ends when the lock expires: the right password works and resets the count', async () => {
    await expireLock(account.email);
    const response = await login(account.email, PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body.tokenType).toBe('Bearer');
    expect(await throttleRow(account.email)).toBeUndefined();
  });
});

describe('back-off', () => {
  it('locks again at the first failure after a lock, for twice as long, capped at 15 minutes', async () => {
    const { email } = await signUp(http, 'Back Off');
    await failTimes(email, MAX_FAILURES);
    expect(await throttleRow(email)).toMatchObject({ failures: 5, lock_seconds: 60 });

    for (const [failures, seconds] of [
      [6, 120],
      [7, 240],
      [8, 480],
      [9, 900],
      [10, 900],
    ]) {
      await expireLock(email);
      expect((await login(email, WRONG)).status).toBe(401);
      expect(await throttleRow(email)).toMatchObject({
        failures,
        locked: true,
        lock_seconds: seconds,
      });
      expect((await login(email, PASSWORD)).status).toBe(401);
    }

    await sql(`UPDATE login_throttles SET failures = 1000 WHERE email_hash = $1`, [
      emailHash(email),
    ]);
    await expireLock(email);
    await failTimes(email, 1);
    expect(await throttleRow(email)).toMatchObject({ failures: 1001, lock_seconds: 900 });
  });

  it('forgets a streak with no attempt for a day', async () => {
    const { email } = await signUp(http, 'Forgotten');
    await failTimes(email, MAX_FAILURES - 1);
    await sql(
      `UPDATE login_throttles SET updated_at = now() - interval '25 hours' WHERE email_hash = $1`,
      [emailHash(email)],
    );
    await failTimes(email, 1);
    expect(await throttleRow(email)).toMatchObject({ failures: 1, locked_until: null });
  });
});

describe('successful login', () => {
  it('resets the count of failures', async () => {
    const { email } = await signUp(http, 'Typo Prone');
    for (let round = 0; round < 3; round += 1) {
      await failTimes(email, MAX_FAILURES - 1);
      expect((await login(email, PASSWORD)).status).toBe(200);
      expect(await throttleRow(email)).toBeUndefined();
    }
  });
});

describe('unknown emails', () => {
  it('are counted and locked exactly like known ones, so a lock tells nothing', async () => {
    const known = await signUp(http, 'Known');
    const unknown = uniqueEmail('nobody');
    await failTimes(known.email, MAX_FAILURES);
    await failTimes(unknown, MAX_FAILURES);

    const lockedKnown = await login(known.email, PASSWORD);
    const lockedUnknown = await login(unknown, PASSWORD);
    expect(lockedKnown.status).toBe(401);
    expect(observable(lockedUnknown)).toEqual(observable(lockedKnown));

    const [knownRow, unknownRow] = [await throttleRow(known.email), await throttleRow(unknown)];
    expect(unknownRow).toMatchObject({ failures: MAX_FAILURES, locked: true });
    expect({ ...unknownRow, locked_until: null, updated_at: null }).toEqual({
      ...knownRow,
      locked_until: null,
      updated_at: null,
    });
  });

  it('before the lock, also answer like a wrong password', async () => {
    const known = await signUp(http, 'Known Too');
    const wrong = await login(known.email, WRONG);
    const unknown = await login(uniqueEmail('nobody'), PASSWORD);
    expect(observable(unknown)).toEqual(observable(wrong));
  });

  it('are stored only as a SHA-256 hash', async () => {
    const email = uniqueEmail('private');
    await failTimes(email, 1);
    const rows = await sql(`SELECT * FROM login_throttles WHERE email_hash = $1`, [
      emailHash(email),
    ]);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]).sort()).toEqual([
      'email_hash',
      'failures',
      'locked_until',
      'updated_at',
    ]);
    const everything = JSON.stringify(await sql(`SELECT * FROM login_throttles`));
    expect(everything).not.toContain('@');
  });
});

describe('concurrent attempts', () => {
  it(`check at most ${MAX_FAILURES} passwords between two locks`, async () => {
    const { email } = await signUp(http, 'Parallel');
    const responses = await Promise.all(Array.from({ length: 20 }, () => login(email, WRONG)));
    expect(responses.every((response) => response.status === 401)).toBe(true);
    expect(await throttleRow(email)).toMatchObject({ failures: MAX_FAILURES, locked: true });
    expect((await login(email, PASSWORD)).status).toBe(401);
  });
});

describe('registration refuses weak passwords', () => {
  async function expectPasswordRefused(email: string, password: string, message: RegExp) {
    const response = await http.post('/auth/register/', { name: 'Weak', email, password });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
    expect(response.body.errors[0].message).toMatch(message);
    const rows = await sql('SELECT 1 FROM users WHERE email = $1', [email.trim().toLowerCase()]);
    expect(rows).toEqual([]);
  }

  it.each(['password', '12345678', 'qwerty123', 'PassWord1', 'ILOVEYOU', 'sunshine', 'P@ssw0rd!'])(
    'refuses the easily guessed password %s with a 400 naming password',
    async (password) => {
      await expectPasswordRefused(uniqueEmail(), password, /too easy to guess/);
    },
  );

  it('refuses the email itself, in any case, and its part before the @', async () => {
    const email = uniqueEmail('Self');
    await expectPasswordRefused(email, email, /too easy to guess/);
    await expectPasswordRefused(email, email.toUpperCase(), /too easy to guess/);
    await expectPasswordRefused(` ${email} `, email.split('@')[0], /too easy to guess/);
  });

  it('still accepts a password that is neither', async () => {
    const response = await http.post('/auth/register/', {
      name: 'Strong',
      email: uniqueEmail(),
      password: 'Tr0ub4dor & 3 staples',
    });
    expect(response.status).toBe(201);
  });

  it('reports the password rule together with other invalid fields', async () => {
    const response = await http.post('/auth/register/', {
      name: '',
      email: uniqueEmail(),
      password: 'password',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'name',
      'password',
    ]);
  });
});

describe('on the embedded database (PGlite)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'healthcare-throttle-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('locks, refuses concurrent attempts past the limit, and leaves others alone', async () => {
    const app = await startApp({ DATABASE_URL: '', DATA_DIR: dataDir });
    try {
      const email = uniqueEmail();
      const other = uniqueEmail();
      for (const address of [email, other]) {
        const registered = await app.http.post('/auth/register/', {
          name: 'Embedded',
          email: address,
          password: PASSWORD,
        });
        expect(registered.status).toBe(201);
      }
      const attempts = await Promise.all(
        Array.from({ length: 8 }, () => login(email, WRONG, app.http)),
      );
      expect(attempts.every((response) => response.status === 401)).toBe(true);
      expect((await login(email, PASSWORD, app.http)).status).toBe(401);
      expect((await login(other, PASSWORD, app.http)).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 120_000);
});
