import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    serverUrl: string;
  }
}

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Builds the server (for the suites that run it as a process), then creates a database of
 * this run's own on the test server, migrates it, and drops it after.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = resolve(import.meta.dirname, '../..');
  execFileSync(resolve(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  const name = `healthcare_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await onServer(`CREATE DATABASE "${name}"`);
  const dataSource = new DataSource(dataSourceOptions(url.toString(), false));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  project.provide('databaseUrl', url.toString());
  project.provide('serverUrl', serverUrl);
  return () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
