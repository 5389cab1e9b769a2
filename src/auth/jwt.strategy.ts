import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { isUUID } from 'class-validator';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { AppConfig } from '../config/environment.js';
import { JWT_AUDIENCE, JWT_ISSUER, jwtKey } from './jwt.constants.js';

interface AccessTokenPayload {
  sub?: unknown;
  jti?: unknown;
}

/**
 * Verifies access tokens: HS256 only (so `alg: none` and key-confusion tokens fail), with
 * issuer, audience and expiry checked. The caller is taken from the token without a
 * database read: access tokens are short-lived, and revocation works on refresh tokens.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(config: ConfigService<AppConfig, true>) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its types lag.
      secretOrKey: jwtKey(config.get('jwtSecret')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(payload: AccessTokenPayload): AuthUser | false {
    if (
      typeof payload.sub !== 'string' ||
      !isUUID(payload.sub) ||
      typeof payload.jti !== 'string'
    ) {
      return false;
    }
    return { id: payload.sub };
  }
}
