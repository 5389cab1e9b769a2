import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { isUUID } from 'class-validator';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { AppConfig } from '../config/environment.js';
import { EndedSessions } from '../sessions/ended-sessions.js';
import { JWT_AUDIENCE, JWT_ISSUER, jwtKey } from './jwt.constants.js';

interface AccessTokenPayload {
  sub?: unknown;
  jti?: unknown;
  sid?: unknown;
}

/**
 * Verifies access tokens: HS256 only (so `alg: none` and key-confusion tokens fail), with
 * issuer, audience and expiry checked, and refuses those of ended sessions. The caller is
 * taken from the token without a database read: ended sessions are known from memory.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: ConfigService<AppConfig, true>,
    private readonly endedSessions: EndedSessions,
  ) {
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
      typeof payload.jti !== 'string' ||
      typeof payload.sid !== 'string'
    ) {
      return false;
    }
    if (this.endedSessions.isEnded(payload.sid)) {
      throw new UnauthorizedException('The session has ended: log in again.');
    }
    return { id: payload.sub, sessionId: payload.sid };
  }
}
