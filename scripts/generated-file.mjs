import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

/**
 * Writes a generated file as JSON; with --check on the command line, compares it with the
 * committed file instead and fails when they differ, naming the command that regenerates it.
 */
export async function writeOrCheck(file, value, command) {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  const name = relative(ROOT, file);
  if (process.argv.includes('--check')) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error(`${name} is out of date: run \`${command}\` and commit the result.`);
      process.exit(1);
    }
    console.log(`${name} is up to date.`);
  } else {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    console.log(`Wrote ${name}`);
  }
}
