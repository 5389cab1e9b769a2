import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { DatabaseCpu } from './database.js';
import {
  cpuMs,
  machineBusyMs,
  RssSampler,
  type ServerProcess,
  settle,
  settleMachine,
} from './processes.js';
import { BENCH_PASSWORD, call, loginEmail, patientBody, type Seed } from './seed.js';

export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4' | 'S5';

export interface Scenario {
  id: ScenarioId;
  title: string;
  method: 'GET' | 'POST';
  /** Expected status of every answer. */
  status: number;
  /** The request for the n-th call (paths and bodies rotate over the seed). */
  request(n: number): { path: string; body?: unknown };
  /** Whether it needs the access token. */
  authenticated: boolean;
}

export function scenarios(seed: Seed): Scenario[] {
  return [
    {
      id: 'S1',
      title: 'GET /api/doctors/?limit=20',
      method: 'GET',
      status: 200,
      authenticated: true,
      request: () => ({ path: '/api/doctors/?limit=20' }),
    },
    {
      id: 'S2',
      title: 'GET /api/patients/<id>/',
      method: 'GET',
      status: 200,
      authenticated: true,
      request: (n) => ({ path: `/api/patients/${seed.patientIds[n % seed.patientIds.length]}/` }),
    },
    {
      id: 'S3',
      title: 'GET /api/mappings/?limit=20',
      method: 'GET',
      status: 200,
      authenticated: true,
      request: () => ({ path: '/api/mappings/?limit=20' }),
    },
    {
      id: 'S4',
      title: 'POST /api/patients/',
      method: 'POST',
      status: 201,
      authenticated: true,
      request: (n) => ({
        path: '/api/patients/',
        body: patientBody(100_000 + n, seed.doctorIds[n % seed.doctorIds.length]),
      }),
    },
    {
      id: 'S5',
      title: 'POST /auth/login/',
      method: 'POST',
      status: 200,
      authenticated: false,
      request: (n) => ({
        path: '/auth/login/',
        body: { email: loginEmail(n), password: BENCH_PASSWORD },
      }),
    },
  ];
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** How long to wait at most for the machine to go quiet before measuring. */
  quietWaitMs: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Peak resident set size of the server while the scenario ran (warm-up included). */
  peakRssMb?: number;
  /** Server process CPU time per answered request. */
  serverCpuMsPerRequest?: number;
  /** PostgreSQL backend CPU time per answered request. */
  databaseCpuMsPerRequest?: number;
  /**
   * Cores kept busy by work other than this server, its database backends and the load
   * generator (other processes on a shared machine, steal): the noise under the measurement.
   */
  otherBusyCores?: number;
}

function fire(
  server: ServerProcess,
  scenario: Scenario,
  token: string,
  options: { connections: number; duration?: number; amount?: number },
): Promise<autocannon.Result> {
  let n = 0;
  const headers: Record<string, string> = {};
  if (scenario.authenticated) headers.authorization = `Bearer ${token}`;
  if (scenario.method === 'POST') headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: server.baseUrl,
        connections: options.connections,
        ...(options.amount === undefined
          ? { duration: options.duration }
          : { amount: options.amount }),
        timeout: 30,
        requests: [
          {
            method: scenario.method,
            headers,
            setupRequest: (request) => {
              const { path, body } = scenario.request(n++);
              return {
                ...request,
                path,
                body: body === undefined ? undefined : JSON.stringify(body),
              };
            },
          },
        ],
      },
      (error: Error | null, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/**
 * Warms the route up, then loads it for the given time and reads the answer statistics, the
 * server's peak RSS and the CPU the server and the database spent.
 */
export async function runScenario(
  server: ServerProcess,
  databaseName: string,
  scenario: Scenario,
  token: string,
  load: LoadOptions,
): Promise<ScenarioResult> {
  const rss = new RssSampler(server.pid);
  rss.start();
  // bcrypt has nothing to warm and queues for seconds: a couple of logins are enough.
  const bcryptBound = scenario.id === 'S5';
  await fire(
    server,
    scenario,
    token,
    bcryptBound
      ? { connections: 2, amount: 2 }
      : { connections: load.connections, duration: load.warmupSeconds },
  );
  await settle(server.pid);
  await settleMachine(load.quietWaitMs);
  const database = new DatabaseCpu(databaseName);
  await database.start();
  const cpuBefore = cpuMs(server.pid);
  const busyBefore = machineBusyMs();
  const runnerBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await fire(server, scenario, token, {
    connections: load.connections,
    duration: load.durationSeconds,
  });
  const wall = performance.now() - wallBefore;
  const runnerCpu = process.cpuUsage(runnerBefore);
  const busy = busyBefore === undefined ? undefined : (machineBusyMs() ?? 0) - busyBefore;
  const serverCpu = cpuBefore === undefined ? undefined : (cpuMs(server.pid) ?? 0) - cpuBefore;
  const databaseCpu = await database.stop();
  const otherCpu =
    busy === undefined || serverCpu === undefined
      ? undefined
      : busy - serverCpu - databaseCpu - (runnerCpu.user + runnerCpu.system) / 1000;
  await settle(server.pid);
  const peakRssMb = rss.stop();
  const answered = result.requests.total;
  const round = (value: number, digits = 2) => Number(value.toFixed(digits));
  return {
    id: scenario.id,
    title: scenario.title,
    requests: answered,
    durationSeconds: round(result.duration),
    requestsPerSecond: round(answered / result.duration, 1),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    peakRssMb: peakRssMb === undefined ? undefined : round(peakRssMb, 1),
    serverCpuMsPerRequest:
      serverCpu === undefined || answered === 0 ? undefined : round(serverCpu / answered, 3),
    databaseCpuMsPerRequest: answered === 0 ? undefined : round(databaseCpu / answered, 3),
    otherBusyCores: otherCpu === undefined ? undefined : round(Math.max(otherCpu, 0) / wall, 2),
  };
}

// ---------------------------------------------------------------------------------------------
// Same answers: the shape of each scenario's JSON, compared between the two servers

/** Keys and value types, recursively; `null` matches any type (nullable fields). */
export function shapeOf(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, shapeOf(inner)]),
    );
  }
  return typeof value;
}

/** Differences between two shapes, as paths; empty when they agree. */
export function shapeDifferences(a: unknown, b: unknown, path = '$'): string[] {
  if (a === null || b === null) return [];
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return [`${path}: array vs not`];
    if (!a.length || !b.length) return [];
    return shapeDifferences(a[0], b[0], `${path}[0]`);
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    return keys.flatMap((key) =>
      key in left && key in right
        ? shapeDifferences(left[key], right[key], `${path}.${key}`)
        : [`${path}.${key}: only in ${key in left ? 'the first' : 'the second'}`],
    );
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}

/** One answer of each scenario, checked for its status; returns the bodies by scenario. */
export async function sampleAnswers(
  server: ServerProcess,
  list: Scenario[],
  token: string,
): Promise<Record<string, unknown>> {
  const bodies: Record<string, unknown> = {};
  for (const scenario of list) {
    const { path, body } = scenario.request(0);
    const answer = await call(server.baseUrl, scenario.method, path, {
      token: scenario.authenticated ? token : undefined,
      body,
    });
    if (answer.status !== scenario.status) {
      throw new Error(
        `${server.name}: ${scenario.id} ${scenario.title} answered ${answer.status}: ` +
          JSON.stringify(answer.body),
      );
    }
    bodies[scenario.id] = answer.body;
  }
  return bodies;
}

/**
 * Differences between the two servers' answers: on the same data the reads (S1–S3) must be
 * equal; the writes (S4, S5) create new ids, times and tokens, so only their shapes must agree.
 */
export function answerDifferences(
  first: Record<string, unknown>,
  second: Record<string, unknown>,
): string[] {
  return Object.keys(first).flatMap((id) => {
    if (['S1', 'S2', 'S3'].includes(id)) {
      return isDeepStrictEqual(first[id], second[id])
        ? []
        : [
            `${id}: the answers differ (${shapeDifferences(shapeOf(first[id]), shapeOf(second[id])).join('; ') || 'same shape, other values'})`,
          ];
    }
    return shapeDifferences(shapeOf(first[id]), shapeOf(second[id])).map(
      (problem) => `${id} ${problem}`,
    );
  });
}
