import { Injectable, type OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcrypt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { Client } from '../common/decorators/client.decorator.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { AppConfig } from '../config/environment.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto, RegisterDto, TokenPairResponse, UserResponse } from './dto/auth.dto.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { RefreshToken } from './refresh-token.entity.js';

const INVALID_CREDENTIALS = 'The email or password is incorrect.';
const INVALID_REFRESH_TOKEN = 'The refresh token is invalid, expired or already used.';

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toUserResponse({ id, name, email, createdAt }: User): UserResponse {
  return { id, name, email, createdAt };
}

@Injectable()
export class AuthService implements OnModuleInit {
  /** Compared against when an email is unknown, so that both failures take one hash's time. */
  private dummyHash: string;

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly dataSource: DataSource,
    private readonly config: ConfigService<AppConfig, true>,
    private readonly throttle: LoginThrottleService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await bcrypt.hash(randomUUID(), this.config.get('bcryptRounds'));
  }

  async register(dto: RegisterDto): Promise<UserResponse> {
    const passwordHash = await bcrypt.hash(dto.password, this.config.get('bcryptRounds'));
    const user = await this.users.create({ name: dto.name, email: dto.email, passwordHash });
    return toUserResponse(user);
  }

  /**
   * Every attempt is counted against its email and client first (see LoginThrottleService),
   * and every attempt, even one refused by a lock, looks the email up and compares one bcrypt
   * hash: unknown, known, wrong and locked all take the same time, and unknown and known
   * get the same answers (401, or the lock's 429).
   */
  async login(client: Client, dto: LoginDto): Promise<TokenPairResponse> {
    const refusal = await this.throttle.reserveAttempt(client, dto.email);
    const user = await this.users.findByEmail(dto.email);
    const matches = await bcrypt.compare(dto.password, user?.passwordHash ?? this.dummyHash);
    if (refusal) throw refusal;
    if (!user || !matches) throw new UnauthorizedException(INVALID_CREDENTIALS);
    await this.throttle.recordSuccess(client, dto.email);
    return this.issueTokens(this.dataSource.manager, user.id, randomUUID());
  }

  /**
   * Rotates a refresh token. A token that was already rotated (or logged out) is a sign of
   * theft: every live token of its family is revoked, and the caller gets a 401.
   */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(RefreshToken, {
        where: { tokenHash: sha256(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token || token.expiresAt.getTime() <= Date.now()) return undefined;
      if (token.revokedAt) {
        await manager.update(
          RefreshToken,
          { familyId: token.familyId, revokedAt: IsNull() },
          { revokedAt: () => 'now()' },
        );
        return undefined;
      }
      await manager.update(RefreshToken, { id: token.id }, { revokedAt: () => 'now()' });
      return this.issueTokens(manager, token.userId, token.familyId);
    });
    if (!outcome) throw new UnauthorizedException(INVALID_REFRESH_TOKEN);
    return outcome;
  }

  async logout(auth: AuthUser, refreshToken: string): Promise<void> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(RefreshToken)
      .set({ revokedAt: () => 'now()' })
      .where('token_hash = :hash AND user_id = :user', {
        hash: sha256(refreshToken),
        user: auth.id,
      })
      .andWhere('revoked_at IS NULL AND expires_at > now()')
      .execute();
    if (!result.affected) throw new UnauthorizedException(INVALID_REFRESH_TOKEN);
  }

  async me(auth: AuthUser): Promise<UserResponse> {
    const user = await this.users.findById(auth.id);
    if (!user) throw new UnauthorizedException('The account no longer exists.');
    return toUserResponse(user);
  }

  private async issueTokens(
    manager: EntityManager,
    userId: string,
    familyId: string,
  ): Promise<TokenPairResponse> {
    const refreshToken = randomBytes(32).toString('base64url');
    await manager.insert(RefreshToken, {
      userId,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.get('refreshTtlSeconds') * 1000),
    });
    const accessToken = await this.jwt.signAsync({ sub: userId }, { jwtid: randomUUID() });
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.get('accessTtlSeconds'),
    };
  }
}
