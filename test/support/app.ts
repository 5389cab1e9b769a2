import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/environment.js';
import { HttpClient } from './http.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface TestApp {
  app: NestFastifyApplication;
  http: HttpClient;
  close(): Promise<void>;
}

/**
 * Starts the application on a loopback port against this run's test database.
 * `env` overrides the variables (an empty DATABASE_URL selects the embedded database).
 */
export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_ROUNDS: '4',
    AUTH_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    http: new HttpClient(`http://127.0.0.1:${address.port}`),
    close: () => app.close(),
  };
}

export interface TestServer {
  /** A client of the running application; its base URL is known once the suite's hooks ran. */
  http: HttpClient;
  /** The running application itself, for the few checks that reach inside it. */
  readonly app: NestFastifyApplication;
}

/**
 * The application for a suite, or for the describe block it is called in: started (by
 * `startApp(env)`) before its tests and closed after them. Call it at collection time, before
 * the suite's own hooks, and use `http` in tests and hooks.
 */
export function useTestServer(
  env: Record<string, string> | (() => Record<string, string>) = {},
): TestServer {
  let running: TestApp | undefined;
  beforeAll(async () => {
    running = await startApp(typeof env === 'function' ? env() : env);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  const current = (): TestApp => {
    if (!running) throw new Error('the test server runs only during the tests and hooks');
    return running;
  };
  return {
    http: new HttpClient(() => current().http.baseUrl),
    get app() {
      return current().app;
    },
  };
}

export interface Account {
  id: string;
  name: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID()}@example.com`;
}

/** Registers a fresh account and logs it in. */
export async function signUp(http: HttpClient, name = 'Test User'): Promise<Account> {
  const email = uniqueEmail();
  const password = 'correct horse battery staple';
  const registered = await http.post('/auth/register/', { name, email, password });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.text}`);
  const login = await http.post('/auth/login/', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
  return { ...registered.body, password, ...login.body };
}

/** Runs SQL directly against this run's test database (for checks the API cannot show). */
export async function sql<T extends pg.QueryResultRow = any>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
