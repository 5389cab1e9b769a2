import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import {
  createDatabase,
  dropDatabase,
  freshDatabaseName,
  POSTGRES_URL,
} from '../../scripts/lib/local-server.mjs';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    serverUrl: string;
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
  const name = freshDatabaseName('healthcare_test');
  const url = await createDatabase(name);
  const dataSource = new DataSource(dataSourceOptions(url, false));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  project.provide('databaseUrl', url);
  project.provide('serverUrl', POSTGRES_URL);
  return () => dropDatabase(name);
}
