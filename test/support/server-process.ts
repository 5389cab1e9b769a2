import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitUntilHealthy } from '../../scripts/lib/local-server.mjs';

/** Re-exported for the suites that start processes of their own. */
export { freePort } from '../../scripts/lib/local-server.mjs';

const root = resolve(import.meta.dirname, '../..');

/**
 * The command that runs the built server (the global setup compiles it first: Nest's
 * dependency injection needs the decorator metadata that only tsc emits).
 */
export const SERVER_COMMAND = [process.execPath, join(root, 'dist/src/main.js')] as const;

/** A fresh empty folder to run the server in (so no `.env` of the developer's is read). */
export function emptyFolder(): string {
  return mkdtempSync(join(tmpdir(), 'healthcare-server-'));
}

/** The service as a separate process, as in production: its output is kept for reading. */
export class ServerProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.output.push(...chunk.split('\n').filter(Boolean)));
    }
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  }

  /** Starts the server with exactly `env` (plus PATH and a free PORT) and waits until it answers. */
  static async start(env: Record<string, string>): Promise<ServerProcess> {
    const port = await freePort();
    const [command, ...args] = SERVER_COMMAND;
    const child = spawn(command, args, {
      cwd: emptyFolder(),
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, `http://127.0.0.1:${port}`);
    try {
      await waitUntilHealthy(server.baseUrl, { child });
      return server;
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start (${String(error)}):\n${server.output.join('\n')}`, {
        cause: error,
      });
    }
  }

  /** Sends a signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}
