import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

export const IS_PUBLIC = 'isPublic';

/**
 * Documents the empty security requirement (`{}`: no credentials needed). The OpenAPI document
 * writes it as `security: []` and marks every other route as needing the bearer token.
 */
const NoSecurityRequirement = (): MethodDecorator & ClassDecorator =>
  ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(
      DECORATORS.API_SECURITY,
      [{}],
      (descriptor?.value as object | undefined) ?? target,
    );
    return descriptor ?? target;
  }) as MethodDecorator & ClassDecorator;

/**
 * Opens an endpoint to unauthenticated callers; every other endpoint needs a bearer token.
 * The global guard and the OpenAPI document both read this one marker, so they cannot disagree.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), NoSecurityRequirement());
