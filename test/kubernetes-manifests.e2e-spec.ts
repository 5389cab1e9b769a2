import { describe, expect, it } from 'vitest';
import { kustomizations, problemsOf, render } from '../scripts/kubernetes-check.mjs';

/** Needs `kubectl` (its built-in kustomize renders offline). */
describe('the Kubernetes manifests', () => {
  const rendered = kustomizations().map((directory) => ({
    directory,
    objects: render(directory) as any[],
  }));

  it('render, in the base and every overlay, objects that the Kubernetes schemas accept', async () => {
    expect(rendered.map(({ directory }) => directory.split('deploy/kubernetes/')[1])).toEqual([
      'base',
      'overlays/production',
    ]);
    for (const { objects } of rendered) {
      expect(objects.map((object) => object.kind).sort()).toEqual([
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Job',
        'PodDisruptionBudget',
        'Service',
      ]);
      for (const object of objects) expect(await problemsOf(object)).toEqual([]);
    }
  });

  it('run hardened, probed, limited replicas and a migration Job, with secrets by reference only', () => {
    for (const { objects } of rendered) {
      const deployment = objects.find((object) => object.kind === 'Deployment');
      const job = objects.find((object) => object.kind === 'Job');
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      const api = deployment.spec.template.spec.containers[0];
      expect(api.livenessProbe.httpGet.path).toBe('/health/live');
      expect(api.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(job.spec.template.spec.containers[0].command).toEqual([
        'node',
        'dist/src/run-migrations.js',
      ]);
      for (const pod of [deployment.spec.template.spec, job.spec.template.spec]) {
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect(container.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(Object.keys(container.resources).sort()).toEqual(['limits', 'requests']);
          for (const variable of container.env ?? []) {
            if (['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL'].includes(variable.name)) {
              expect(variable.valueFrom.secretKeyRef.name).toBe('healthcare-api');
            }
          }
        }
      }
      expect(objects.some((object) => object.kind === 'Secret')).toBe(false);
      const config = objects.find((object) => object.kind === 'ConfigMap');
      expect(config.data.MIGRATIONS_RUN).toBe('false');
      expect(Object.keys(config.data)).not.toContain('JWT_SECRET');
    }
  });

  it('the check fails on an unknown field, a wrong type and a missing required field', async () => {
    const deployment = structuredClone(
      rendered[0].objects.find((object) => object.kind === 'Deployment'),
    );
    const container = deployment.spec.template.spec.containers[0];
    container.securityContext.readOnlyRootFileSystem = true;
    deployment.spec.replicas = 'two';
    delete deployment.spec.selector;
    const problems = await problemsOf(deployment);
    expect(problems).toContain(
      'unknown field .spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem',
    );
    expect(problems.some((problem) => problem.startsWith('/spec/replicas type'))).toBe(true);
    expect(problems.some((problem) => problem.includes('"missingProperty":"selector"'))).toBe(true);
    expect(await problemsOf({ apiVersion: 'apps/v1', kind: 'Deploymnt' })).toEqual([
      'unknown apiVersion/kind apps/v1 Deploymnt',
    ]);
  });
});
