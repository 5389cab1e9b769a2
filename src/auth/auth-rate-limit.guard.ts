import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Per-client-address attempt limit on register and login (AUTH_RATE_LIMIT per minute,
 * each endpoint counted on its own). Answers 429 with `Retry-After`.
 */
@Injectable()
export class AuthRateLimitGuard extends ThrottlerGuard {}
