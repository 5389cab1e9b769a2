/**
 * `npm run bench`: builds the service, then measures it and the bare baseline
 * (bench/baseline/server.ts) on two fresh PostgreSQL databases with the same seed, and prints
 * both tables and the ratio service ÷ baseline per scenario. Each scenario runs on one server
 * and right after on the other (the order alternating), so that the ratio compares
 * measurements taken seconds apart, not minutes, on a machine that others share.
 *
 *   npm run bench                    full run (10 s per scenario, then S1 and S3 at 10× data)
 *   npm run bench -- --smoke         about a second per scenario on a small seed (CI)
 *   npm run bench -- --no-scale      skip the 10× phase
 *   npm run bench -- --skip-build    use the existing dist/
 *
 * Results are written to bench/results/<date>.json and bench/results/latest.json (not in smoke
 * mode). The exit status is non-zero when a scenario had errors or non-2xx answers.
 */
import bcrypt from 'bcrypt';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import {
  copyDatabase,
  createDatabase,
  databaseUrl,
  dropDatabase,
  growTo,
  rowCounts,
  type RowCounts,
  serverVersion,
  vacuumAnalyze,
} from './lib/database.js';
import {
  answerDifferences,
  type LoadOptions,
  runScenario,
  sampleAnswers,
  type Scenario,
  type ScenarioResult,
  scenarios,
} from './lib/load.js';
import { freePort } from '../scripts/lib/local-server.mjs';
import {
  BCRYPT_ROUNDS,
  killAllChildren,
  serverEnvironment,
  type ServerProcess,
  startServer,
  statusKb,
  stopServer,
  waitUntilReady,
} from './lib/processes.js';
import {
  type Ratio,
  ratios,
  RSS_TARGET,
  ratioTable,
  scaleRows,
  scaleTable,
  scenarioTable,
  type TargetRun,
} from './lib/report.js';
import { login, seed, type Seed, type SeedSize } from './lib/seed.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--smoke', '--no-scale', '--skip-build'].includes(arg)) {
    console.error(`Unknown option ${arg}. Options: --smoke, --no-scale, --skip-build`);
    process.exit(2);
  }
}
const smoke = args.has('--smoke');
const withScale = !smoke && !args.has('--no-scale');

const SEED: SeedSize = smoke
  ? { doctors: 50, patients: 100, extraMappings: 20 }
  : { doctors: 500, patients: 5_000, extraMappings: 1_000 };
const LOAD: LoadOptions = smoke
  ? { connections: 32, durationSeconds: 1, warmupSeconds: 0.5, quietWaitMs: 1_000 }
  : { connections: 32, durationSeconds: 10, warmupSeconds: 2, quietWaitMs: 10_000 };
/** S5 waits on bcrypt (~0.25 s a hash): with 32 connections, a one-second smoke run answers none. */
const SMOKE_LOGIN_CONNECTIONS = 2;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const databases: string[] = [];

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

let cleaning: Promise<void> | undefined;
let interrupted = false;

/** Kills the servers and drops the databases, once, whoever asks first (a signal, or the end). */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    killAllChildren();
    for (const name of databases.splice(0)) {
      await dropDatabase(name).catch((error: unknown) =>
        console.error(`Could not drop database ${name}: ${String(error)}`),
      );
    }
  })();
  return cleaning;
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the servers and dropping the databases`);
    void cleanUp().finally(() => process.exit(130));
  });
}
// A closed pipe (`npm run bench | head`) must not kill the runner before it cleans up.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

function build(): void {
  log('npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/** The time of one bcrypt comparison at the configured cost (median of five), in ms. */
async function bcryptMs(): Promise<number> {
  const hash = await bcrypt.hash('a password of the benchmark', BCRYPT_ROUNDS);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await bcrypt.compare('a password of the benchmark', hash);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2];
}

async function startService(database: string): Promise<ServerProcess> {
  const port = await freePort();
  const server = startServer(
    'service',
    [join(ROOT, 'dist/src/main.js')],
    serverEnvironment(databaseUrl(database), port),
    port,
  );
  await waitUntilReady(server);
  return server;
}

async function startBaseline(database: string): Promise<ServerProcess> {
  const port = await freePort();
  const server = startServer(
    'baseline',
    ['--import', 'tsx', join(ROOT, 'bench/baseline/server.ts')],
    serverEnvironment(databaseUrl(database), port),
    port,
  );
  await waitUntilReady(server);
  return server;
}

/** A server under load, and where its results go (its own run, or that run's 10× part). */
interface Target {
  name: 'service' | 'baseline';
  scale: boolean;
  run: TargetRun;
  server: ServerProcess;
  database: string;
  token: string;
}

const describe = (target: Target) => `${target.name}${target.scale ? ' 10×' : ''}`;

/** Runs one scenario on each target in turn, in the given order. */
async function onEach(targets: Target[], scenario: Scenario): Promise<void> {
  for (const target of targets) {
    const { child } = target.server;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${describe(target)} exited before ${scenario.id}`);
    }
    const load =
      smoke && scenario.id === 'S5' ? { ...LOAD, connections: SMOKE_LOGIN_CONNECTIONS } : LOAD;
    const result = await runScenario(target.server, target.database, scenario, target.token, load);
    (target.scale ? target.run.scale?.scenarios : target.run.scenarios)?.push(result);
    log(
      `${describe(target).padEnd(12)} ${scenario.id}: ${result.requestsPerSecond} req/s, ` +
        `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms` +
        (result.non2xx + result.errors
          ? `, ${result.non2xx} non-2xx, ${result.errors} errors`
          : '') +
        (result.otherBusyCores ? ` (other load: ${result.otherBusyCores} cores)` : ''),
    );
  }
}

/**
 * The two servers on fresh databases with the same seed: the service migrates and seeds the
 * first through its API, the baseline's is a copy of it (same rows, ids and times, so the reads
 * must answer the same JSON). With the 10× phase, a third copy grown to 10× and a copy of that
 * get a service and a baseline of their own, so that S1 and S3 run at 1× and 10× back to back.
 * Each scenario runs on one server and right after on the other(s), the order alternating, so
 * that load from elsewhere on a shared machine falls on all of them.
 */
async function measure(): Promise<{ runs: TargetRun[]; answerProblems: string[] }> {
  const prefix = `bench_${stamp.replace(/-/g, '_').toLowerCase()}`;
  const names = {
    service: `${prefix}_service`,
    baseline: `${prefix}_baseline`,
    service10: `${prefix}_service_10x`,
    baseline10: `${prefix}_baseline_10x`,
  };
  await createDatabase(names.service);
  databases.push(names.service);
  log(`database ${names.service}: the service migrates and seeds it`);
  const seeding = await startService(names.service);
  const started = Date.now();
  let data: Seed;
  try {
    data = await seed(seeding.baseUrl, SEED);
  } catch (error) {
    throw new Error(`Seeding failed: ${String(error)}\n${seeding.output()}`, { cause: error });
  }
  log(
    `seeded ${SEED.doctors} doctors, ${SEED.patients} patients and ${SEED.extraMappings} ` +
      `extra mappings through the API in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  await stopServer(seeding);
  await vacuumAnalyze(names.service);
  const copy = async (name: string, template: string) => {
    await copyDatabase(name, template);
    databases.push(name);
  };
  await copy(names.baseline, names.service);
  let scaleCounts: RowCounts | undefined;
  if (withScale) {
    await copy(names.service10, names.service);
    scaleCounts = await growTo(names.service10, data.userId, {
      doctors: SEED.doctors * 10,
      patients: SEED.patients * 10,
      extraMappings: SEED.extraMappings * 10,
    });
    await copy(names.baseline10, names.service10);
    await vacuumAnalyze(names.baseline10);
    log(
      `databases at 10×: ${scaleCounts.doctors} doctors, ${scaleCounts.patients} patients, ` +
        `${scaleCounts.mappings} mappings`,
    );
  }
  await vacuumAnalyze(names.baseline); // and a checkpoint after the copies' writes
  const counts = await rowCounts(names.service);

  const runs: Record<'service' | 'baseline', TargetRun> = {
    service: {
      name: 'service',
      label: 'Service (NestJS 12, Fastify, TypeORM)',
      database: names.service,
      counts,
      scenarios: [],
    },
    baseline: {
      name: 'baseline',
      label: 'Bare baseline (node:http, pg)',
      database: names.baseline,
      counts,
      scenarios: [],
    },
  };
  if (scaleCounts) {
    runs.service.scale = { database: names.service10, counts: scaleCounts, scenarios: [] };
    runs.baseline.scale = { database: names.baseline10, counts: scaleCounts, scenarios: [] };
  }
  const targets: Target[] = [];
  const start = async (name: 'service' | 'baseline', scale: boolean, database: string) => {
    const server = await (name === 'service' ? startService : startBaseline)(database);
    const target = { name, scale, run: runs[name], server, database, token: '' };
    targets.push(target);
    target.token = await login(server.baseUrl);
    return target;
  };
  try {
    const service = await start('service', false, names.service);
    const baseline = await start('baseline', false, names.baseline);
    const scaled = scaleCounts
      ? [
          await start('service', true, names.service10),
          await start('baseline', true, names.baseline10),
        ]
      : [];
    log(
      `started: ${targets.map((target) => `${describe(target)} (pid ${target.server.pid})`).join(', ')}`,
    );

    const list = scenarios(data);
    const answers = await Promise.all(
      targets.map((target) => sampleAnswers(target.server, list, target.token)),
    );
    const answerProblems = [
      ...answerDifferences(answers[0], answers[1]),
      ...(scaled.length
        ? answerDifferences(answers[2], answers[3]).map((problem) => `10× ${problem}`)
        : []),
    ];
    for (const [index, scenario] of list.entries()) {
      const group =
        scenario.id === 'S1' || scenario.id === 'S3'
          ? [service, baseline, ...scaled]
          : [service, baseline];
      await onEach(index % 2 === 0 ? group : [...group].reverse(), scenario);
    }
    for (const target of targets) {
      const hwm = statusKb(target.server.pid, 'VmHWM');
      const peakRssMb = hwm === undefined ? undefined : Number((hwm / 1024).toFixed(1));
      if (target.scale && target.run.scale) target.run.scale.peakRssMb = peakRssMb;
      else target.run.peakRssMb = peakRssMb;
    }
    return { runs: [runs.service, runs.baseline], answerProblems };
  } catch (error) {
    throw new Error(
      [
        String(error),
        ...targets.map((target) => `--- ${describe(target)} output:\n${target.server.output()}`),
      ].join('\n'),
      { cause: error },
    );
  } finally {
    await Promise.all(targets.map((target) => stopServer(target.server)));
  }
}

function failures(run: TargetRun): string[] {
  return [...run.scenarios, ...(run.scale?.scenarios ?? [])].flatMap((result: ScenarioResult) => {
    const problems: string[] = [];
    // A one-second smoke run on a busy machine may end before a slow answer arrives; each
    // request was already answered correctly once (sampleAnswers), so only errors count there.
    if (result.requests === 0 && !smoke) problems.push('no answers');
    if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx answers`);
    if (result.errors + result.timeouts > 0) problems.push(`${result.errors} errors`);
    return problems.map((problem) => `${run.name} ${result.id}: ${problem}`);
  });
}

async function main(): Promise<number> {
  const began = Date.now();
  if (!args.has('--skip-build')) build();
  const cores = os.availableParallelism();
  const hashMs = await bcryptMs();
  const idealLogins = (cores * 1000) / hashMs;
  const machine = {
    cores,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    postgres: await serverVersion(),
    os: `${os.type()} ${os.release()}`,
  };
  log(
    `${machine.cores} cores (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres}; ` +
      `bcrypt cost ${BCRYPT_ROUNDS}: ${hashMs.toFixed(0)} ms a hash`,
  );

  const loadBefore = os.loadavg()[0];
  const { runs, answerProblems } = await measure();
  const [service, baseline] = runs;
  const ratioList: Ratio[] = ratios(service.scenarios, baseline.scenarios);
  const login = (run: TargetRun) => run.scenarios.find((result) => result.id === 'S5');
  const loginVsIdeal = Object.fromEntries(
    runs.map((run) => [
      run.name,
      Number(((login(run)?.requestsPerSecond ?? 0) / idealLogins).toFixed(2)),
    ]),
  );

  const scale = scaleRows(runs);
  console.log('');
  for (const run of runs) {
    console.log(
      `${run.label}: ${run.counts.doctors} doctors, ${run.counts.patients} patients, ` +
        `${run.counts.mappings} mappings; peak RSS ${run.peakRssMb ?? '–'} MB`,
    );
    console.log(scenarioTable(run.scenarios));
    console.log('');
  }
  console.log('Service ÷ baseline (requests/s: higher is better; p99: lower is better)');
  console.log(ratioTable(ratioList));
  if (service.peakRssMb !== undefined && baseline.peakRssMb !== undefined) {
    const rss = service.peakRssMb / baseline.peakRssMb;
    console.log(
      `Peak RSS: service ${service.peakRssMb} MB ÷ baseline ${baseline.peakRssMb} MB = ` +
        `${rss.toFixed(2)} (≤ ${RSS_TARGET.toFixed(2)} ${rss <= RSS_TARGET ? 'met' : 'MISSED'})`,
    );
  }
  console.log(
    `\nS5 against the bcrypt ideal (${cores} cores ÷ ${hashMs.toFixed(0)} ms a hash = ` +
      `${idealLogins.toFixed(1)} logins/s): service ${loginVsIdeal.service}, baseline ${loginVsIdeal.baseline}`,
  );
  if (scale.length) {
    const counts = service.scale?.counts;
    console.log(
      `\nAt 10× the data (${counts?.doctors} doctors, ${counts?.patients} patients, ` +
        `${counts?.mappings} mappings; peak RSS: service ${service.scale?.peakRssMb ?? '–'} MB, ` +
        `baseline ${baseline.scale?.peakRssMb ?? '–'} MB)`,
    );
    console.log(scaleTable(scale));
  }
  if (answerProblems.length) {
    console.log(`\nThe two servers answer differently:\n  ${answerProblems.join('\n  ')}`);
  }

  const problems = [...runs.flatMap(failures), ...answerProblems];
  const seconds = (Date.now() - began) / 1000;
  const report = {
    date: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    machine: { ...machine, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg()[0] },
    settings: {
      seed: SEED,
      scaleFactor: withScale ? 10 : undefined,
      connections: LOAD.connections,
      durationSeconds: LOAD.durationSeconds,
      warmupSeconds: LOAD.warmupSeconds,
      bcryptRounds: BCRYPT_ROUNDS,
      pgPoolSize: 10,
    },
    bcrypt: {
      hashMs: Number(hashMs.toFixed(1)),
      idealLoginsPerSecond: Number(idealLogins.toFixed(1)),
      loginVsIdeal,
    },
    runs,
    ratios: ratioList,
    scale,
    problems,
    totalSeconds: Number(seconds.toFixed(1)),
  };
  if (!smoke) {
    const directory = join(ROOT, 'bench/results');
    mkdirSync(directory, { recursive: true });
    const json = await prettier.format(JSON.stringify(report), { parser: 'json' });
    writeFileSync(join(directory, `${stamp}.json`), json);
    writeFileSync(join(directory, 'latest.json'), json);
    log(`results written to bench/results/${stamp}.json and bench/results/latest.json`);
  }
  log(`done in ${seconds.toFixed(0)} s`);
  if (problems.length) {
    console.error(`\nFAILED:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  return 0;
}

let status = 1;
try {
  status = await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
} finally {
  await cleanUp();
}
process.exit(interrupted ? 130 : status);
