// Runs the Postman collection with newman against the built server (`nest build` first):
// creates a fresh database on the PostgreSQL server at TEST_DATABASE_URL, starts
// `node dist/src/main.js` on a free loopback port in production mode, runs the collection,
// then stops the server and drops the database. Fails when any request's test fails.
import newman from 'newman';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import {
  createDatabase,
  dropDatabase,
  freePort,
  freshDatabaseName,
  waitUntilHealthy,
} from './lib/local-server.mjs';

const ROOT = join(import.meta.dirname, '..');
const COLLECTION = join(ROOT, 'postman', 'healthcare-api.postman_collection.json');

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

const database = freshDatabaseName('healthcare_newman');
const databaseUrl = await createDatabase(database);

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
      DATABASE_URL: databaseUrl,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
      // No load balancer to drain from: stop at once.
      SHUTDOWN_DELAY_SECONDS: '0',
    },
  });
  await waitUntilHealthy(baseUrl, { child });
  summary = await runCollection(baseUrl);
} finally {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await dropDatabase(database);
}
const failures = summary.run.failures.length;
if (failures > 0) {
  console.error(`newman: ${failures} failure(s)`);
  process.exit(1);
}
