import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtStrategy } from '../../auth/jwt.strategy.js';
import type { AuthUser } from '../decorators/current-user.decorator.js';
import { IS_PUBLIC } from '../decorators/public.decorator.js';
import { perHandler } from '../handler-metadata.js';

/** The outcomes passport gives a strategy's attempt, which it reports through them. */
interface Attempt {
  authenticate(request: unknown, options: object): void;
  success(user: AuthUser): void;
  fail(info?: unknown): void;
  error(error: unknown): void;
}

/** The 401 of a refused token; the strategy's own refusal (an ended session) keeps its message. */
function refusal(error: unknown, info?: unknown): UnauthorizedException {
  if (error instanceof UnauthorizedException) return error;
  const expired = info instanceof Error && info.name === 'TokenExpiredError';
  return new UnauthorizedException(
    expired ? 'The access token has expired.' : 'A valid bearer access token is required.',
  );
}

/**
 * The global guard: a valid access token on every endpoint not marked `@Public()`. It runs
 * passport-jwt's strategy for one attempt as passport's middleware would (an object over the
 * strategy that receives its outcome), without building that middleware and its context anew
 * on every request: what remains is the token's verification.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly isPublic = perHandler(
    (handler, controller) =>
      this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) ??
      false,
  );

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = context.switchToHttp().getRequest<{ user?: AuthUser }>();
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as Attempt;
      attempt.success = (user) => {
        request.user = user;
        resolve(true);
      };
      attempt.fail = (info) => reject(refusal(undefined, info));
      attempt.error = (error) => reject(refusal(error));
      attempt.authenticate(request, {});
    });
  }
}
