import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigurationError, loadConfig } from './config/environment.js';
import { createApp } from './app.factory.js';

if (existsSync('.env')) process.loadEnvFile('.env');

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}

const app = await createApp(config);
await app.listen({ port: config.port, host: '0.0.0.0' });
console.log(`Healthcare API listening on http://localhost:${config.port} (docs at /docs)`);
