import { Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { Page } from '../common/pagination/page.js';
import type { AppConfig } from '../config/environment.js';
import type { SessionListQuery, SessionResponse } from './dto/session.dto.js';
import { EndedSessions } from './ended-sessions.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * Sessions: started by a login, kept alive by refreshes, ended by logout, deletion, refresh
 * token reuse or the account being disabled. Ending one revokes its refresh tokens in the same
 * statement and makes every instance refuse its access tokens (see EndedSessions).
 */
@Injectable()
export class SessionsService {
  private readonly refreshTtlSeconds: number;
  /** The sessions each open transaction of `transaction()` has ended so far. */
  private readonly endedBy = new WeakMap<EntityManager, string[]>();

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly endedSessions: EndedSessions,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.refreshTtlSeconds = config.get('refreshTtlSeconds');
  }

  /**
   * Runs `work` in a transaction. The sessions it ends are refused by this instance as soon as
   * it commits (the others see them within their next poll), and not at all if it rolls back.
   */
  async transaction<Result>(work: (manager: EntityManager) => Promise<Result>): Promise<Result> {
    const ended: string[] = [];
    const result = await this.dataSource.transaction((manager) => {
      this.endedBy.set(manager, ended);
      return work(manager);
    });
    this.endedSessions.remember(ended);
    return result;
  }

  /** Starts a session for an account that is not disabled; `undefined` if it is. */
  start(
    manager: EntityManager,
    userId: string,
    userAgent: string | undefined,
  ): Promise<string | undefined> {
    return this.sessions.start(manager, userId, userAgent);
  }

  /**
   * Locks a session for a refresh and marks it used; `false` if it has ended or its account is
   * disabled. The lock orders a refresh and a concurrent ending, so none outlives the other.
   */
  touchLive(manager: EntityManager, sessionId: string): Promise<boolean> {
    return this.sessions.touchLive(manager, sessionId);
  }

  /** The caller's live sessions: not ended, and with a refresh token that has not expired. */
  async list(auth: AuthUser, query: SessionListQuery): Promise<Page<SessionResponse>> {
    const page = await this.sessions.page(auth.id, this.refreshTtlSeconds, query);
    return {
      ...page,
      items: page.items.map((session) => ({
        id: session.id,
        createdAt: session.createdAt,
        lastUsedAt: session.lastUsedAt,
        ...(session.userAgent === null ? {} : { userAgent: session.userAgent }),
        current: session.id === auth.sessionId,
      })),
    };
  }

  /**
   * Ends one of the caller's sessions, with its audit event; another user's, or one already
   * ended, is a 404.
   */
  endOwn(auth: AuthUser, id: string): Promise<void> {
    return this.transaction(async (manager) => {
      const ended = this.remember(manager, await this.sessions.endOwned(manager, auth.id, id));
      if (ended.length === 0) throw new NotFoundException('No live session with this id.');
      await this.audit.recordInTransaction(manager);
    });
  }

  /**
   * Ends the session of one of the user's live refresh tokens (a logout), with its audit
   * event; `false` if there is none.
   */
  endByRefreshToken(userId: string, tokenHash: string): Promise<boolean> {
    return this.transaction(async (manager) => {
      const ended = this.remember(
        manager,
        await this.sessions.endByRefreshToken(manager, userId, tokenHash),
      );
      if (ended.length === 0) return false;
      await this.audit.recordInTransaction(manager);
      return true;
    });
  }

  /** Ends a session (a reused refresh token gives it away), in a `transaction()`. */
  async end(manager: EntityManager, sessionId: string): Promise<void> {
    this.remember(manager, await this.sessions.end(manager, sessionId));
  }

  /** Ends every session of a user (the account was disabled), in a `transaction()`. */
  async endAllOf(manager: EntityManager, userId: string): Promise<void> {
    this.remember(manager, await this.sessions.endAllOf(manager, userId));
  }

  /**
   * Notes sessions just ended in `manager`'s `transaction()`, to be refused once it commits
   * (their refresh tokens were revoked with them, by the database's trigger).
   */
  private remember(manager: EntityManager, ids: string[]): string[] {
    const ended = this.endedBy.get(manager);
    if (!ended) throw new Error('Sessions end only inside SessionsService.transaction().');
    ended.push(...ids);
    return ids;
  }
}
