// Writes openapi.json from the compiled code (run `nest build` first), without a database
// or a listening port. With --check, compares instead and fails when the file is stale.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppModule } from '../dist/src/app.module.js';
import { loadConfig } from '../dist/src/config/environment.js';
import { buildOpenApiDocument } from '../dist/src/openapi.js';

const FILE = join(import.meta.dirname, '..', 'openapi.json');

// Preview mode resolves the module graph without instantiating providers, so the dummy
// database URL is never connected to.
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://openapi@127.0.0.1/none' });
const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), {
  preview: true,
  logger: false,
});
const text = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
await app.close();

if (process.argv.includes('--check')) {
  const committed = await readFile(FILE, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error('openapi.json is out of date: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi.json matches the code.');
} else {
  await writeFile(FILE, text);
  console.log('Wrote openapi.json');
}
