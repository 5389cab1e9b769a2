// Writes openapi.json from the compiled code (run `nest build` first), without a database
// or a listening port. With --check, compares instead and fails when the file is stale.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { join } from 'node:path';
import { AppModule } from '../dist/src/app.module.js';
import { loadConfig } from '../dist/src/config/environment.js';
import { buildOpenApiDocument } from '../dist/src/openapi.js';
import { ROOT, writeOrCheck } from './generated-file.mjs';

const FILE = join(ROOT, 'openapi.json');

// Preview mode resolves the module graph without instantiating providers, so the dummy
// database URL is never connected to.
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://openapi@127.0.0.1/none' });
const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), {
  preview: true,
  logger: false,
});
const document = buildOpenApiDocument(app);
await app.close();
await writeOrCheck(FILE, document, 'npm run openapi');
