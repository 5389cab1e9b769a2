import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module.js';
import { CommandFailure } from './cli/admin.commands.js';
import { ConfigurationError, loadConfig } from './config/environment.js';
import { translateDatabaseError } from './database/database-errors.js';
import { EmbeddedDatabaseInUse } from './database/embedded-postgres.js';

/**
 * The administration command line (`npm run cli -- --help`). It reads the server's
 * configuration (`DATABASE_URL`, or the embedded database in `DATA_DIR`) and prints one line:
 * exit 0 when the command did its work, 1 with the reason when it did not.
 */
if (existsSync('.env')) process.loadEnvFile('.env');

/** What commander throws once it has printed a usage error or the help. */
function isCommanderExit(error: unknown): error is { exitCode: number } {
  const { code, exitCode } = (error ?? {}) as { code?: unknown; exitCode?: unknown };
  return typeof code === 'string' && code.startsWith('commander.') && typeof exitCode === 'number';
}

function fail(error: unknown): void {
  if (isCommanderExit(error)) {
    process.exitCode = error.exitCode;
    return;
  }
  const known = error instanceof CommandFailure || error instanceof EmbeddedDatabaseInUse;
  const reason = known
    ? error.message
    : error instanceof ConfigurationError
      ? `Configuration error: ${error.message}`
      : translateDatabaseError(error)?.status === 503
        ? `The database is unreachable: ${String(error)}`
        : `The command failed: ${String(error)}`;
  console.error(reason.replace(/\s+/g, ' ').trim());
  process.exitCode = 1;
}

try {
  await CommandFactory.run(CliModule.forRoot(loadConfig(process.env)), {
    logger: false,
    abortOnError: false,
    errorHandler: (error) => {
      throw error;
    },
    serviceErrorHandler: fail,
  });
} catch (error) {
  fail(error);
}
