import {
  applyDecorators,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  HttpStatus,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader, ApiResponse, type ResponseObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { ApiProblems } from '../openapi.js';
import {
  checkIfNoneMatch,
  entityTag,
  type ExpectedVersions,
  ifNoneMatchHolds,
  parseIfMatch,
  TAG_LIST_PATTERN,
} from './entity-tags.js';

/**
 * Answers with `ETag: "<version>"` for the resource a handler returns; on a GET (or HEAD),
 * a 304 with no body when `If-None-Match` names that version.
 */
class EntityTagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const reading = request.method === 'GET' || request.method === 'HEAD';
    const ifNoneMatch = request.headers['if-none-match'];
    if (reading) checkIfNoneMatch(ifNoneMatch);
    return next.handle().pipe(
      map((resource: { version: number }) => {
        reply.header('ETag', entityTag(resource.version));
        if (reading && ifNoneMatchHolds(ifNoneMatch, resource.version)) {
          reply.status(HttpStatus.NOT_MODIFIED);
          return undefined;
        }
        return resource;
      }),
    );
  }
}

/** The versions the request's `If-Match` accepts (`undefined`: any); a malformed one is a 400. */
export const IfMatch = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ExpectedVersions =>
    parseIfMatch(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);

const ETAG_HEADER = {
  description:
    'The version of the resource in quotes, `"<version>"`. Send it back in `If-Match` to change ' +
    'the resource only if nobody else has meanwhile, or in `If-None-Match` to read it only if ' +
    'it changed.',
  schema: { type: 'string', pattern: '^"[1-9][0-9]{0,9}"$', maxLength: 12 },
  example: '"3"',
} as const;

/** Node.js refuses request headers over 16 KiB in all: no tag list can be longer. */
const TAG_LIST_SCHEMA = { type: 'string', pattern: TAG_LIST_PATTERN, maxLength: 16_384 } as const;

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description:
    'Change the resource only if it is still at this version: `"<version>"` as its `ETag` ' +
    'said, a comma-separated list of them, or `*` for any version. Otherwise the answer is ' +
    '412 and nothing changes. Weak tags (`W/"3"`) never match. Without the header the ' +
    'change goes ahead whatever the version.',
  schema: { ...TAG_LIST_SCHEMA, example: '"3"' },
});

const IF_NONE_MATCH = ApiHeader({
  name: 'If-None-Match',
  required: false,
  description:
    'Answer 304 with no body if the resource is still at this version: `"<version>"` as its ' +
    '`ETag` said (or `W/"<version>"`), a comma-separated list of them, or `*`.',
  schema: { ...TAG_LIST_SCHEMA, example: '"3"' },
});

/** The metadata key under which @nestjs/swagger keeps an operation's responses. */
const API_RESPONSES = 'swagger/apiResponse';

/**
 * Adds the `ETag` header to the success response an `@ApiEndpoint()` below this decorator
 * declared, keeping that response's schema and other headers.
 */
function documentEntityTag(status: HttpStatus): MethodDecorator {
  return (_target, _key, descriptor) => {
    const responses = (Reflect.getMetadata(API_RESPONSES, descriptor.value as object) ??
      {}) as Record<string, ResponseObject>;
    const success = responses[status];
    if (!success)
      throw new Error('@Versioned() must be placed above the @ApiEndpoint() it extends');
    Reflect.defineMetadata(
      API_RESPONSES,
      {
        ...responses,
        [status]: { ...success, headers: { ...success.headers, ETag: ETAG_HEADER } },
      },
      descriptor.value as object,
    );
    return descriptor;
  };
}

/**
 * What a handler does with a versioned resource (a doctor, a patient, a mapping):
 * - `read`: answers it with its `ETag`, or 304 for a matching `If-None-Match`;
 * - `create`: answers the new resource with its `ETag`;
 * - `write`: takes `If-Match` (412 on a mismatch) and answers the result with its `ETag`;
 * - `delete`: takes `If-Match` (412 on a mismatch).
 *
 * Documents all of it. Place it above the handler's `@ApiEndpoint()`; a `write` or `delete`
 * handler reads the header with an `@IfMatch()` parameter and hands it to its service, which
 * checks it in the same transaction as the change.
 */
export function Versioned(use: 'read' | 'create' | 'write' | 'delete'): MethodDecorator {
  const decorators: MethodDecorator[] = [];
  if (use !== 'delete') {
    decorators.push(
      UseInterceptors(EntityTagInterceptor),
      documentEntityTag(use === 'create' ? HttpStatus.CREATED : HttpStatus.OK),
    );
  }
  if (use === 'read') {
    decorators.push(
      IF_NONE_MATCH,
      ApiResponse({
        status: HttpStatus.NOT_MODIFIED,
        description: 'Not modified: the version `If-None-Match` named is current. No body.',
        headers: { ETag: ETAG_HEADER },
      }),
    );
  }
  if (use === 'write' || use === 'delete') {
    decorators.push(IF_MATCH, ApiProblems(HttpStatus.PRECONDITION_FAILED));
  }
  return applyDecorators(...decorators);
}
