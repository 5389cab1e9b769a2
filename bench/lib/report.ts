import type { ScenarioResult } from './load.js';

export interface TargetRun {
  name: 'service' | 'baseline';
  label: string;
  database: string;
  counts: { doctors: number; patients: number; mappings: number };
  scenarios: ScenarioResult[];
  /** S1 and S3 on a copy grown to 10×, served by a second process of the same server. */
  scale?: {
    database: string;
    counts: { doctors: number; patients: number; mappings: number };
    scenarios: ScenarioResult[];
    peakRssMb?: number;
  };
  /** VmHWM of the server process when it was stopped. */
  peakRssMb?: number;
}

/** The targets: service ÷ baseline requests/s at least this, p99 at most 1.3×. */
export const TARGETS: Record<string, { rps: number; p99: number }> = {
  S1: { rps: 0.85, p99: 1.3 },
  S2: { rps: 0.85, p99: 1.3 },
  S3: { rps: 1.5, p99: 1.3 },
  S4: { rps: 0.85, p99: 1.3 },
  S5: { rps: 0, p99: 1.3 },
};

/** The service's peak resident memory at most this many times the baseline's. */
export const RSS_TARGET = 1.5;

/** The service's requests/s at 10× the rows, at least this share of those at 1×. */
export const SCALE_TARGETS: Record<string, number> = { S1: 0.9, S3: 0.8 };

export interface Ratio {
  id: string;
  title: string;
  requestsPerSecond: number;
  p99: number;
  rpsTarget: number;
  p99Target: number;
  rpsMet: boolean;
  p99Met: boolean;
}

export function ratios(service: ScenarioResult[], baseline: ScenarioResult[]): Ratio[] {
  return service.map((own) => {
    const floor = baseline.find((result) => result.id === own.id);
    const target = TARGETS[own.id] ?? { rps: 0, p99: Infinity };
    const rps =
      floor && floor.requestsPerSecond > 0 ? own.requestsPerSecond / floor.requestsPerSecond : NaN;
    const p99 = floor && floor.latencyMs.p99 > 0 ? own.latencyMs.p99 / floor.latencyMs.p99 : NaN;
    return {
      id: own.id,
      title: own.title,
      requestsPerSecond: Number(rps.toFixed(2)),
      p99: Number(p99.toFixed(2)),
      rpsTarget: target.rps,
      p99Target: target.p99,
      rpsMet: rps >= target.rps,
      p99Met: p99 <= target.p99,
    };
  });
}

function table(header: string[], rows: string[][], alignLeft = 1): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column].length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column < alignLeft ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ');
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

export function scenarioTable(results: ScenarioResult[]): string {
  return table(
    [
      'scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
      'peak RSS MB',
      'server CPU ms/req',
      'db CPU ms/req',
      'other load',
    ],
    results.map((result) => [
      `${result.id} ${result.title}`,
      fixed(result.requestsPerSecond),
      fixed(result.latencyMs.p50, 0),
      fixed(result.latencyMs.p99, 0),
      String(result.non2xx),
      String(result.errors + result.timeouts),
      fixed(result.peakRssMb),
      fixed(result.serverCpuMsPerRequest, 2),
      fixed(result.databaseCpuMsPerRequest, 2),
      fixed(result.otherBusyCores, 2),
    ]),
  );
}

export function ratioTable(list: Ratio[]): string {
  const mark = (met: boolean) => (met ? 'met' : 'MISSED');
  return table(
    ['scenario', 'req/s ratio', 'target', '', 'p99 ratio', 'target', ''],
    list.map((ratio) => [
      `${ratio.id} ${ratio.title}`,
      fixed(ratio.requestsPerSecond, 2),
      ratio.rpsTarget > 0 ? `≥ ${ratio.rpsTarget.toFixed(2)}` : '–',
      ratio.rpsTarget > 0 ? mark(ratio.rpsMet) : '',
      fixed(ratio.p99, 2),
      `≤ ${ratio.p99Target.toFixed(2)}`,
      mark(ratio.p99Met),
    ]),
  );
}

export interface ScaleRow {
  target: string;
  id: string;
  rps1: number;
  rps10: number;
  p50At1: number;
  p50At10: number;
  cpu1?: number;
  cpu10?: number;
  db1?: number;
  db10?: number;
}

export function scaleRows(runs: TargetRun[]): ScaleRow[] {
  return runs.flatMap((run) =>
    (run.scale?.scenarios ?? []).map((at10) => {
      const at1 = run.scenarios.find((result) => result.id === at10.id);
      return {
        target: run.name,
        id: at10.id,
        rps1: at1?.requestsPerSecond ?? NaN,
        rps10: at10.requestsPerSecond,
        p50At1: at1?.latencyMs.p50 ?? NaN,
        p50At10: at10.latencyMs.p50,
        cpu1: at1?.serverCpuMsPerRequest,
        cpu10: at10.serverCpuMsPerRequest,
        db1: at1?.databaseCpuMsPerRequest,
        db10: at10.databaseCpuMsPerRequest,
      };
    }),
  );
}

export function scaleTable(rows: ScaleRow[]): string {
  return table(
    [
      'server',
      'scenario',
      'req/s 1×',
      'req/s 10×',
      '10× ÷ 1×',
      'p50 1×',
      'p50 10×',
      'server CPU ms/req 1×',
      'server CPU ms/req 10×',
      'db CPU ms/req 1×',
      'db CPU ms/req 10×',
      'target',
    ],
    rows.map((row) => [
      row.target,
      row.id,
      fixed(row.rps1),
      fixed(row.rps10),
      fixed(row.rps10 / row.rps1, 2),
      fixed(row.p50At1, 0),
      fixed(row.p50At10, 0),
      fixed(row.cpu1, 2),
      fixed(row.cpu10, 2),
      fixed(row.db1, 2),
      fixed(row.db10, 2),
      row.target === 'service' && SCALE_TARGETS[row.id]
        ? `≥ ${SCALE_TARGETS[row.id].toFixed(2)} ${row.rps10 / row.rps1 >= SCALE_TARGETS[row.id] ? 'met' : 'MISSED'}`
        : '',
    ]),
    2,
  );
}
