import {
  applyDecorators,
  type CallHandler,
  type CanActivate,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  HttpStatus,
  type NestInterceptor,
  NotAcceptableException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { ValidationProblem } from '../common/problem-details.js';
import { checkIfNoneMatch, ifNoneMatchHolds } from '../common/versions/entity-tags.js';
import type { SearchTarget } from './bundle.mapper.js';
import { FHIR_JSON, FHIR_PREFIX } from './operation-outcome.js';
import { parseSearch, type SearchQuery, type SearchSpec } from './search-query.js';

/** The path of the FHIR R4 view, below which each resource type has its own. */
export const FHIR_BASE_PATH = `${FHIR_PREFIX}/R4`;

/** What an `Accept` may name for this server to answer: JSON, as FHIR or plain. */
const SERVED_MEDIA_RANGES = new Set([
  '*/*',
  'application/*',
  'application/json',
  FHIR_JSON,
  // The media type of FHIR before R4, which some clients still send.
  'application/json+fhir',
]);

/** The `_format` values that name JSON: FHIR's shorthand, or a media type. */
export const JSON_FORMATS = new Set([
  'json',
  'application/json',
  FHIR_JSON,
  'application/json+fhir',
]);

/** The query string of a request's URL. */
export function queryOf(request: FastifyRequest): string {
  const start = request.url.indexOf('?');
  return start < 0 ? '' : request.url.slice(start + 1);
}

/**
 * Whether a request may be answered in FHIR JSON: its `_format`, which overrides `Accept` in
 * FHIR, names JSON, or without one its `Accept` admits it.
 */
export function servesFhirJson(request: FastifyRequest): boolean {
  const formats = new URLSearchParams(queryOf(request)).getAll('_format');
  if (formats.length === 0) return acceptsFhirJson(request.headers.accept);
  return formats.every((format) => JSON_FORMATS.has(format.split(';')[0].trim().toLowerCase()));
}

/** Whether an `Accept` header admits FHIR JSON (no header admits anything). */
export function acceptsFhirJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return SERVED_MEDIA_RANGES.has(type) && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

/** A 406 for an `Accept`, or a `_format`, that admits no JSON: FHIR XML and the rest. */
class FhirAcceptGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!servesFhirJson(context.switchToHttp().getRequest<FastifyRequest>())) {
      throw new NotAcceptableException(
        'This server answers application/fhir+json (or application/json) only.',
      );
    }
    return true;
  }
}

/**
 * Answers FHIR JSON, and a versioned resource with its weak `ETag: W/"<versionId>"`; a read
 * whose `If-None-Match` names that version, with a 304 and no body.
 */
class FhirResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const ifNoneMatch = request.headers['if-none-match'];
    // Read only on a read (of one resource by its id), and a malformed one is a 400 first.
    const read = (request.params as { id?: string }).id !== undefined;
    if (read) checkIfNoneMatch(ifNoneMatch);
    return next.handle().pipe(
      map((resource: Resource) => {
        reply.header('Content-Type', `${FHIR_JSON}; charset=utf-8`);
        const versionId = resource.resourceType === 'Bundle' ? undefined : resource.meta?.versionId;
        if (!versionId) return resource;
        reply.header('ETag', `W/"${versionId}"`);
        if (read && ifNoneMatchHolds(ifNoneMatch, Number(versionId))) {
          reply.status(HttpStatus.NOT_MODIFIED);
          return undefined;
        }
        return resource;
      }),
    );
  }
}

/** A controller of the FHIR view of one resource type (or of the server, for `metadata`). */
export const FhirController = (path: string) =>
  applyDecorators(
    Controller(`${FHIR_BASE_PATH.slice(1)}/${path}`),
    ApiTags('fhir'),
    UseGuards(FhirAcceptGuard),
    UseInterceptors(FhirResponseInterceptor),
  );

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The server's FHIR base URL as this request reached it: the Bundles' links start with it. */
export function fhirBaseUrl(request: FastifyRequest): string {
  // Quoted into every link of an answer: a Host that is not a host name is refused.
  if (!HOST.test(request.host ?? '')) {
    throw new ValidationProblem(
      [{ field: 'Host', message: 'Host must be a host name or address, with an optional port' }],
      'The Host header is not valid.',
    );
  }
  return `${request.protocol}://${request.host}${FHIR_BASE_PATH}`;
}

/** The FHIR base URL of the request. */
export const FhirBase = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  fhirBaseUrl(context.switchToHttp().getRequest<FastifyRequest>()),
);

/** A search of one resource type, as a handler receives it. */
export type FhirSearch<Spec extends SearchSpec> = SearchQuery<Spec> & SearchTarget;

/** The request's search of `type`, read against `spec` (a 400 for anything else). */
export const FhirSearchQuery = createParamDecorator(
  (
    [type, spec]: [SearchTarget['type'], SearchSpec],
    context: ExecutionContext,
  ): FhirSearch<SearchSpec> => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return { ...parseSearch(spec, queryOf(request)), base: fhirBaseUrl(request), type };
  },
);
