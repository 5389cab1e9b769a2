import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../decorators/public.decorator.js';
import { perHandler } from '../handler-metadata.js';

/** The global guard: a valid access token on every endpoint not marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly isPublic = perHandler(
    (handler, controller) =>
      this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) ??
      false,
  );

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    return this.isPublic(context) || super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown): TUser {
    // The strategy's own refusal (an ended session) keeps its message.
    if (error instanceof UnauthorizedException) throw error;
    if (error || !user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw new UnauthorizedException(
        expired ? 'The access token has expired.' : 'A valid bearer access token is required.',
      );
    }
    return user;
  }
}
