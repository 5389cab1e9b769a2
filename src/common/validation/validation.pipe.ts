import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainListQuery } from '../pagination/list-query.js';
import { type FieldError, ValidationProblem } from '../problem-details.js';

/**
 * Fields the server owns: a client that sends them is told so rather than ignored. (`role` is
 * writable only where a DTO declares it: by an administrator, not at registration.)
 */
const READ_ONLY_FIELDS = new Set(['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'role']);

/** No body of this API nests deeper; deeper ones would only exhaust the validator's stack. */
const MAX_BODY_DEPTH = 8;

/**
 * Keys that Nest's ValidationPipe and class-transformer delete or skip before the whitelist
 * can see them, and the names of Object.prototype's members (`toString`, `hasOwnProperty`,
 * `__defineGetter__`, …), which pass the whitelist as if every class declared them: left
 * alone, a body carrying one would be accepted with the key silently dropped.
 */
const DROPPED_KEYS = [
  ...new Set([
    '__proto__',
    'constructor',
    'prototype',
    ...Object.getOwnPropertyNames(Object.prototype),
  ]),
];

/** The dotted paths of the dropped keys a parsed JSON value carries, at any depth. */
function droppedKeyPaths(value: unknown): string[] {
  const paths: string[] = [];
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0) {
    const [current, prefix] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    for (const key of DROPPED_KEYS) {
      if (Object.hasOwn(current, key)) paths.push(`${prefix}${key}`);
    }
    for (const [key, child] of Object.entries(current)) pending.push([child, `${prefix}${key}.`]);
  }
  return paths;
}

/** Whether a parsed JSON value nests objects or arrays deeper than `limit` (iteratively). */
function depthExceeds(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message:
        constraint === 'whitelistValidation'
          ? READ_ONLY_FIELDS.has(error.property)
            ? `${field} is read-only`
            : `${field} is not a known property`
          : message,
    }));
    return [...own, ...flatten(error.children ?? [], `${field}.`)];
  });
}

/**
 * The global validation pipe: unknown properties are refused, nothing is coerced, and every
 * failure becomes a 400 problem document with one entry per field.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      stopAtFirstError: true,
      exceptionFactory: (errors) => new ValidationProblem(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      const plain = plainListQuery(metadata.metatype, value);
      if (plain) return plain;
    }
    if (metadata.type === 'body' && value !== undefined) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ValidationProblem(undefined, 'The request body must be a JSON object.');
      }
      if (depthExceeds(value, MAX_BODY_DEPTH)) {
        throw new ValidationProblem(undefined, 'The request body is nested too deeply.');
      }
      const dropped = droppedKeyPaths(value);
      if (dropped.length > 0) {
        throw new ValidationProblem(
          dropped.map((field) => ({ field, message: `${field} is not a known property` })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}
