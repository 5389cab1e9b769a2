import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/environment.js';
import { RedisConnection, RedisModule } from '../redis/redis.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JWT_AUDIENCE, JWT_ISSUER, jwtKey } from './jwt.constants.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LoginAccountThrottle, LoginThrottle } from './login-throttle.entity.js';
import { LoginThrottleService } from './login-throttle.service.js';
import {
  LoginAccountThrottlesRepository,
  LoginThrottlesRepository,
} from './login-throttles.repository.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';
import { RefreshToken } from './refresh-token.entity.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    PassportModule,
    TypeOrmModule.forFeature([RefreshToken, LoginThrottle, LoginAccountThrottle]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        secret: jwtKey(config.get('jwtSecret')),
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.get('accessTtlSeconds'),
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
        },
      }),
    }),
    ThrottlerModule.forRootAsync({
      imports: [RedisModule],
      inject: [ConfigService, RedisConnection],
      useFactory: (config: ConfigService<AppConfig, true>, redis: RedisConnection) => ({
        throttlers: [{ ttl: 60_000, limit: config.get('authRateLimit') }],
        // Shared by every instance when REDIS_URL is set; otherwise counted in the process.
        storage: redis.client
          ? new RedisThrottlerStorage(redis.client, redis, new ThrottlerStorageService())
          : undefined,
        skipIf: () => config.get('authRateLimit') === 0,
        errorMessage: 'Too many attempts from this address. Retry after the Retry-After seconds.',
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    JwtStrategy,
    LoginThrottleService,
    LoginThrottlesRepository,
    LoginAccountThrottlesRepository,
    RefreshTokensRepository,
  ],
  // The strategy for the global JWT guard (src/common/guards/jwt-auth.guard.ts).
  exports: [AuthService, JwtStrategy],
})
export class AuthModule {}
