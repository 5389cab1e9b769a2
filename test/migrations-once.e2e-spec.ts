import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MIGRATION_LOCK_KEY } from '../src/database/migrate.js';
import { migrations } from '../src/database/migrations/index.js';
import { TEST_JWT_SECRET } from './support/app.js';
import { emptyFolder, ServerProcess } from './support/server-process.js';

const RUN_MIGRATIONS = join(resolve(import.meta.dirname, '..'), 'dist/src/run-migrations.js');

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = await connect(url);
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** A new empty database on the test server, dropped after the test. */
const created: string[] = [];
async function emptyDatabase(): Promise<string> {
  const name = `healthcare_test_empty_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await query(inject('serverUrl'), `CREATE DATABASE "${name}"`);
  created.push(name);
  const url = new URL(inject('serverUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop('SIGKILL')));
  for (const name of created.splice(0)) {
    await query(inject('serverUrl'), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
});

const tableExists = async (url: string, table: string) =>
  (await query<{ found: string | null }>(url, `SELECT to_regclass('${table}') AS found`))[0]
    .found !== null;

describe('migrations', () => {
  it('run exactly once when four instances start together on an empty database', async () => {
    const databaseUrl = await emptyDatabase();
    const env = { DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' };
    // Holding the migration lock makes the four reach it at the same moment: none may
    // migrate while another session holds it, and all race for it once it is released.
    const holder = await connect(databaseUrl);
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const starting = Promise.all([1, 2, 3, 4].map(() => ServerProcess.start(env)));
    let waiting = 0;
    for (let attempt = 0; attempt < 300 && waiting < 4; attempt += 1) {
      await new Promise((wait) => setTimeout(wait, 100));
      const { rows } = await holder.query<{ waiting: number }>(
        `SELECT count(DISTINCT pid)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'healthcare-api'
            AND query LIKE '%pg_try_advisory_lock%'`,
      );
      waiting = rows[0].waiting;
    }
    expect(waiting, 'instances polling the migration lock').toBe(4);
    expect(await tableExists(databaseUrl, 'migrations')).toBe(false);
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await holder.end();

    servers.push(...(await starting));
    for (const server of servers) {
      expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
    }
    const rows = await query<{ name: string }>(databaseUrl, 'SELECT name FROM migrations');
    expect(rows.map((row) => row.name).sort()).toEqual(
      migrations.map((migration) => migration.name).sort(),
    );
    const said = (text: string) =>
      servers.filter((server) => server.output.some((line) => line.includes(text))).length;
    expect(said(`Applied ${migrations.length} migrations`)).toBe(1);
    expect(said('No pending migrations')).toBe(3);
  }, 120_000);

  it('with MIGRATIONS_RUN=false, wait for the separate step (npm run migration:run)', async () => {
    const databaseUrl = await emptyDatabase();
    const env = { DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' };
    await expect(ServerProcess.start({ ...env, MIGRATIONS_RUN: 'false' })).rejects.toThrow(
      /MIGRATIONS_RUN=false and \d+ migrations are pending: run the migration step first/,
    );
    expect(await tableExists(databaseUrl, 'migrations')).toBe(false);

    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [RUN_MIGRATIONS, ...args], {
        cwd: emptyFolder(),
        env: { PATH: process.env.PATH ?? '', ...env },
      });
    // What a Kubernetes pod's init container runs: it waits for the migration step.
    let waited = false;
    const waiting = run('--wait').then((result) => {
      waited = true;
      return result;
    });
    await new Promise((settle) => setTimeout(settle, 2_000));
    expect(waited).toBe(false);
    expect(await tableExists(databaseUrl, 'migrations')).toBe(false);
    expect((await run()).stdout).toMatch(`Applied ${migrations.length} migrations`);
    expect((await waiting).stdout).toMatch('No pending migrations');
    expect((await run()).stdout).toMatch('No pending migrations');

    const server = await ServerProcess.start({ ...env, MIGRATIONS_RUN: 'false' });
    servers.push(server);
    expect(server.output.join('\n')).not.toMatch(/Applied|No pending migrations/);
    expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
  }, 60_000);
});
