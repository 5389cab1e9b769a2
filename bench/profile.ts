/**
 * `npm run bench:profile -- [S1 S2 S3 S4]`: where the built service spends its CPU under each
 * scenario's load. It seeds one database through the API, then for each scenario starts the
 * service under `node --cpu-prof` (production defaults, as `npm run bench` runs it), loads it
 * for 10 s, stops it, and prints the heaviest frames by self time and the self time of each
 * package, as markdown tables. The profiles stay in bench/profiles/<scenario>/ (not committed),
 * for Chrome DevTools or speedscope; `npm run bench:profile -- --from <dir>` prints the tables
 * of profiles kept from an earlier run.
 *
 * The shares are of the server process's busy samples (idle left out): relative weights hold
 * on a loaded machine, where requests per second do not. Start-up is in the profile too, a
 * second or so against ten of load.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../scripts/lib/local-server.mjs';
import { createDatabase, databaseUrl, dropDatabase, vacuumAnalyze } from './lib/database.js';
import { type LoadOptions, runScenario, scenarios } from './lib/load.js';
import {
  killAllChildren,
  serverEnvironment,
  startServer,
  stopServer,
  waitUntilReady,
} from './lib/processes.js';
import { login, seed } from './lib/seed.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/profiles');
const TOP = 12;
const LOAD: LoadOptions = {
  connections: 32,
  durationSeconds: 10,
  warmupSeconds: 2,
  quietWaitMs: 0,
};
const argv = process.argv.slice(2);
const from = argv.includes('--from') ? argv[argv.indexOf('--from') + 1] : undefined;
const wanted = argv.filter((arg) => /^S[1-4]$/.test(arg));
const ids = wanted.length ? wanted : ['S1', 'S2', 'S3', 'S4'];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Where a frame's code is: a package, the service's own code, Node.js, or native code. */
function ownerOf(url: string): string {
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageMatch) return packageMatch[1];
  if (url.includes('/dist/src/')) return 'the service (src/)';
  if (url.startsWith('node:')) return 'Node.js';
  return url ? url : '(native, GC, program)';
}

/** A frame's name: its function, and where it is (the package file, or the file under src/). */
function frameName({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  const where = packageMatch
    ? `${packageMatch[1]}/${packageMatch[2].split('/').pop()}`
    : url.replace(/^.*\/dist\//, '');
  return `${name} (${where}:${lineNumber + 1})`;
}

/** Self time by `key` of each busy sample, heaviest first, as [key, share of busy samples]. */
function weigh(profile: CpuProfile, key: (node: ProfileNode) => string, count: number) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const weights = new Map<string, number>();
  let busy = 0;
  for (const sample of profile.samples) {
    const node = byId.get(sample);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy += 1;
    const name = key(node);
    weights.set(name, (weights.get(name) ?? 0) + 1);
  }
  return [...weights]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, weight]): [string, number] => [name, weight / (busy || 1)]);
}

function printTables(profile: CpuProfile): void {
  const cell = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``;
  console.log('| Self time | Frame |\n| --------: | ----- |');
  for (const [frame, share] of weigh(profile, (node) => frameName(node.callFrame), TOP)) {
    console.log(`| ${(share * 100).toFixed(1)} % | ${cell(frame)} |`);
  }
  console.log('\n| Self time | Code |\n| --------: | ---- |');
  for (const [owner, share] of weigh(profile, (node) => ownerOf(node.callFrame.url), 10)) {
    console.log(`| ${(share * 100).toFixed(1)} % | ${cell(owner)} |`);
  }
}

function readProfile(directory: string): CpuProfile {
  const file = readdirSync(directory).find((entry) => entry.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${directory}: no profile written`);
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
}

async function main(): Promise<void> {
  const name = `bench_profile_${Date.now()}`;
  await createDatabase(name);
  try {
    const url = databaseUrl(name);
    const port = await freePort();
    const seeding = startServer(
      'service',
      [join(ROOT, 'dist/src/main.js')],
      serverEnvironment(url, port),
      port,
    );
    await waitUntilReady(seeding);
    const data = await seed(seeding.baseUrl, { doctors: 500, patients: 2_000, extraMappings: 500 });
    await stopServer(seeding);
    await vacuumAnalyze(name);
    const list = scenarios(data).filter((scenario) => ids.includes(scenario.id));
    for (const scenario of list) {
      const directory = join(OUT, scenario.id);
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory, { recursive: true });
      const servicePort = await freePort();
      const server = startServer(
        'service',
        ['--cpu-prof', `--cpu-prof-dir=${directory}`, join(ROOT, 'dist/src/main.js')],
        serverEnvironment(url, servicePort),
        servicePort,
      );
      await waitUntilReady(server);
      const token = await login(server.baseUrl);
      const result = await runScenario(server, name, scenario, token, LOAD);
      await stopServer(server);
      console.log(
        `\n### ${scenario.id} \`${scenario.title}\` (${result.requestsPerSecond} req/s under the profiler)\n`,
      );
      printTables(readProfile(directory));
    }
  } finally {
    killAllChildren();
    await dropDatabase(name);
  }
}

if (from) {
  for (const id of ids) {
    console.log(`\n### ${id}\n`);
    printTables(readProfile(join(from, id)));
  }
} else {
  await main();
}
