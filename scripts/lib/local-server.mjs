// What the tests, `scripts/newman.mjs` and the benchmark share to run the server locally: a
// free loopback port, a fresh database of their own on a PostgreSQL server, and a wait until
// the server answers its health check. Plain JavaScript, so that node runs it as is; the types
// are in local-server.d.mts.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** The PostgreSQL server on which each run creates its own database (README: TEST_DATABASE_URL). */
export const POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the server at `serverUrl`. */
export function databaseUrl(name, serverUrl = POSTGRES_URL) {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database name no other run uses: the prefix, the time and a random suffix. */
export function freshDatabaseName(prefix) {
  return `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
}

async function onServer(serverUrl, sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates database `name` (empty, or a copy of `template`) and returns its URL. */
export async function createDatabase(name, { serverUrl = POSTGRES_URL, template } = {}) {
  await onServer(
    serverUrl,
    `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`,
  );
  return databaseUrl(name, serverUrl);
}

/** Drops database `name`, closing the connections still open to it. */
export async function dropDatabase(name, { serverUrl = POSTGRES_URL } = {}) {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** A loopback port that nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until GET `${baseUrl}/health` answers 200. Fails as soon as `child` (the server's
 * process, if given) exits, and after `timeoutMs`.
 */
export async function waitUntilHealthy(baseUrl, { child, timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`the server exited (${child.signalCode ?? `code ${child.exitCode}`})`);
    }
    try {
      const response = await fetch(`${baseUrl}/health`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${baseUrl}/health did not answer 200 within ${timeoutMs} ms`);
}
