// Runs the Postman collection with newman against the built server (`nest build` first):
// creates a fresh database on the PostgreSQL server at TEST_DATABASE_URL, starts
// `node dist/src/main.js` on a free loopback port in production mode, runs the collection,
// then stops the server and drops the database. Fails when any request's test fails.
import newman from 'newman';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..');
const COLLECTION = join(ROOT, 'postman', 'healthcare-api.postman_collection.json');
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onServer(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function waitUntilHealthy(baseUrl, child) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error('the server did not become healthy within 30 s');
}

function runCollection(baseUrl) {
  return new Promise((resolve, reject) =>
    newman.run(
      {
        collection: COLLECTION,
        envVar: [{ key: 'baseUrl', value: baseUrl }],
        reporters: ['cli'],
        timeoutRequest: 10_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    ),
  );
}

const database = `healthcare_newman_${Date.now()}_${randomBytes(3).toString('hex')}`;
const databaseUrl = new URL(SERVER_URL);
databaseUrl.pathname = `/${database}`;
await onServer(`CREATE DATABASE "${database}"`);

let child;
let summary;
try {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: databaseUrl.toString(),
      JWT_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
      // No load balancer to drain from: stop at once.
      SHUTDOWN_DELAY_SECONDS: '0',
    },
  });
  await waitUntilHealthy(baseUrl, child);
  summary = await runCollection(baseUrl);
} finally {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}
const failures = summary.run.failures.length;
if (failures > 0) {
  console.error(`newman: ${failures} failure(s)`);
  process.exit(1);
}
