import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Observable, tap } from 'rxjs';
import { ApiEndpoint, type EndpointOptions } from '../openapi.js';

class LocationInterceptor implements NestInterceptor {
  constructor(private readonly location: string) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((resource: { id: string }) => {
        context
          .switchToHttp()
          .getResponse<FastifyReply>()
          .header('Location', this.location.replace(':id', resource.id));
      }),
    );
  }
}

/**
 * A create endpoint: answers 201 with the resource it returns and a `Location` made from
 * `location` (`:id` stands for the resource's id), and documents both with that path.
 */
export const Creates = (location: string, endpoint: Omit<EndpointOptions, 'status' | 'location'>) =>
  applyDecorators(
    UseInterceptors(new LocationInterceptor(location)),
    ApiEndpoint({ ...endpoint, status: HttpStatus.CREATED, location }),
  );
