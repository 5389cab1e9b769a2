// Renders the Kubernetes manifests (`kubectl kustomize`) and validates every object against
// the Kubernetes schemas (the `kubernetes-models` validators), then fails on any field the
// schema does not know: those validators accept unknown fields, which the API server would
// reject or, worse, silently drop (a misspelt `readOnlyRootFilesystem` is no protection).
//
//   node scripts/kubernetes-check.mjs [directory ...]   (default: the base and every overlay)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const manifests = join(root, 'deploy/kubernetes');

/** `apps/v1` + `Deployment` → `IoK8sApiAppsV1Deployment`, the name of its schema module. */
function schemaName(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const capital = (word) => word.charAt(0).toUpperCase() + word.slice(1);
  return `IoK8sApi${capital(group.split('.')[0])}${capital(version)}${kind}`;
}

/**
 * A copy of `value` whose objects record every property the validator reads: a property it
 * never reads is one the schema does not have (maps such as labels are read whole).
 */
function tracked(value, path, nodes) {
  if (value === null || typeof value !== 'object') return value;
  const read = new Set();
  const copy = Array.isArray(value)
    ? value.map((item, index) => tracked(item, `${path}[${index}]`, nodes))
    : Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, tracked(item, `${path}.${key}`, nodes)]),
      );
  if (!Array.isArray(value)) nodes.push({ path, keys: Object.keys(value), read });
  return new Proxy(copy, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return target[key];
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return key in target;
    },
  });
}

/** The problems of one object: schema violations, then unknown fields. */
export async function problemsOf(object) {
  const name = schemaName(String(object?.apiVersion), String(object?.kind));
  let validate;
  try {
    ({ validate } = await import(`kubernetes-models/_schemas/${name}`));
  } catch {
    return [`unknown apiVersion/kind ${object?.apiVersion} ${object?.kind}`];
  }
  const nodes = [];
  const problems = [];
  if (!validate(tracked(object, '', nodes))) {
    for (const error of validate.errors ?? []) {
      problems.push(
        `${error.instancePath || '/'} ${error.keyword}: ${JSON.stringify(error.params)}`,
      );
    }
  }
  for (const { path, keys, read } of nodes) {
    for (const key of keys) if (!read.has(key)) problems.push(`unknown field ${path}.${key}`);
  }
  return problems;
}

/** Renders one Kustomize directory into its objects. */
export function render(directory) {
  const output = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8' });
  return parseAllDocuments(output).map((document) => {
    if (document.errors.length > 0) throw document.errors[0];
    return document.toJS();
  });
}

/** The base and every overlay. */
export function kustomizations() {
  const overlays = join(manifests, 'overlays');
  return [
    join(manifests, 'base'),
    ...readdirSync(overlays).map((overlay) => join(overlays, overlay)),
  ];
}

async function main(directories) {
  let failed = false;
  for (const directory of directories) {
    const objects = render(directory);
    console.log(`${relative(root, directory)}: ${objects.length} objects`);
    for (const object of objects) {
      const problems = await problemsOf(object);
      const label = `${object?.kind}/${object?.metadata?.name}`;
      if (problems.length === 0) {
        console.log(`  ok ${label}`);
        continue;
      }
      failed = true;
      for (const problem of problems) console.error(`  ${label}: ${problem}`);
    }
  }
  if (failed) process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const given = process.argv.slice(2).map((directory) => resolve(directory));
  await main(given.length > 0 ? given : kustomizations());
}
