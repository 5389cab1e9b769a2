import { Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import { type Page, paginate, type SortColumns } from '../common/pagination/page.js';
import { LENGTH } from '../common/validation/limits.js';
import type { AppConfig } from '../config/environment.js';
import {
  SESSION_SORT_FIELDS,
  type SessionListQuery,
  type SessionResponse,
} from './dto/session.dto.js';
import { EndedSessions } from './ended-sessions.js';
import { Session } from './session.entity.js';

const SORT_COLUMNS = {
  createdAt: 'session.createdAt',
  lastUsedAt: 'session.lastUsedAt',
} satisfies SortColumns<typeof SESSION_SORT_FIELDS>;

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
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
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
  async start(
    manager: EntityManager,
    userId: string,
    userAgent: string | undefined,
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO "sessions" ("user_id", "user_agent")
       SELECT "id", $2 FROM "users" WHERE "id" = $1 AND NOT "disabled"
       RETURNING "id"`,
      [userId, userAgent ? [...userAgent].slice(0, LENGTH.userAgent).join('') : null],
    );
    return rows[0]?.id;
  }

  /**
   * Locks a session for a refresh and marks it used; `false` if it has ended or its account is
   * disabled. The lock orders a refresh and a concurrent ending, so none outlives the other.
   */
  async touchLive(manager: EntityManager, sessionId: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE "sessions" AS s SET "last_used_at" = now()
       FROM "users" AS u
       WHERE s."id" = $1 AND s."ended_at" IS NULL AND u."id" = s."user_id" AND NOT u."disabled"`,
      [sessionId],
    );
    return affected === 1;
  }

  /** The caller's live sessions: not ended, and with a refresh token that has not expired. */
  list(auth: AuthUser, query: SessionListQuery): Promise<Page<SessionResponse>> {
    const builder = this.sessions
      .createQueryBuilder('session')
      .where('session.user_id = :user AND session.ended_at IS NULL', { user: auth.id })
      .andWhere(`session.last_used_at > now() - :ttl * interval '1 second'`, {
        ttl: this.refreshTtlSeconds,
      });
    return paginate(builder, query, SORT_COLUMNS, (session) => ({
      id: session.id,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      ...(session.userAgent === null ? {} : { userAgent: session.userAgent }),
      current: session.id === auth.sessionId,
    }));
  }

  /**
   * Ends one of the caller's sessions, with its audit event; another user's, or one already
   * ended, is a 404.
   */
  endOwn(auth: AuthUser, id: string): Promise<void> {
    return this.transaction(async (manager) => {
      const ended = await this.endWhere(manager, `"id" = $1 AND "user_id" = $2`, [id, auth.id]);
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
      const ended = await this.endWhere(
        manager,
        `"id" = (SELECT "session_id" FROM "refresh_tokens"
                 WHERE "token_hash" = $1 AND "user_id" = $2
                   AND "revoked_at" IS NULL AND "expires_at" > now())`,
        [tokenHash, userId],
      );
      if (ended.length === 0) return false;
      await this.audit.recordInTransaction(manager);
      return true;
    });
  }

  /** Ends a session (a reused refresh token gives it away), in a `transaction()`. */
  async end(manager: EntityManager, sessionId: string): Promise<void> {
    await this.endWhere(manager, `"id" = $1`, [sessionId]);
  }

  /** Ends every session of a user (the account was disabled), in a `transaction()`. */
  async endAllOf(manager: EntityManager, userId: string): Promise<void> {
    await this.endWhere(manager, `"user_id" = $1`, [userId]);
  }

  /** Ends the live sessions matching `condition` and revokes their refresh tokens, atomically. */
  private async endWhere(
    manager: EntityManager,
    condition: string,
    parameters: unknown[],
  ): Promise<string[]> {
    const ended = this.endedBy.get(manager);
    if (!ended) throw new Error('Sessions end only inside SessionsService.transaction().');
    const rows: { id: string }[] = await manager.query(
      `WITH "ended" AS (
         UPDATE "sessions" SET "ended_at" = now()
         WHERE ${condition} AND "ended_at" IS NULL
         RETURNING "id"
       ), "revoked" AS (
         UPDATE "refresh_tokens" SET "revoked_at" = now()
         WHERE "session_id" IN (SELECT "id" FROM "ended") AND "revoked_at" IS NULL
       )
       SELECT "id" FROM "ended"`,
      parameters,
    );
    const ids = rows.map((row) => row.id);
    ended.push(...ids);
    return ids;
  }
}
