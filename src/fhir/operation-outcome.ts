import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import type { Problem } from '../common/filters/problem-details.filter.js';
import { fhirString } from './fhir-string.js';

/** The media type of every FHIR answer, errors included. */
export const FHIR_JSON = 'application/fhir+json';

/** Where the FHIR view lives: every answer under it, an error too, is FHIR. */
export const FHIR_PREFIX = '/fhir';

/** The issue type (http://hl7.org/fhir/issue-type) that an HTTP status stands for. */
const ISSUE_CODES: Partial<Record<number, OperationOutcomeIssue['code']>> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  406: 'not-supported',
  409: 'conflict',
  412: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  429: 'throttled',
  500: 'exception',
  503: 'transient',
};

export function isFhirRequest(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return path === FHIR_PREFIX || path.startsWith(`${FHIR_PREFIX}/`);
}

/** The OperationOutcome of a problem: one issue per field error, else one for the whole. */
export function toOperationOutcome(problem: Problem): OperationOutcome {
  const code = ISSUE_CODES[problem.status] ?? (problem.status >= 500 ? 'exception' : 'processing');
  const diagnostics = problem.errors?.length
    ? problem.errors.map((error) => `${error.field}: ${error.message}`)
    : [problem.detail];
  return {
    resourceType: 'OperationOutcome',
    issue: diagnostics.map((text) => ({ severity: 'error', code, diagnostics: fhirString(text) })),
  };
}
