/**
 * The seed and size of a fuzz run. `FUZZ_SEED=<n>` replays a run (the seed is in every test
 * name and failure report, and fast-check prints it with the counterexample); `FUZZ_RUNS=<n>`
 * overrides the number of runs of every property, for a longer soak.
 */
const DEFAULT_SEED = 20_261_125;

function seedFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_SEED;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${value}`);
  return seed;
}

export const SEED = seedFromEnv(process.env.FUZZ_SEED);
const RUNS_OVERRIDE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
if (RUNS_OVERRIDE !== undefined && !(Number.isSafeInteger(RUNS_OVERRIDE) && RUNS_OVERRIDE > 0)) {
  throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
}
export const runs = (normal: number) => RUNS_OVERRIDE ?? normal;
export const REPLAY = `seed ${SEED}, replay with FUZZ_SEED=${SEED}`;
