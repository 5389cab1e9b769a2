import { HttpStatus, Injectable, type OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcrypt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Client } from '../common/decorators/client.decorator.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { AppConfig } from '../config/environment.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Role, User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { LoginDto, RegisterDto, TokenPairResponse, UserResponse } from './dto/auth.dto.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

const INVALID_CREDENTIALS = 'The email or password is incorrect.';
const INVALID_REFRESH_TOKEN = 'The refresh token is invalid, expired or already used.';

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toUserResponse({ id, name, email, role, createdAt }: User): UserResponse {
  return { id, name, email, role, createdAt };
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
    private readonly sessions: SessionsService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await bcrypt.hash(randomUUID(), this.config.get('bcryptRounds'));
  }

  /** Creates an account; the command line creates administrators through the same path. */
  async register(dto: RegisterDto, role: Role = 'user'): Promise<UserResponse> {
    const passwordHash = await bcrypt.hash(dto.password, this.config.get('bcryptRounds'));
    const user = await this.dataSource.transaction(async (manager) => {
      const created = await this.users.create(manager, {
        name: dto.name,
        email: dto.email,
        passwordHash,
        role,
      });
      await this.audit.recordInTransaction(manager, { actorId: created.id });
      return created;
    });
    return toUserResponse(user);
  }

  /**
   * Every attempt is counted against its email and client first (see LoginThrottleService),
   * and every attempt, even one refused by a lock, looks the email up and compares one bcrypt
   * hash: unknown, known, wrong, locked and disabled all take the same time, and unknown and
   * known get the same answers (401, or the lock's 429). A successful login starts a session.
   */
  async login(client: Client, dto: LoginDto, userAgent?: string): Promise<TokenPairResponse> {
    const refusal = await this.throttle.reserveAttempt(client, dto.email);
    const user = await this.users.findByEmail(dto.email);
    // A failed login names the account when the email is one's, and no one otherwise.
    this.audit.add({ actorId: user?.id ?? null });
    const matches = await bcrypt.compare(dto.password, user?.passwordHash ?? this.dummyHash);
    if (refusal) throw refusal;
    if (!user || !matches || user.disabled) {
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    await this.throttle.recordSuccess(client, dto.email);
    const tokens = await this.sessions.transaction(async (manager) => {
      const sessionId = await this.sessions.start(manager, user.id, userAgent);
      if (!sessionId) return undefined;
      const issued = await this.issueTokens(manager, user.id, sessionId);
      await this.audit.recordInTransaction(manager);
      return issued;
    });
    // Disabled between the check above and the session's insert.
    if (!tokens) throw new UnauthorizedException(INVALID_CREDENTIALS);
    return tokens;
  }

  /**
   * Rotates a refresh token of a live session whose account is not disabled. A token that was
   * already rotated (or logged out) is a sign of theft: its whole session is ended, and the
   * caller gets a 401.
   */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    const tokens = await this.sessions.transaction(async (manager) => {
      const token = await this.refreshTokens.findForUpdate(manager, sha256(refreshToken));
      if (!token || token.expiresAt.getTime() <= Date.now()) return undefined;
      this.audit.add({ actorId: token.userId });
      if (token.revokedAt) {
        // The session ends and its event commits although the caller is refused.
        await this.sessions.end(manager, token.sessionId);
        await this.audit.recordInTransaction(
          manager,
          { action: 'auth.refresh-reuse' },
          HttpStatus.UNAUTHORIZED,
        );
        return undefined;
      }
      if (!(await this.sessions.touchLive(manager, token.sessionId))) return undefined;
      await this.refreshTokens.revoke(manager, token.id);
      const issued = await this.issueTokens(manager, token.userId, token.sessionId);
      await this.audit.recordInTransaction(manager);
      return issued;
    });
    if (!tokens) throw new UnauthorizedException(INVALID_REFRESH_TOKEN);
    return tokens;
  }

  /** Ends the session of the caller's refresh token given in the body. */
  async logout(auth: AuthUser, refreshToken: string): Promise<void> {
    const ended = await this.sessions.endByRefreshToken(auth.id, sha256(refreshToken));
    if (!ended) throw new UnauthorizedException(INVALID_REFRESH_TOKEN);
  }

  async me(auth: AuthUser): Promise<UserResponse> {
    const user = await this.users.findById(auth.id);
    if (!user) throw new UnauthorizedException('The account no longer exists.');
    return toUserResponse(user);
  }

  private async issueTokens(
    manager: EntityManager,
    userId: string,
    sessionId: string,
  ): Promise<TokenPairResponse> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert(manager, {
      userId,
      sessionId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.get('refreshTtlSeconds') * 1000),
    });
    const accessToken = await this.jwt.signAsync(
      { sub: userId, sid: sessionId },
      { jwtid: randomUUID() },
    );
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.get('accessTtlSeconds'),
    };
  }
}
