import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';

type Json = Record<string, any>;

const committed: Json = JSON.parse(readFileSync('openapi.json', 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

const operations = Object.entries(committed.paths as Json).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => ({
    name: `${method.toUpperCase()} ${path}`,
    path,
    operation: item[method] as Json,
  })),
);

let server: TestApp;

beforeAll(async () => {
  server = await startApp();
});
afterAll(() => server.close());

describe('the OpenAPI document', () => {
  it('is served at /docs-json exactly as committed in openapi.json', async () => {
    const response = await server.http.get('/docs-json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(committed);
  });

  it('gives every operation a unique camelCase operationId, a summary and a described tag', () => {
    const tags = new Map<string, string>(
      committed.tags.map((tag: Json) => [tag.name, tag.description]),
    );
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { name, operation } of operations) {
      expect(operation.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.summary, name).toBeTruthy();
      expect(operation.tags, name).toHaveLength(1);
      expect(tags.get(operation.tags[0]), name).toBeTruthy();
    }
  });

  it('answers every error of every operation with the problem-details schema, or under /fhir an OperationOutcome', () => {
    for (const { name, path, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        if (Number(status) < 400) continue;
        // The health and readiness checks report what is down in their own body (docs/http-contract.md).
        if (['/health', '/health/ready'].includes(path) && status === '503') continue;
        const expected = path.startsWith('/fhir/')
          ? {
              'application/fhir+json': {
                schema: { $ref: '#/components/schemas/FhirOperationOutcome' },
                example: expect.objectContaining({ resourceType: 'OperationOutcome' }),
              },
            }
          : {
              'application/problem+json': {
                schema: { $ref: '#/components/schemas/ProblemDetails' },
                example: expect.objectContaining({ status: Number(status) }),
              },
            };
        expect(response.content, `${name} ${status}`).toEqual(expected);
      }
      expect(Object.keys(operation.responses), name).toEqual(expect.arrayContaining(['500']));
    }
  });

  it('documents the bearer scheme on every operation but the public ones', () => {
    expect(committed.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const open = operations.filter(({ operation }) => operation.security.length === 0);
    expect(open.map(({ name }) => name).sort()).toEqual([
      'GET /fhir/R4/metadata',
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      'POST /auth/login',
      'POST /auth/refresh',
      'POST /auth/register',
    ]);
    for (const { name, operation } of operations) {
      if (operation.security.length > 0) {
        expect(operation.security, name).toEqual([{ bearer: [] }]);
        expect(operation.responses['401'], name).toBeDefined();
      }
    }
  });

  it('documents exactly the operations the global guard leaves open', async () => {
    for (const { name, path, operation } of operations) {
      const [method] = name.split(' ');
      const url = path.replace(/\{\w+\}/g, '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b');
      const response = await server.http.request(method, url, method === 'GET' ? undefined : {});
      if (operation.security.length > 0) expect(response.status, name).toBe(401);
      else expect(response.status, name).not.toBe(401);
    }
  });

  it('has an example for every schema property, and a value for every required parameter', () => {
    for (const [schemaName, schema] of Object.entries(committed.components.schemas as Json)) {
      for (const [property, definition] of Object.entries(schema.properties as Json)) {
        const nested = definition.$ref ?? definition.items?.$ref ?? definition.allOf?.[0]?.$ref;
        if (!nested) expect(definition.example, `${schemaName}.${property}`).toBeDefined();
      }
    }
    for (const { name, operation } of operations) {
      // Swagger UI fills "Try it out" with these: optional filters have none, so that a first
      // try lists everything instead of filtering by an example that matches nothing.
      for (const parameter of operation.parameters as Json[]) {
        const value = parameter.example ?? parameter.schema.example ?? parameter.schema.default;
        if (parameter.required || parameter.in === 'path') {
          expect(value, `${name} ${parameter.name}`).toBeDefined();
        }
      }
    }
  });

  it('documents ETag, If-Match, If-None-Match, 304 and 412 on every operation of one versioned resource', () => {
    const headerNames = (operation: Json) =>
      (operation.parameters as Json[]).filter((p) => p.in === 'header').map((p) => p.name);
    for (const resource of ['doctors', 'patients', 'mappings']) {
      const one = committed.paths[`/api/${resource}/{id}`];
      const created = committed.paths[`/api/${resource}`].post.responses['201'];
      expect(Object.keys(created.headers).sort(), resource).toEqual(['ETag', 'Location']);
      expect(headerNames(one.get)).toEqual(['If-None-Match']);
      expect(one.get.responses['200'].headers.ETag).toBeDefined();
      expect(one.get.responses['304'].headers.ETag).toBeDefined();
      for (const method of ['put', 'patch', 'delete']) {
        expect(headerNames(one[method]), `${method} ${resource}`).toEqual(['If-Match']);
        expect(one[method].responses['412'], `${method} ${resource}`).toBeDefined();
      }
      for (const method of ['put', 'patch']) {
        expect(one[method].responses['200'].headers.ETag).toBeDefined();
      }
      expect(one.delete.responses['204'].headers).toBeUndefined();
    }
  });

  it('names a relative server, so that Swagger UI calls the server that served it', () => {
    expect(committed.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });
});
