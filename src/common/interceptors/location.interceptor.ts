import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  HttpCode,
  HttpStatus,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Observable, tap } from 'rxjs';

class LocationInterceptor implements NestInterceptor {
  constructor(private readonly basePath: string) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((resource: { id: string }) => {
        context
          .switchToHttp()
          .getResponse<FastifyReply>()
          .header('Location', `${this.basePath}/${resource.id}/`);
      }),
    );
  }
}

/** A create handler: answers 201 with a `Location` naming the resource it returns. */
export const Creates = (basePath: string) =>
  applyDecorators(HttpCode(HttpStatus.CREATED), UseInterceptors(new LocationInterceptor(basePath)));
