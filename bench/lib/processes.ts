import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntilHealthy } from '../../scripts/lib/local-server.mjs';

/** A server under test, started as a child process of the runner. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** The last lines the process wrote, shown when something fails. */
  output(): string;
}

export const BCRYPT_ROUNDS = 12; // the service's default
const JWT_SECRET = 'benchmark-only-secret-0123456789abcdef';
/**
 * The load comes from one address: the per-address limit of register and login stays on (the
 * guard and its storage run on every login) but is raised above what S5 can send in a minute.
 */
const AUTH_RATE_LIMIT_FOR_ONE_ADDRESS = 1_000_000;

/**
 * The environment of both servers: the service's production defaults (`LOG_LEVEL=info`, one
 * line per request; rate limits on; the audit trail, which is always on), the same secret,
 * token lifetimes and bcrypt cost for the baseline.
 */
export function serverEnvironment(databaseUrl: string, port: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_SECRET,
    JWT_ACCESS_TTL: '15m',
    JWT_REFRESH_TTL: '7d',
    BCRYPT_ROUNDS: String(BCRYPT_ROUNDS),
    AUTH_RATE_LIMIT: String(AUTH_RATE_LIMIT_FOR_ONE_ADDRESS),
    CORS_ORIGINS: '',
    LOG_LEVEL: 'info',
    // No load balancer to drain from: stop at once.
    SHUTDOWN_DELAY_SECONDS: '0',
  };
}

const running = new Set<ChildProcess>();

/** Kills every child still running: used on failure and on exit, so none outlives the runner. */
export function killAllChildren(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

export function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): ServerProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('exit', (code, signal) => lines.push(`[${name} exited: ${signal ?? `code ${code}`}]`));
  return {
    name,
    child,
    pid: child.pid,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => lines.slice(-40).join('\n'),
  };
}

/** Waits until GET /health answers 200; fails early, with the last output, if the process exits. */
export async function waitUntilReady(server: ServerProcess, timeoutMs = 90_000): Promise<void> {
  try {
    await waitUntilHealthy(server.baseUrl, { child: server.child, timeoutMs });
  } catch (error) {
    throw new Error(`${server.name} did not start (${String(error)}):\n${server.output()}`, {
      cause: error,
    });
  }
}

export async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// /proc readings (Linux); elsewhere they read as undefined

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's status field in kB (VmRSS, VmHWM), or undefined once it is gone. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used, in milliseconds. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3, utime field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Samples a process's resident set size while a phase runs. */
export class RssSampler {
  private peakKb = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.peakKb = statusKb(this.pid, 'VmRSS') ?? 0;
    this.timer = setInterval(() => {
      this.peakKb = Math.max(this.peakKb, statusKb(this.pid, 'VmRSS') ?? 0);
    }, this.intervalMs);
  }

  /** Stops and returns the peak in MB (undefined where /proc cannot be read). */
  stop(): number | undefined {
    clearInterval(this.timer);
    this.peakKb = Math.max(this.peakKb, statusKb(this.pid, 'VmRSS') ?? 0);
    return this.peakKb > 0 ? this.peakKb / 1024 : undefined;
  }
}

/**
 * Waits until the process is idle (under 5 % of a core over 250 ms), so that work queued by one
 * phase (bcrypt hashes still running for closed connections) does not spill into the next.
 */
export async function settle(pid: number, maxMs = 20_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let before = cpuMs(pid);
  while (before !== undefined && Date.now() < deadline) {
    await sleep(250);
    const after = cpuMs(pid);
    if (after === undefined || after - before < 12.5) return;
    before = after;
  }
}

/** CPU time the whole machine has been busy (all cores, steal included), in milliseconds. */
export function machineBusyMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most `maxMs`) until the whole machine is nearly idle: under a quarter of a core
 * over half a second. Leftovers of the previous phase (a checkpoint, a server still compiling)
 * then do not land on the next measurement; load from elsewhere may not go away, and is
 * reported with the results.
 */
export async function settleMachine(maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let before = machineBusyMs();
  while (before !== undefined && Date.now() < deadline) {
    await sleep(500);
    const after = machineBusyMs();
    if (after === undefined || after - before < 125) return;
    before = after;
  }
}
