import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql, uniqueEmail } from './support/app.js';
import { HttpClient } from './support/http.js';
import { emptyFolder, ServerProcess } from './support/server-process.js';

const CLI = resolve(import.meta.dirname, '../dist/src/cli.js');
const PASSWORD = 'correct horse battery staple';

interface CliResult {
  code: number | null;
  /** Everything it printed, standard output and error together, trimmed. */
  output: string;
}

/** Runs the built CLI as a process with exactly `env` (plus PATH), `input` on its stdin. */
function cli(args: string[], env: Record<string, string>, input = ''): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: emptyFolder(),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', BCRYPT_ROUNDS: '4', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (output += chunk));
    }
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, output: output.trim() }));
    child.stdin.end(input);
  });
}

const onTestDatabase = () => ({ DATABASE_URL: inject('databaseUrl') });

function expectOneLine(result: CliResult, code: 0 | 1, pattern: RegExp): void {
  expect(result.code, result.output).toBe(code);
  expect(result.output).toMatch(pattern);
  expect(result.output).not.toContain('\n');
}

/** The audit events of operator commands about the account with `email`, oldest first. */
async function commandEventsOf(email: string) {
  return sql(
    `SELECT e.action, e.outcome, e.status, e.actor_id AS "actorId", e.resource_type AS "resourceType",
            e.client_address AS "clientAddress", e.user_agent AS "userAgent",
            e.request_id IS NOT NULL AS "hasRequestId"
     FROM audit_events e JOIN users u ON u.id = e.resource_id
     WHERE u.email = $1 ORDER BY e.recorded_at`,
    [email],
  );
}

/**
 * What an operator command's event holds: no address, only which command it was, and no actor
 * but the account it creates (whoever has the shell is not known).
 */
function commandEvent(action: string, status: number, command: string, actorId: string | null) {
  return {
    action,
    outcome: 'success',
    status,
    actorId,
    resourceType: 'user',
    clientAddress: null,
    userAgent: `cli ${command}`,
    hasRequestId: true,
  };
}

async function roleOf(email: string): Promise<string | undefined> {
  const [row] = await sql<{ role: string }>('SELECT role FROM users WHERE email = $1', [email]);
  return row?.role;
}

describe('npm run cli -- create-admin', () => {
  it('creates an administrator from the password on standard input', async () => {
    const email = uniqueEmail('Admin');
    const args = ['create-admin', '--email', email, '--name', 'Ada Admin'];
    expectOneLine(
      await cli(args, onTestDatabase(), `${PASSWORD}\n`),
      0,
      /^Created the administrator/,
    );
    expect(await roleOf(email.toLowerCase())).toBe('admin');
    const [row] = await sql('SELECT name, password_hash FROM users WHERE email = $1', [
      email.toLowerCase(),
    ]);
    expect(row.name).toBe('Ada Admin');
    expect(row.password_hash).toMatch(/^\$2[aby]\$04\$/);
    const [{ id }] = await sql('SELECT id FROM users WHERE email = $1', [email.toLowerCase()]);
    expect(await commandEventsOf(email.toLowerCase())).toEqual([
      commandEvent('auth.register', 201, 'create-admin', id),
    ]);
  });

  it('refuses a duplicate email, exit 1', async () => {
    const email = uniqueEmail();
    const args = ['create-admin', '--email', email, '--name', 'First'];
    expect((await cli(args, onTestDatabase(), PASSWORD)).code).toBe(0);
    expectOneLine(await cli(args, onTestDatabase(), PASSWORD), 1, /already registered/);
  });

  it.each([
    ['a common password', 'password1', /password is too easy to guess/],
    ['a password that is the email', 'EMAIL', /password is too easy to guess/],
    ['a short password', 'short', /password must be at least 8 bytes/],
    ['no password', '', /password/],
  ])('applies the registration rules: refuses %s, exit 1', async (_case, password, reason) => {
    const email = uniqueEmail();
    const input = password === 'EMAIL' ? email : password;
    const args = ['create-admin', '--email', email, '--name', 'Weak'];
    expectOneLine(await cli(args, onTestDatabase(), input), 1, reason);
    expect(await roleOf(email)).toBeUndefined();
  });

  it('refuses an invalid email or name with the registration messages', async () => {
    const args = ['create-admin', '--email', 'not-an-email', '--name', '  '];
    const result = await cli(args, onTestDatabase(), PASSWORD);
    expectOneLine(result, 1, /email must be an email address/);
  });

  it('exits 1 with one line when the database cannot be reached', async () => {
    const args = ['create-admin', '--email', uniqueEmail(), '--name', 'Nobody'];
    const unreachable = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/healthcare' };
    expectOneLine(await cli(args, unreachable, PASSWORD), 1, /database is unreachable/);
  });
});

describe('npm run cli -- grant-admin / revoke-admin', () => {
  it('grants and revokes the role of an existing account, by email in any case', async () => {
    const email = uniqueEmail();
    await sql(`INSERT INTO users (name, email, password_hash) VALUES ('Grace', $1, $2)`, [
      email,
      '$2b$04$abcdefghijklmnopqrstuuJf6Ghd1sBnqL8Ilo0xqZ3F9J1b4bGTu',
    ]);
    expectOneLine(await cli(['grant-admin', email.toUpperCase()], onTestDatabase()), 0, /is now/);
    expect(await roleOf(email)).toBe('admin');
    expectOneLine(await cli(['revoke-admin', email], onTestDatabase()), 0, /no longer/);
    expect(await roleOf(email)).toBe('user');
    expect(await commandEventsOf(email)).toEqual([
      commandEvent('user.update', 200, 'grant-admin', null),
      commandEvent('user.update', 200, 'revoke-admin', null),
    ]);
  });

  it('exits 1 for an unknown email', async () => {
    const result = await cli(['grant-admin', uniqueEmail()], onTestDatabase());
    expectOneLine(result, 1, /^No account has the email/);
  });
});

describe('npm run cli -- --help', () => {
  it('lists the commands and exits 0', async () => {
    const result = await cli(['--help'], onTestDatabase());
    expect(result.code).toBe(0);
    for (const command of ['create-admin', 'grant-admin <email>', 'revoke-admin <email>']) {
      expect(result.output).toContain(command);
    }
  });

  it('exits 1 naming a missing option', async () => {
    const result = await cli(['create-admin', '--name', 'No Email'], onTestDatabase(), PASSWORD);
    expectOneLine(result, 1, /--email/);
  });
});

describe('the CLI on the embedded database', () => {
  let dataDir: string;
  const embedded = () => ({ DATA_DIR: dataDir });

  beforeAll(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'healthcare-cli-')), 'data');
  });
  afterAll(() => rm(resolve(dataDir, '..'), { recursive: true, force: true }));

  it('says so and exits 1 while a server holds it, then works once the server has stopped', async () => {
    const email = uniqueEmail();
    const args = ['create-admin', '--email', email, '--name', 'Embedded Admin'];
    let server = await ServerProcess.start({ NODE_ENV: 'test', LOG_LEVEL: 'warn', ...embedded() });
    try {
      expectOneLine(await cli(args, embedded(), PASSWORD), 1, /in use by another process/);
      const health = await new HttpClient(server.baseUrl).get('/health');
      expect(health.body).toEqual({ status: 'ok', database: 'up' });
    } finally {
      expect(await server.stop()).toBe(0);
    }

    expectOneLine(await cli(args, embedded(), PASSWORD), 0, /^Created the administrator/);

    server = await ServerProcess.start({ NODE_ENV: 'test', LOG_LEVEL: 'warn', ...embedded() });
    try {
      const http = new HttpClient(server.baseUrl);
      const login = await http.post('/auth/login/', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      const me = await http.get('/auth/me/', { token: login.body.accessToken });
      expect(me.body).toMatchObject({ email, role: 'admin' });
    } finally {
      await server.stop();
    }
  }, 120_000);
});
