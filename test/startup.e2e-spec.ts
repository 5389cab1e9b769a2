import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emptyFolder, SERVER_COMMAND } from './support/server-process.js';

/** Starts the server in an empty folder with exactly `env`, and returns how it ended. */
function start(env: Record<string, string>) {
  const [command, ...args] = SERVER_COMMAND;
  const result = spawnSync(command, args, {
    cwd: emptyFolder(),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('start-up configuration', () => {
  it('refuses production without DATABASE_URL and JWT_SECRET, in one line naming them', () => {
    const { status, stderr } = start({ NODE_ENV: 'production' });
    expect(status).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Configuration error: DATABASE_URL .*; JWT_SECRET /);
  });

  it('refuses a malformed value, naming the variable', () => {
    const { status, stderr } = start({ PORT: 'eighty', DATABASE_URL: 'postgres://x@127.0.0.1/x' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^Configuration error: PORT /);
  });

  it('refuses a JWT_SECRET shorter than 32 characters in production', () => {
    const { status, stderr } = start({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      JWT_SECRET: 'too-short',
    });
    expect(status).toBe(1);
    expect(stderr).toBe(
      'Configuration error: JWT_SECRET must be at least 32 characters (required in production)',
    );
  });
});
